/**
 * The l3_agent_scheduler extension's operations (Neutron's L3AgentSchedulerDbMixin API side):
 * routers hosted by an agent, agents hosting a router, and manual (un)scheduling — each change one
 * transaction ending with the L3 scheduler's host change, hinted after commit.
 */
import type { CoreDeps } from './deps.js';
import type { Caller } from './caller.js';
import type { Item } from './service.js';
import type { RouterService } from './routers.js';
import type { L3Scheduler } from './l3-scheduling.js';
import type { HostChange } from './host-revisions.js';
import { agentRow } from '../store/tables/agents.js';
import { agentNotFound, toAgentItem } from './agents.js';
import { routerNotFound } from './l3-common.js';

export interface L3AgentService {
  /** GET /agents/{id}/l3-routers: the routers (as items) an agent hosts; AgentNotFound when absent. */
  routersOnAgent(caller: Caller, agentId: string): Promise<Item[]>;
  /** POST /agents/{id}/l3-routers {router_id}. */
  addRouter(agentId: string, routerId: string): Promise<void>;
  /** DELETE /agents/{id}/l3-routers/{router_id}: the router stays unhosted until rescheduled. */
  removeRouter(agentId: string, routerId: string): Promise<void>;
  /** GET /routers/{id}/l3-agents: agents (as items) hosting the router (none for an unknown router, as Neutron). */
  agentsHostingRouter(routerId: string): Promise<Item[]>;
}

export function l3AgentService(deps: CoreDeps, routers: RouterService, l3: L3Scheduler): L3AgentService {
  const { store } = deps;
  const nowMs = () => (deps.clock ?? Date.now)();
  const hint = (id: string, change: HostChange) => { if (change.hosts.length) deps.onCommit({ resource: 'router', id, hosts: change.hosts, revision: change.revision }); };

  return {
    async routersOnAgent(caller, agentId) {
      if (!(await agentRow(store.db, agentId))) throw agentNotFound(agentId);
      const ids = await l3.routersOfAgent(store.db, agentId);
      if (!ids.length) return [];
      return routers.list(caller, { filters: { id: ids }, fields: [], sorts: [], limit: null, marker: null, pageReverse: false, tags: { all: [], any: [], notAll: [], notAny: [] } });
    },

    async addRouter(agentId, routerId) {
      const change = await store.transaction(async (tx) => {
        const router = await tx.selectFrom('routers').select('id').where('id', '=', routerId).executeTakeFirst();
        if (!router) throw routerNotFound(routerId);
        const agent = await agentRow(tx, agentId);
        if (!agent) throw agentNotFound(agentId);
        return l3.finish(tx, [await l3.addRouterToAgent(tx, agent, routerId)]);
      });
      hint(routerId, change);
    },

    async removeRouter(agentId, routerId) {
      const change = await store.transaction(async (tx) => {
        const agent = await agentRow(tx, agentId);
        if (!agent) throw agentNotFound(agentId);
        const scope = await l3.removeRouterFromAgent(tx, agent, routerId);
        // Neutron unbinds first, then looks the router up: an unknown router is a 404.
        if (!(await tx.selectFrom('routers').select('id').where('id', '=', routerId).executeTakeFirst())) throw routerNotFound(routerId);
        return l3.finish(tx, [scope]);
      });
      hint(routerId, change);
    },

    async agentsHostingRouter(routerId) {
      const rows = await l3.agentsOfRouters(store.db, [routerId]);
      return rows.map(({ router_id: _r, ...a }) => toAgentItem(a, nowMs(), deps.settings.agentDownTime));
    },
  };
}
