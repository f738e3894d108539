/**
 * Agents (`/v2.0/agents`, extensions agent, dhcp_agent_scheduler, availability_zone): the rows that
 * heartbeats keep (core/agent-reports.ts), shown as Neutron shows them with `alive` computed from
 * heartbeat_timestamp and agent_down_time at read time.
 */
import type { CoreDeps } from './deps.js';
import type { Caller } from './caller.js';
import type { Item, ResourceService } from './service.js';
import type { AgentRow } from '../store/schema.js';
import type { DhcpScheduler } from './dhcp-scheduling.js';
import type { NetworkService } from './networks.js';
import { NOT_SPECIFIED } from '../definitions/types.js';
import { NeutronError, errors } from './errors.js';
import { applyFilters, applyPage, type ColumnFilter } from '../store/tables/list.js';
import { agentRow, dhcpAgentsOfNetwork, networksOfDhcpAgent } from '../store/tables/agents.js';
import { networkRow } from '../store/tables/networks.js';
import { isAlive } from './port-binding.js';
import { recordHostChange, type ChangeScope, type HostChange } from './host-revisions.js';
import { mergeScopes } from './dhcp-scheduling.js';
import type { L3Scheduler } from './l3-scheduling.js';

const given = (v: unknown) => v !== undefined && v !== NOT_SPECIFIED;

/** Neutron shows agent times as `YYYY-MM-DD HH:MM:SS` (UTC, no zone). */
export const neutronTime = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : null);

export function toAgentItem(row: AgentRow, nowMs: number, agentDownTime: number): Item {
  let configurations: unknown = {};
  try { configurations = JSON.parse(row.configurations); } catch { /* shown empty */ }
  return {
    id: row.id, agent_type: row.agent_type, binary: row.binary, topic: row.topic, host: row.host,
    admin_state_up: !!row.admin_state_up, created_at: neutronTime(row.created_at), started_at: neutronTime(row.started_at),
    heartbeat_timestamp: neutronTime(row.heartbeat_timestamp), alive: isAlive(row.heartbeat_timestamp, nowMs, agentDownTime),
    configurations, description: row.description, availability_zone: row.availability_zone,
  };
}

export const agentNotFound = (id: string) => new NeutronError('AgentNotFound', `Agent ${id} could not be found.`);

export interface AgentService extends ResourceService {
  /** Networks a DHCP agent serves (ids). */
  dhcpNetworks(id: string): Promise<string[]>;
  addDhcpNetwork(id: string, networkId: string): Promise<void>;
  removeDhcpNetwork(id: string, networkId: string): Promise<void>;
  /** DHCP agents serving a network, as items; NetworkNotFound when the caller cannot see it. */
  dhcpAgentsOf(caller: Caller, networkId: string): Promise<Item[]>;
  /** `/v2.0/availability_zones`: one per (zone, resource) of DHCP/L3 agents. */
  availabilityZones(): Promise<{ name: string; resource: string; state: string }[]>;
}

const COLUMNS: Record<string, string> = {
  id: 'id', agent_type: 'agent_type', binary: 'binary', topic: 'topic', host: 'host', admin_state_up: 'admin_state_up',
  description: 'description', availability_zone: 'availability_zone',
};

export function agentService(deps: CoreDeps, networks: NetworkService, dhcp: DhcpScheduler, l3?: L3Scheduler): AgentService {
  const { store } = deps;
  const nowMs = () => (deps.clock ?? Date.now)();
  const item = (r: AgentRow) => toAgentItem(r, nowMs(), deps.settings.agentDownTime);
  const hint = (id: string, change: HostChange) => { if (change.hosts.length) deps.onCommit({ resource: 'agent', id, hosts: change.hosts, revision: change.revision }); };

  async function get(id: string): Promise<AgentRow> {
    const row = await agentRow(store.db, id);
    if (!row) throw agentNotFound(id);
    return row;
  }

  return {
    async list(_caller, query) {
      let q = store.db.selectFrom('agents').selectAll();
      const filters: ColumnFilter[] = [];
      let aliveFilter: boolean[] | null = null;
      for (const [attr, values] of Object.entries(query.filters)) {
        if (attr === 'alive') aliveFilter = values.map((v) => v === true || String(v).toLowerCase() === 'true');
        else if (COLUMNS[attr]) filters.push({ column: COLUMNS[attr], values });
      }
      q = applyFilters(q, 'agents', filters);
      const sorts = query.sorts.map((s) => ({ column: COLUMNS[s.key]!, ascending: s.ascending })).filter((s) => s.column);
      if (!sorts.some((s) => s.column === 'id')) sorts.push({ column: 'id', ascending: sorts[0]?.ascending ?? true });
      let markerValues: unknown[] | null = null;
      if (query.marker) {
        const m = (await agentRow(store.db, query.marker)) as Record<string, unknown> | undefined;
        if (m) markerValues = sorts.map((s) => m[s.column]);
      }
      q = applyPage(q, 'agents', { sorts, limit: query.limit, markerValues, pageReverse: query.pageReverse });
      let rows = await q.execute();
      if (query.pageReverse) rows = rows.reverse();
      const items = rows.map(item);
      return aliveFilter ? items.filter((i) => aliveFilter!.includes(i.alive as boolean)) : items;
    },

    async get(_caller, id) {
      return item(await get(id));
    },

    async create() {
      throw new NeutronError('HTTPMethodNotAllowed', 'The server could not comply with the request since it is either malformed or otherwise incorrect.');
    },

    async update(_caller, id, body) {
      const change = await store.transaction(async (tx) => {
        const row = await agentRow(tx, id, store.dialect !== 'sqlite');
        if (!row) throw agentNotFound(id);
        const set: Partial<AgentRow> = {};
        if (given(body.admin_state_up)) set.admin_state_up = body.admin_state_up ? 1 : 0;
        if (given(body.description)) set.description = body.description as string | null;
        if (Object.keys(set).length) await tx.updateTable('agents').set(set).where('id', '=', id).execute();
        // A DHCP agent's admin state decides whether its host serves its networks.
        return set.admin_state_up !== undefined && set.admin_state_up !== row.admin_state_up ? recordHostChange(tx, { hosts: [row.host] }) : { revision: 0, hosts: [] };
      });
      hint(id, change);
      return item(await get(id));
    },

    async delete(_caller, id) {
      const change = await store.transaction(async (tx) => {
        const row = await agentRow(tx, id, store.dialect !== 'sqlite');
        if (!row) throw agentNotFound(id);
        const nets = await networksOfDhcpAgent(tx, id);
        const routers = l3 ? await l3.routersOfAgent(tx, id) : [];
        await tx.deleteFrom('agents').where('id', '=', id).execute();
        const scopes: ChangeScope[] = [{ hosts: [row.host] }];
        for (const n of nets) scopes.push(await dhcp.syncNetwork(tx, n));
        // Its routers lost their binding with it (cascade): rescheduled, or their ports leave the host.
        if (l3) for (const r of routers) scopes.push(await l3.syncRouter(tx, r));
        return l3 ? l3.finish(tx, scopes) : recordHostChange(tx, mergeScopes(scopes));
      });
      hint(id, change);
    },

    async dhcpNetworks(id) {
      await get(id);
      return networksOfDhcpAgent(store.db, id);
    },

    async addDhcpNetwork(id, networkId) {
      const change = await store.transaction(async (tx) => {
        const agent = await agentRow(tx, id);
        if (!agent) throw agentNotFound(id);
        if (!(await networkRow(tx, networkId))) throw errors.networkNotFound(networkId);
        return recordHostChange(tx, await dhcp.addNetworkToAgent(tx, agent, networkId));
      });
      hint(id, change);
    },

    async removeDhcpNetwork(id, networkId) {
      const change = await store.transaction(async (tx) => {
        const agent = await agentRow(tx, id);
        if (!agent) throw agentNotFound(id);
        if (!(await networkRow(tx, networkId))) throw errors.networkNotFound(networkId);
        // The agent's host loses the network: stamp it before its DHCP port goes.
        return recordHostChange(tx, mergeScopes([{ hosts: [agent.host] }, await dhcp.removeNetworkFromAgent(tx, agent, networkId)]));
      });
      hint(id, change);
    },

    async dhcpAgentsOf(caller, networkId) {
      await networks.get(caller, networkId);
      return (await dhcpAgentsOfNetwork(store.db, networkId)).map(item);
    },

    async availabilityZones() {
      const rows = await store.db.selectFrom('agents').select(['availability_zone', 'agent_type', 'admin_state_up']).execute();
      const out = new Map<string, { name: string; resource: string; state: string }>();
      for (const r of rows) {
        if (!r.availability_zone) continue;
        const resource = r.agent_type === 'DHCP agent' ? 'network' : r.agent_type === 'L3 agent' ? 'router' : null;
        if (!resource) continue;
        const key = `${r.availability_zone}|${resource}`;
        const up = !!r.admin_state_up || out.get(key)?.state === 'available';
        out.set(key, { name: r.availability_zone, resource, state: up ? 'available' : 'unavailable' });
      }
      return [...out.values()].sort((a, b) => a.name.localeCompare(b.name) || a.resource.localeCompare(b.resource));
    },
  };
}
