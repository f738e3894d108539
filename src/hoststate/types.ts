/**
 * The host-state contract between the server and the agents (DESIGN.md §3).
 *
 * Pure data, imported by both sides and nothing else: the server renders a {@link HostState} per host
 * (`GET /internal/hosts/{host}/state[?since=<revision>]`, JSON body = HostState) from the database,
 * and the agent converges the kernel to it and answers with an {@link AgentReport}
 * (`POST /internal/agents/{host}/report`, JSON body = AgentReport; reply 204 or a small JSON object).
 *
 * Rules of the contract:
 * - A HostState is the *whole* desired state of one host at `revision` (level-triggered): anything the
 *   agent owns that is not in it is to be removed. There are no deltas in the body; `since` only lets
 *   the server answer `304 Not Modified` (empty body) when nothing relevant changed after that revision.
 * - `revision` is monotonic per deployment (the highest `revision_number`/standard-attr revision the
 *   render depended on, or a global change counter); the agent reports the highest revision it fully
 *   applied as `observed_revision`, and the server marks a port ACTIVE when
 *   `observed_revision >= port.revision_number` and the port's device status is ACTIVE.
 * - Names are Neutron's wire names where they exist (`admin_state_up`, `network_type`, ...).
 * - Every list is unordered; the agent must not depend on order. IDs are Neutron UUID strings.
 */
import type { FirewallState } from './firewall.js';
import type { RouterState } from './l3.js';

/** Provider segment of a network as bound on this host (Neutron's segment dict). */
export interface SegmentState {
  /** 'flat' | 'vlan' | 'vxlan' | 'local' (ML2 type driver names). */
  network_type: string;
  /** Physical network name for flat/vlan, null for tunnels and local. */
  physical_network: string | null;
  /** VLAN id or VNI; null for flat/local. */
  segmentation_id: number | null;
}

/** A port on another host that l2population must make reachable through a VXLAN tunnel. */
export interface RemotePortState {
  mac_address: string;
  /** IP addresses only (no prefix), from the port's fixed_ips and allowed address pairs. */
  ips: string[];
}

/** Another host that has at least one port on the network (l2population). */
export interface RemoteVtepState {
  host: string;
  /** The remote agent's tunnel endpoint (its `[vxlan] local_ip`, from its report's configurations.tunneling_ip). */
  vtep_ip: string;
  ports: RemotePortState[];
}

/** A network present on this host because at least one port of it is bound here (the DHCP port of a
 *  network served by this host's DHCP agent counts: such networks are always listed here too). */
export interface NetworkState {
  id: string;
  /** Network MTU (0 or absent = unknown: the agent leaves device MTUs alone). */
  mtu: number;
  admin_state_up: boolean;
  segment: SegmentState;
  /** Only for tunnelled networks with l2population; empty otherwise. */
  remotes: RemoteVtepState[];
}

export interface FixedIp {
  subnet_id: string;
  ip_address: string;
}

export interface AllowedAddressPair {
  ip_address: string;
  mac_address?: string;
}

/** A port bound to this host (`binding:host_id` = host) whose device the agent wires into its bridge. */
export interface PortState {
  id: string;
  network_id: string;
  mac_address: string;
  fixed_ips: FixedIp[];
  admin_state_up: boolean;
  device_owner: string;
  device_id: string;
  revision_number: number;
  port_security_enabled: boolean;
  security_groups: string[];
  allowed_address_pairs: AllowedAddressPair[];
}

export interface HostRoute {
  destination: string;
  nexthop: string;
}

export interface AllocationPool {
  start: string;
  end: string;
}

export interface DhcpSubnetState {
  id: string;
  cidr: string;
  ip_version: 4 | 6;
  gateway_ip: string | null;
  enable_dhcp: boolean;
  dns_nameservers: string[];
  host_routes: HostRoute[];
  ipv6_address_mode: 'slaac' | 'dhcpv6-stateful' | 'dhcpv6-stateless' | null;
  ipv6_ra_mode: 'slaac' | 'dhcpv6-stateful' | 'dhcpv6-stateless' | null;
  allocation_pools: AllocationPool[];
  /** True when a router interface port (`network:router_interface*`) has an IP on this subnet,
   *  i.e. the subnet is not "isolated" for enable_isolated_metadata. */
  has_router_interface: boolean;
}

/** Neutron's extra_dhcp_opt (extension `extra_dhcp_opt`). */
export interface ExtraDhcpOpt {
  opt_name: string;
  opt_value: string;
  ip_version: 4 | 6;
}

/** One static lease: one line of dnsmasq's hosts file per (port, IP on a DHCP-enabled subnet). */
export interface DhcpHostState {
  port_id: string;
  mac_address: string;
  /** Every fixed IP of the port (the renderer skips those on DHCP-disabled subnets). The server may list
   *  every port of the network; the agent skips DHCP/floating IP/HA ports as Neutron does. */
  fixed_ips: FixedIp[];
  /** The port's DNS hostname (dns_assignment) when it has a dns_name; null: the agent names each
   *  address `host-<ip with dashes>` as Neutron's dnsmasq driver does. */
  hostname: string | null;
  device_owner: string;
  /** The port's device_id and project: who an address belongs to, for the isolated-metadata proxy. */
  device_id: string;
  project_id: string;
  extra_dhcp_opts: ExtraDhcpOpt[];
}

/** A network served by this host's DHCP agent (scheduled here, `dhcp_agents_per_network`). */
export interface DhcpNetworkState {
  network_id: string;
  mtu: number;
  /** The DHCP port reserved for this agent (device_owner `network:dhcp`, device_id `dhcp<host uuid>-<net>`). */
  port: { id: string; mac_address: string; fixed_ips: FixedIp[] };
  subnets: DhcpSubnetState[];
  hosts: DhcpHostState[];
}

/** The whole desired state of one host. */
export interface HostState {
  host: string;
  revision: number;
  networks: NetworkState[];
  ports: PortState[];
  dhcp: DhcpNetworkState[];
  /** Routers scheduled to this host's L3 agent (see ./l3.ts); absent = none. */
  routers?: RouterState[];
  /** Security groups and port security for `ports` (see ./firewall.ts); absent = no filtering here. */
  firewall?: FirewallState;
}

export type DeviceStatus = 'ACTIVE' | 'DOWN' | 'ERROR';

/** Per-port realisation status reported by the agent. */
export interface DeviceReport {
  port_id: string;
  /** ACTIVE: wired as desired; DOWN: its device (tap) does not exist yet or admin down; ERROR: kernel refused. */
  status: DeviceStatus;
  error?: string;
}

/** A failure of something that is not a single port (a network's bridge, dnsmasq, ...). */
export interface ObjectError {
  /** Kind of kernel object, e.g. 'bridge', 'vxlan', 'physical', 'fdb', 'dhcp'. */
  kind: string;
  /** Its key, e.g. the network id or device name. */
  key: string;
  message: string;
}

/** Heartbeat and realisation report (`POST /internal/agents/{host}/report`). An agent process posts one
 *  report per role it runs (L2: agent_type 'Linux bridge agent' with the devices; DHCP: 'DHCP agent'
 *  with devices empty and DHCP errors), each with the same observed_revision. */
export interface AgentReport {
  host: string;
  /** Neutron's agent type, e.g. 'Linux bridge agent', 'DHCP agent'. */
  agent_type: string;
  /** e.g. 'neutron-linuxbridge-agent'. */
  binary: string;
  /** e.g. 'N/A' for the L2 agent, 'dhcp_agent' for DHCP. */
  topic: string;
  /** As Neutron's agents report it: bridge_mappings, interface_mappings, tunneling_ip, tunnel_types,
   *  l2_population, devices, ... */
  configurations: Record<string, unknown>;
  /** Highest HostState revision fully fetched and applied (errors included: they are reported here). */
  observed_revision: number;
  devices: DeviceReport[];
  errors: ObjectError[];
  /** ISO timestamp when the agent started (Neutron's `start_flag` on the first report). */
  started_at?: string;
}

/** Constant values shared by both sides. */
export const AGENT_TYPE_LINUXBRIDGE = 'Linux bridge agent';
export const AGENT_TYPE_DHCP = 'DHCP agent';
export const DEVICE_OWNER_DHCP = 'network:dhcp';
