/**
 * `/v2.0/routers` and its member actions: add/remove_router_interface (l3), add/remove_extraroutes
 * (extraroute-atomic). The sub-attribute rules of external_gateway_info (enable_snat, external_fixed_ips:
 * admin only by default) are the collection's write rules (api/policy/write-rules.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteDeps } from './deps.js';
import type { Caller } from '../../core/caller.js';
import { effective } from '../../definitions/registry.js';
import { registerCollection } from '../collection.js';
import { callerOf } from '../request-context.js';
import { errors } from '../../core/errors.js';

export function routerRoutes(app: FastifyInstance, d: RouteDeps): void {
  const routers = d.core.l3.routers;
  registerCollection(app, { def: effective.router, service: routers, policy: d.policy, tags: d.core.tags.routers, paginationMaxLimit: d.paginationMaxLimit });

  /** Member actions are authorised against the router (a router the caller can't see is a 404). */
  async function authorise(req: FastifyRequest, action: string): Promise<{ caller: Caller; id: string }> {
    const caller = callerOf(req);
    const { id } = req.params as { id: string };
    const router = await routers.get(caller, id);
    if (!d.policy.check('get_router', router, caller)) throw errors.notFound('RouterNotFound', `Router ${id} could not be found`);
    if (!d.policy.check(action, router, caller)) throw errors.policyNotAuthorized(action);
    return { caller, id };
  }

  app.put('/v2.0/routers/:id/add_router_interface', async (req) => {
    const { caller, id } = await authorise(req, 'add_router_interface');
    return routers.addInterface(caller, id, req.body);
  });
  app.put('/v2.0/routers/:id/remove_router_interface', async (req) => {
    const { caller, id } = await authorise(req, 'remove_router_interface');
    return routers.removeInterface(caller, id, req.body);
  });
  app.put('/v2.0/routers/:id/add_extraroutes', async (req) => {
    const { caller, id } = await authorise(req, 'add_extraroutes');
    return { router: await routers.addExtraRoutes(caller, id, req.body) };
  });
  app.put('/v2.0/routers/:id/remove_extraroutes', async (req) => {
    const { caller, id } = await authorise(req, 'remove_extraroutes');
    return { router: await routers.removeExtraRoutes(caller, id, req.body) };
  });
}
