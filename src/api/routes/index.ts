/** Every API route file, registered in one place. */
import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './deps.js';
import { networkRoutes } from './networks.js';
import { quotaRoutes } from './quotas.js';
import { securityGroupRoutes } from './security-groups.js';
import { subnetRoutes } from './subnets.js';
import { portRoutes } from './ports.js';
import { agentRoutes } from './agents.js';
import { availabilityZoneRoutes } from './availability-zones.js';
import { routerRoutes } from './routers.js';
import { floatingIpRoutes } from './floatingips.js';
import { l3AgentRoutes } from './l3-agents.js';
import { addressGroupRoutes } from './address-groups.js';
import { rbacPolicyRoutes } from './rbac-policies.js';

export function registerApiRoutes(app: FastifyInstance, d: RouteDeps): void {
  networkRoutes(app, d);
  subnetRoutes(app, d);
  portRoutes(app, d);
  securityGroupRoutes(app, d);
  quotaRoutes(app, d);
  agentRoutes(app, d);
  availabilityZoneRoutes(app, d);
  routerRoutes(app, d);
  floatingIpRoutes(app, d);
  l3AgentRoutes(app, d);
  addressGroupRoutes(app, d);
  rbacPolicyRoutes(app, d);
}
