/**
 * Extra routes (extraroute, extraroute-atomic): validation against the router's connected subnets,
 * replacement of the whole set, and Neutron's merge rules for add_extraroutes / remove_extraroutes.
 */
import type { Tx } from '../store/db.js';
import { NeutronError } from './errors.js';
import { parseCidr, parseIp, cidrContains, canonicalIp, formatCidr } from '../common/ip.js';
import { routesRepr } from './l3-common.js';

export interface Route { destination: string; nexthop: string }

/** Canonical form: destination as network/prefix, nexthop canonical. */
export const normaliseRoute = (r: Route): Route => ({ destination: formatCidr(parseCidr(r.destination)!), nexthop: canonicalIp(r.nexthop) ?? r.nexthop });

/** The CIDRs and addresses of every port of the router (interfaces and gateway). */
export async function routerConnections(tx: Tx, routerId: string): Promise<{ cidrs: string[]; ips: string[] }> {
  const rows = await tx.selectFrom('router_ports')
    .innerJoin('ip_allocations', 'ip_allocations.port_id', 'router_ports.port_id')
    .innerJoin('subnets', 'subnets.id', 'ip_allocations.subnet_id')
    .select(['subnets.cidr', 'ip_allocations.ip_address'])
    .where('router_ports.router_id', '=', routerId).execute();
  return { cidrs: rows.map((r) => r.cidr), ips: rows.map((r) => r.ip_address) };
}

/** Neutron's _validate_routes: count, nexthop on a connected subnet, nexthop not the router's own address. */
export function validateRoutes(routerId: string, routes: Route[], connected: { cidrs: string[]; ips: string[] }, maxRoutes: number): void {
  if (routes.length > maxRoutes) {
    throw new NeutronError('RoutesExhausted', `Unable to complete operation for ${routerId}. The number of routes exceeds the maximum ${maxRoutes}.`);
  }
  const cidrs = connected.cidrs.map((c) => parseCidr(c)!);
  for (const route of routes) {
    const hop = parseIp(route.nexthop)!;
    if (!cidrs.some((c) => cidrContains(c, hop.version, hop.value))) {
      throw new NeutronError('InvalidRoutes', `Invalid format for routes: ${routesRepr(routes)}, the nexthop is not connected with router`);
    }
    if (connected.ips.includes(canonicalIp(route.nexthop)!)) {
      throw new NeutronError('InvalidRoutes', `Invalid format for routes: ${routesRepr(routes)}, the nexthop is used by router`);
    }
  }
}

export async function routesOf(tx: Tx, routerIds: string[]): Promise<Map<string, Route[]>> {
  const out = new Map<string, Route[]>(routerIds.map((id) => [id, []]));
  if (!routerIds.length) return out;
  const rows = await tx.selectFrom('router_routes').selectAll().where('router_id', 'in', routerIds).orderBy('destination').orderBy('nexthop').execute();
  for (const r of rows) out.get(r.router_id)?.push({ destination: r.destination, nexthop: r.nexthop });
  return out;
}

/** Replaces the router's routes with `routes` (already validated). */
export async function writeRoutes(tx: Tx, routerId: string, routes: Route[]): Promise<void> {
  await tx.deleteFrom('router_routes').where('router_id', '=', routerId).execute();
  const unique = [...new Map(routes.map((r) => [`${r.destination}|${r.nexthop}`, r])).values()];
  if (unique.length) await tx.insertInto('router_routes').values(unique.map((r) => ({ router_id: routerId, ...r }))).execute();
}

/** add_extraroutes: exact duplicates merge; same destination with other nexthops are all kept. */
export function addRoutes(old: Route[], add: Route[]): Route[] {
  const keys = new Set(old.map((r) => `${r.destination}|${r.nexthop}`));
  return [...old, ...add.filter((r) => !keys.has(`${r.destination}|${r.nexthop}`) && keys.add(`${r.destination}|${r.nexthop}`))];
}

/** remove_extraroutes: removing an absent route is no error. */
export function removeRoutes(old: Route[], remove: Route[]): Route[] {
  const gone = new Set(remove.map((r) => `${r.destination}|${r.nexthop}`));
  return old.filter((r) => !gone.has(`${r.destination}|${r.nexthop}`));
}
