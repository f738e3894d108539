/**
 * A router's external gateway (l3 + ext-gw-mode): the `network:router_gateway` port on an external
 * network, its addresses (external_fixed_ips) and SNAT, as Neutron's _update_router_gw_info does it.
 */
import type { Tx } from '../store/db.js';
import type { RouterRow } from '../store/l3-schema.js';
import type { Caller } from './caller.js';
import type { FixedIp, FixedIpRequest } from './port-fixed-ips.js';
import { errors, NeutronError } from './errors.js';
import { networkRow } from '../store/tables/networks.js';
import { parseCidr, cidrsOverlap, canonicalIp } from '../common/ip.js';
import { badRequest, type L3Deps } from './l3-common.js';
import { createServicePort, deleteServicePort, releaseAddresses, fixedIpsOf, DEVICE_OWNER_ROUTER_GW } from './l3-ports.js';
import { allocateFixedIps, recordAllocations } from './port-fixed-ips.js';
import { routerConnections, routesOf, validateRoutes } from './router-routes.js';
import { bumpRevision } from '../store/tables/standard.js';

export interface GatewayInfo { network_id: string; enable_snat?: boolean; external_fixed_ips?: FixedIpRequest[] }

/**
 * Neutron's _check_for_dup_router_subnets: a router has at most one port per subnet, and no two of
 * its subnets overlap (the gateway counts with every subnet of its network).
 */
export async function checkDupRouterSubnets(tx: Tx, routerId: string, newSubnets: { id: string; cidr: string }[]): Promise<void> {
  const ports = await tx.selectFrom('router_ports').innerJoin('ports', 'ports.id', 'router_ports.port_id')
    .select(['ports.id', 'ports.network_id', 'router_ports.port_type']).where('router_ports.router_id', '=', routerId).execute();
  const ips = await fixedIpsOf(tx, ports.map((p) => p.id));
  const newIds = new Set(newSubnets.map((s) => s.id));
  const routerSubnets = new Set<string>();
  for (const p of ports) {
    for (const ip of ips.get(p.id) ?? []) {
      if (newIds.has(ip.subnet_id)) throw badRequest('router', `Router already has a port on subnet ${ip.subnet_id}`);
      if (p.port_type === DEVICE_OWNER_ROUTER_GW) {
        for (const s of await tx.selectFrom('subnets').select('id').where('network_id', '=', p.network_id).execute()) routerSubnets.add(s.id);
      } else routerSubnets.add(ip.subnet_id);
    }
  }
  if (!routerSubnets.size) return;
  const existing = await tx.selectFrom('subnets').select(['id', 'cidr']).where('id', 'in', [...routerSubnets]).execute();
  for (const sub of existing) {
    for (const s of newSubnets) {
      if (cidrsOverlap(parseCidr(sub.cidr)!, parseCidr(s.cidr)!)) {
        throw badRequest('router', `Cidr ${s.cidr} of subnet ${s.id} overlaps with cidr ${sub.cidr} of subnet ${sub.id}`);
      }
    }
  }
}

/** Whether floating IPs use the router's gateway (associations or port-forwarding bindings). */
async function gatewayHasFloatingIps(tx: Tx, routerId: string): Promise<boolean> {
  const assoc = await tx.selectFrom('floatingip_associations').select('floatingip_id').where('router_id', '=', routerId).limit(1).executeTakeFirst();
  if (assoc) return true;
  return !!(await tx.selectFrom('floatingips').select('id').where('router_id', '=', routerId).limit(1).executeTakeFirst());
}

/** Removes the gateway port (refused while floating IPs need it). */
export async function deleteGateway(tx: Tx, d: L3Deps, router: RouterRow): Promise<void> {
  if (!router.gw_port_id) return;
  if (await gatewayHasFloatingIps(tx, router.id)) {
    const port = await tx.selectFrom('ports').select('network_id').where('id', '=', router.gw_port_id).executeTakeFirst();
    throw new NeutronError('RouterExternalGatewayInUseByFloatingIp', `Gateway cannot be updated for router ${router.id}, since a gateway to external network ${port?.network_id} is required by one or more floating IPs.`);
  }
  await tx.updateTable('routers').set({ gw_port_id: null }).where('id', '=', router.id).execute();
  await deleteServicePort(tx, d, router.gw_port_id);
}

function externalIpsChanged(current: FixedIp[] | null, requested: FixedIpRequest[]): boolean {
  if (!requested.length) return false;
  if (!current) return true;
  const eq = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));
  const subnets = new Set(current.map((f) => f.subnet_id));
  const wantSubnets = new Set(requested.filter((f) => f.subnet_id).map((f) => f.subnet_id!));
  if (!eq(subnets, wantSubnets)) return true;
  const addrs = new Set(current.map((f) => f.ip_address));
  const wantAddrs = new Set(requested.filter((f) => f.ip_address).map((f) => canonicalIp(f.ip_address!)!));
  return !eq(addrs, wantAddrs);
}

/**
 * Sets, changes or (info = null) clears the gateway of `router`, inside the caller's transaction.
 * Returns the router's enable_snat afterwards.
 */
export async function updateGateway(tx: Tx, d: L3Deps, caller: Caller, router: RouterRow, info: GatewayInfo | null): Promise<void> {
  const gwPortId = router.gw_port_id;
  const gwPort = gwPortId ? await tx.selectFrom('ports').select(['id', 'network_id']).where('id', '=', gwPortId).executeTakeFirst() : undefined;
  const currentIps = gwPort ? (await fixedIpsOf(tx, [gwPort.id])).get(gwPort.id)! : null;
  const requested = info?.external_fixed_ips ?? [];
  const ipChange = externalIpsChanged(currentIps, requested);

  // _validate_gw_info
  const networkId = info?.network_id ?? null;
  if (networkId) {
    const net = await networkRow(tx, networkId);
    if (!net || !d.networks.canUse(caller, net)) throw errors.networkNotFound(networkId);
    if (!net['router:external']) throw badRequest('router', `Network ${networkId} is not an external network`);
    const gwSubnets = await tx.selectFrom('subnets').select(['id', 'cidr', 'gateway_ip']).where('network_id', '=', networkId).execute();
    for (const ext of requested) {
      if (ext.ip_address && gwSubnets.some((s) => s.gateway_ip && s.gateway_ip === canonicalIp(ext.ip_address!))) {
        throw badRequest('router', `External IP ${ext.ip_address} is the same as the gateway IP`);
      }
    }
    const routes = (await routesOf(tx, [router.id])).get(router.id)!;
    if (routes.length) {
      const conn = await routerConnections(tx, router.id);
      const gwIps = new Set(currentIps?.map((f) => f.ip_address) ?? []);
      const gwCidrs = new Set((await tx.selectFrom('ip_allocations').innerJoin('subnets', 'subnets.id', 'ip_allocations.subnet_id').select('subnets.cidr').where('ip_allocations.port_id', '=', gwPortId ?? '').execute()).map((r) => r.cidr));
      validateRoutes(router.id, routes, {
        cidrs: [...conn.cidrs.filter((c) => !gwCidrs.has(c)), ...gwSubnets.map((s) => s.cidr)],
        ips: conn.ips.filter((ip) => !gwIps.has(ip)),
      }, d.l3.maxRoutes);
    }
  }

  const enableSnat = info ? (info.enable_snat ?? d.l3.enableSnatByDefault) : d.l3.enableSnatByDefault;
  await tx.updateTable('routers').set({ enable_snat: enableSnat ? 1 : 0 }).where('id', '=', router.id).execute();

  if (gwPort && ipChange && gwPort.network_id === networkId) {
    // New addresses on the same gateway port: release the old ones, take the requested ones.
    const shapes = await d.subnets.shapesOfNetwork(tx, gwPort.network_id);
    await releaseAddresses(tx, d, gwPort.id, gwPort.network_id);
    const mac = (await tx.selectFrom('ports').select('mac_address').where('id', '=', gwPort.id).executeTakeFirstOrThrow()).mac_address;
    const ips = await allocateFixedIps(tx, d.ipam, { networkId: gwPort.network_id, subnets: shapes, mac, deviceOwner: DEVICE_OWNER_ROUTER_GW, maxFixedIps: d.deps.settings.maxFixedIpsPerPort }, requested);
    await recordAllocations(tx, gwPort.id, gwPort.network_id, ips);
    await bumpRevision(tx, 'ports', gwPort.id);
    return;
  }
  if (gwPort && gwPort.network_id !== networkId) await deleteGateway(tx, d, router);
  if (networkId && (!gwPort || gwPort.network_id !== networkId)) {
    const subnets = await tx.selectFrom('subnets').select(['id', 'cidr']).where('network_id', '=', networkId).execute();
    await checkDupRouterSubnets(tx, router.id, subnets);
    // The gateway port belongs to no project: it is hidden from the router's owner (Neutron).
    const port = await createServicePort(tx, d, { networkId, projectId: '', deviceOwner: DEVICE_OWNER_ROUTER_GW, deviceId: router.id, fixedIps: requested.length ? requested : null });
    await tx.insertInto('router_ports').values({ router_id: router.id, port_id: port.id, port_type: DEVICE_OWNER_ROUTER_GW }).execute();
    await tx.updateTable('routers').set({ gw_port_id: port.id }).where('id', '=', router.id).execute();
  }
}
