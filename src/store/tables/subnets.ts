/** Queries on subnets and their pools, name servers and host routes. */
import type { Db, Tx } from '../db.js';
import type { SubnetRow } from '../schema.js';
import { chunks } from './list.js';
import { prepared, preparedIn, param } from '../prepared.js';

export interface SubnetChildren {
  pools: { start: string; end: string }[];
  dns: string[];
  routes: { destination: string; nexthop: string }[];
}

export async function subnetRows(db: Db | Tx, ids: string[]): Promise<SubnetRow[]> {
  const out: SubnetRow[] = [];
  for (const part of chunks(ids)) if (part.length) out.push(...(await db.selectFrom('subnets').selectAll().where('id', 'in', part).execute()));
  return out;
}

// Run in every port create (its network's pools) and subnet read: compiled once per dialect (store/prepared.ts).
const ofNetwork = prepared<[string], SubnetRow>(1, (db) =>
  db.selectFrom('subnets').selectAll().where('network_id', '=', param(0)).orderBy('created_at').orderBy('id'));
const poolsIn = preparedIn((db, ids: string[]) =>
  db.selectFrom('allocation_pools').selectAll().where('subnet_id', 'in', ids).orderBy('subnet_id').orderBy('position'));

export async function subnetsOfNetwork(db: Db | Tx, networkId: string): Promise<SubnetRow[]> {
  return ofNetwork(db, networkId);
}

/** The allocation pools of each subnet, in their order. */
export async function poolsOfSubnets(db: Db | Tx, ids: string[]): Promise<Map<string, { start: string; end: string }[]>> {
  const out = new Map<string, { start: string; end: string }[]>(ids.map((id) => [id, []]));
  for (const part of chunks(ids)) {
    if (!part.length) continue;
    for (const p of await poolsIn(db, part)) out.get(p.subnet_id)!.push({ start: p.first_ip, end: p.last_ip });
  }
  return out;
}

export async function subnetChildren(db: Db | Tx, ids: string[]): Promise<Map<string, SubnetChildren>> {
  const out = new Map<string, SubnetChildren>(ids.map((id) => [id, { pools: [], dns: [], routes: [] }]));
  for (const part of chunks(ids)) {
    if (!part.length) continue;
    const [pools, dns, routes] = await Promise.all([
      poolsIn(db, part),
      db.selectFrom('dns_nameservers').selectAll().where('subnet_id', 'in', part).orderBy('subnet_id').orderBy('position').execute(),
      db.selectFrom('host_routes').selectAll().where('subnet_id', 'in', part).orderBy('subnet_id').orderBy('position').execute(),
    ]);
    for (const p of pools) out.get(p.subnet_id)!.pools.push({ start: p.first_ip, end: p.last_ip });
    for (const d of dns) out.get(d.subnet_id)!.dns.push(d.address);
    for (const r of routes) out.get(r.subnet_id)!.routes.push({ destination: r.destination, nexthop: r.nexthop });
  }
  return out;
}

export async function writeSubnetChildren(tx: Tx, subnetId: string, c: Partial<SubnetChildren>): Promise<void> {
  if (c.pools) {
    await tx.deleteFrom('allocation_pools').where('subnet_id', '=', subnetId).execute();
    if (c.pools.length) await tx.insertInto('allocation_pools').values(c.pools.map((p, position) => ({ subnet_id: subnetId, position, first_ip: p.start, last_ip: p.end }))).execute();
  }
  if (c.dns) {
    await tx.deleteFrom('dns_nameservers').where('subnet_id', '=', subnetId).execute();
    if (c.dns.length) await tx.insertInto('dns_nameservers').values(c.dns.map((address, position) => ({ subnet_id: subnetId, position, address }))).execute();
  }
  if (c.routes) {
    await tx.deleteFrom('host_routes').where('subnet_id', '=', subnetId).execute();
    if (c.routes.length) await tx.insertInto('host_routes').values(c.routes.map((r, position) => ({ subnet_id: subnetId, position, destination: r.destination, nexthop: r.nexthop }))).execute();
  }
}
