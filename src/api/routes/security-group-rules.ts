import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './deps.js';
import { effective } from '../../definitions/registry.js';
import { registerCollection } from '../collection.js';

export function securityGroupRuleRoutes(app: FastifyInstance, d: RouteDeps): void {
  registerCollection(app, { def: effective.securityGroupRule, service: d.core.securityGroups.rules, policy: d.policy, tags: d.core.tags.security_group_rules, paginationMaxLimit: d.paginationMaxLimit });
}
