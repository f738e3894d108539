/**
 * Row types of the L3 tables (migration 0003-l3): routers, their ports and extra routes, floating
 * IPs and port forwardings. Column names are Neutron's wire names where the API shows them.
 */
import type { Flag, StandardColumns } from './schema.js';

/**
 * A router. `gw_port_id` is its `network:router_gateway` port (null without a gateway). The L3
 * scheduler binds routers to agents in router_l3_agent_bindings; `admin_state_up` and
 * `availability_zone_hints` are what it needs from here.
 */
export interface RouterRow extends StandardColumns {
  admin_state_up: Flag;
  status: string;
  gw_port_id: string | null;
  enable_snat: Flag;
  availability_zone_hints: string; // JSON list
}

/** A port owned by a router: `port_type` is the device owner (router_interface or router_gateway). */
export interface RouterPortRow { router_id: string; port_id: string; port_type: string }

export interface RouterRouteRow { router_id: string; destination: string; nexthop: string }

export interface FloatingIpRow extends StandardColumns {
  floating_network_id: string;
  floating_ip_address: string;
  /** The `network:floatingip` port holding the address on the external network. */
  floating_port_id: string;
  /** The router a port forwarding bound the address to (associations carry their own). */
  router_id: string | null;
  status: string;
  /** Host-state revision of its last change (migration 0004): ACTIVE once its L3 agent applied it. */
  host_revision?: number;
}

/**
 * A floating IP's association with an internal port, in its own row so that deleting the port
 * (which cascades here) disassociates the floating IP without the port API knowing about L3.
 */
export interface FloatingIpAssociationRow {
  floatingip_id: string;
  fixed_port_id: string;
  fixed_ip_address: string;
  /** The router doing the NAT, derived on association. */
  router_id: string;
}

/** Port ranges are stored as start/end (a single port has start = end), as Neutron stores them. */
export interface PortForwardingRow {
  id: string;
  floatingip_id: string;
  internal_port_id: string;
  protocol: string;
  internal_ip_address: string;
  internal_port_start: number;
  internal_port_end: number;
  external_port_start: number;
  external_port_end: number;
  description: string;
}

/** The L3 agent hosting a router (migration 0004; core/l3-scheduling.ts). */
export interface RouterL3AgentBindingRow { router_id: string; l3_agent_id: string; binding_index: number }

export interface L3Database {
  routers: RouterRow;
  router_ports: RouterPortRow;
  router_routes: RouterRouteRow;
  floatingips: FloatingIpRow;
  floatingip_associations: FloatingIpAssociationRow;
  port_forwardings: PortForwardingRow;
  router_l3_agent_bindings: RouterL3AgentBindingRow;
}
