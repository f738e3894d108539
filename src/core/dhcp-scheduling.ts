/**
 * DHCP scheduling, in core and transactional (Neutron's DhcpAgentSchedulerDbMixin + WeightScheduler):
 * networks with a DHCP-enabled subnet get `dhcp_agents_per_network` live, enabled DHCP agents (the
 * least loaded first, within the network's availability_zone_hints), and each serving agent gets a
 * DHCP port (device_owner `network:dhcp`, device_id `dhcp<uuid5(host)>-<network>`, bound to its host)
 * with an address on every DHCP subnet. With allow_automatic_dhcp_failover, networks leave agents
 * silent for 2 × agent_down_time; a DHCP port left without its agent is handed to the replacement
 * (same MAC and addresses, as Neutron's reserved DHCP ports) or deleted.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Tx } from '../store/db.js';
import type { AgentRow, PortRow } from '../store/schema.js';
import type { CoreDeps } from './deps.js';
import type { Ipam, SubnetShape } from './ipam.js';
import type { ChangeScope } from './host-revisions.js';
import { insertUnlessDuplicate } from '../store/db.js';
import { networkRow } from '../store/tables/networks.js';
import { agentsOfType, dhcpAgentsOfNetwork, dhcpNetworkCounts } from '../store/tables/agents.js';
import { bumpRevision, now } from '../store/tables/standard.js';
import { allocateFixedIps, recordAllocations } from './port-fixed-ips.js';
import { bindingFor, isAlive } from './port-binding.js';
import { randomMac } from './mac.js';
import { NeutronError } from './errors.js';

export const AGENT_TYPE_DHCP = 'DHCP agent';
export const DEVICE_OWNER_DHCP = 'network:dhcp';

/** uuid5(NAMESPACE_DNS, name), as Python's uuid.uuid5. */
export function uuid5Dns(name: string): string {
  const ns = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex');
  const h = createHash('sha1').update(Buffer.concat([ns, Buffer.from(name, 'utf8')])).digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Neutron's get_dhcp_agent_device_id: the host's short name hashed, then the network. */
export function dhcpDeviceId(host: string, networkId: string): string {
  return `dhcp${uuid5Dns(host.split('.')[0]!)}-${networkId}`;
}

export interface DhcpScheduler {
  /** Brings one network's DHCP agents (when `autoSchedule`) and DHCP ports in line. */
  syncNetwork(tx: Tx, networkId: string, autoSchedule?: boolean): Promise<ChangeScope>;
  /** Failover from dead agents, then every DHCP network short of agents (agent reports, periodic). */
  scheduleAll(tx: Tx): Promise<ChangeScope>;
  addNetworkToAgent(tx: Tx, agent: AgentRow, networkId: string): Promise<ChangeScope>;
  removeNetworkFromAgent(tx: Tx, agent: AgentRow, networkId: string): Promise<ChangeScope>;
}

export function mergeScopes(scopes: ChangeScope[]): ChangeScope {
  const u = (k: keyof ChangeScope) => [...new Set(scopes.flatMap((s) => s[k] ?? []))];
  return { networks: u('networks'), hosts: u('hosts'), ports: u('ports') };
}

export function dhcpScheduler(deps: CoreDeps, shapesOfNetwork: (tx: Tx, networkId: string) => Promise<SubnetShape[]>, ipam: Ipam): DhcpScheduler {
  const lock = deps.store.dialect !== 'sqlite';
  const s = deps.settings;
  const nowMs = () => (deps.clock ?? Date.now)();
  const alive = (a: AgentRow) => isAlive(a.heartbeat_timestamp, nowMs(), s.agentDownTime);

  async function dhcpSubnetIds(tx: Tx, networkId: string): Promise<string[]> {
    const rows = await tx.selectFrom('subnets').select('id').where('network_id', '=', networkId).where('enable_dhcp', '=', 1).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  async function scheduleMore(tx: Tx, networkId: string, azHints: string[], bound: AgentRow[]): Promise<AgentRow[]> {
    const want = s.dhcpAgentsPerNetwork - bound.length;
    if (want <= 0) return [];
    const loads = await dhcpNetworkCounts(tx);
    const candidates = (await agentsOfType(tx, AGENT_TYPE_DHCP))
      .filter((a) => !!a.admin_state_up && alive(a) && !bound.some((b) => b.id === a.id))
      .filter((a) => !azHints.length || azHints.includes(a.availability_zone ?? ''))
      .sort((a, b) => (loads.get(a.id) ?? 0) - (loads.get(b.id) ?? 0) || a.host.localeCompare(b.host));
    const chosen = candidates.slice(0, want);
    for (const a of chosen) await tx.insertInto('network_dhcp_agents').values({ network_id: networkId, dhcp_agent_id: a.id }).execute();
    return chosen;
  }

  async function createDhcpPort(tx: Tx, networkId: string, projectId: string, portSecurity: boolean, host: string, subnetIds: string[]): Promise<string> {
    const ts = now();
    const row: PortRow = {
      id: randomUUID(), project_id: projectId, name: '', description: '', network_id: networkId, mac_address: randomMac(s.baseMac),
      admin_state_up: 1, status: 'DOWN', device_id: dhcpDeviceId(host, networkId), device_owner: DEVICE_OWNER_DHCP,
      port_security_enabled: portSecurity ? 1 : 0, 'binding:host_id': host, 'binding:vnic_type': 'normal', 'binding:profile': '{}',
      'binding:vif_type': 'unbound', 'binding:vif_details': '{}', dns_name: '', created_at: ts, updated_at: ts, revision_number: 1,
    };
    Object.assign(row, await bindingFor(tx, deps, row));
    let inserted = false;
    for (let i = 0; i < 16 && !inserted; i++) {
      inserted = await insertUnlessDuplicate(tx, () => tx.insertInto('ports').values(row).execute());
      if (!inserted) row.mac_address = randomMac(s.baseMac);
    }
    if (!inserted) throw new NeutronError('MacAddressGenerationFailure', `Unable to generate unique mac on network ${networkId}.`);
    await addMissingAddresses(tx, row.id, networkId, row.mac_address, [], subnetIds);
    return row.id;
  }

  /** Gives the DHCP port an address on each DHCP subnet it lacks one on. */
  async function addMissingAddresses(tx: Tx, portId: string, networkId: string, mac: string, held: string[], subnetIds: string[]): Promise<boolean> {
    const missing = subnetIds.filter((id) => !held.includes(id));
    if (!missing.length) return false;
    const shapes = await shapesOfNetwork(tx, networkId);
    const keep = (await tx.selectFrom('ip_allocations').select(['subnet_id', 'ip_address']).where('port_id', '=', portId).execute());
    const ips = await allocateFixedIps(tx, ipam, { networkId, subnets: shapes, mac, deviceOwner: DEVICE_OWNER_DHCP, maxFixedIps: Number.MAX_SAFE_INTEGER },
      missing.map((subnet_id) => ({ subnet_id })), keep);
    await recordAllocations(tx, portId, networkId, ips);
    return ips.length > 0;
  }

  async function deletePort(tx: Tx, port: { id: string; network_id: string }): Promise<void> {
    const held = await tx.selectFrom('ip_allocations').select(['subnet_id', 'ip_address']).where('port_id', '=', port.id).execute();
    const shapes = held.length ? await shapesOfNetwork(tx, port.network_id) : [];
    for (const f of held) {
      await tx.deleteFrom('ip_allocations').where('subnet_id', '=', f.subnet_id).where('ip_address', '=', f.ip_address).execute();
      const shape = shapes.find((x) => x.id === f.subnet_id);
      if (shape) await ipam.release(tx, shape, f.ip_address);
    }
    await tx.deleteFrom('tags').where('resource_id', '=', port.id).execute();
    await tx.deleteFrom('ports').where('id', '=', port.id).execute();
  }

  async function syncNetwork(tx: Tx, networkId: string, autoSchedule = s.networkAutoSchedule): Promise<ChangeScope> {
    const net = await networkRow(tx, networkId, lock);
    if (!net) return {};
    const dhcpSubnets = await dhcpSubnetIds(tx, networkId);
    const bound = await dhcpAgentsOfNetwork(tx, networkId);
    if (dhcpSubnets.length && autoSchedule) bound.push(...(await scheduleMore(tx, networkId, JSON.parse(net.availability_zone_hints) as string[], bound)));
    const ports = await tx.selectFrom('ports').select(['id', 'network_id', 'device_id', 'binding:host_id', 'mac_address'])
      .where('network_id', '=', networkId).where('device_owner', '=', DEVICE_OWNER_DHCP).orderBy('created_at').orderBy('id').execute();
    const scope: ChangeScope = { networks: [networkId], hosts: [], ports: [] };
    const byDevice = new Map(ports.map((p) => [p.device_id, p]));
    const wanted = dhcpSubnets.length ? bound : [];
    const wantedIds = new Set(wanted.map((a) => dhcpDeviceId(a.host, networkId)));
    const orphans = ports.filter((p) => !wantedIds.has(p.device_id));
    for (const agent of wanted) {
      const deviceId = dhcpDeviceId(agent.host, networkId);
      const own = byDevice.get(deviceId);
      if (own) {
        const held = (await tx.selectFrom('ip_allocations').select('subnet_id').where('port_id', '=', own.id).execute()).map((r) => r.subnet_id);
        if (await addMissingAddresses(tx, own.id, networkId, own.mac_address, held, dhcpSubnets)) {
          await bumpRevision(tx, 'ports', own.id);
          scope.ports!.push(own.id);
        }
        continue;
      }
      const reuse = orphans.shift();
      if (reuse) {
        // The replacement takes over the port: clients keep their DHCP server's address.
        scope.hosts!.push(reuse['binding:host_id']);
        const moved = { ...reuse, device_id: deviceId, 'binding:host_id': agent.host, 'binding:vnic_type': 'normal', device_owner: DEVICE_OWNER_DHCP };
        await tx.updateTable('ports').set({ device_id: deviceId, 'binding:host_id': agent.host, status: 'DOWN', ...(await bindingFor(tx, deps, moved)) })
          .where('id', '=', reuse.id).execute();
        await tx.updateTable('ports').set((eb) => ({ revision_number: eb('revision_number', '+', 1), updated_at: now() })).where('id', '=', reuse.id).execute();
        const held = (await tx.selectFrom('ip_allocations').select('subnet_id').where('port_id', '=', reuse.id).execute()).map((r) => r.subnet_id);
        await addMissingAddresses(tx, reuse.id, networkId, reuse.mac_address, held, dhcpSubnets);
        scope.ports!.push(reuse.id);
      } else {
        scope.ports!.push(await createDhcpPort(tx, networkId, net.project_id, !!net.port_security_enabled, agent.host, dhcpSubnets));
      }
    }
    for (const p of orphans) {
      scope.hosts!.push(p['binding:host_id']);
      await deletePort(tx, p);
    }
    return scope;
  }

  /** Bindings of DHCP agents silent for 2 × agent_down_time (admin-enabled ones), when some agent lives. */
  async function failover(tx: Tx): Promise<string[]> {
    if (!s.allowAutomaticDhcpFailover) return [];
    const agents = await agentsOfType(tx, AGENT_TYPE_DHCP);
    if (!agents.some((a) => alive(a) && a.admin_state_up)) return [];
    const deadLimitMs = 2 * s.agentDownTime * 1000;
    const dead = agents.filter((a) => a.admin_state_up && nowMs() - Date.parse(a.heartbeat_timestamp) > deadLimitMs);
    if (!dead.length) return [];
    const rows = await tx.selectFrom('network_dhcp_agents').select('network_id').where('dhcp_agent_id', 'in', dead.map((a) => a.id)).execute();
    if (rows.length) await tx.deleteFrom('network_dhcp_agents').where('dhcp_agent_id', 'in', dead.map((a) => a.id)).execute();
    return [...new Set(rows.map((r) => r.network_id))];
  }

  return {
    syncNetwork,

    async scheduleAll(tx) {
      const moved = await failover(tx);
      const withDhcp = await tx.selectFrom('subnets').select('network_id').distinct().where('enable_dhcp', '=', 1).execute();
      const counts = new Map<string, number>();
      for (const r of await tx.selectFrom('network_dhcp_agents').select('network_id').execute()) counts.set(r.network_id, (counts.get(r.network_id) ?? 0) + 1);
      const todo = new Set(moved);
      if (s.networkAutoSchedule) for (const r of withDhcp) if ((counts.get(r.network_id) ?? 0) < s.dhcpAgentsPerNetwork) todo.add(r.network_id);
      const scopes: ChangeScope[] = [];
      for (const id of [...todo].sort()) scopes.push(await syncNetwork(tx, id));
      return mergeScopes(scopes);
    },

    async addNetworkToAgent(tx, agent, networkId) {
      if (agent.agent_type !== AGENT_TYPE_DHCP || !agent.admin_state_up || !alive(agent)) {
        throw new NeutronError('InvalidDHCPAgent', `Agent ${agent.id} is not a valid DHCP Agent or has been disabled.`);
      }
      const ok = await insertUnlessDuplicate(tx, () => tx.insertInto('network_dhcp_agents').values({ network_id: networkId, dhcp_agent_id: agent.id }).execute());
      if (!ok) throw new NeutronError('NetworkHostedByDHCPAgent', `The network ${networkId} has been already hosted by the DHCP Agent ${agent.id}.`);
      return syncNetwork(tx, networkId, false);
    },

    async removeNetworkFromAgent(tx, agent, networkId) {
      const res = await tx.deleteFrom('network_dhcp_agents').where('network_id', '=', networkId).where('dhcp_agent_id', '=', agent.id).executeTakeFirst();
      if (!Number(res.numDeletedRows)) throw new NeutronError('NetworkNotHostedByDhcpAgent', `The network ${networkId} is not hosted by the DHCP agent ${agent.id}.`);
      const scope = await syncNetwork(tx, networkId, false);
      return mergeScopes([scope, { hosts: [agent.host] }]);
    },
  };
}
