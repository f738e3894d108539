import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './deps.js';
import { effective } from '../../definitions/registry.js';
import { registerCollection } from '../collection.js';

export function networkRoutes(app: FastifyInstance, d: RouteDeps): void {
  registerCollection(app, { def: effective.network, service: d.core.networks, policy: d.policy, tags: d.core.tags.networks, paginationMaxLimit: d.paginationMaxLimit });
}
