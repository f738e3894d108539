/**
 * add_router_interface / remove_router_interface, by subnet (a new `network:router_interface` port
 * holding the subnet's gateway IP) or by port (an existing port with no device), with Neutron's checks.
 */
import type { Tx } from '../store/db.js';
import type { RouterRow } from '../store/l3-schema.js';
import type { Caller } from './caller.js';
import type { Item } from './service.js';
import { errors, NeutronError } from './errors.js';
import { isPlainObject, isUuid, show } from '../definitions/validators.js';
import { parseCidr, parseIp, cidrContains, ipVersionOf } from '../common/ip.js';
import { badRequest, type L3Deps } from './l3-common.js';
import { createServicePort, deleteServicePort, releaseAddresses, fixedIpsOf, setPortDevice, DEVICE_OWNER_ROUTER_INTF } from './l3-ports.js';
import { allocateFixedIps, recordAllocations, type FixedIp } from './port-fixed-ips.js';
import { checkDupRouterSubnets } from './router-gateway.js';
import { routesOf } from './router-routes.js';
import { portRow } from '../store/tables/ports.js';
import { subnetRows } from '../store/tables/subnets.js';
import { networkRow } from '../store/tables/networks.js';
import type { SubnetRow } from '../store/schema.js';
import { bumpRevision } from '../store/tables/standard.js';

export interface InterfaceInfo { subnet_id?: string; port_id?: string }

/** Neutron's _validate_interface_info. */
export function validateInterfaceInfo(info: unknown, forRemoval: boolean): InterfaceInfo {
  const byPort = isPlainObject(info) && 'port_id' in info;
  const bySubnet = isPlainObject(info) && 'subnet_id' in info;
  if (!byPort && !bySubnet) throw badRequest('router', 'Either subnet_id or port_id must be specified');
  const body = info as Record<string, unknown>;
  for (const key of ['port_id', 'subnet_id']) {
    if (key in body && !isUuid(body[key])) throw badRequest('router', `'${show(body[key])}' is not a valid UUID`);
  }
  if (!forRemoval && byPort && bySubnet) throw badRequest('router', 'Cannot specify both subnet-id and port-id');
  return { port_id: body.port_id as string | undefined, subnet_id: body.subnet_id as string | undefined };
}

const interfaceInfo = (routerId: string, projectId: string, portId: string, networkId: string, subnetIds: string[], last: boolean): Item => ({
  id: routerId, tenant_id: projectId, port_id: portId, network_id: networkId,
  subnet_id: last ? subnetIds[subnetIds.length - 1] : subnetIds[0], subnet_ids: subnetIds,
});

function checkAddressMode(s: SubnetRow): void {
  if (s.ip_version === 6 && s.ipv6_ra_mode === null && s.ipv6_address_mode !== null) {
    throw badRequest('router', `IPv6 subnet ${s.id} configured to receive RAs from an external router cannot be added to Neutron Router.`);
  }
}

async function subnetFor(tx: Tx, d: L3Deps, caller: Caller, id: string): Promise<SubnetRow> {
  const [s] = await subnetRows(tx, [id]);
  if (!s) throw errors.subnetNotFound(id);
  if (!caller.isAdmin && s.project_id !== caller.projectId) {
    const net = await networkRow(tx, s.network_id);
    if (!net || !d.networks.canUse(caller, net)) throw errors.subnetNotFound(id);
  }
  return s;
}

const hasV6 = (ips: FixedIp[]) => ips.some((f) => ipVersionOf(f.ip_address) === 6);

export async function addInterface(tx: Tx, d: L3Deps, caller: Caller, router: RouterRow, info: InterfaceInfo): Promise<Item> {
  if (info.port_id) {
    const port = await portRow(tx, info.port_id, d.deps.store.dialect !== 'sqlite');
    if (!port || (!caller.isAdmin && port.project_id !== caller.projectId)) throw errors.portNotFound(info.port_id);
    if (port.device_id !== '') {
      throw new NeutronError('PortInUse', `Unable to complete operation on port ${port.id} for network ${port.network_id}. Port already has an attached device ${port.device_id}.`);
    }
    const ips = (await fixedIpsOf(tx, [port.id])).get(port.id)!;
    if (!ips.length) throw badRequest('router', 'Router port must have at least one fixed IP');
    const subnets = await subnetRows(tx, [...new Set(ips.map((f) => f.subnet_id))]);
    for (const s of subnets) checkAddressMode(s);
    if (hasV6(ips)) {
      const existing = await routerInterfacePorts(tx, router.id, port.network_id);
      const v6 = (await fixedIpsOf(tx, existing.map((p) => p.id)));
      const clash = existing.find((p) => hasV6(v6.get(p.id)!));
      if (clash) throw badRequest('router', `Cannot have multiple router ports with the same network id if both contain IPv6 subnets. Existing port ${clash.id} has IPv6 subnet(s) and network id ${port.network_id}`);
    }
    await checkDupRouterSubnets(tx, router.id, subnets);
    if (subnets.filter((s) => s.ip_version === 4).length > 1) throw badRequest('router', 'Cannot have multiple IPv4 subnets on router port');
    if (!caller.isAdmin) await checkInPoolsOrOwned(tx, caller, port.id, ips, subnets);
    await setPortDevice(tx, port.id, router.id, DEVICE_OWNER_ROUTER_INTF);
    await tx.insertInto('router_ports').values({ router_id: router.id, port_id: port.id, port_type: DEVICE_OWNER_ROUTER_INTF }).execute();
    return interfaceInfo(router.id, port.project_id, port.id, port.network_id, subnets.map((s) => s.id), true);
  }

  const subnet = await subnetFor(tx, d, caller, info.subnet_id!);
  if (!subnet.gateway_ip) throw badRequest('router', 'Subnet for router interface must have a gateway IP');
  if (subnet.project_id !== caller.projectId && !caller.isAdmin) {
    throw badRequest('router', `Cannot add interface to router because subnet ${subnet.id} is not owned by project making the request`);
  }
  checkAddressMode(subnet);
  await checkDupRouterSubnets(tx, router.id, [subnet]);
  const fixedIp = { ip_address: subnet.gateway_ip, subnet_id: subnet.id };
  if (subnet.ip_version === 6) {
    // Another IPv6 prefix on the network joins the router's existing IPv6 port there.
    const existing = await routerInterfacePorts(tx, router.id, subnet.network_id);
    const ipsByPort = await fixedIpsOf(tx, existing.map((p) => p.id));
    const v6port = existing.find((p) => hasV6(ipsByPort.get(p.id)!));
    if (v6port) {
      const shapes = await d.subnets.shapesOfNetwork(tx, subnet.network_id);
      const ips = await allocateFixedIps(tx, d.ipam, { networkId: subnet.network_id, subnets: shapes, mac: v6port.mac_address, deviceOwner: DEVICE_OWNER_ROUTER_INTF, maxFixedIps: d.deps.settings.maxFixedIpsPerPort }, [fixedIp], ipsByPort.get(v6port.id)!);
      await recordAllocations(tx, v6port.id, subnet.network_id, ips);
      await bumpRevision(tx, 'ports', v6port.id);
      const all = [...ipsByPort.get(v6port.id)!, ...ips];
      return interfaceInfo(router.id, v6port.project_id, v6port.id, subnet.network_id, [...new Set(all.map((f) => f.subnet_id))], true);
    }
  }
  const port = await createServicePort(tx, d, { networkId: subnet.network_id, projectId: router.project_id, deviceOwner: DEVICE_OWNER_ROUTER_INTF, deviceId: router.id, fixedIps: [fixedIp] });
  await tx.insertInto('router_ports').values({ router_id: router.id, port_id: port.id, port_type: DEVICE_OWNER_ROUTER_INTF }).execute();
  return interfaceInfo(router.id, router.project_id, port.id, subnet.network_id, [subnet.id], true);
}

/** Neutron's _validate_port_in_range_or_admin: a non-admin's port outside the pools must be on their own subnet. */
async function checkInPoolsOrOwned(tx: Tx, caller: Caller, portId: string, ips: FixedIp[], subnets: SubnetRow[]): Promise<void> {
  const pools = await tx.selectFrom('allocation_pools').selectAll().where('subnet_id', 'in', subnets.map((s) => s.id)).execute();
  for (const ip of ips) {
    const s = subnets.find((x) => x.id === ip.subnet_id)!;
    const v = parseIp(ip.ip_address)!.value;
    const inPool = pools.some((p) => p.subnet_id === s.id && v >= parseIp(p.first_ip)!.value && v <= parseIp(p.last_ip)!.value);
    if (!inPool && s.project_id !== caller.projectId) {
      throw badRequest('router', `Cannot add interface to router because specified port ${portId} has an IP address out of the allocation pool of subnet ${s.id}, which is not owned by the project making the request`);
    }
  }
}

async function routerInterfacePorts(tx: Tx, routerId: string, networkId?: string) {
  let q = tx.selectFrom('router_ports').innerJoin('ports', 'ports.id', 'router_ports.port_id').selectAll('ports')
    .where('router_ports.router_id', '=', routerId).where('router_ports.port_type', '=', DEVICE_OWNER_ROUTER_INTF);
  if (networkId) q = q.where('ports.network_id', '=', networkId);
  return q.orderBy('ports.created_at').orderBy('ports.id').execute();
}

/** Neutron's _confirm_router_interface_not_in_use: floating IPs, port forwardings and extra routes need the subnet. */
async function confirmNotInUse(tx: Tx, routerId: string, subnet: SubnetRow): Promise<void> {
  const cidr = parseCidr(subnet.cidr)!;
  const inSubnet = (ip: string) => { const p = parseIp(ip)!; return cidrContains(cidr, p.version, p.value); };
  const subnetPorts = new Set((await tx.selectFrom('ip_allocations').select('port_id').where('subnet_id', '=', subnet.id).execute()).map((r) => r.port_id));
  const inUse = new NeutronError('RouterInterfaceInUseByFloatingIP', `Router interface for subnet ${subnet.id} on router ${routerId} cannot be deleted, as it is required by one or more floating IPs.`);
  const pfs = await tx.selectFrom('port_forwardings').innerJoin('floatingips', 'floatingips.id', 'port_forwardings.floatingip_id')
    .select(['port_forwardings.internal_ip_address', 'port_forwardings.internal_port_id']).where('floatingips.router_id', '=', routerId).execute();
  if (pfs.some((pf) => inSubnet(pf.internal_ip_address) && subnetPorts.has(pf.internal_port_id))) throw inUse;
  const assocs = await tx.selectFrom('floatingip_associations').select(['fixed_ip_address', 'fixed_port_id']).where('router_id', '=', routerId).execute();
  if (assocs.some((a) => inSubnet(a.fixed_ip_address) && subnetPorts.has(a.fixed_port_id))) throw inUse;
  const routes = (await routesOf(tx, [routerId])).get(routerId)!;
  if (routes.some((r) => inSubnet(r.nexthop))) {
    throw new NeutronError('RouterInterfaceInUseByRoute', `Router interface for subnet ${subnet.id} on router ${routerId} cannot be deleted, as it is required by one or more routes.`);
  }
}

export async function removeInterface(tx: Tx, d: L3Deps, caller: Caller, router: RouterRow, info: InterfaceInfo): Promise<Item> {
  if (info.port_id) {
    const [port] = (await routerInterfacePorts(tx, router.id)).filter((p) => p.id === info.port_id);
    if (!port) throw new NeutronError('RouterInterfaceNotFound', `Router ${router.id} does not have an interface with id ${info.port_id}`);
    const ips = (await fixedIpsOf(tx, [port.id])).get(port.id)!;
    const subnetIds = [...new Set(ips.map((f) => f.subnet_id))];
    if (info.subnet_id && !subnetIds.includes(info.subnet_id)) {
      throw new NeutronError('SubnetMismatchForPort', `Subnet on port ${port.id} does not match the requested subnet ${info.subnet_id}.`);
    }
    const subnets = await subnetRows(tx, subnetIds);
    for (const s of subnets) await confirmNotInUse(tx, router.id, s);
    await deleteServicePort(tx, d, port.id);
    return interfaceInfo(router.id, port.project_id, port.id, port.network_id, subnetIds, false);
  }
  const subnet = await subnetFor(tx, d, caller, info.subnet_id!);
  const ports = await routerInterfacePorts(tx, router.id, subnet.network_id);
  if (ports.length) await confirmNotInUse(tx, router.id, subnet);
  const ipsByPort = await fixedIpsOf(tx, ports.map((p) => p.id));
  for (const p of ports) {
    const ips = ipsByPort.get(p.id)!;
    const portSubnets = [...new Set(ips.map((f) => f.subnet_id))];
    if (!portSubnets.includes(subnet.id)) continue;
    if (portSubnets.length > 1) {
      // A multi-prefix port loses this prefix only.
      await releaseAddresses(tx, d, p.id, p.network_id, ips.filter((f) => f.subnet_id === subnet.id));
    } else {
      await deleteServicePort(tx, d, p.id);
    }
    return interfaceInfo(router.id, p.project_id, p.id, p.network_id, [subnet.id], false);
  }
  throw new NeutronError('RouterInterfaceNotFoundForSubnet', `Router ${router.id} has no interface on subnet ${subnet.id}`);
}

