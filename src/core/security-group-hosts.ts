/**
 * Which hosts a security group change concerns (their HostState.firewall changes), for
 * recordHostChange in the changing transaction (core/host-revisions.ts). Run before deletes remove
 * the rows that name the hosts. Only bound ports count (`binding:host_id` set).
 *
 * - rules or the stateful flag of groups G changed → hosts with a port in G;
 * - membership of G changed (a port joined or left G, or a member's fixed IPs / address pairs /
 *   port security changed) → hosts with a port in a group whose rules name G as remote group;
 * - addresses of address groups A changed → hosts with a port in a group whose rules name A.
 */
import { sql, SqliteAdapter } from 'kysely';
import type { Tx } from '../store/db.js';
import { chunks } from '../store/tables/list.js';
import { preparedIn, raw } from '../store/prepared.js';

export interface SecurityGroupScope {
  /** Groups whose rules (or stateful flag) changed. */
  groups?: string[];
  /** Groups whose member addresses changed. */
  members?: string[];
  /** Address groups whose addresses changed. */
  addressGroups?: string[];
}

/** Where a group's members are named: the groups themselves, or rules naming them as remote. */
type MemberColumn = 'direct' | 'remote_group_id' | 'remote_address_group_id';

/**
 * SQLite: the distinct hosts with bound ports, walked on the ports_host index one host at a time
 * (a recursive CTE seeking the next larger host), each kept when one of its ports is in the groups
 * (ports of that host on the same index, the membership by primary key; the first match ends the
 * search). The cost follows the number of hosts, not of the groups' members or bound ports: a
 * default group with every port of a project as member made the plain join read all of them on
 * every port write. PostgreSQL and MySQL plan the plain join well from their statistics.
 */
function sqliteHostsQuery(column: MemberColumn) {
  return preparedIn((db, ids: string[]) => {
    const list = sql.join(ids);
    const members = column === 'direct' ? list : sql`select security_group_id from security_group_rules where ${sql.ref(column)} in (${list})`;
    return raw(db, sql<{ host: string }>`with recursive hosts(host) as (
      select min("binding:host_id") from ports where "binding:host_id" > ''
      union all
      select (select min("binding:host_id") from ports where "binding:host_id" > hosts.host) from hosts where hosts.host is not null)
    select host from hosts where host is not null and exists (
      select 1 from ports indexed by ports_host
      join port_security_groups on port_security_groups.port_id = ports.id
      where ports."binding:host_id" = hosts.host and port_security_groups.security_group_id in (${members}))`);
  });
}

// Compiled once per column and list length (a port write names one or two groups).
const sqliteHosts: Record<MemberColumn, (tx: Tx, ids: string[]) => Promise<{ host: string }[]>> = {
  direct: sqliteHostsQuery('direct'),
  remote_group_id: sqliteHostsQuery('remote_group_id'),
  remote_address_group_id: sqliteHostsQuery('remote_address_group_id'),
};

async function hostsWithPortsIn(tx: Tx, column: MemberColumn, ids: string[]): Promise<string[]> {
  const out = new Set<string>();
  const sqlite = tx.getExecutor().adapter instanceof SqliteAdapter;
  for (const part of chunks([...new Set(ids)])) {
    if (!part.length) continue;
    if (sqlite) {
      for (const r of await sqliteHosts[column](tx, part)) out.add(r.host);
      continue;
    }
    const groups = column === 'direct' ? part : tx.selectFrom('security_group_rules').select('security_group_id').where(column, 'in', part);
    const rows = await tx.selectFrom('ports').innerJoin('port_security_groups', 'port_security_groups.port_id', 'ports.id')
      .select('ports.binding:host_id as host').distinct()
      .where('ports.binding:host_id', '!=', '')
      .where('port_security_groups.security_group_id', 'in', groups)
      .execute();
    for (const r of rows) out.add(r.host);
  }
  return [...out];
}

/** The hosts whose firewall state a change of `scope` alters. */
export async function hostsOfSecurityGroupChange(tx: Tx, scope: SecurityGroupScope): Promise<string[]> {
  // One after the other: a transaction is one connection.
  const direct = await hostsWithPortsIn(tx, 'direct', scope.groups ?? []);
  const byRemote = await hostsWithPortsIn(tx, 'remote_group_id', scope.members ?? []);
  const byAddress = await hostsWithPortsIn(tx, 'remote_address_group_id', scope.addressGroups ?? []);
  return [...new Set([...direct, ...byRemote, ...byAddress])];
}
