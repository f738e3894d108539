/** Every API route file, registered in one place. */
import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './deps.js';
import { networkRoutes } from './networks.js';
import { quotaRoutes } from './quotas.js';

export function registerApiRoutes(app: FastifyInstance, d: RouteDeps): void {
  networkRoutes(app, d);
  quotaRoutes(app, d);
}
