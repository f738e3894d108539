/**
 * L3 scheduling, in core and transactional (Neutron's L3AgentSchedulerDbMixin + LeastRoutersScheduler
 * with availability zones), and how L3 changes reach hosts (DESIGN.md §3).
 *
 * - A router with a port (gateway or interface) gets one live, admin-up `L3 agent` in legacy mode
 *   (dvr / dvr_no_external agents never host routers; `handle_internal_only_routers = false` agents
 *   only routers with a gateway; within the router's availability_zone_hints), the one hosting the
 *   fewest routers first, when `router_auto_schedule` (default true): on each router change and when
 *   an L3 agent starts. `allow_automatic_l3agent_failover` (default false, as Neutron) moves routers
 *   off admin-up agents silent for 2 × agent_down_time, when another can take them; else they stay.
 * - The hosting agent's host is the `binding:host_id` of every router port (as Neutron's L3 RPC sets
 *   it), so its L2 agent wires them and l2population tells the other hosts where they are.
 * - `commit` runs last in every L3 transaction: it schedules and binds, records the host change for the
 *   router's host and the hosts of its networks (before and after), and stamps floating IPs with the
 *   revision: one is ACTIVE once its router's agent reports a revision at or above it
 *   (`realiseFloatingIps`), DOWN as soon as it is disassociated.
 */
import type { Db, Tx } from '../store/db.js';
import type { AgentRow } from '../store/schema.js';
import type { RouterRow } from '../store/l3-schema.js';
import type { AgentReport } from '../hoststate/types.js';
import type { CoreDeps } from './deps.js';
import { AGENT_TYPE_L3 } from '../hoststate/l3.js';
import { insertUnlessDuplicate } from '../store/db.js';
import { agentsOfType } from '../store/tables/agents.js';
import { bumpRevision, now } from '../store/tables/standard.js';
import { bindingFor, isAlive } from './port-binding.js';
import { recordHostChange, type ChangeScope, type HostChange } from './host-revisions.js';
import { NeutronError } from './errors.js';

export { AGENT_TYPE_L3 };

/**
 * A ChangeScope that also names routers whose hosting agent changed (their floating IPs are restamped)
 * and, from `scopeOf`, the routers' ports then: those gone at the end concern their networks' hosts.
 */
export interface L3Scope extends ChangeScope { moved?: string[]; routerPorts?: { id: string; network_id: string }[] }

export interface L3Scheduler {
  /** Hosts and networks the routers concern now: read before a change that removes ports or routers. */
  scopeOf(tx: Tx, routerIds: string[]): Promise<L3Scope>;
  /** Last in an L3 transaction: schedules/binds the routers, records the host change, stamps floating IPs. */
  commit(tx: Tx, routerIds: (string | null | undefined)[], opts?: { before?: L3Scope; floatingips?: string[] }): Promise<HostChange>;
  /** Records the merged scopes as one host change and restamps the floating IPs of moved routers. */
  finish(tx: Tx, scopes: L3Scope[], floatingips?: string[]): Promise<HostChange>;
  /** Schedules the router when it needs an agent (and `autoSchedule`), then binds its ports to the agent's host. */
  syncRouter(tx: Tx, routerId: string, autoSchedule?: boolean): Promise<L3Scope>;
  /** Failover off dead agents (when allowed), then — with `autoSchedule` — every router with ports but no agent. */
  scheduleAll(tx: Tx, opts: { autoSchedule: boolean }): Promise<L3Scope>;
  addRouterToAgent(tx: Tx, agent: AgentRow, routerId: string): Promise<L3Scope>;
  removeRouterFromAgent(tx: Tx, agent: AgentRow, routerId: string): Promise<L3Scope>;
  routersOfAgent(db: Db | Tx, agentId: string): Promise<string[]>;
  agentsOfRouters(db: Db | Tx, routerIds: string[]): Promise<(AgentRow & { router_id: string })[]>;
  /** Floating IP statuses from an L3 agent's report (inside the report's transaction). */
  realiseFloatingIps(tx: Tx, agent: AgentRow, report: AgentReport): Promise<void>;
}

const DVR_MODES = new Set(['dvr', 'dvr_no_external']);
const parse = (text: string): Record<string, unknown> => { try { return JSON.parse(text) ?? {}; } catch { return {}; } };
const uniq = <T>(xs: (T | null | undefined)[]) => [...new Set(xs.filter((x): x is T => x !== null && x !== undefined && x !== ''))];

export function mergeL3Scopes(scopes: L3Scope[]): L3Scope {
  const u = (k: 'networks' | 'hosts' | 'ports' | 'moved') => uniq<string>(scopes.flatMap((s) => s[k] ?? []));
  return { networks: u('networks'), hosts: u('hosts'), ports: u('ports'), moved: u('moved') };
}

/** Neutron's get_l3_agent_candidates for one agent (admin state checked by the caller). */
export function agentCanHost(agent: Pick<AgentRow, 'agent_type' | 'configurations'>, routerId: string, hasGateway: boolean): boolean {
  if (agent.agent_type !== AGENT_TYPE_L3) return false;
  const conf = parse(agent.configurations);
  if (DVR_MODES.has(String(conf.agent_mode ?? 'legacy'))) return false;
  if (conf.router_id && conf.router_id !== routerId) return false;
  return hasGateway || conf.handle_internal_only_routers !== false;
}

export function l3Scheduler(deps: CoreDeps): L3Scheduler {
  const s = deps.settings;
  const lock = deps.store.dialect !== 'sqlite';
  const nowMs = () => (deps.clock ?? Date.now)();
  const alive = (a: AgentRow) => isAlive(a.heartbeat_timestamp, nowMs(), s.agentDownTime);
  const autoDefault = () => s.routerAutoSchedule ?? true;

  async function routerRow(tx: Tx, id: string): Promise<RouterRow | undefined> {
    let q = tx.selectFrom('routers').selectAll().where('id', '=', id);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  async function routerPorts(tx: Tx, routerIds: string[]) {
    if (!routerIds.length) return [];
    return tx.selectFrom('router_ports').innerJoin('ports', 'ports.id', 'router_ports.port_id')
      .select(['router_ports.router_id', 'ports.id', 'ports.network_id', 'ports.binding:host_id', 'ports.binding:vnic_type', 'ports.device_owner', 'ports.status', 'ports.host_revision'])
      .where('router_ports.router_id', 'in', routerIds).orderBy('ports.id').execute();
  }

  async function agentsOfRouters(db: Db | Tx, routerIds: string[]) {
    if (!routerIds.length) return [];
    return db.selectFrom('router_l3_agent_bindings').innerJoin('agents', 'agents.id', 'router_l3_agent_bindings.l3_agent_id')
      .selectAll('agents').select('router_l3_agent_bindings.router_id').where('router_l3_agent_bindings.router_id', 'in', routerIds).orderBy('agents.host').execute();
  }

  /** Live, admin-up agents that can host the router, least loaded first (LeastRoutersScheduler + AZ hints). */
  async function candidates(tx: Tx, router: RouterRow, exclude: string[] = []): Promise<AgentRow[]> {
    const hints = JSON.parse(router.availability_zone_hints || '[]') as string[];
    const loads = new Map((await tx.selectFrom('router_l3_agent_bindings').select('l3_agent_id').select((eb) => eb.fn.countAll().as('n'))
      .groupBy('l3_agent_id').execute()).map((r) => [r.l3_agent_id, Number(r.n)]));
    return (await agentsOfType(tx, AGENT_TYPE_L3))
      .filter((a) => !!a.admin_state_up && alive(a) && !exclude.includes(a.id) && agentCanHost(a, router.id, !!router.gw_port_id))
      .filter((a) => !hints.length || hints.includes(a.availability_zone ?? ''))
      .sort((a, b) => (loads.get(a.id) ?? 0) - (loads.get(b.id) ?? 0) || a.host.localeCompare(b.host));
  }

  /** Binds (legacy: one agent per router); another replica binding it first wins. Returns the hosting agent. */
  async function bind(tx: Tx, routerId: string, agent: AgentRow): Promise<AgentRow | undefined> {
    if (await insertUnlessDuplicate(tx, () => tx.insertInto('router_l3_agent_bindings').values({ router_id: routerId, l3_agent_id: agent.id, binding_index: 1 }).execute())) return agent;
    return (await agentsOfRouters(tx, [routerId]))[0];
  }

  /**
   * Puts every port of the router on `host` ('' = nowhere) with its binding; stamps the ports that
   * moved or were never stamped; an admin-down router's ports are DOWN (its agent removes it).
   */
  async function bindPorts(tx: Tx, router: RouterRow, host: string): Promise<L3Scope> {
    const ports = await routerPorts(tx, [router.id]);
    const scope: L3Scope = { hosts: host ? [host] : [], networks: [], ports: [] };
    for (const p of ports) {
      const set: Record<string, unknown> = {};
      if (p['binding:host_id'] !== host) {
        scope.hosts!.push(p['binding:host_id']);
        Object.assign(set, { 'binding:host_id': host, status: 'DOWN', ...(await bindingFor(tx, deps, { ...p, 'binding:host_id': host })) });
      } else if (!router.admin_state_up && p.status !== 'DOWN') {
        set.status = 'DOWN';
      }
      if (Object.keys(set).length) {
        await tx.updateTable('ports').set(set).where('id', '=', p.id).execute();
        await bumpRevision(tx, 'ports', p.id);
      }
      // Moved or new ports change their networks' other hosts too (l2population, DHCP's router check).
      if (Object.keys(set).length || !Number(p.host_revision ?? 0)) { scope.ports!.push(p.id); scope.networks!.push(p.network_id); }
    }
    return { ...scope, hosts: uniq(scope.hosts!), networks: uniq(scope.networks!) };
  }

  async function syncRouter(tx: Tx, routerId: string, autoSchedule = autoDefault()): Promise<L3Scope> {
    const router = await routerRow(tx, routerId);
    if (!router) return {};
    let agent: AgentRow | undefined = (await agentsOfRouters(tx, [routerId]))[0];
    let moved = false;
    if (!agent && autoSchedule) {
      const hasPorts = !!(await tx.selectFrom('router_ports').select('port_id').where('router_id', '=', routerId).limit(1).executeTakeFirst());
      const best = hasPorts ? (await candidates(tx, router))[0] : undefined;
      if (best) { agent = await bind(tx, routerId, best); moved = true; }
    }
    const scope = await bindPorts(tx, router, agent?.host ?? '');
    return { ...scope, moved: moved ? [routerId] : [] };
  }

  async function scopeOf(tx: Tx, routerIds: string[]): Promise<L3Scope> {
    const ids = uniq(routerIds);
    const [agents, ports] = await Promise.all([agentsOfRouters(tx, ids), routerPorts(tx, ids)]);
    return { hosts: uniq([...agents.map((a) => a.host), ...ports.map((p) => p['binding:host_id'])]), routerPorts: ports.map((p) => ({ id: p.id, network_id: p.network_id })) };
  }

  async function finish(tx: Tx, scopes: L3Scope[], floatingips: string[] = []): Promise<HostChange> {
    const before = scopes.flatMap((x) => x.routerPorts ?? []);
    const kept = before.length ? new Set((await tx.selectFrom('router_ports').select('port_id').where('port_id', 'in', before.map((p) => p.id)).execute()).map((r) => r.port_id)) : new Set();
    // A router port that went away (interface removed, gateway cleared, router deleted) concerns its network's hosts.
    const scope = mergeL3Scopes([...scopes, { networks: before.filter((p) => !kept.has(p.id)).map((p) => p.network_id) }]);
    const change = await recordHostChange(tx, scope);
    let fips = uniq(floatingips);
    if (scope.moved!.length) {
      const [assoc, bound] = await Promise.all([
        tx.selectFrom('floatingip_associations').select('floatingip_id as id').where('router_id', 'in', scope.moved!).execute(),
        tx.selectFrom('floatingips').select('id').where('router_id', 'in', scope.moved!).execute(),
      ]);
      fips = uniq([...fips, ...assoc.map((r) => r.id), ...bound.map((r) => r.id)]);
    }
    if (!fips.length) return change;
    if (change.revision) await tx.updateTable('floatingips').set({ host_revision: change.revision }).where('id', 'in', fips).execute();
    // Disassociated (and not held by port forwardings): DOWN now, as the L3 agent would report it.
    const loose = await tx.selectFrom('floatingips').leftJoin('floatingip_associations', 'floatingip_associations.floatingip_id', 'floatingips.id')
      .select('floatingips.id').where('floatingips.id', 'in', fips).where('floatingips.router_id', 'is', null)
      .where('floatingip_associations.floatingip_id', 'is', null).where('floatingips.status', '!=', 'DOWN').execute();
    if (loose.length) await setFipStatus(tx, loose.map((r) => r.id), 'DOWN');
    return change;
  }

  async function setFipStatus(tx: Tx, ids: string[], status: string): Promise<void> {
    await tx.updateTable('floatingips').set((eb) => ({ status, revision_number: eb('revision_number', '+', 1), updated_at: now() })).where('id', 'in', ids).execute();
  }

  async function failover(tx: Tx): Promise<L3Scope[]> {
    if (!s.allowAutomaticL3agentFailover) return [];
    const deadLimitMs = 2 * s.agentDownTime * 1000;
    const dead = (await agentsOfType(tx, AGENT_TYPE_L3)).filter((a) => a.admin_state_up && nowMs() - Date.parse(a.heartbeat_timestamp) > deadLimitMs);
    if (!dead.length) return [];
    const bindings = await tx.selectFrom('router_l3_agent_bindings').selectAll().where('l3_agent_id', 'in', dead.map((a) => a.id)).orderBy('router_id').execute();
    const scopes: L3Scope[] = [];
    for (const b of bindings) {
      const router = await routerRow(tx, b.router_id);
      if (!router) continue;
      // Neutron's RouterReschedulingFailed: without an eligible agent the router stays where it is.
      const best = (await candidates(tx, router, dead.map((a) => a.id)))[0];
      if (!best) continue;
      await tx.deleteFrom('router_l3_agent_bindings').where('router_id', '=', b.router_id).where('l3_agent_id', '=', b.l3_agent_id).execute();
      const agent = await bind(tx, b.router_id, best);
      scopes.push({ ...(await bindPorts(tx, router, agent?.host ?? '')), moved: [b.router_id] });
    }
    return scopes;
  }

  const invalidAgent = (id: string) => new NeutronError('InvalidL3Agent', `Agent ${id} is not a L3 Agent or has been disabled`);

  return {
    scopeOf,
    finish,
    syncRouter,
    agentsOfRouters,

    async commit(tx, routerIds, opts = {}) {
      const scopes: L3Scope[] = [opts.before ?? {}];
      for (const id of uniq(routerIds)) scopes.push(await syncRouter(tx, id));
      return finish(tx, scopes, opts.floatingips);
    },

    async scheduleAll(tx, opts) {
      const scopes = await failover(tx);
      if (opts.autoSchedule && autoDefault()) {
        const unhosted = await tx.selectFrom('router_ports').select('router_id').distinct()
          .where('router_id', 'not in', tx.selectFrom('router_l3_agent_bindings').select('router_id')).orderBy('router_id').execute();
        for (const r of unhosted) scopes.push(await syncRouter(tx, r.router_id, true));
      }
      return mergeL3Scopes(scopes);
    },

    async addRouterToAgent(tx, agent, routerId) {
      if (agent.agent_type !== AGENT_TYPE_L3) throw invalidAgent(agent.id);
      if (DVR_MODES.has(String(parse(agent.configurations).agent_mode ?? 'legacy'))) {
        throw new NeutronError('DVRL3CannotAssignToDvrAgent', "Not allowed to manually assign a router to an agent in 'dvr' mode.");
      }
      const router = (await routerRow(tx, routerId))!;
      // Manual scheduling needs an enabled agent, not a live one (Neutron's validate_agent_router_combination).
      if (!agent.admin_state_up || !agentCanHost(agent, routerId, !!router.gw_port_id)) throw invalidAgent(agent.id);
      const current = (await agentsOfRouters(tx, [routerId]))[0];
      if (current?.id === agent.id) return {};
      if (current) throw new NeutronError('RouterHostedByL3Agent', `The router ${routerId} has been already hosted by the L3 Agent ${current.id}.`);
      const bound = await bind(tx, routerId, agent);
      if (bound?.id !== agent.id) throw new NeutronError('RouterSchedulingFailed', `Failed scheduling router ${routerId} to the L3 Agent ${agent.id}.`);
      return { ...(await bindPorts(tx, router, agent.host)), moved: [routerId] };
    },

    async removeRouterFromAgent(tx, agent, routerId) {
      if (DVR_MODES.has(String(parse(agent.configurations).agent_mode ?? 'legacy'))) {
        throw new NeutronError('DVRL3CannotRemoveFromDvrAgent', "Not allowed to manually remove a router from an agent in 'dvr' mode.");
      }
      const res = await tx.deleteFrom('router_l3_agent_bindings').where('router_id', '=', routerId).where('l3_agent_id', '=', agent.id).executeTakeFirst();
      const router = await routerRow(tx, routerId);
      if (!Number(res.numDeletedRows) || !router) return { hosts: [agent.host] };
      // Unhosted until an update reschedules it or an admin adds it to an agent (as Neutron).
      return mergeL3Scopes([{ hosts: [agent.host] }, await bindPorts(tx, router, '')]);
    },

    async routersOfAgent(db, agentId) {
      const rows = await db.selectFrom('router_l3_agent_bindings').select('router_id').where('l3_agent_id', '=', agentId).orderBy('router_id').execute();
      return rows.map((r) => r.router_id);
    },

    async realiseFloatingIps(tx, agent, report) {
      // Unassociated floating IPs are DOWN whoever reports (Neutron's update_floatingip_statuses).
      const loose = await tx.selectFrom('floatingips').leftJoin('floatingip_associations', 'floatingip_associations.floatingip_id', 'floatingips.id')
        .select('floatingips.id').where('floatingips.router_id', 'is', null).where('floatingip_associations.floatingip_id', 'is', null)
        .where('floatingips.status', '=', 'ACTIVE').execute();
      if (loose.length) await setFipStatus(tx, loose.map((r) => r.id), 'DOWN');
      if (!agent.admin_state_up) return;
      const failed = new Set(report.errors.filter((e) => e.kind === 'router').map((e) => e.key));
      const routers = (await tx.selectFrom('router_l3_agent_bindings').innerJoin('routers', 'routers.id', 'router_l3_agent_bindings.router_id')
        .select('routers.id').where('router_l3_agent_bindings.l3_agent_id', '=', agent.id).where('routers.admin_state_up', '=', 1).execute())
        .map((r) => r.id).filter((id) => !failed.has(id));
      if (!routers.length) return;
      const fips = await tx.selectFrom('floatingips').leftJoin('floatingip_associations', 'floatingip_associations.floatingip_id', 'floatingips.id')
        .select(['floatingips.id', 'floatingips.host_revision']).where('floatingips.status', '!=', 'ACTIVE')
        .where((eb) => eb.or([eb('floatingip_associations.router_id', 'in', routers), eb('floatingips.router_id', 'in', routers)])).execute();
      const applied = fips.filter((f) => report.observed_revision >= Number(f.host_revision ?? 0)).map((f) => f.id);
      if (applied.length) await setFipStatus(tx, applied, 'ACTIVE');
    },
  };
}
