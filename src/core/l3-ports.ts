/**
 * The ports L3 owns (router interfaces, router gateways, floating IP ports), created and deleted
 * inside the caller's transaction: no quota (Neutron's L3 plugin creates them past the API), no
 * security groups, addresses from IPAM like any port.
 */
import { randomUUID } from 'node:crypto';
import type { Tx } from '../store/db.js';
import type { PortRow } from '../store/schema.js';
import type { CoreDeps } from './deps.js';
import type { Ipam } from './ipam.js';
import type { SubnetService } from './subnets.js';
import { insertUnlessDuplicate } from '../store/db.js';
import { NeutronError } from './errors.js';
import { now, bumpRevision } from '../store/tables/standard.js';
import { randomMac } from './mac.js';
import { allocateFixedIps, recordAllocations, type FixedIpRequest, type FixedIp } from './port-fixed-ips.js';

export const DEVICE_OWNER_ROUTER_INTF = 'network:router_interface';
export const DEVICE_OWNER_ROUTER_GW = 'network:router_gateway';
export const DEVICE_OWNER_FLOATINGIP = 'network:floatingip';
/** Neutron's ROUTER_INTERFACE_OWNERS (the HA and DVR owners never occur here, but are honoured). */
export const ROUTER_INTERFACE_OWNERS = ['network:router_interface', 'network:ha_router_replicated_interface', 'network:router_interface_distributed'];
/** Owners of ports that only the L3 API may delete (Neutron's router_device_owners + floating IPs). */
export const L3_PORT_OWNERS = [DEVICE_OWNER_ROUTER_INTF, DEVICE_OWNER_ROUTER_GW, DEVICE_OWNER_FLOATINGIP];

export interface ServicePortSpec {
  networkId: string;
  projectId: string;
  deviceOwner: string;
  deviceId: string;
  /** null: one address per IP version as for any new port. */
  fixedIps: FixedIpRequest[] | null;
}

export interface L3PortDeps {
  deps: CoreDeps;
  ipam: Ipam;
  subnets: SubnetService;
}

const MAC_RETRIES = 16;

/** Creates the port and its addresses; returns the id and the addresses taken. */
export async function createServicePort(tx: Tx, p: L3PortDeps, spec: ServicePortSpec): Promise<{ id: string; fixedIps: FixedIp[] }> {
  const id = randomUUID();
  const ts = now();
  const row: PortRow = {
    id, project_id: spec.projectId, name: '', description: '', network_id: spec.networkId,
    mac_address: randomMac(p.deps.settings.baseMac), admin_state_up: 1, status: 'DOWN',
    device_id: spec.deviceId, device_owner: spec.deviceOwner, port_security_enabled: 0,
    'binding:host_id': '', 'binding:vnic_type': 'normal', 'binding:profile': '{}', 'binding:vif_type': 'unbound',
    'binding:vif_details': '{}', dns_name: '', created_at: ts, updated_at: ts, revision_number: 1,
  };
  let inserted = false;
  for (let i = 0; i < MAC_RETRIES && !inserted; i++) {
    inserted = await insertUnlessDuplicate(tx, () => tx.insertInto('ports').values(row).execute());
    if (!inserted) row.mac_address = randomMac(p.deps.settings.baseMac);
  }
  if (!inserted) throw new NeutronError('MacAddressGenerationFailure', `Unable to generate unique mac on network ${spec.networkId}.`);
  const shapes = await p.subnets.shapesOfNetwork(tx, spec.networkId);
  const ips = await allocateFixedIps(tx, p.ipam, {
    networkId: spec.networkId, subnets: shapes, mac: row.mac_address, deviceOwner: spec.deviceOwner, maxFixedIps: p.deps.settings.maxFixedIpsPerPort,
  }, spec.fixedIps);
  await recordAllocations(tx, id, spec.networkId, ips);
  return { id, fixedIps: ips.map((f) => ({ subnet_id: f.subnet_id, ip_address: f.ip_address })) };
}

/** Releases the given addresses of a port (all when `which` is absent) back to their pools. */
export async function releaseAddresses(tx: Tx, p: L3PortDeps, portId: string, networkId: string, which?: FixedIp[]): Promise<void> {
  const held = which ?? await tx.selectFrom('ip_allocations').select(['subnet_id', 'ip_address']).where('port_id', '=', portId).execute();
  if (!held.length) return;
  const shapes = await p.subnets.shapesOfNetwork(tx, networkId);
  for (const f of held) {
    await tx.deleteFrom('ip_allocations').where('subnet_id', '=', f.subnet_id).where('ip_address', '=', f.ip_address).execute();
    const s = shapes.find((x) => x.id === f.subnet_id);
    if (s) await p.ipam.release(tx, s, f.ip_address);
  }
}

/** Deletes a port L3 owns with its addresses (router ports, floating IPs and forwardings go by foreign key). */
export async function deleteServicePort(tx: Tx, p: L3PortDeps, portId: string): Promise<void> {
  const row = await tx.selectFrom('ports').select(['id', 'network_id']).where('id', '=', portId).executeTakeFirst();
  if (!row) return;
  await releaseAddresses(tx, p, portId, row.network_id);
  await tx.deleteFrom('tags').where('resource_id', '=', portId).execute();
  await tx.deleteFrom('ports').where('id', '=', portId).execute();
}

/** Sets a port's device (attaching an existing port to a router, or detaching it). */
export async function setPortDevice(tx: Tx, portId: string, deviceId: string, deviceOwner: string): Promise<void> {
  await tx.updateTable('ports').set({ device_id: deviceId, device_owner: deviceOwner }).where('id', '=', portId).execute();
  await bumpRevision(tx, 'ports', portId);
}

/** Addresses of ports, by port id (IPv4 before IPv6). */
export async function fixedIpsOf(tx: Tx, portIds: string[]): Promise<Map<string, FixedIp[]>> {
  const out = new Map<string, FixedIp[]>(portIds.map((id) => [id, []]));
  if (!portIds.length) return out;
  const rows = await tx.selectFrom('ip_allocations').select(['port_id', 'subnet_id', 'ip_address']).where('port_id', 'in', portIds).execute();
  for (const r of rows) out.get(r.port_id)?.push({ subnet_id: r.subnet_id, ip_address: r.ip_address });
  for (const list of out.values()) list.sort((a, b) => Number(a.ip_address.includes(':')) - Number(b.ip_address.includes(':')) || (a.ip_address < b.ip_address ? -1 : 1));
  return out;
}

/**
 * Neutron's prevent_l3_port_deletion, for the port API's delete to call inside its transaction:
 * a router or floating IP port whose owner still exists can't be deleted directly (409).
 */
export async function checkL3PortDeletion(tx: Tx, port: Pick<PortRow, 'id' | 'device_owner' | 'device_id'>): Promise<void> {
  if (!L3_PORT_OWNERS.includes(port.device_owner)) return;
  const ips = await tx.selectFrom('ip_allocations').select('ip_address').where('port_id', '=', port.id).limit(1).execute();
  if (!ips.length) return;
  const owner = port.device_owner === DEVICE_OWNER_FLOATINGIP
    ? await tx.selectFrom('floatingips').select('id').where('id', '=', port.device_id).executeTakeFirst()
    : await tx.selectFrom('routers').select('id').where('id', '=', port.device_id).executeTakeFirst();
  if (!owner) return;
  throw new NeutronError('ServicePortInUse', `Port ${port.id} cannot be deleted directly via the port API: has device owner ${port.device_owner}.`);
}
