/**
 * The firewall part of the host-state contract (DESIGN.md §3, §6): what the agent needs to program
 * security groups and port security for the ports bound to its host. Pure data, Neutron wire names.
 *
 * Ports are NOT repeated here: the agent filters the ports already in `HostState.ports` (their MAC,
 * fixed_ips, allowed_address_pairs, port_security_enabled and security_groups are exactly what the
 * firewall needs; the tap device is `tap<port id[:11]>`, the conntrack zone follows the network).
 * This section carries what ports only reference:
 * - `security_groups`: every group referenced by a port of this host, with its rules;
 * - `remote_groups`: member addresses of every group named by a rule's `remote_group_id` (members are
 *   ports anywhere in the deployment, not only on this host), split by IP version;
 * - `address_groups`: addresses of every address group named by a rule's `remote_address_group_id`.
 *
 * A group, remote group or address group that a rule references but that is missing here is treated
 * as empty (matches nothing): missing data never opens the firewall.
 * `HostState.firewall` absent = the server does not filter on this host (`enable_security_group =
 * False` / firewall_driver `noop`): the agent removes its nftables tables.
 */

/** One security group rule as Neutron stores it (after its normalisation). */
export interface SecurityGroupRuleState {
  id: string;
  /** 'ingress' = towards the instance; 'egress' = from the instance. */
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  /** null / 'any' = any protocol; otherwise a Neutron protocol name ('tcp', 'icmp', 'ipv6-icmp',
   *  'icmpv6', 'vrrp', ...) or a decimal number as a string ('6', '112'). For IPv6 'icmp' means ICMPv6. */
  protocol: string | null;
  /** TCP/UDP/SCTP/DCCP/UDP-Lite: destination port range (max null = min). ICMP/ICMPv6: min = type,
   *  max = code (null = any code). Null = any. */
  port_range_min: number | null;
  port_range_max: number | null;
  /** CIDR of the other side (source for ingress, destination for egress); null = anywhere. */
  remote_ip_prefix: string | null;
  /** The other side must be a member of this group (its addresses in `remote_groups`). */
  remote_group_id: string | null;
  /** The other side must be in this address group (extension security-groups-remote-address-group). */
  remote_address_group_id: string | null;
}

export interface SecurityGroupState {
  id: string;
  /** Extension stateful-security-group: false = no connection tracking; replies need their own rules. */
  stateful: boolean;
  rules: SecurityGroupRuleState[];
}

/** Addresses of a group's member ports (fixed IPs plus allowed_address_pairs ip_address, which may be
 *  CIDRs), as Neutron's `sg_member_ips` has them. */
export interface RemoteGroupMembersState {
  security_group_id: string;
  /** IPv4 addresses or CIDRs. */
  ipv4: string[];
  /** IPv6 addresses or CIDRs. */
  ipv6: string[];
}

/** Extension address-group: a named list of CIDRs (both IP versions mixed, as Neutron stores them). */
export interface AddressGroupState {
  id: string;
  addresses: string[];
}

export interface FirewallState {
  security_groups: SecurityGroupState[];
  remote_groups: RemoteGroupMembersState[];
  address_groups: AddressGroupState[];
}
