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
import type { Tx } from '../store/db.js';
import { chunks } from '../store/tables/list.js';

export interface SecurityGroupScope {
  /** Groups whose rules (or stateful flag) changed. */
  groups?: string[];
  /** Groups whose member addresses changed. */
  members?: string[];
  /** Address groups whose addresses changed. */
  addressGroups?: string[];
}

async function hostsWithPortsIn(tx: Tx, groups: (part: string[]) => any, ids: string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const part of chunks([...new Set(ids)])) {
    if (!part.length) continue;
    const rows = await tx.selectFrom('ports').innerJoin('port_security_groups', 'port_security_groups.port_id', 'ports.id')
      .select('ports.binding:host_id as host').distinct()
      .where('ports.binding:host_id', '!=', '')
      .where('port_security_groups.security_group_id', 'in', groups(part))
      .execute();
    for (const r of rows) out.add(r.host);
  }
  return [...out];
}

/** The hosts whose firewall state a change of `scope` alters. */
export async function hostsOfSecurityGroupChange(tx: Tx, scope: SecurityGroupScope): Promise<string[]> {
  // One after the other: a transaction is one connection.
  const direct = await hostsWithPortsIn(tx, (part) => part, scope.groups ?? []);
  const byRemote = await hostsWithPortsIn(tx, (part) => tx.selectFrom('security_group_rules').select('security_group_id').where('remote_group_id', 'in', part), scope.members ?? []);
  const byAddress = await hostsWithPortsIn(tx, (part) => tx.selectFrom('security_group_rules').select('security_group_id').where('remote_address_group_id', 'in', part), scope.addressGroups ?? []);
  return [...new Set([...direct, ...byRemote, ...byAddress])];
}
