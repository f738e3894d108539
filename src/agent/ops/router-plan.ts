/**
 * Pure planning of one router's namespace `qrouter-<id>`: veths `tap<port[:11]>` (host side, in the
 * network's bridge) ↔ `qg-`/`qr-<port[:11]>` (inside, the port's MAC and fixed IPs), floating IPs as /32
 * on qg-, the default route via the external subnet's gateway, extra routes, IPv4 forwarding inside the
 * namespace only, and the NAT table. Given what the kernel has, it returns only the differences.
 */
import type { RouterState } from '../../hoststate/l3.js';
import type { Addr, Link, Route } from '../linux/ip.js';
import { isUp } from '../linux/ip.js';
import { canonicalTable, natTargets, renderRouterNat, type NftTable } from '../render/router-nft.js';
import { cidrNetwork, ipVersionOf } from '../render/ip-util.js';
import { bridgeName, tapName } from './types.js';

export const routerNsName = (routerId: string) => `qrouter-${routerId}`;
export const qrName = (portId: string) => `qr-${portId.slice(0, 11)}`;
export const qgName = (portId: string) => `qg-${portId.slice(0, 11)}`;

/** What the router ops read before planning (inside the namespace unless said otherwise). */
export interface RouterActual {
  nsExists: boolean;
  /** Host-namespace links by name. */
  hostLinks: Map<string, Link>;
  nsLinks: Map<string, Link>;
  addrs: Addr[];
  /** IPv4 routes of the main table. */
  routes: Route[];
  /** net.ipv4.ip_forward inside the namespace. */
  ipForward?: string;
  /** The NAT table as listed; undefined = absent. */
  nat?: NftTable;
}

export type RouterAction =
  | { op: 'netns-add' }
  | { op: 'ip'; where: 'host' | 'ns'; lines: string[] }
  | { op: 'sysctl'; key: string; value: string }
  /** Replace the NAT table; then drop conntrack entries of the floating addresses whose target changed. */
  | { op: 'nft'; table: NftTable; flushConntrack: string[] }
  /** Gratuitous ARP for a newly added IPv4 address on qg-. */
  | { op: 'garp'; dev: string; ip: string };

interface PortPlan {
  portId: string;
  networkId: string;
  mac: string;
  mtu: number;
  inner: string;
  addrs: string[];
}

/** The devices a router needs, with their desired addresses (ip/prefix). */
export function routerPorts(r: RouterState): PortPlan[] {
  const withPrefix = (f: { ip_address: string; cidr: string }) => `${f.ip_address}/${cidrNetwork(f.cidr)[1]}`;
  const out: PortPlan[] = r.interfaces.map((i) => ({
    portId: i.port_id, networkId: i.network_id, mac: i.mac_address, mtu: i.mtu, inner: qrName(i.port_id), addrs: i.fixed_ips.map(withPrefix),
  }));
  if (r.gateway) {
    const g = r.gateway;
    // Floating addresses (associated ones and those carrying port forwardings) live on qg- as /32.
    const fips = [...r.floating_ips.map((f) => f.floating_ip_address), ...r.port_forwardings.map((f) => f.floating_ip_address)]
      .filter((ip) => ipVersionOf(ip) === 4).map((ip) => `${ip}/32`);
    out.push({ portId: g.port_id, networkId: g.network_id, mac: g.mac_address, mtu: g.mtu, inner: qgName(g.port_id), addrs: [...new Set([...g.fixed_ips.map(withPrefix), ...fips])] });
  }
  return out;
}

/** `ip route` prints default as 'default' and host routes without /32. */
export function routeDst(cidr: string): string {
  const [net, len] = cidrNetwork(cidr);
  if (len === 0) return 'default';
  return len === 32 ? net : `${net}/${len}`;
}

/** Desired IPv4 static routes as 'dst via gw'. */
export function desiredRoutes(r: RouterState): string[] {
  const out = new Set<string>();
  const gwHop = r.gateway?.fixed_ips.map((f) => f.gateway_ip).find((g): g is string => !!g && ipVersionOf(g) === 4);
  if (gwHop) out.add(`default via ${gwHop}`);
  for (const x of r.routes) if (ipVersionOf(x.nexthop) === 4 && ipVersionOf(x.destination.split('/')[0]!) === 4) out.add(`${routeDst(x.destination)} via ${x.nexthop}`);
  return [...out].sort();
}

export interface RouterPlanOptions {
  metadataPort?: number;
}

export function planRouter(r: RouterState, a: RouterActual, o: RouterPlanOptions = {}): RouterAction[] {
  const ns = routerNsName(r.id);
  const out: RouterAction[] = [];
  if (!a.nsExists) out.push({ op: 'netns-add' });
  const nsLinks = a.nsExists ? a.nsLinks : new Map<string, Link>();
  const pre: string[] = [];
  const host: string[] = [];
  const inner: string[] = [];
  const routesAfter: string[] = [];
  const garps: RouterAction[] = [];

  const wantRoutes = desiredRoutes(r);
  const haveRoutes = (a.nsExists ? a.routes : []).filter((x) => x.gateway).map((x) => `${x.dst} via ${x.gateway}`);
  // Stale routes go first: address changes below may take their next hop away.
  for (const x of haveRoutes) if (!wantRoutes.includes(x)) pre.push(`route del ${x}`);

  const ports = routerPorts(r);
  const wanted = new Set(ports.map((p) => p.inner));
  for (const l of nsLinks.values()) if (/^q[rg]-/.test(l.ifname) && !wanted.has(l.ifname)) pre.push(`link del ${l.ifname}`);

  const lo = nsLinks.get('lo');
  if (!lo || !isUp(lo)) inner.push('link set lo up');
  for (const p of ports) {
    const tap = tapName(p.portId);
    const br = bridgeName(p.networkId);
    let t = a.hostLinks.get(tap);
    let i = nsLinks.get(p.inner);
    if (!t || !i || t.kind !== 'veth') {
      // Half a pair (or someone else's device) cannot be repaired in place: recreate it.
      if (t) host.push(`link del ${tap}`);
      if (i) pre.push(`link del ${p.inner}`);
      host.push(`link add ${tap} type veth peer name ${p.inner} netns ${ns}`);
      t = i = undefined;
    }
    if (p.mtu > 0 && t?.mtu !== p.mtu) host.push(`link set ${tap} mtu ${p.mtu}`);
    if (t?.master !== br) host.push(`link set ${tap} master ${br}`);
    if (!t || !isUp(t)) host.push(`link set ${tap} up`);
    if (i?.address?.toLowerCase() !== p.mac.toLowerCase()) inner.push(`link set ${p.inner} address ${p.mac}`);
    if (p.mtu > 0 && i?.mtu !== p.mtu) inner.push(`link set ${p.inner} mtu ${p.mtu}`);
    if (!i || !isUp(i)) inner.push(`link set ${p.inner} up`);
    const have = new Set(i ? a.addrs.filter((x) => x.ifname === p.inner && x.scope !== 'link').map((x) => `${x.local}/${x.prefixlen}`) : []);
    for (const x of have) if (!p.addrs.includes(x)) inner.push(`addr del ${x} dev ${p.inner}`);
    for (const x of p.addrs) {
      if (have.has(x)) continue;
      inner.push(`addr add ${x} dev ${p.inner}`);
      if (p.inner.startsWith('qg-') && ipVersionOf(x) === 4) garps.push({ op: 'garp', dev: p.inner, ip: x.split('/')[0]! });
    }
  }
  for (const x of wantRoutes) if (!haveRoutes.includes(x)) routesAfter.push(`route replace ${x}`);

  if (pre.length && a.nsExists) out.push({ op: 'ip', where: 'ns', lines: pre });
  if (host.length) out.push({ op: 'ip', where: 'host', lines: host });
  if (inner.length || routesAfter.length) out.push({ op: 'ip', where: 'ns', lines: [...inner, ...routesAfter] });
  if (!a.nsExists || a.ipForward !== '1') out.push({ op: 'sysctl', key: 'net.ipv4.ip_forward', value: '1' });

  const gw = r.gateway;
  const table = renderRouterNat(r, { qgName: gw ? qgName(gw.port_id) : undefined, metadataPort: o.metadataPort });
  if (!a.nat || canonicalTable(a.nat) !== canonicalTable(table)) {
    const before = natTargets(a.nat);
    const after = natTargets(table);
    const flush = [...before].filter(([ip, v]) => after.get(ip) !== v).map(([ip]) => ip).sort();
    out.push({ op: 'nft', table, flushConntrack: flush });
  }
  out.push(...garps);
  return out;
}
