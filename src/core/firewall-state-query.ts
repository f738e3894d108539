/**
 * Loads what renderFirewall needs for the ports of one host (called by host-state-query.ts after the
 * revision was read): the groups those ports name and their rules, the members of every group the
 * rules name as remote group, and the address groups the rules name. Three to five queries per
 * host whatever the number of groups (chunked IN lists).
 */
import type { Db } from '../store/db.js';
import { chunks } from '../store/tables/list.js';
import type { FirewallMemberRow, FirewallRows } from './render-firewall.js';

async function inChunks<T>(ids: string[], load: (part: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (const part of chunks([...new Set(ids)])) if (part.length) out.push(...await load(part));
  return out;
}

/** `groupIds`: the groups named by the (candidate) ports of the host that have port security. */
export async function loadFirewallRows(db: Db, groupIds: string[]): Promise<FirewallRows> {
  const [groups, rules] = await Promise.all([
    inChunks(groupIds, (part) => db.selectFrom('security_groups').select(['id', 'stateful']).where('id', 'in', part).execute()),
    inChunks(groupIds, (part) => db.selectFrom('security_group_rules')
      .select(['id', 'security_group_id', 'direction', 'ethertype', 'protocol', 'port_range_min', 'port_range_max', 'remote_ip_prefix', 'remote_group_id', 'remote_address_group_id'])
      .where('security_group_id', 'in', part).execute()),
  ]);
  const remoteIds = rules.map((r) => r.remote_group_id).filter((x): x is string => !!x);
  const addressIds = rules.map((r) => r.remote_address_group_id).filter((x): x is string => !!x);

  // Members: ports with port security in the remote groups, wherever they are bound (or not).
  const memberships = await inChunks(remoteIds, (part) => db.selectFrom('port_security_groups')
    .innerJoin('ports', 'ports.id', 'port_security_groups.port_id')
    .select(['port_security_groups.port_id', 'port_security_groups.security_group_id'])
    .where('port_security_groups.security_group_id', 'in', part).where('ports.port_security_enabled', '=', 1).execute());
  const portIds = memberships.map((m) => m.port_id);
  const [ips, pairs, addresses] = await Promise.all([
    inChunks(portIds, (part) => db.selectFrom('ip_allocations').select(['port_id', 'ip_address']).where('port_id', 'in', part).execute()),
    inChunks(portIds, (part) => db.selectFrom('allowed_address_pairs').select(['port_id', 'ip_address']).where('port_id', 'in', part).execute()),
    inChunks(addressIds, (part) => db.selectFrom('address_group_addresses').select(['address_group_id', 'address']).where('address_group_id', 'in', part).execute()),
  ]);
  const ipsOf = new Map<string, string[]>();
  for (const r of ips) (ipsOf.get(r.port_id) ?? ipsOf.set(r.port_id, []).get(r.port_id)!).push(r.ip_address);
  const pairsOf = new Map<string, string[]>();
  for (const r of pairs) (pairsOf.get(r.port_id) ?? pairsOf.set(r.port_id, []).get(r.port_id)!).push(r.ip_address);
  const members: FirewallMemberRow[] = memberships.map((m) => ({
    port_id: m.port_id, security_group_id: m.security_group_id, ips: ipsOf.get(m.port_id) ?? [], pairs: pairsOf.get(m.port_id) ?? [],
  }));
  const byGroup = new Map<string, string[]>([...new Set(addressIds)].map((id) => [id, []]));
  for (const a of addresses) byGroup.get(a.address_group_id)?.push(a.address);
  const existing = new Set(await inChunks(addressIds, async (part) =>
    (await db.selectFrom('address_groups').select('id').where('id', 'in', part).execute()).map((r) => r.id)));
  return {
    groups: groups.map((g) => ({ id: g.id, stateful: !!g.stateful })),
    rules,
    members,
    addressGroups: [...byGroup].filter(([id]) => existing.has(id)).map(([id, list]) => ({ id, addresses: list })),
  };
}
