/**
 * Pure: a router's rows → its part of host state (`RouterState`, src/hoststate/l3.ts).
 *
 * What a router *is* on the data plane (interfaces, gateway, SNAT, floating IPs, routes, port
 * forwardings) is decided once, by `renderRouterL3State` (core/l3-state.ts); this file only maps that
 * to the wire contract and adds what the contract carries beyond it: the project, the gateway's
 * segment (as this host's L2 agent reaches it), the floating IP of each port forwarding, port ranges
 * as Neutron's 'a:b' strings, and the metadata map (fixed IP → instance) of the attached subnets.
 */
import type { RouterState, RouterFixedIp, PortForwardingState, MetadataInstance } from '../hoststate/l3.js';
import type { SegmentState } from '../hoststate/types.js';
import { renderRouterL3State, type RouterL3Rows, type L3Address } from './l3-state.js';

/** A compute port's address on one of the router's attached subnets. */
export interface MetadataRow { ip_address: string; device_id: string; project_id: string }

export interface RouterRenderRows extends RouterL3Rows {
  /** Compute ports (device_owner `compute:*`) with an address on a subnet the router is attached to. */
  metadata: MetadataRow[];
}

/** How this host reaches a network: the segment the host state lists for it. */
export type SegmentOf = (networkId: string) => SegmentState;

const fixedIp = (a: L3Address): RouterFixedIp => ({ subnet_id: a.subnet_id, ip_address: a.ip_address, cidr: a.cidr, gateway_ip: a.gateway_ip });

/** A single port stays a number; a range is Neutron's 'start:end'. */
function ports(start: number, end: number): { port: number | null; range: string | null } {
  return start === end ? { port: start, range: null } : { port: null, range: `${start}:${end}` };
}

export function renderRouterState(rows: RouterRenderRows, segmentOf: SegmentOf): RouterState {
  const l3 = renderRouterL3State(rows);
  const pfRows = new Map(rows.portForwardings.map((pf) => [pf.id, pf]));
  const portForwardings: PortForwardingState[] = l3.port_forwardings.map((pf) => {
    const ext = ports(pf.external_port_start, pf.external_port_end);
    const int = ports(pf.internal_port_start, pf.internal_port_end);
    const row = pfRows.get(pf.id)!;
    return {
      id: pf.id, floatingip_id: row.floatingip_id, floating_ip_address: pf.floating_ip_address, protocol: pf.protocol === 'udp' ? 'udp' : 'tcp',
      external_port: ext.port, external_port_range: ext.range, internal_port: int.port, internal_port_range: int.range,
      internal_ip_address: pf.internal_ip_address, internal_port_id: row.internal_port_id,
    };
  });
  const metadata: Record<string, MetadataInstance> = {};
  for (const m of [...rows.metadata].sort((a, b) => (a.ip_address < b.ip_address ? -1 : a.ip_address > b.ip_address ? 1 : 0))) {
    metadata[m.ip_address] = { device_id: m.device_id, project_id: m.project_id };
  }
  return {
    id: l3.id,
    project_id: rows.router.project_id,
    admin_state_up: l3.admin_state_up,
    gateway: l3.gateway ? {
      port_id: l3.gateway.port_id, mac_address: l3.gateway.mac_address, network_id: l3.gateway.network_id,
      segment: segmentOf(l3.gateway.network_id), mtu: l3.gateway.mtu, fixed_ips: l3.gateway.addresses.map(fixedIp),
      enable_snat: l3.snat.enabled,
    } : null,
    interfaces: l3.interfaces.map((i) => ({ port_id: i.port_id, mac_address: i.mac_address, network_id: i.network_id, mtu: i.mtu, fixed_ips: i.addresses.map(fixedIp) })),
    routes: l3.routes,
    floating_ips: l3.floating_ips,
    port_forwardings: portForwardings,
    metadata,
  };
}

/** Every router, ordered by id (the host state's lists are unordered; a stable order keeps renders equal). */
export function renderRouters(rows: RouterRenderRows[], segmentOf: SegmentOf): RouterState[] {
  return rows.map((r) => renderRouterState(r, segmentOf)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
