/**
 * Pure: security group rows → the firewall section of one host's state (src/hoststate/firewall.ts).
 * No I/O: core/firewall-state-query.ts loads the rows, renderHostState calls this with the ports it
 * bound to the host.
 *
 * - security_groups: every group a filtered port of the host names (port_security_enabled ports
 *   only: a port without port security carries no groups), with its rules;
 * - remote_groups: members of every group those rules name as remote_group_id — ports anywhere in
 *   the deployment with port security, their fixed IPs and allowed address pairs (Neutron's
 *   sg_member_ips), split by IP version; a named group without members is listed empty;
 * - address_groups: every address group those rules name.
 * A rule naming a group or address group that no longer exists keeps its reference; the agent
 * treats what is missing as empty (never as "anywhere").
 */
import type { PortState } from '../hoststate/types.js';
import type {
  AddressGroupState, FirewallState, RemoteGroupMembersState, SecurityGroupRuleState, SecurityGroupState,
} from '../hoststate/firewall.js';

export interface FirewallRuleRow {
  id: string;
  security_group_id: string;
  direction: string;
  ethertype: string;
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
  remote_address_group_id: string | null;
}

/** A port that is a member of a group (for remote groups): its addresses. */
export interface FirewallMemberRow {
  port_id: string;
  security_group_id: string;
  /** Fixed IPs (plain addresses). */
  ips: string[];
  /** allowed_address_pairs ip_address values (addresses or CIDRs). */
  pairs: string[];
}

export interface FirewallRows {
  /** At least the groups the host's ports name, plus the groups rules name as remote (stateful unused). */
  groups: { id: string; stateful: boolean }[];
  /** Rules of (at least) the groups the host's ports name. */
  rules: FirewallRuleRow[];
  /** Memberships of (at least) the groups named as remote_group_id, of ports with port security. */
  members: FirewallMemberRow[];
  /** Address groups (at least those named by rules), addresses as stored (CIDRs). */
  addressGroups: { id: string; addresses: string[] }[];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byId = <T extends { id: string }>(a: T, b: T) => cmp(a.id, b.id);
const isV6 = (a: string) => a.includes(':');

/** The groups a port filters on: none without port security (Neutron refuses groups there anyway). */
export function portGroups(p: Pick<PortState, 'port_security_enabled' | 'security_groups'>): string[] {
  return p.port_security_enabled ? p.security_groups : [];
}

function ruleState(r: FirewallRuleRow): SecurityGroupRuleState {
  return {
    id: r.id, direction: r.direction as SecurityGroupRuleState['direction'], ethertype: r.ethertype as SecurityGroupRuleState['ethertype'],
    protocol: r.protocol, port_range_min: r.port_range_min, port_range_max: r.port_range_max,
    remote_ip_prefix: r.remote_ip_prefix, remote_group_id: r.remote_group_id, remote_address_group_id: r.remote_address_group_id,
  };
}

export function renderFirewall(ports: readonly PortState[], rows: FirewallRows): FirewallState {
  const wanted = new Set(ports.flatMap(portGroups));
  const rulesOf = new Map<string, FirewallRuleRow[]>();
  for (const r of rows.rules) {
    if (wanted.has(r.security_group_id)) (rulesOf.get(r.security_group_id) ?? rulesOf.set(r.security_group_id, []).get(r.security_group_id)!).push(r);
  }
  const security_groups: SecurityGroupState[] = rows.groups.filter((g) => wanted.has(g.id)).sort(byId).map((g) => ({
    id: g.id, stateful: g.stateful, rules: (rulesOf.get(g.id) ?? []).sort(byId).map(ruleState),
  }));

  const listed = security_groups.flatMap((g) => g.rules);
  const remoteIds = new Set(listed.map((r) => r.remote_group_id).filter((x): x is string => !!x));
  const addressIds = new Set(listed.map((r) => r.remote_address_group_id).filter((x): x is string => !!x));

  const addrs = new Map<string, Set<string>>([...remoteIds].map((id) => [id, new Set<string>()]));
  for (const m of rows.members) {
    const set = addrs.get(m.security_group_id);
    if (set) for (const a of [...m.ips, ...m.pairs]) set.add(a);
  }
  const remote_groups: RemoteGroupMembersState[] = [...addrs].sort(([a], [b]) => cmp(a, b)).map(([id, set]) => {
    const all = [...set].sort();
    return { security_group_id: id, ipv4: all.filter((a) => !isV6(a)), ipv6: all.filter(isV6) };
  });

  const address_groups: AddressGroupState[] = rows.addressGroups.filter((a) => addressIds.has(a.id)).sort(byId)
    .map((a) => ({ id: a.id, addresses: [...new Set(a.addresses)].sort() }));
  return { security_groups, remote_groups, address_groups };
}
