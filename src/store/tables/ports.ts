/** Queries on ports and what hangs off them: addresses, address pairs, DHCP options, security groups. */
import type { Db, Tx } from '../db.js';
import type { PortRow } from '../schema.js';
import { chunks } from './list.js';
import { prepared, preparedIn, param } from '../prepared.js';

export interface PortChildren {
  fixedIps: { subnet_id: string; ip_address: string }[];
  pairs: { ip_address: string; mac_address: string }[];
  dhcpOpts: { opt_name: string; opt_value: string | null; ip_version: number }[];
  securityGroups: string[];
}

const byId = prepared<[string], PortRow>(1, (db) => db.selectFrom('ports').selectAll().where('id', '=', param(0)));
const byIdForUpdate = prepared<[string], PortRow>(1, (db) => db.selectFrom('ports').selectAll().where('id', '=', param(0)).forUpdate());

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

export async function portChildren(db: Db | Tx, ids: string[]): Promise<Map<string, PortChildren>> {
  const out = new Map<string, PortChildren>(ids.map((id) => [id, { fixedIps: [], pairs: [], dhcpOpts: [], securityGroups: [] }]));
  for (const part of chunks(ids)) {
    if (!part.length) continue;
    const [ips, pairs, opts, sgs] = await Promise.all([ipsIn(db, part), pairsIn(db, part), optsIn(db, part), groupsIn(db, part)]);
    for (const r of ips) out.get(r.port_id)!.fixedIps.push({ subnet_id: r.subnet_id, ip_address: r.ip_address });
    for (const r of pairs) out.get(r.port_id)!.pairs.push({ ip_address: r.ip_address, mac_address: r.mac_address });
    for (const r of opts) out.get(r.port_id)!.dhcpOpts.push({ opt_name: r.opt_name, opt_value: r.opt_value, ip_version: r.ip_version });
    for (const r of sgs) out.get(r.port_id)!.securityGroups.push(r.security_group_id);
  }
  for (const c of out.values()) {
    c.fixedIps.sort(byVersionThenAddress);
    c.securityGroups.sort();
  }
  return out;
}
