/**
 * Row types: one per table, with Neutron's wire names as column names. Booleans are stored as
 * 0/1 integers on every dialect (better-sqlite3 cannot bind booleans); JSON values as text.
 */
import type { Generated } from 'kysely';
import type { L3Database } from './l3-schema.js';

export type Flag = number; // 0 | 1

export interface StandardColumns {
  id: string;
  project_id: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
  revision_number: number;
}

export interface NetworkRow extends StandardColumns {
  admin_state_up: Flag;
  status: string;
  shared: Flag;
  'router:external': Flag;
  mtu: number;
  port_security_enabled: Flag;
  availability_zone_hints: string; // JSON list
  dns_domain: string;
}

export interface NetworkSegmentRow {
  id: string;
  network_id: string;
  network_type: string;
  physical_network: string | null;
  segmentation_id: number | null;
  segment_index: number;
}

/** One row per segment id in use: the uniqueness guard that makes double allocation impossible. */
export interface SegmentAllocationRow {
  network_type: string;
  physical_network: string; // '' when the type has none
  segmentation_id: number;
}

/**
 * Free ranges of a pool (primary key: pool + last, which allocation from the front never changes),
 * (`pool` = `ip:<subnet id>` or `seg:<type>:<physnet>`). Allocation takes the first key of the
 * first range: constant time, no scan of what is in use.
 */
export interface FreeRangeRow {
  pool: string;
  first: string;
  last: string;
}

export interface SubnetRow extends StandardColumns {
  network_id: string;
  ip_version: number;
  cidr: string;
  gateway_ip: string | null;
  enable_dhcp: Flag;
  ipv6_ra_mode: string | null;
  ipv6_address_mode: string | null;
  subnetpool_id: string | null;
}

export interface AllocationPoolRow { subnet_id: string; position: number; first_ip: string; last_ip: string }
export interface DnsNameserverRow { subnet_id: string; position: number; address: string }
export interface HostRouteRow { subnet_id: string; position: number; destination: string; nexthop: string }

export interface IpAllocationRow {
  port_id: string;
  network_id: string;
  subnet_id: string;
  ip_address: string;
}

export interface PortRow extends StandardColumns {
  network_id: string;
  mac_address: string;
  admin_state_up: Flag;
  status: string;
  device_id: string;
  device_owner: string;
  port_security_enabled: Flag;
  'binding:host_id': string;
  'binding:vnic_type': string;
  'binding:profile': string; // JSON object
  'binding:vif_type': string;
  'binding:vif_details': string; // JSON object
  dns_name: string;
  /** host_state_revision at the port's last change (0 before migration 0002 / never bound). */
  host_revision?: number;
}

export interface AllowedAddressPairRow { port_id: string; mac_address: string; ip_address: string }
export interface ExtraDhcpOptRow { port_id: string; opt_name: string; opt_value: string | null; ip_version: number }

export interface SecurityGroupRow extends StandardColumns {
  stateful: Flag;
}

export interface SecurityGroupRuleRow extends StandardColumns {
  security_group_id: string;
  remote_group_id: string | null;
  remote_address_group_id: string | null;
  direction: string;
  ethertype: string;
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
}

/** Extension address-group (migration 0005). */
export interface AddressGroupRow extends StandardColumns {}
export interface AddressGroupAddressRow { address_group_id: string; address: string }

/** Extension rbac-policies (migration 0008): `object_type` security_group or address_group. */
export interface RbacPolicyRow { id: string; project_id: string; object_type: string; object_id: string; target_tenant: string; action: string }

export interface PortSecurityGroupRow { port_id: string; security_group_id: string }
export interface DefaultSecurityGroupRow { project_id: string; security_group_id: string }
export interface QuotaRow { project_id: string; resource: string; limit: number }
export interface TagRow { resource_id: string; tag: string }
/** A host agent, as its heartbeats describe it (timestamps: ISO 8601 UTC with milliseconds). */
export interface AgentRow {
  id: string;
  agent_type: string;
  binary: string;
  topic: string;
  host: string;
  availability_zone: string | null;
  admin_state_up: Flag;
  configurations: string; // JSON object
  resource_versions: string | null; // JSON object
  load: number;
  description: string | null;
  created_at: string;
  started_at: string;
  heartbeat_timestamp: string;
  /** Highest HostState revision the agent reported as applied. */
  observed_revision: number;
}

export interface NetworkDhcpAgentRow { network_id: string; dhcp_agent_id: string }
export interface HostStateRevisionRow { id: number; revision: number }
export interface HostRevisionRow { host: string; revision: number }
export interface MigrationLockRow { id: Generated<number> }

export interface Database extends L3Database {
  networks: NetworkRow;
  network_segments: NetworkSegmentRow;
  segment_allocations: SegmentAllocationRow;
  free_ranges: FreeRangeRow;
  subnets: SubnetRow;
  allocation_pools: AllocationPoolRow;
  dns_nameservers: DnsNameserverRow;
  host_routes: HostRouteRow;
  ip_allocations: IpAllocationRow;
  ports: PortRow;
  allowed_address_pairs: AllowedAddressPairRow;
  extra_dhcp_opts: ExtraDhcpOptRow;
  security_groups: SecurityGroupRow;
  security_group_rules: SecurityGroupRuleRow;
  port_security_groups: PortSecurityGroupRow;
  default_security_groups: DefaultSecurityGroupRow;
  address_groups: AddressGroupRow;
  address_group_addresses: AddressGroupAddressRow;
  rbac_policies: RbacPolicyRow;
  quotas: QuotaRow;
  tags: TagRow;
  agents: AgentRow;
  network_dhcp_agents: NetworkDhcpAgentRow;
  host_state_revision: HostStateRevisionRow;
  host_revisions: HostRevisionRow;
}
