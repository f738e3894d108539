/** The plugin: every resource service built from one set of dependencies. */
import type { CoreDeps } from './deps.js';
import { networkService, type NetworkService } from './networks.js';
import { quotaService, type QuotaService } from './quotas.js';
import { tagService, type TagService } from './tags.js';
import { securityGroupCore, type SecurityGroupCore } from './security-groups.js';
import { subnetService, type SubnetService } from './subnets.js';
import { portService } from './ports.js';
import { createIpam } from './ipam.js';
import type { ResourceService } from './service.js';
import type { StandardTable } from '../store/tables/standard.js';

export interface Core {
  deps: CoreDeps;
  networks: NetworkService;
  subnets: SubnetService;
  ports: ResourceService;
  quotas: QuotaService;
  securityGroups: SecurityGroupCore;
  tags: Record<StandardTable, TagService>;
}

export function createCore(deps: CoreDeps): Core {
  const tables: StandardTable[] = ['networks', 'subnets', 'ports', 'security_groups', 'security_group_rules'];
  const ipam = createIpam(deps.ranges);
  const networks = networkService(deps);
  const subnets = subnetService(deps, networks, ipam);
  return {
    deps,
    networks,
    subnets,
    ports: portService(deps, networks, subnets, ipam),
    quotas: quotaService(deps),
    securityGroups: securityGroupCore(deps),
    tags: Object.fromEntries(tables.map((t) => [t, tagService(deps, t)])) as Record<StandardTable, TagService>,
  };
}

/** Brings segment pools in line with the configuration (each server start; safe with replicas). */
export async function syncPools(deps: CoreDeps): Promise<void> {
  for (const driver of deps.typeDrivers.values()) await deps.store.transaction((tx) => driver.syncPools(tx));
}
