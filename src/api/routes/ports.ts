import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './deps.js';
import { effective } from '../../definitions/registry.js';
import { registerCollection } from '../collection.js';

export function portRoutes(app: FastifyInstance, d: RouteDeps): void {
  registerCollection(app, { def: effective.port, service: d.core.ports, policy: d.policy, tags: d.core.tags.ports, paginationMaxLimit: d.paginationMaxLimit });
}
