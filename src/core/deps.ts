/** What core's resource services are built from: passed down from the composition root. */
import type { Store } from '../store/db.js';
import type { TypeDriver, Ml2Settings, MechanismDriver } from '../ml2/driver-api.js';
import type { FreeRanges } from '../store/tables/free-ranges.js';

export interface CoreSettings {
  /** [DEFAULT] enable_snat_by_default: a gateway without enable_snat gets this. */
  enableSnatByDefault?: boolean;
  /** [DEFAULT] max_routes: extra routes per router. */
  maxRoutes?: number;
  baseMac: string;
  allowOverlappingIps: boolean;
  maxFixedIpsPerPort: number;
  dnsDomain: string;
  /** [quotas] quota_<resource>; -1 = unlimited. */
  quotaDefaults: Record<string, number>;
  /** Longest page the API returns (0 = no limit). */
  paginationMaxLimit: number;
  /** [DEFAULT] agent_down_time, seconds. */
  agentDownTime: number;
  dhcpAgentsPerNetwork: number;
  networkAutoSchedule: boolean;
  allowAutomaticDhcpFailover: boolean;
  /** [DEFAULT] router_auto_schedule (default true): routers get an L3 agent without an admin. */
  routerAutoSchedule?: boolean;
  /** [DEFAULT] allow_automatic_l3agent_failover (default false): routers leave dead L3 agents. */
  allowAutomaticL3agentFailover?: boolean;
  enableNewAgents: boolean;
  /** [DEFAULT] dhcp_load_type: the configurations key counted as a DHCP agent's load. */
  dhcpLoadType: string;
  /** [securitygroup] enable_security_group and firewall_driver (not noop) in the server's files:
   *  host states carry `firewall` (default true). */
  securityGroupFirewall?: boolean;
}

/**
 * Told after each commit that changed desired state (the bus hint publisher hangs here): `hosts`
 * whose desired state changed, now at `revision`.
 */
export type CommitListener = (change: { resource: string; id: string; hosts?: string[]; revision?: number }) => void;

export interface CoreDeps {
  store: Store;
  ml2: Ml2Settings;
  typeDrivers: Map<string, TypeDriver>;
  ranges: FreeRanges;
  settings: CoreSettings;
  onCommit: CommitListener;
  /** [ml2] mechanism_drivers, in order (ml2/registry.ts createMechanismDrivers). */
  mechanismDrivers: MechanismDriver[];
  /** Milliseconds since the epoch; injectable for tests of agent liveness. */
  clock?: () => number;
}

export const DEFAULT_CORE_SETTINGS: CoreSettings = {
  baseMac: 'fa:16:3e:00:00:00',
  allowOverlappingIps: true,
  maxFixedIpsPerPort: 5,
  dnsDomain: 'openstacklocal.',
  quotaDefaults: { network: 100, subnet: 100, port: 500, security_group: 10, security_group_rule: 100, router: 10, floatingip: 50 },
  paginationMaxLimit: 0,
  agentDownTime: 75,
  dhcpAgentsPerNetwork: 1,
  networkAutoSchedule: true,
  allowAutomaticDhcpFailover: true,
  enableNewAgents: true,
  dhcpLoadType: 'networks',
};
