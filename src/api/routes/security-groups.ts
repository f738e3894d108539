import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './deps.js';
import { effective } from '../../definitions/registry.js';
import { registerCollection } from '../collection.js';
import { securityGroupRuleRoutes } from './security-group-rules.js';

/** `/v2.0/security-groups`, and with it `/v2.0/security-group-rules` (one registration line in index.ts). */
export function securityGroupRoutes(app: FastifyInstance, d: RouteDeps): void {
  registerCollection(app, { def: effective.securityGroup, service: d.core.securityGroups.groups, policy: d.policy, tags: d.core.tags.security_groups, paginationMaxLimit: d.paginationMaxLimit });
  securityGroupRuleRoutes(app, d);
}
