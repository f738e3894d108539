/**
 * Agent reports (`POST /internal/agents/{host}/report`, DESIGN.md §3): one transaction that
 * upserts the agent (heartbeat, configurations, observed revision), realises port statuses, rebinds
 * the host's ports when its L2 agent appears, revives or changes its mappings, runs DHCP
 * scheduling and failover on DHCP agents' reports, and on L3 agents' reports L3 failover, scheduling
 * of unhosted routers when the agent (re)starts, and floating IP statuses (core/l3-scheduling.ts).
 *
 * Port status: a port bound to the host goes ACTIVE when the host's L2 agent reports the device
 * ACTIVE having applied a revision at or above the port's last change (ports.host_revision);
 * DOWN (or ERROR) as soon as the device is reported so.
 */
import { randomUUID } from 'node:crypto';
import type { AgentReport } from '../hoststate/types.js';
import type { CoreDeps } from './deps.js';
import type { AgentRow } from '../store/schema.js';
import type { Tx } from '../store/db.js';
import type { DhcpScheduler } from './dhcp-scheduling.js';
import { insertUnlessDuplicate } from '../store/db.js';
import { agentByTypeHost } from '../store/tables/agents.js';
import { isAlive, rebindHost } from './port-binding.js';
import { recordHostChange, type ChangeScope } from './host-revisions.js';
import { AGENT_TYPE_DHCP, mergeScopes } from './dhcp-scheduling.js';
import { AGENT_TYPE_L3, type L3Scheduler } from './l3-scheduling.js';
import { AGENT_TYPE_LINUXBRIDGE } from '../ml2/mechanism-drivers/linuxbridge.js';
import { errors } from './errors.js';
import { isPlainObject } from '../definitions/validators.js';

const STATUSES = new Set(['ACTIVE', 'DOWN', 'ERROR']);

/** Checks the shape of a report body; returns it typed or throws HTTPBadRequest naming the field. */
export function parseAgentReport(host: string, body: unknown): AgentReport & { availability_zone?: string } {
  if (!isPlainObject(body)) throw errors.badRequest('Agent report body required');
  const b = body as Record<string, unknown>;
  for (const k of ['agent_type', 'binary', 'topic'] as const) {
    if (typeof b[k] !== 'string' || !(b[k] as string).length || (b[k] as string).length > 255) throw errors.badRequest(`Invalid input for ${k}.`);
  }
  if (b.host !== undefined && b.host !== host) throw errors.badRequest(`Report for host '${String(b.host)}' posted to host '${host}'`);
  if (b.configurations !== undefined && !isPlainObject(b.configurations)) throw errors.badRequest('Invalid input for configurations.');
  if (b.observed_revision !== undefined && (typeof b.observed_revision !== 'number' || !Number.isFinite(b.observed_revision))) throw errors.badRequest('Invalid input for observed_revision.');
  const devices = b.devices ?? [];
  if (!Array.isArray(devices) || devices.some((d) => !isPlainObject(d) || typeof d.port_id !== 'string' || !STATUSES.has(d.status as string))) {
    throw errors.badRequest('Invalid input for devices.');
  }
  if (b.availability_zone !== undefined && b.availability_zone !== null && typeof b.availability_zone !== 'string') throw errors.badRequest('Invalid input for availability_zone.');
  if (b.started_at !== undefined && (typeof b.started_at !== 'string' || Number.isNaN(Date.parse(b.started_at)))) throw errors.badRequest('Invalid input for started_at.');
  return {
    host, agent_type: b.agent_type as string, binary: b.binary as string, topic: b.topic as string,
    configurations: (b.configurations as Record<string, unknown>) ?? {}, observed_revision: (b.observed_revision as number) ?? 0,
    devices: devices as AgentReport['devices'], errors: Array.isArray(b.errors) ? (b.errors as AgentReport['errors']) : [],
    started_at: b.started_at as string | undefined, availability_zone: (b.availability_zone as string | undefined) ?? undefined,
  };
}

export interface ReportResult { id: string; admin_state_up: boolean; status: 'new' | 'alive' | 'revived' }

export interface AgentReports {
  report(report: AgentReport & { availability_zone?: string }): Promise<ReportResult>;
  /** DHCP failover and auto-scheduling, and L3 failover, without a report (periodic, every agent_down_time / 2). */
  checkDhcp(): Promise<void>;
}

export function agentReports(deps: CoreDeps, dhcp: DhcpScheduler, l3?: L3Scheduler): AgentReports {
  const { store } = deps;
  const s = deps.settings;
  const iso = () => new Date((deps.clock ?? Date.now)()).toISOString();

  async function upsert(tx: Tx, r: AgentReport & { availability_zone?: string }, at: string): Promise<{ row: AgentRow; status: ReportResult['status']; configChanged: boolean }> {
    const configurations = JSON.stringify(r.configurations ?? {});
    const loadValue = Number((r.configurations ?? {})[s.dhcpLoadType] ?? 0);
    const load = Number.isFinite(loadValue) ? Math.trunc(loadValue) : 0;
    const startedAt = r.started_at ? new Date(r.started_at).toISOString() : undefined;
    const fresh: AgentRow = {
      id: randomUUID(), agent_type: r.agent_type, binary: r.binary, topic: r.topic, host: r.host,
      availability_zone: r.availability_zone ?? 'nova', admin_state_up: s.enableNewAgents ? 1 : 0, configurations, resource_versions: null,
      load, description: null, created_at: at, started_at: at, heartbeat_timestamp: at, observed_revision: r.observed_revision,
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      const row = await agentByTypeHost(tx, r.agent_type, r.host, store.dialect !== 'sqlite');
      if (!row) {
        if (await insertUnlessDuplicate(tx, () => tx.insertInto('agents').values(fresh).execute())) return { row: fresh, status: 'new', configChanged: true };
        continue; // another replica registered it first: update that row
      }
      const status = isAlive(row.heartbeat_timestamp, Date.parse(at), s.agentDownTime) ? 'alive' : 'revived';
      const set: Partial<AgentRow> = {
        binary: r.binary, topic: r.topic, configurations, load, heartbeat_timestamp: at, observed_revision: r.observed_revision,
        ...(r.availability_zone !== undefined ? { availability_zone: r.availability_zone } : {}),
        ...(startedAt && startedAt !== row.started_at ? { started_at: startedAt } : {}),
      };
      await tx.updateTable('agents').set(set).where('id', '=', row.id).execute();
      return { row: { ...row, ...set }, status, configChanged: row.configurations !== configurations };
    }
    throw new Error(`agent ${r.agent_type}@${r.host} could neither be inserted nor found`);
  }

  /** Port statuses from an L2 agent's device reports. */
  async function realise(tx: Tx, r: AgentReport): Promise<void> {
    if (!r.devices.length) return;
    const ids = r.devices.map((d) => d.port_id);
    const ports = await tx.selectFrom('ports').select(['id', 'status', 'host_revision']).where('id', 'in', ids).where('binding:host_id', '=', r.host).execute();
    const byId = new Map(ports.map((p) => [p.id, p]));
    const to = new Map<string, string[]>();
    for (const d of r.devices) {
      const p = byId.get(d.port_id);
      if (!p) continue;
      let next: string | null = null;
      if (d.status === 'ACTIVE') next = r.observed_revision >= Number(p.host_revision ?? 0) ? 'ACTIVE' : null;
      else next = d.status;
      if (next && next !== p.status) (to.get(next) ?? to.set(next, []).get(next)!).push(p.id);
    }
    for (const [status, list] of to) {
      await tx.updateTable('ports').set((eb) => ({ status, revision_number: eb('revision_number', '+', 1), updated_at: iso().replace(/\.\d+Z$/, 'Z') }))
        .where('id', 'in', list).execute();
    }
  }

  return {
    async report(r) {
      const { result, change } = await store.transaction(async (tx) => {
        const at = iso();
        const { row, status, configChanged } = await upsert(tx, r, at);
        const scopes: ChangeScope[] = [];
        if (row.agent_type === AGENT_TYPE_LINUXBRIDGE) {
          if (status !== 'alive' || configChanged) {
            // Bindings and this host's render depend on the agent; remotes elsewhere on its tunnel IP.
            const rebound = await rebindHost(tx, deps, r.host);
            const nets = await tx.selectFrom('ports').select('network_id').distinct().where('binding:host_id', '=', r.host).execute();
            scopes.push({ hosts: [r.host], ports: rebound.ports, networks: configChanged ? nets.map((n) => n.network_id) : rebound.networks });
          }
          await realise(tx, r);
        }
        if (row.agent_type === AGENT_TYPE_DHCP) {
          if (status !== 'alive') scopes.push({ hosts: [r.host] });
          scopes.push(await dhcp.scheduleAll(tx));
        }
        if (row.agent_type === AGENT_TYPE_L3 && l3) {
          // A starting agent syncs: this host's render changes and unhosted routers get scheduled (Neutron's
          // auto_schedule_routers on sync_routers); failover runs on every report.
          const starting = status !== 'alive' || configChanged;
          if (starting) scopes.push({ hosts: [r.host] });
          scopes.push(await l3.scheduleAll(tx, { autoSchedule: starting }));
          await l3.realiseFloatingIps(tx, row, r);
        }
        const change = !scopes.length ? { revision: 0, hosts: [] } : l3 ? await l3.finish(tx, scopes) : await recordHostChange(tx, mergeScopes(scopes));
        return { result: { id: row.id, admin_state_up: !!row.admin_state_up, status }, change };
      });
      if (change.hosts.length) deps.onCommit({ resource: 'agent', id: result.id, hosts: change.hosts, revision: change.revision });
      return result;
    },

    async checkDhcp() {
      const change = await store.transaction(async (tx) => {
        const scope = await dhcp.scheduleAll(tx);
        return l3 ? l3.finish(tx, [scope, await l3.scheduleAll(tx, { autoSchedule: false })]) : recordHostChange(tx, scope);
      });
      if (change.hosts.length) deps.onCommit({ resource: 'network', id: '', hosts: change.hosts, revision: change.revision });
    },
  };
}
