/**
 * `/v2.0/floatingips`, its `port_forwardings` sub-collection (floating-ip-port-forwarding) and
 * `/v2.0/floatingip_pools` (floatingip-pools).
 */
import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './deps.js';
import type { Item } from '../../core/service.js';
import type { Caller } from '../../core/caller.js';
import { effective } from '../../definitions/registry.js';
import { registerCollection } from '../collection.js';
import { callerOf } from '../request-context.js';
import { errors, NeutronError } from '../../core/errors.js';
import { parseListQuery, selectFields, type RawQuery } from '../query.js';
import { unwrapBody, prepareCreate, prepareUpdate } from '../body.js';

export function floatingIpRoutes(app: FastifyInstance, d: RouteDeps): void {
  registerCollection(app, { def: effective.floatingip, service: d.core.l3.floatingips, policy: d.policy, tags: d.core.tags.floatingips, paginationMaxLimit: d.paginationMaxLimit });

  app.get('/v2.0/floatingip_pools', async (req) => {
    const caller = callerOf(req);
    const fields = parseListQuery({ fields: (req.query as RawQuery).fields }, {}).fields;
    const pools = await d.core.l3.floatingIpPools(caller);
    // get_floatingip_pool is checked against the caller's own project (the pools are everyone's).
    const t = { project_id: caller.projectId, tenant_id: caller.projectId };
    if (!d.policy.check('get_floatingip_pool', t, caller)) return { floatingip_pools: [] };
    return { floatingip_pools: pools.map((p) => selectFields(p, fields)) };
  });

  portForwardingRoutes(app, d);
}

function portForwardingRoutes(app: FastifyInstance, d: RouteDeps): void {
  const def = effective.portForwarding;
  const pfs = d.core.l3.portForwardings;
  const base = '/v2.0/floatingips/:floatingip_id/port_forwardings';
  const res = 'floatingip_port_forwarding';
  /** Policy target: the forwarding with its parent's owner (rule ext_parent_owner). */
  const target = (fip: { project_id: string }, item: Item = {}) => ({ ...item, project_id: fip.project_id, tenant_id: fip.project_id, 'ext_parent:tenant_id': fip.project_id, 'ext_parent:project_id': fip.project_id });
  const notFound = (id: string) => new NeutronError('PortForwardingNotFound', `Port Forwarding ${id} could not be found.`);
  const may = (action: string, t: Item, caller: Caller) => { if (!d.policy.check(action, t, caller)) throw errors.policyNotAuthorized(action); };
  const shown = (item: Item, fields: string[]) => selectFields(item, fields);

  app.get(base, async (req) => {
    const caller = callerOf(req);
    const { floatingip_id: fipId } = req.params as { floatingip_id: string };
    const query = parseListQuery(req.query as RawQuery, def.attributes, undefined, d.paginationMaxLimit);
    const fip = await pfs.parent(caller, fipId);
    const items = await pfs.list(caller, fipId, query);
    return { port_forwardings: items.filter((i) => d.policy.check(`get_${res}`, target(fip, i), caller)).map((i) => shown(i, query.fields)) };
  });

  app.get(`${base}/:id`, async (req) => {
    const caller = callerOf(req);
    const { floatingip_id: fipId, id } = req.params as { floatingip_id: string; id: string };
    const fip = await pfs.parent(caller, fipId);
    const item = await pfs.get(caller, fipId, id);
    if (!d.policy.check(`get_${res}`, target(fip, item), caller)) throw notFound(id);
    const fields = parseListQuery({ fields: (req.query as RawQuery).fields }, def.attributes).fields;
    return { port_forwarding: shown(item, fields) };
  });

  app.post(base, async (req, reply) => {
    const caller = callerOf(req);
    const { floatingip_id: fipId } = req.params as { floatingip_id: string };
    const { items, bulk } = unwrapBody(def, req.body, true);
    const fip = await pfs.parent(caller, fipId);
    const bodies = items.map((raw) => {
      const body = prepareCreate(def, raw, caller);
      may(`create_${res}`, target(fip, body), caller);
      return body;
    });
    const created = await pfs.create(caller, fipId, bodies);
    reply.code(201);
    return bulk ? { port_forwardings: created } : { port_forwarding: created[0] };
  });

  app.put(`${base}/:id`, async (req) => {
    const caller = callerOf(req);
    const { floatingip_id: fipId, id } = req.params as { floatingip_id: string; id: string };
    const { items } = unwrapBody(def, req.body, false);
    const body = prepareUpdate(def, items[0], caller);
    const fip = await pfs.parent(caller, fipId);
    const current = await pfs.get(caller, fipId, id);
    if (!d.policy.check(`get_${res}`, target(fip, current), caller)) throw notFound(id);
    may(`update_${res}`, target(fip, { ...current, ...body }), caller);
    return { port_forwarding: await pfs.update(caller, fipId, id, body) };
  });

  app.delete(`${base}/:id`, async (req, reply) => {
    const caller = callerOf(req);
    const { floatingip_id: fipId, id } = req.params as { floatingip_id: string; id: string };
    const fip = await pfs.parent(caller, fipId);
    const current = await pfs.get(caller, fipId, id);
    if (!d.policy.check(`get_${res}`, target(fip, current), caller)) throw notFound(id);
    may(`delete_${res}`, target(fip, current), caller);
    await pfs.delete(caller, fipId, id);
    return reply.code(204).send();
  });
}
