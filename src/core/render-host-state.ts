/**
 * Pure: database rows → one host's whole desired state (src/hoststate/types.ts). No I/O, no clock:
 * the same rows always render the same HostState, which is what lets `?since=` answer 304.
 *
 * - ports: ports bound to the host (binding:host_id = host, bound by a mechanism driver);
 * - networks: the networks of those ports and of the DHCP networks served here, each with the
 *   segment this host's L2 agent reaches (the first such, else the first), and — for tunnelled
 *   segments with l2population — the other hosts' bound ports behind their agents' tunneling_ip;
 * - dhcp: networks this host's (admin-up) DHCP agent serves and that have its DHCP port;
 * - routers (only when the host has an L3 agent): the routers bound to it, none while it is admin
 *   down (core/render-routers.ts). Their ports are bound here, so they and their networks are in
 *   `ports`/`networks` like any port — except those of routers not rendered up, which leave the host.
 */
import type {
  HostState, NetworkState, PortState, DhcpNetworkState, DhcpSubnetState, RemoteVtepState, SegmentState,
} from '../hoststate/types.js';
import type { AgentView } from '../ml2/driver-api.js';
import { segmentReachable, AGENT_TYPE_LINUXBRIDGE } from '../ml2/mechanism-drivers/linuxbridge.js';
import { dhcpDeviceId, AGENT_TYPE_DHCP, DEVICE_OWNER_DHCP } from './dhcp-scheduling.js';
import { isBound } from './port-binding.js';
import { renderRouters, type RouterRenderRows } from './render-routers.js';
import { AGENT_TYPE_L3 } from '../hoststate/l3.js';
import { renderFirewall, type FirewallRows } from './render-firewall.js';

export interface HostStatePort {
  id: string;
  network_id: string;
  mac_address: string;
  admin_state_up: boolean;
  device_owner: string;
  device_id: string;
  project_id: string;
  /** The deployment revision of the port's last change (ports.host_revision): what the agent's
   *  observed_revision is compared with, so PortState.revision_number carries it. */
  host_revision: number;
  port_security_enabled: boolean;
  host: string;
  vif_type: string;
  dns_name: string;
  fixed_ips: { subnet_id: string; ip_address: string }[];
  allowed_address_pairs: { ip_address: string; mac_address: string }[];
  security_groups: string[];
  extra_dhcp_opts: { opt_name: string; opt_value: string | null; ip_version: number }[];
}

export interface HostStateNetwork {
  id: string;
  mtu: number;
  admin_state_up: boolean;
  segments: SegmentState[];
}

export interface HostStateSubnet extends Omit<DhcpSubnetState, 'has_router_interface'> {
  network_id: string;
}

export interface HostStateInput {
  host: string;
  revision: number;
  /** The `l2population` mechanism driver is enabled. */
  l2population: boolean;
  /** Agents of this host and of every host a port of these networks is bound to (liveness not needed). */
  agents: Omit<AgentView, 'alive'>[];
  networks: HostStateNetwork[];
  /** Every port of those networks. */
  ports: HostStatePort[];
  /** Subnets of the DHCP networks. */
  subnets: HostStateSubnet[];
  /** Networks bound to this host's DHCP agent. */
  dhcpNetworks: string[];
  /** Rows of the routers bound to this host's L3 agent (their networks are among `networks`). */
  routers?: RouterRenderRows[];
  /** Security group rows for the host's ports (core/render-firewall.ts); absent = no filtering here. */
  firewall?: FirewallRows;
}

const TUNNEL_TYPES = new Set(['vxlan', 'gre', 'geneve']);
const ROUTER_INTERFACE_OWNERS = new Set(['network:router_interface', 'network:router_interface_distributed', 'network:ha_router_replicated_interface']);
const ROUTER_PORT_OWNERS = new Set([...ROUTER_INTERFACE_OWNERS, 'network:router_gateway']);
const LOCAL_SEGMENT: SegmentState = { network_type: 'local', physical_network: null, segmentation_id: null };
const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Host addresses of a port for l2population: fixed IPs and single-address allowed pairs. */
function remoteIps(p: HostStatePort): string[] {
  const out = p.fixed_ips.map((f) => f.ip_address);
  for (const pair of p.allowed_address_pairs) {
    if (!pair.ip_address.includes('/')) out.push(pair.ip_address);
  }
  return [...new Set(out)].sort();
}

export function renderHostState(input: HostStateInput): HostState {
  const { host } = input;
  const l2 = (h: string) => input.agents.find((a) => a.host === h && a.agent_type === AGENT_TYPE_LINUXBRIDGE);
  const own = l2(host);
  const dhcpAgent = input.agents.find((a) => a.host === host && a.agent_type === AGENT_TYPE_DHCP);
  const portsOf = new Map<string, HostStatePort[]>();
  for (const p of input.ports) (portsOf.get(p.network_id) ?? portsOf.set(p.network_id, []).get(p.network_id)!).push(p);

  // The segment of a network this host's L2 agent reaches (the first such, else the first).
  const segmentOf = (netId: string): SegmentState => {
    const net = input.networks.find((n) => n.id === netId);
    return { ...((own && net?.segments.find((s) => segmentReachable(s, { ...own, alive: true }))) ?? net?.segments[0] ?? LOCAL_SEGMENT) };
  };
  const l3Agent = input.agents.find((a) => a.host === host && a.agent_type === AGENT_TYPE_L3);
  const routers = l3Agent ? (l3Agent.admin_state_up ? renderRouters(input.routers ?? [], segmentOf) : []) : undefined;
  const upRouters = new Set((routers ?? []).filter((r) => r.admin_state_up).map((r) => r.id));
  const bound = input.ports.filter((p) => p.host === host && isBound(p.vif_type))
    .filter((p) => !ROUTER_PORT_OWNERS.has(p.device_owner) || upRouters.has(p.device_id)).sort(byId);
  const dhcp: DhcpNetworkState[] = [];
  if (dhcpAgent?.admin_state_up) {
    for (const netId of [...new Set(input.dhcpNetworks)].sort()) {
      const net = input.networks.find((n) => n.id === netId);
      const ports = portsOf.get(netId) ?? [];
      const dhcpPort = ports.find((p) => p.device_owner === DEVICE_OWNER_DHCP && p.device_id === dhcpDeviceId(host, netId));
      if (!net || !dhcpPort) continue;
      const subnets = input.subnets.filter((s) => s.network_id === netId).map(({ network_id: _n, ...s }): DhcpSubnetState => ({
        ...s,
        has_router_interface: ports.some((p) => ROUTER_INTERFACE_OWNERS.has(p.device_owner) && p.fixed_ips.some((f) => f.subnet_id === s.id)),
      })).sort(byId);
      dhcp.push({
        network_id: netId, mtu: net.mtu,
        port: { id: dhcpPort.id, mac_address: dhcpPort.mac_address, fixed_ips: dhcpPort.fixed_ips },
        subnets,
        hosts: [...ports].sort(byId).map((p) => ({
          port_id: p.id, mac_address: p.mac_address, fixed_ips: p.fixed_ips, hostname: p.dns_name || null, device_owner: p.device_owner,
          device_id: p.device_id, project_id: p.project_id,
          extra_dhcp_opts: p.extra_dhcp_opts.filter((o) => o.opt_value !== null && (o.ip_version === 4 || o.ip_version === 6))
            .map((o) => ({ opt_name: o.opt_name, opt_value: o.opt_value!, ip_version: o.ip_version as 4 | 6 })),
        })),
      });
    }
  }

  const netIds = new Set([...bound.map((p) => p.network_id), ...dhcp.map((d) => d.network_id)]);
  const networks: NetworkState[] = [];
  for (const net of input.networks.filter((n) => netIds.has(n.id)).sort(byId)) {
    const segment = segmentOf(net.id);
    const remotes: RemoteVtepState[] = [];
    const l2pop = input.l2population || own?.configurations.l2_population === true;
    if (l2pop && TUNNEL_TYPES.has(segment.network_type)) {
      const byHost = new Map<string, HostStatePort[]>();
      for (const p of portsOf.get(net.id) ?? []) {
        if (p.host && p.host !== host && isBound(p.vif_type)) (byHost.get(p.host) ?? byHost.set(p.host, []).get(p.host)!).push(p);
      }
      for (const [h, ports] of [...byHost].sort(([a], [b]) => a.localeCompare(b))) {
        const agent = l2(h);
        const vtep = agent?.configurations.tunneling_ip;
        const types = agent?.configurations.tunnel_types;
        if (typeof vtep !== 'string' || !vtep || !Array.isArray(types) || !types.includes(segment.network_type)) continue;
        if (vtep === own?.configurations.tunneling_ip) continue;
        remotes.push({ host: h, vtep_ip: vtep, ports: ports.sort(byId).map((p) => ({ mac_address: p.mac_address, ips: remoteIps(p) })) });
      }
    }
    networks.push({ id: net.id, mtu: net.mtu, admin_state_up: net.admin_state_up, segment: { ...segment }, remotes });
  }

  const ports: PortState[] = bound.map((p) => ({
    id: p.id, network_id: p.network_id, mac_address: p.mac_address, fixed_ips: p.fixed_ips, admin_state_up: p.admin_state_up,
    device_owner: p.device_owner, device_id: p.device_id, revision_number: p.host_revision, port_security_enabled: p.port_security_enabled,
    security_groups: p.port_security_enabled ? [...p.security_groups].sort() : [], allowed_address_pairs: p.allowed_address_pairs.map((a) => ({ ip_address: a.ip_address, mac_address: a.mac_address })),
  }));
  const firewall = input.firewall ? { firewall: renderFirewall(ports, input.firewall) } : {};
  return { host, revision: input.revision, networks, ports, dhcp, ...(routers ? { routers } : {}), ...firewall };
}
