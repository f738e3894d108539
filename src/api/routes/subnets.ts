import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './deps.js';
import { effective } from '../../definitions/registry.js';
import { registerCollection } from '../collection.js';

export function subnetRoutes(app: FastifyInstance, d: RouteDeps): void {
  registerCollection(app, { def: effective.subnet, service: d.core.subnets, policy: d.policy, tags: d.core.tags.subnets, paginationMaxLimit: d.paginationMaxLimit });
}
