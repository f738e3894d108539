/**
 * Loads what renderHostState needs for one host. The revision is read first: every change numbered
 * at or below it has committed (host-revisions.ts), so the rows read afterwards include them; rows
 * newer than it only make the agent fetch again later.
 */
import type { Db } from '../store/db.js';
import type { HostState } from '../hoststate/types.js';
import type { CoreDeps } from './deps.js';
import { currentRevision, hostRevision } from './host-revisions.js';
import { agentsOnHosts, networksOfDhcpAgent } from '../store/tables/agents.js';
import { segmentsOf } from '../store/tables/networks.js';
import { portChildren } from '../store/tables/ports.js';
import { subnetChildren } from '../store/tables/subnets.js';
import { chunks } from '../store/tables/list.js';
import { renderHostState, type HostStateInput, type HostStatePort } from './render-host-state.js';
import { AGENT_TYPE_DHCP } from './dhcp-scheduling.js';
import { AGENT_TYPE_L3 } from '../hoststate/l3.js';
import { loadRouterRenderRows } from './router-state-query.js';
import { loadFirewallRows } from './firewall-state-query.js';

const parse = (text: string): Record<string, unknown> => { try { return JSON.parse(text) ?? {}; } catch { return {}; } };

/** `firewall`: [securitygroup] filtering is on (the input then carries the host's security group rows). */
export async function loadHostStateInput(db: Db, host: string, l2population: boolean, firewall = true): Promise<HostStateInput> {
  const revision = await currentRevision(db);
  const own = await agentsOnHosts(db, [host]);
  const dhcpAgent = own.find((a) => a.agent_type === AGENT_TYPE_DHCP);
  const dhcpNetworks = dhcpAgent ? await networksOfDhcpAgent(db, dhcpAgent.id) : [];
  // Routers of this host's L3 agent: their ports are bound here, so their networks come with `bound`.
  const l3Agent = own.find((a) => a.agent_type === AGENT_TYPE_L3);
  const routerIds = l3Agent ? (await db.selectFrom('router_l3_agent_bindings').select('router_id').where('l3_agent_id', '=', l3Agent.id).execute()).map((r) => r.router_id) : [];
  const routers = l3Agent?.admin_state_up ? await loadRouterRenderRows(db, routerIds) : [];
  const bound = await db.selectFrom('ports').select('network_id').distinct().where('binding:host_id', '=', host).execute();
  const networkIds = [...new Set([...bound.map((r) => r.network_id), ...dhcpNetworks])];

  const networks: HostStateInput['networks'] = [];
  const ports: HostStatePort[] = [];
  const subnets: HostStateInput['subnets'] = [];
  for (const part of chunks(networkIds)) {
    if (!part.length) continue;
    const [netRows, segs, portRows, subnetRows] = await Promise.all([
      db.selectFrom('networks').select(['id', 'mtu', 'admin_state_up']).where('id', 'in', part).execute(),
      segmentsOf(db, part),
      db.selectFrom('ports').selectAll().where('network_id', 'in', part).execute(),
      db.selectFrom('subnets').selectAll().where('network_id', 'in', part.filter((id) => dhcpNetworks.includes(id)).concat([''])).execute(),
    ]);
    for (const n of netRows) {
      networks.push({ id: n.id, mtu: n.mtu, admin_state_up: !!n.admin_state_up, segments: (segs.get(n.id) ?? []).map((s) => ({ network_type: s.network_type, physical_network: s.physical_network, segmentation_id: s.segmentation_id })) });
    }
    const children = await portChildren(db, portRows.map((p) => p.id));
    for (const p of portRows) {
      const c = children.get(p.id)!;
      ports.push({
        id: p.id, network_id: p.network_id, mac_address: p.mac_address, admin_state_up: !!p.admin_state_up, device_owner: p.device_owner,
        device_id: p.device_id, project_id: p.project_id, host_revision: Number(p.host_revision ?? 0), port_security_enabled: !!p.port_security_enabled,
        host: p['binding:host_id'], vif_type: p['binding:vif_type'], dns_name: p.dns_name, fixed_ips: c.fixedIps,
        allowed_address_pairs: c.pairs, security_groups: c.securityGroups, extra_dhcp_opts: c.dhcpOpts,
      });
    }
    const sc = await subnetChildren(db, subnetRows.map((s) => s.id));
    for (const s of subnetRows) {
      const c = sc.get(s.id)!;
      subnets.push({
        id: s.id, network_id: s.network_id, cidr: s.cidr, ip_version: s.ip_version as 4 | 6, gateway_ip: s.gateway_ip, enable_dhcp: !!s.enable_dhcp,
        dns_nameservers: c.dns, host_routes: c.routes, allocation_pools: c.pools,
        ipv6_address_mode: s.ipv6_address_mode as HostStateInput['subnets'][number]['ipv6_address_mode'],
        ipv6_ra_mode: s.ipv6_ra_mode as HostStateInput['subnets'][number]['ipv6_ra_mode'],
      });
    }
  }
  const hosts = [...new Set([host, ...ports.map((p) => p.host).filter(Boolean)])];
  const agents = (await agentsOnHosts(db, hosts)).map((a) => ({ agent_type: a.agent_type, host: a.host, admin_state_up: !!a.admin_state_up, configurations: parse(a.configurations) }));
  const groups = ports.filter((p) => p.host === host && p.port_security_enabled).flatMap((p) => p.security_groups);
  const fw = firewall ? { firewall: await loadFirewallRows(db, groups) } : {};
  return { host, revision, l2population, agents, networks, ports, subnets, dhcpNetworks, routers, ...fw };
}

export interface HostStateReader {
  /** The host's desired state, or 'not-modified' when nothing concerning it changed after `since`. */
  read(host: string, since?: number): Promise<HostState | 'not-modified'>;
}

export function hostStateReader(deps: CoreDeps): HostStateReader {
  const l2population = deps.mechanismDrivers.some((d) => d.l2population);
  return {
    async read(host, since) {
      if (since !== undefined && (await hostRevision(deps.store.db, host)) <= since) return 'not-modified';
      return renderHostState(await loadHostStateInput(deps.store.db, host, l2population, deps.settings.securityGroupFirewall !== false));
    },
  };
}
