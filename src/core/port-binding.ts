/**
 * Port binding (ML2): which mechanism driver binds a port on its `binding:host_id`, from the
 * network's segments and the host's agents. Runs inside the caller's transaction; the decision itself
 * is the drivers' pure `bindPort`.
 */
import type { Tx } from '../store/db.js';
import type { AgentRow, PortRow } from '../store/schema.js';
import type { AgentView, MechanismDriver, PortBinding, Segment } from '../ml2/driver-api.js';
import type { CoreDeps } from './deps.js';
import { agentsOnHosts } from '../store/tables/agents.js';
import { segmentsOf } from '../store/tables/networks.js';
import { now as nowIso } from '../store/tables/standard.js';

export const VIF_TYPE_UNBOUND = 'unbound';
export const VIF_TYPE_BINDING_FAILED = 'binding_failed';

export const isBound = (vifType: string) => vifType !== VIF_TYPE_UNBOUND && vifType !== VIF_TYPE_BINDING_FAILED;

/** Whether an agent's last heartbeat is recent enough (Neutron: not older than agent_down_time). */
export function isAlive(heartbeatIso: string, nowMs: number, agentDownTime: number): boolean {
  return nowMs - Date.parse(heartbeatIso) <= agentDownTime * 1000;
}

export function agentView(row: AgentRow, nowMs: number, agentDownTime: number): AgentView {
  let configurations: Record<string, unknown> = {};
  try { configurations = JSON.parse(row.configurations); } catch { /* a bad row binds nothing */ }
  return {
    agent_type: row.agent_type, host: row.host, admin_state_up: !!row.admin_state_up,
    alive: isAlive(row.heartbeat_timestamp, nowMs, agentDownTime), configurations,
  };
}

/** First driver's binding, or null (binding_failed). Pure. */
export function decideBinding(drivers: MechanismDriver[], port: PortBindingInput, segments: Segment[], hostAgents: AgentView[]): PortBinding | null {
  for (const d of drivers) {
    const b = d.bindPort({ port, segments, hostAgents });
    if (b) return b;
  }
  return null;
}

type PortBindingInput = Pick<PortRow, 'id' | 'binding:host_id' | 'binding:vnic_type' | 'device_owner'>;

export interface BindingColumns { 'binding:vif_type': string; 'binding:vif_details': string }

/** The binding columns a port gets on its current host (unbound when it has none). */
export async function bindingFor(tx: Tx, deps: CoreDeps, port: PortBindingInput & { network_id: string }): Promise<BindingColumns> {
  const host = port['binding:host_id'];
  if (!host) return { 'binding:vif_type': VIF_TYPE_UNBOUND, 'binding:vif_details': '{}' };
  const now = (deps.clock ?? Date.now)();
  const [agents, segs] = await Promise.all([agentsOnHosts(tx, [host]), segmentsOf(tx, [port.network_id])]);
  const views = agents.map((a) => agentView(a, now, deps.settings.agentDownTime));
  return toColumns(decideBinding(deps.mechanismDrivers, port, segs.get(port.network_id) ?? [], views));
}

function toColumns(b: PortBinding | null): BindingColumns {
  if (!b) return { 'binding:vif_type': VIF_TYPE_BINDING_FAILED, 'binding:vif_details': '{}' };
  return { 'binding:vif_type': b.vif_type, 'binding:vif_details': JSON.stringify(b.vif_details) };
}

/**
 * Re-decides the binding of every port on `host` (an agent appeared, revived or changed its
 * mappings). Returns the ids of ports whose binding changed, with their networks.
 */
export async function rebindHost(tx: Tx, deps: CoreDeps, host: string): Promise<{ ports: string[]; networks: string[] }> {
  const rows = await tx.selectFrom('ports').select(['id', 'network_id', 'binding:host_id', 'binding:vnic_type', 'device_owner', 'binding:vif_type', 'binding:vif_details'])
    .where('binding:host_id', '=', host).execute();
  const now = (deps.clock ?? Date.now)();
  const views = (await agentsOnHosts(tx, [host])).map((a) => agentView(a, now, deps.settings.agentDownTime));
  const segs = await segmentsOf(tx, [...new Set(rows.map((r) => r.network_id))]);
  const changed: string[] = [];
  const networks = new Set<string>();
  for (const r of rows) {
    const decided = decideBinding(deps.mechanismDrivers, r, segs.get(r.network_id) ?? [], views);
    const b = toColumns(decided);
    if (b['binding:vif_type'] === r['binding:vif_type'] && b['binding:vif_details'] === r['binding:vif_details']) continue;
    // A binding change is a port change: its revision moves (Neutron's PortBinding revises the port).
    await tx.updateTable('ports').set((eb) => ({ ...b, ...(isBound(b['binding:vif_type']) ? {} : { status: 'DOWN' }), revision_number: eb('revision_number', '+', 1), updated_at: nowIso() }))
      .where('id', '=', r.id).execute();
    changed.push(r.id);
    networks.add(r.network_id);
  }
  return { ports: changed, networks: [...networks] };
}
