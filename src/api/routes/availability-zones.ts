/** `/v2.0/availability_zones`: one entry per (zone, resource) of the DHCP (network) and L3 (router) agents. */
import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './deps.js';
import { callerOf } from '../request-context.js';
import { parseListQuery, selectFields, type RawQuery } from '../query.js';
import { AVAILABILITY_ZONE_ATTRIBUTES } from '../../definitions/extensions/availability-zone.js';

export function availabilityZoneRoutes(app: FastifyInstance, d: RouteDeps): void {
  app.get('/v2.0/availability_zones', async (req) => {
    const caller = callerOf(req);
    const query = parseListQuery(req.query as RawQuery, AVAILABILITY_ZONE_ATTRIBUTES);
    const zones = (await d.core.agents.availabilityZones())
      .filter((z) => Object.entries(query.filters).every(([k, values]) => values.map(String).includes((z as Record<string, string>)[k]!)))
      .filter((z) => d.policy.check('get_availability_zone', { ...z, tenant_id: caller.projectId, project_id: caller.projectId }, caller));
    return { availability_zones: zones.map((z) => selectFields(z, query.fields)) };
  });
}
