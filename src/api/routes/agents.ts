/**
 * `/v2.0/agents` (list/show/update/delete through the generic handler) and the DHCP scheduler's
 * sub-resources: `/v2.0/agents/{id}/dhcp-networks` (GET, POST {network_id}, DELETE /{network_id})
 * and `/v2.0/networks/{id}/dhcp-agents` (GET). Admin-only by Neutron's default policies.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteDeps } from './deps.js';
import { effective } from '../../definitions/registry.js';
import { registerCollection } from '../collection.js';
import { callerOf } from '../request-context.js';
import { errors } from '../../core/errors.js';
import { isPlainObject, isUuid } from '../../definitions/validators.js';
import { selectFields } from '../query.js';

export function agentRoutes(app: FastifyInstance, d: RouteDeps): void {
  registerCollection(app, { def: effective.agent, service: d.core.agents, policy: d.policy, paginationMaxLimit: d.paginationMaxLimit });
  const may = (action: string, req: FastifyRequest) => {
    if (!d.policy.check(action, {}, callerOf(req))) throw errors.policyNotAuthorized(action);
  };
  const hidden = Object.entries(effective.network.attributes).filter(([, s]) => !s.isVisible).map(([a]) => a);

  app.get('/v2.0/agents/:id/dhcp-networks', async (req) => {
    may('get_dhcp-networks', req);
    const { id } = req.params as { id: string };
    const ids = await d.core.agents.dhcpNetworks(id);
    const networks = ids.length ? await d.core.networks.list(callerOf(req), {
      filters: { id: ids }, fields: [], sorts: [], limit: null, marker: null, pageReverse: false, tags: { all: [], any: [], notAll: [], notAny: [] },
    }) : [];
    return { networks: networks.map((n) => { const out = { ...n }; for (const a of hidden) delete out[a]; return out; }) };
  });

  app.post('/v2.0/agents/:id/dhcp-networks', async (req, reply) => {
    may('create_dhcp-network', req);
    const { id } = req.params as { id: string };
    const body = req.body;
    if (!isPlainObject(body) || !isUuid(body.network_id)) throw errors.badRequest(`Invalid input for network_id. Reason: '${String(isPlainObject(body) ? body.network_id : '')}' is not a valid UUID.`);
    await d.core.agents.addDhcpNetwork(id, body.network_id as string);
    return reply.code(201).send();
  });

  app.delete('/v2.0/agents/:id/dhcp-networks/:networkId', async (req, reply) => {
    may('delete_dhcp-network', req);
    const { id, networkId } = req.params as { id: string; networkId: string };
    await d.core.agents.removeDhcpNetwork(id, networkId);
    return reply.code(204).send();
  });

  app.get('/v2.0/networks/:id/dhcp-agents', async (req) => {
    may('get_dhcp-agents', req);
    const { id } = req.params as { id: string };
    const fields = ([] as string[]).concat((req.query as Record<string, string | string[]>).fields ?? []).flatMap((f) => f.split(',')).filter(Boolean);
    return { agents: (await d.core.agents.dhcpAgentsOf(callerOf(req), id)).map((a) => selectFields(a, fields)) };
  });
}
