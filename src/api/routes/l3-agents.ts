/**
 * The L3 agent scheduler's sub-resources (extension l3_agent_scheduler): `/v2.0/agents/{id}/l3-routers`
 * (GET, POST {router_id}, DELETE /{router_id}) and `/v2.0/routers/{id}/l3-agents` (GET).
 * Admin-only by Neutron's default policies (get_l3-routers, create_l3-router, delete_l3-router, get_l3-agents).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteDeps } from './deps.js';
import { callerOf } from '../request-context.js';
import { errors } from '../../core/errors.js';
import { isPlainObject, isUuid } from '../../definitions/validators.js';
import { selectFields } from '../query.js';

const fieldsOf = (req: FastifyRequest) =>
  ([] as string[]).concat((req.query as Record<string, string | string[]>).fields ?? []).flatMap((f) => f.split(',')).filter(Boolean);

export function l3AgentRoutes(app: FastifyInstance, d: RouteDeps): void {
  const may = (action: string, req: FastifyRequest) => {
    if (!d.policy.check(action, {}, callerOf(req))) throw errors.policyNotAuthorized(action);
  };

  app.get('/v2.0/agents/:id/l3-routers', async (req) => {
    may('get_l3-routers', req);
    const { id } = req.params as { id: string };
    return { routers: (await d.core.l3Agents.routersOnAgent(callerOf(req), id)).map((r) => selectFields(r, fieldsOf(req))) };
  });

  app.post('/v2.0/agents/:id/l3-routers', async (req, reply) => {
    may('create_l3-router', req);
    const { id } = req.params as { id: string };
    const body = req.body;
    if (!isPlainObject(body) || !isUuid(body.router_id)) {
      throw errors.badRequest(`Invalid input for router_id. Reason: '${String(isPlainObject(body) ? body.router_id : '')}' is not a valid UUID.`);
    }
    await d.core.l3Agents.addRouter(id, body.router_id as string);
    return reply.code(201).send();
  });

  app.delete('/v2.0/agents/:id/l3-routers/:routerId', async (req, reply) => {
    may('delete_l3-router', req);
    const { id, routerId } = req.params as { id: string; routerId: string };
    await d.core.l3Agents.removeRouter(id, routerId);
    return reply.code(204).send();
  });

  app.get('/v2.0/routers/:id/l3-agents', async (req) => {
    may('get_l3-agents', req);
    const { id } = req.params as { id: string };
    return { agents: (await d.core.l3Agents.agentsHostingRouter(id)).map((a) => selectFields(a, fieldsOf(req))) };
  });
}
