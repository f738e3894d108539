/**
 * The L3 part of the host-state contract (DESIGN.md §3, §6): routers scheduled to this host's L3 agent.
 * Pure data, imported by both sides. `HostState.routers` lists them (absent or empty: no router here).
 *
 * Rules, in addition to those of HostState:
 * - A router is listed for the host its L3 agent runs on. Its ports (gateway and interfaces) are bound to
 *   that host, so the server also lists every network a router has a port on in `HostState.networks`
 *   (with the segment and l2population remotes, as for any bound port) and each router port in
 *   `HostState.ports` (device_owner `network:router_gateway` / `network:router_interface`): the L2 stage
 *   makes the bridges, the L3 stage plugs veths `tap<port[:11]>` ↔ `qg-`/`qr-<port[:11]>` into them.
 * - `admin_state_up: false` means the agent removes the router's namespace (Neutron's L3 agent stops
 *   serving an admin-down router).
 * - IPv4 is what the agent routes and NATs; IPv6 fixed IPs are configured on interfaces only.
 */
import type { HostRoute, SegmentState } from './types.js';

/** A fixed IP of a router port with what the agent needs of its subnet. */
export interface RouterFixedIp {
  subnet_id: string;
  ip_address: string;
  /** The subnet's CIDR (gives the interface prefix length). */
  cidr: string;
  /** The subnet's gateway_ip: for the gateway port, the next hop of the default route. */
  gateway_ip: string | null;
}

/** `external_gateway_info` realised: the router's gateway port on the external network. */
export interface RouterGatewayState {
  port_id: string;
  mac_address: string;
  network_id: string;
  /** The external network's segment (also in HostState.networks; repeated so L3 needs nothing else). */
  segment: SegmentState;
  mtu: number;
  fixed_ips: RouterFixedIp[];
  /** ext-gw-mode: SNAT of the attached subnets to the first IPv4 gateway address. */
  enable_snat: boolean;
}

/** A router interface (`network:router_interface`) on a project network. */
export interface RouterInterfaceState {
  port_id: string;
  mac_address: string;
  network_id: string;
  mtu: number;
  fixed_ips: RouterFixedIp[];
}

/** An associated floating IP (unassociated ones are not listed). */
export interface FloatingIpState {
  id: string;
  floating_ip_address: string;
  /** The chosen fixed IP of the associated port. */
  fixed_ip_address: string;
  port_id: string;
}

/** floating-ip-port-forwarding (+ port ranges): external port(s) of a FIP → internal address/port(s). */
export interface PortForwardingState {
  id: string;
  floatingip_id: string;
  floating_ip_address: string;
  protocol: 'tcp' | 'udp';
  /** Exactly one of external_port / external_port_range ('a:b', Neutron's format) is set; same for internal. */
  external_port: number | null;
  external_port_range: string | null;
  internal_port: number | null;
  internal_port_range: string | null;
  internal_ip_address: string;
  internal_port_id: string;
}

/** Who an instance address belongs to, for the metadata proxy's X-Instance-ID / X-Tenant-ID. */
export interface MetadataInstance {
  /** The port's device_id (Nova's instance UUID). */
  device_id: string;
  /** The port's project_id. */
  project_id: string;
}

export interface RouterState {
  id: string;
  project_id: string;
  admin_state_up: boolean;
  /** null: no external gateway (no qg-, no SNAT, no floating IPs). */
  gateway: RouterGatewayState | null;
  interfaces: RouterInterfaceState[];
  /** extraroute: static routes inside the router namespace. */
  routes: HostRoute[];
  floating_ips: FloatingIpState[];
  port_forwardings: PortForwardingState[];
  /** Fixed IP → instance, for every compute port on the router's attached subnets. */
  metadata: Record<string, MetadataInstance>;
}

export const AGENT_TYPE_L3 = 'L3 agent';
export const DEVICE_OWNER_ROUTER_GW = 'network:router_gateway';
export const DEVICE_OWNER_ROUTER_INTF = 'network:router_interface';
