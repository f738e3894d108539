import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './deps.js';
import { effective } from '../../definitions/registry.js';
import { registerCollection } from '../collection.js';

/** `/v2.0/rbac-policies` (extension rbac-policies). */
export function rbacPolicyRoutes(app: FastifyInstance, d: RouteDeps): void {
  registerCollection(app, { def: effective.rbacPolicy, service: d.core.rbacPolicies, policy: d.policy, paginationMaxLimit: d.paginationMaxLimit });
}
