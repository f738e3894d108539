/** Queries on ports and what hangs off them: addresses, address pairs, DHCP options, security groups. */
import { sql } from 'kysely';
import type { Db, Tx } from '../db.js';
import type { Flag, PortRow } from '../schema.js';
import { chunks } from './list.js';
import { prepared, preparedIn, preparedWrite, param } from '../prepared.js';

export interface PortChildren {
  fixedIps: { subnet_id: string; ip_address: string }[];
  pairs: { ip_address: string; mac_address: string }[];
  dhcpOpts: { opt_name: string; opt_value: string | null; ip_version: number }[];
  securityGroups: string[];
}

const byId = prepared<[string], PortRow>(1, (db) => db.selectFrom('ports').selectAll().where('id', '=', param(0)));
const byIdForUpdate = prepared<[string], PortRow>(1, (db) => db.selectFrom('ports').selectAll().where('id', '=', param(0)).forUpdate());

/** The columns a new port row is written with, in the prepared insert's order. */
const INSERT_COLUMNS = ['id', 'project_id', 'name', 'description', 'network_id', 'mac_address', 'admin_state_up', 'status', 'device_id', 'device_owner',
  'port_security_enabled', 'binding:host_id', 'binding:vnic_type', 'binding:profile', 'binding:vif_type', 'binding:vif_details', 'dns_name',
  'created_at', 'updated_at', 'revision_number'] as const satisfies readonly (keyof PortRow)[];
const insertRow = preparedWrite<unknown[]>(INSERT_COLUMNS.length, (db) =>
  db.insertInto('ports').values(Object.fromEntries(INSERT_COLUMNS.map((c, i) => [c, param(i)])) as unknown as PortRow));

/** Inserts a new port row (every column but host_revision, which starts at 0); compiled once per dialect. */
export async function insertPortRow(tx: Tx, row: PortRow): Promise<void> {
  await insertRow(tx, ...INSERT_COLUMNS.map((c) => row[c]));
}

// A new port's first security group and address: one of each in most creates, compiled once.
const insertGroup = preparedWrite<[string, string]>(2, (db) =>
  db.insertInto('port_security_groups').values({ port_id: param(0), security_group_id: param(1) }));
const insertAllocation = preparedWrite<[string, string, string, string]>(4, (db) =>
  db.insertInto('ip_allocations').values({ port_id: param(0), network_id: param(1), subnet_id: param(2), ip_address: param(3) }));

/** Puts a new port in its security groups (distinct ids). */
export async function insertPortGroups(tx: Tx, portId: string, groups: string[]): Promise<void> {
  if (groups.length === 1) await insertGroup(tx, portId, groups[0]!);
  else if (groups.length) await tx.insertInto('port_security_groups').values(groups.map((security_group_id) => ({ port_id: portId, security_group_id }))).execute();
}

/** Writes a port's addresses; a duplicate (subnet, address) fails as the unique constraint says. */
export async function insertAllocations(tx: Tx, portId: string, networkId: string, ips: { subnet_id: string; ip_address: string }[]): Promise<void> {
  if (ips.length === 1) await insertAllocation(tx, portId, networkId, ips[0]!.subnet_id, ips[0]!.ip_address);
  else if (ips.length) await tx.insertInto('ip_allocations').values(ips.map((f) => ({ port_id: portId, network_id: networkId, subnet_id: f.subnet_id, ip_address: f.ip_address }))).execute();
}

/**
 * What a show, update or delete of a port checks first, in one read: the row's version (is the kept
 * item current?), who may see it (its project, its network's owner) and its network's policy
 * context. `network_owner` is null when the network is gone.
 */
export interface PortHead extends Pick<PortRow, 'id' | 'project_id' | 'network_id' | 'revision_number' | 'updated_at'> {
  network_owner: string | null;
  network_shared: Flag | null;
}

// The network's columns as scalar subqueries, each a primary-key lookup: as a left join, SQLite
// planned a scan of networks when its statistics were taken while the table was small.
const headById = prepared<[string], PortHead>(1, (db) => db.selectFrom('ports')
  .select((eb) => [
    'ports.id', 'ports.project_id', 'ports.network_id', 'ports.revision_number', 'ports.updated_at',
    eb.selectFrom('networks').select('networks.project_id').whereRef('networks.id', '=', 'ports.network_id').as('network_owner'),
    eb.selectFrom('networks').select('networks.shared').whereRef('networks.id', '=', 'ports.network_id').as('network_shared'),
  ])
  .where('ports.id', '=', param(0)));

export async function portHead(db: Db | Tx, id: string): Promise<PortHead | undefined> {
  return (await headById(db, id))[0];
}

export async function portRow(db: Db | Tx, id: string, forUpdate = false): Promise<PortRow | undefined> {
  return (await (forUpdate ? byIdForUpdate : byId)(db, id))[0];
}

export async function portRows(db: Db | Tx, ids: string[]): Promise<PortRow[]> {
  const out: PortRow[] = [];
  for (const part of chunks(ids)) if (part.length) out.push(...(await db.selectFrom('ports').selectAll().where('id', 'in', part).execute()));
  return out;
}

export const byVersionThenAddress = (a: { ip_address: string }, b: { ip_address: string }) => {
  const va = a.ip_address.includes(':') ? 6 : 4;
  const vb = b.ip_address.includes(':') ? 6 : 4;
  return va - vb || (a.ip_address < b.ip_address ? -1 : a.ip_address > b.ip_address ? 1 : 0);
};

const ipsIn = preparedIn((db, ids: string[]) => db.selectFrom('ip_allocations').select(['port_id', 'subnet_id', 'ip_address']).where('port_id', 'in', ids));
const pairsIn = preparedIn((db, ids: string[]) => db.selectFrom('allowed_address_pairs').selectAll().where('port_id', 'in', ids));
const optsIn = preparedIn((db, ids: string[]) => db.selectFrom('extra_dhcp_opts').selectAll().where('port_id', 'in', ids));
const groupsIn = preparedIn((db, ids: string[]) => db.selectFrom('port_security_groups').selectAll().where('port_id', 'in', ids));

/** What hangs off ONE port, and its tags, in one statement: a row per child, `kind` naming its table. */
type ChildRow = { kind: string; a: string; b: string | null; c: number | null };
const nullText = () => sql<string | null>`null`;
const nullNumber = () => sql<number | null>`null`;
// The DHCP options come first: PostgreSQL types a UNION's columns pair by pair from the left, and
// an untyped null in the first branch would be taken for text where ip_version is an integer.
const childrenOfOne = prepared<[string], ChildRow>(1, (db) =>
  db.selectFrom('extra_dhcp_opts').select([sql.lit('opt').as('kind'), 'opt_name as a', 'opt_value as b', sql.ref<number | null>('ip_version').as('c')]).where('port_id', '=', param(0))
    .unionAll(db.selectFrom('ip_allocations').select([sql.lit('ip').as('kind'), 'subnet_id as a', 'ip_address as b', nullNumber().as('c')]).where('port_id', '=', param(0)))
    .unionAll(db.selectFrom('allowed_address_pairs').select([sql.lit('pair').as('kind'), 'ip_address as a', 'mac_address as b', nullNumber().as('c')]).where('port_id', '=', param(0)))
    .unionAll(db.selectFrom('port_security_groups').select([sql.lit('sg').as('kind'), 'security_group_id as a', nullText().as('b'), nullNumber().as('c')]).where('port_id', '=', param(0)))
    .unionAll(db.selectFrom('tags').select([sql.lit('tag').as('kind'), 'tag as a', nullText().as('b'), nullNumber().as('c')]).where('resource_id', '=', param(0))));

function sortChildren(c: PortChildren): PortChildren {
  c.fixedIps.sort(byVersionThenAddress);
  c.securityGroups.sort();
  return c;
}

/** One port's children and tags (a show, an update): one statement instead of five, one round trip on a server. */
export async function onePortDetails(db: Db | Tx, id: string): Promise<{ children: PortChildren; tags: string[] }> {
  const c: PortChildren = { fixedIps: [], pairs: [], dhcpOpts: [], securityGroups: [] };
  const tags: string[] = [];
  for (const r of await childrenOfOne(db, id)) {
    if (r.kind === 'ip') c.fixedIps.push({ subnet_id: r.a, ip_address: r.b! });
    else if (r.kind === 'pair') c.pairs.push({ ip_address: r.a, mac_address: r.b! });
    else if (r.kind === 'opt') c.dhcpOpts.push({ opt_name: r.a, opt_value: r.b, ip_version: Number(r.c) });
    else if (r.kind === 'sg') c.securityGroups.push(r.a);
    else tags.push(r.a);
  }
  // The order tagsOf gives (store/tables/standard.ts).
  return { children: sortChildren(c), tags: tags.sort() };
}

export async function portChildren(db: Db | Tx, ids: string[]): Promise<Map<string, PortChildren>> {
  const out = new Map<string, PortChildren>(ids.map((id) => [id, { fixedIps: [], pairs: [], dhcpOpts: [], securityGroups: [] }]));
  if (ids.length === 1) {
    out.set(ids[0], (await onePortDetails(db, ids[0])).children);
    return out;
  }
  for (const part of chunks(ids)) {
    if (!part.length) continue;
    const [ips, pairs, opts, sgs] = await Promise.all([ipsIn(db, part), pairsIn(db, part), optsIn(db, part), groupsIn(db, part)]);
    for (const r of ips) out.get(r.port_id)!.fixedIps.push({ subnet_id: r.subnet_id, ip_address: r.ip_address });
    for (const r of pairs) out.get(r.port_id)!.pairs.push({ ip_address: r.ip_address, mac_address: r.mac_address });
    for (const r of opts) out.get(r.port_id)!.dhcpOpts.push({ opt_name: r.opt_name, opt_value: r.opt_value, ip_version: r.ip_version });
    for (const r of sgs) out.get(r.port_id)!.securityGroups.push(r.security_group_id);
  }
  for (const c of out.values()) sortChildren(c);
  return out;
}
