/**
 * A router's desired L3 state, for the L3 agent's part of host state (to come with L3 scheduling):
 * `renderRouterL3State` is pure, from rows; `loadRouterL3Rows` reads those rows in one pass.
 * Names follow DESIGN.md §6: `qrouter-<id>`, `qr-<port id[:11]>` per interface, `qg-<port id[:11]>`.
 */
import type { Db, Tx } from '../store/db.js';
import type { RouterRow, RouterRouteRow, FloatingIpRow, FloatingIpAssociationRow, PortForwardingRow } from '../store/l3-schema.js';
import type { PortRow, SubnetRow, NetworkRow } from '../store/schema.js';
import { parseCidr } from '../common/ip.js';

export interface L3Address { ip_address: string; prefixlen: number; subnet_id: string; cidr: string; gateway_ip: string | null }
export interface L3Interface { port_id: string; device: string; mac_address: string; network_id: string; mtu: number; addresses: L3Address[] }

export interface RouterL3State {
  id: string;
  namespace: string;
  admin_state_up: boolean;
  /** Attached subnets: one `qr-` device per router_interface port. */
  interfaces: L3Interface[];
  /** The `qg-` device on the external network, with the default routes through its subnets' gateways. */
  gateway: (L3Interface & { default_routes: string[] }) | null;
  /** SNAT of the attached subnets' traffic to the gateway's first IPv4 address. */
  snat: { enabled: boolean; to_address: string | null; sources: string[] };
  /** 1:1 NAT: external address on `qg-`, internal address of the associated port. */
  floating_ips: { id: string; floating_ip_address: string; fixed_ip_address: string; port_id: string }[];
  routes: { destination: string; nexthop: string }[];
  port_forwardings: { id: string; floating_ip_address: string; protocol: string; external_port_start: number; external_port_end: number; internal_ip_address: string; internal_port_start: number; internal_port_end: number }[];
}

export interface RouterL3Rows {
  router: RouterRow;
  /** Ports owned by the router (interfaces and gateway), with `port_type`. */
  ports: (PortRow & { port_type: string })[];
  allocations: { port_id: string; subnet_id: string; ip_address: string }[];
  subnets: SubnetRow[];
  networks: Pick<NetworkRow, 'id' | 'mtu'>[];
  routes: RouterRouteRow[];
  floatingIps: (FloatingIpRow & { association: FloatingIpAssociationRow | null })[];
  portForwardings: PortForwardingRow[];
}

const device = (prefix: string, portId: string) => `${prefix}${portId.slice(0, 11)}`;

/** Pure: the desired L3 state of one router from its rows. */
export function renderRouterL3State(rows: RouterL3Rows): RouterL3State {
  const subnets = new Map(rows.subnets.map((s) => [s.id, s]));
  const mtus = new Map(rows.networks.map((n) => [n.id, n.mtu]));
  const iface = (p: RouterL3Rows['ports'][number], prefix: string): L3Interface => ({
    port_id: p.id, device: device(prefix, p.id), mac_address: p.mac_address, network_id: p.network_id, mtu: mtus.get(p.network_id) ?? 1500,
    addresses: rows.allocations.filter((a) => a.port_id === p.id).map((a) => {
      const s = subnets.get(a.subnet_id)!;
      return { ip_address: a.ip_address, prefixlen: parseCidr(s.cidr)!.prefixLength, subnet_id: s.id, cidr: s.cidr, gateway_ip: s.gateway_ip };
    }).sort((a, b) => (a.ip_address < b.ip_address ? -1 : 1)),
  });
  const byId = (a: { port_id: string }, b: { port_id: string }) => (a.port_id < b.port_id ? -1 : 1);
  const interfaces = rows.ports.filter((p) => p.port_type !== 'network:router_gateway').map((p) => iface(p, 'qr-')).sort(byId);
  const gwPort = rows.ports.find((p) => p.id === rows.router.gw_port_id);
  const gateway = gwPort ? { ...iface(gwPort, 'qg-'), default_routes: [] as string[] } : null;
  if (gateway) gateway.default_routes = [...new Set(gateway.addresses.map((a) => a.gateway_ip).filter((g): g is string => !!g))];
  const gwV4 = gateway?.addresses.find((a) => !a.ip_address.includes(':'))?.ip_address ?? null;
  const fipAddress = new Map(rows.floatingIps.map((f) => [f.id, f.floating_ip_address]));
  return {
    id: rows.router.id,
    namespace: `qrouter-${rows.router.id}`,
    admin_state_up: !!rows.router.admin_state_up,
    interfaces,
    gateway,
    snat: {
      enabled: !!gateway && !!rows.router.enable_snat,
      to_address: gwV4,
      sources: interfaces.flatMap((i) => i.addresses.filter((a) => !a.cidr.includes(':')).map((a) => a.cidr)).sort(),
    },
    floating_ips: rows.floatingIps.filter((f) => f.association && f.association.router_id === rows.router.id)
      .map((f) => ({ id: f.id, floating_ip_address: f.floating_ip_address, fixed_ip_address: f.association!.fixed_ip_address, port_id: f.association!.fixed_port_id }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    routes: rows.routes.map((r) => ({ destination: r.destination, nexthop: r.nexthop })).sort((a, b) => (`${a.destination}|${a.nexthop}` < `${b.destination}|${b.nexthop}` ? -1 : 1)),
    port_forwardings: rows.portForwardings.filter((pf) => fipAddress.has(pf.floatingip_id)).map((pf) => ({
      id: pf.id, floating_ip_address: fipAddress.get(pf.floatingip_id)!, protocol: pf.protocol,
      external_port_start: pf.external_port_start, external_port_end: pf.external_port_end, internal_ip_address: pf.internal_ip_address,
      internal_port_start: pf.internal_port_start, internal_port_end: pf.internal_port_end,
    })).sort((a, b) => (a.id < b.id ? -1 : 1)),
  };
}

/** Reads the rows `renderRouterL3State` needs for each router (missing routers are left out). */
export async function loadRouterL3Rows(db: Db | Tx, routerIds: string[]): Promise<RouterL3Rows[]> {
  if (!routerIds.length) return [];
  const routers = await db.selectFrom('routers').selectAll().where('id', 'in', routerIds).execute();
  const ports = await db.selectFrom('router_ports').innerJoin('ports', 'ports.id', 'router_ports.port_id')
    .selectAll('ports').select(['router_ports.port_type', 'router_ports.router_id']).where('router_ports.router_id', 'in', routerIds).execute();
  const portIds = ports.map((p) => p.id);
  const allocations = portIds.length ? await db.selectFrom('ip_allocations').select(['port_id', 'subnet_id', 'ip_address']).where('port_id', 'in', portIds).execute() : [];
  const subnetIds = [...new Set(allocations.map((a) => a.subnet_id))];
  const subnets = subnetIds.length ? await db.selectFrom('subnets').selectAll().where('id', 'in', subnetIds).execute() : [];
  const netIds = [...new Set(ports.map((p) => p.network_id))];
  const networks = netIds.length ? await db.selectFrom('networks').select(['id', 'mtu']).where('id', 'in', netIds).execute() : [];
  const routes = await db.selectFrom('router_routes').selectAll().where('router_id', 'in', routerIds).execute();
  const assocs = await db.selectFrom('floatingip_associations').selectAll().where('router_id', 'in', routerIds).execute();
  const fipIds = [...new Set(assocs.map((a) => a.floatingip_id))];
  const fips = await db.selectFrom('floatingips').selectAll().where((eb) => eb.or([
    eb('router_id', 'in', routerIds), ...(fipIds.length ? [eb('id', 'in', fipIds)] : []),
  ])).execute();
  const pfFips = fips.filter((f) => f.router_id && routerIds.includes(f.router_id)).map((f) => f.id);
  const pfs = pfFips.length ? await db.selectFrom('port_forwardings').selectAll().where('floatingip_id', 'in', pfFips).execute() : [];
  return routers.map((router) => {
    const mine = ports.filter((p) => p.router_id === router.id);
    const mineFips = fips.filter((f) => f.router_id === router.id || assocs.some((a) => a.floatingip_id === f.id && a.router_id === router.id));
    return {
      router,
      ports: mine,
      allocations: allocations.filter((a) => mine.some((p) => p.id === a.port_id)),
      subnets,
      networks,
      routes: routes.filter((r) => r.router_id === router.id),
      floatingIps: mineFips.map((f) => ({ ...f, association: assocs.find((a) => a.floatingip_id === f.id) ?? null })),
      portForwardings: pfs.filter((pf) => mineFips.some((f) => f.id === pf.floatingip_id && f.router_id === router.id)),
    };
  });
}
