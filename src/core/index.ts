/** The plugin: every resource service built from one set of dependencies. */
import type { CoreDeps } from './deps.js';
import { isUniqueViolation } from '../store/db.js';
import { networkService, type NetworkService } from './networks.js';
import { quotaService, type QuotaService } from './quotas.js';
import { tagService, type TagService } from './tags.js';
import { securityGroupCore, type SecurityGroupCore } from './security-groups.js';
import { subnetService, type SubnetService } from './subnets.js';
import { portService } from './ports.js';
import { createIpam } from './ipam.js';
import { l3Core, type L3Core } from './l3.js';
import type { ResourceService } from './service.js';
import type { StandardTable } from '../store/tables/standard.js';
import { agentService, type AgentService } from './agents.js';
import { agentReports, type AgentReports } from './agent-reports.js';
import { dhcpScheduler, type DhcpScheduler } from './dhcp-scheduling.js';
import { hostStateReader, type HostStateReader } from './host-state-query.js';
import { l3Scheduler } from './l3-scheduling.js';
import { l3AgentService, type L3AgentService } from './l3-agents.js';
import { addressGroupService, type AddressGroupService } from './address-groups.js';
import { rbacPolicyService } from './rbac-policies.js';

export interface Core {
  deps: CoreDeps;
  networks: NetworkService;
  subnets: SubnetService;
  ports: ResourceService;
  quotas: QuotaService;
  securityGroups: SecurityGroupCore;
  /** Extension address-group. */
  addressGroups: AddressGroupService;
  /** Extension rbac-policies (security groups and address groups shared with projects). */
  rbacPolicies: ResourceService;
  tags: Record<StandardTable, TagService>;
  l3: L3Core;
  agents: AgentService;
  /** l3_agent_scheduler: routers per L3 agent and manual (un)scheduling. */
  l3Agents: L3AgentService;
  agentReports: AgentReports;
  hostStates: HostStateReader;
}

export function createCore(deps: CoreDeps): Core {
  const tables: StandardTable[] = ['networks', 'subnets', 'ports', 'security_groups', 'security_group_rules', 'routers', 'floatingips'];
  const ipam = createIpam(deps.ranges);
  const networks = networkService(deps);
  // DHCP ports take addresses from the subnets' pools; subnet changes reschedule DHCP.
  const dhcp: DhcpScheduler = dhcpScheduler(deps, (tx, networkId) => subnets.shapesOfNetwork(tx, networkId), ipam);
  const subnets = subnetService(deps, networks, ipam, dhcp);
  // Routers' L3 agents: L3 writes, agent reports and agent deletion schedule through it.
  const l3 = l3Scheduler(deps);
  const l3Api = l3Core(deps, { networks, subnets, ipam, scheduler: l3 });
  return {
    deps,
    networks,
    subnets,
    ports: portService(deps, networks, subnets, ipam),
    agents: agentService(deps, networks, dhcp, l3),
    agentReports: agentReports(deps, dhcp, l3),
    hostStates: hostStateReader(deps),
    quotas: quotaService(deps),
    securityGroups: securityGroupCore(deps),
    addressGroups: addressGroupService(deps),
    rbacPolicies: rbacPolicyService(deps),
    tags: Object.fromEntries(tables.map((t) => [t, tagService(deps, t)])) as Record<StandardTable, TagService>,
    l3: l3Api,
    l3Agents: l3AgentService(deps, l3Api.routers, l3),
  };
}

/** Brings segment pools in line with the configuration (each server start; safe with replicas). */
export async function syncPools(deps: CoreDeps): Promise<void> {
  for (const driver of deps.typeDrivers.values()) {
    // Replicas starting together may both fill an empty pool: the loser sees the rows on retry.
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.store.transaction((tx) => driver.syncPools(tx));
        break;
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 5) throw error;
      }
    }
  }
}
