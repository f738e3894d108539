/**
 * `/v2.0/routers` and its member actions: add/remove_router_interface (l3), add/remove_extraroutes
 * (extraroute-atomic). Sub-attribute rules of external_gateway_info (enable_snat, external_fixed_ips:
 * admin only by default) are checked here, as Neutron's policy match rule does.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteDeps } from './deps.js';
import type { Caller } from '../../core/caller.js';
import { effective } from '../../definitions/registry.js';
import { registerCollection } from '../collection.js';
import { callerOf } from '../request-context.js';
import { errors } from '../../core/errors.js';
import { isPlainObject } from '../../definitions/validators.js';
import { externalGatewayInfoValidator } from '../../definitions/router.js';

export function routerRoutes(app: FastifyInstance, d: RouteDeps): void {
  const routers = d.core.l3.routers;
  const target = (p: unknown) => ({ project_id: p, tenant_id: p });

  function checkGatewayKeys(action: string, body: unknown, t: Record<string, unknown>, caller: Caller): void {
    if (!isPlainObject(body) || !isPlainObject(body.external_gateway_info)) return;
    // Neutron validates the body before policy: an invalid one is left to the 400.
    if (externalGatewayInfoValidator(body.external_gateway_info)) return;
    const rules = Object.keys(body.external_gateway_info).map((key) => `${action}:external_gateway_info:${key}`).filter((r) => d.policy.hasRule(r));
    if (rules.some((r) => !d.policy.check(r, t, caller))) {
      // Neutron's sub-attribute match: (rule:A:external_gateway_info and (rule:A:external_gateway_info:K and ...)).
      throw errors.policyNotAuthorized(action, [`(rule:${action}:external_gateway_info and (${rules.map((r) => `rule:${r}`).join(' and ')}))`]);
    }
  }

  app.register(async (scope) => {
    scope.addHook('preHandler', async (req: FastifyRequest) => {
      const caller = callerOf(req);
      const body = req.body as Record<string, unknown> | undefined;
      if (!isPlainObject(body)) return;
      if (req.method === 'POST' && req.routeOptions.url === '/v2.0/routers') {
        const items = Array.isArray(body.routers) ? body.routers.map((x: any) => (isPlainObject(x?.router) ? x.router : x)) : [body.router];
        for (const r of items) checkGatewayKeys('create_router', r, target(isPlainObject(r) ? r.project_id ?? r.tenant_id ?? caller.projectId : caller.projectId), caller);
      } else if (req.method === 'PUT' && req.routeOptions.url === '/v2.0/routers/:id' && isPlainObject(body.router) && isPlainObject(body.router.external_gateway_info)) {
        const { id } = req.params as { id: string };
        const router = await routers.get(caller, id).catch(() => null);
        if (router) checkGatewayKeys('update_router', body.router, target(router.project_id), caller);
      }
    });
    registerCollection(scope, { def: effective.router, service: routers, policy: d.policy, tags: d.core.tags.routers, paginationMaxLimit: d.paginationMaxLimit });
  });

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
