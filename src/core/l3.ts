/** The L3 plugin: routers, floating IPs, port forwardings and floating IP pools, built from core's parts. */
import type { CoreDeps } from './deps.js';
import type { Caller } from './caller.js';
import type { Item } from './service.js';
import type { Ipam } from './ipam.js';
import type { NetworkService } from './networks.js';
import type { SubnetService } from './subnets.js';
import { DEFAULT_L3_SETTINGS, type L3Deps, type L3Settings } from './l3-common.js';
import { routerService, type RouterService } from './routers.js';
import { floatingIpService, floatingIpPools, type FloatingIpService } from './floatingips.js';
import { portForwardingService, type PortForwardingService } from './port-forwardings.js';
import type { L3Scheduler } from './l3-scheduling.js';

export interface L3Core {
  routers: RouterService;
  floatingips: FloatingIpService;
  portForwardings: PortForwardingService;
  floatingIpPools(caller: Caller): Promise<Item[]>;
}

/** [DEFAULT] enable_snat_by_default and max_routes, when the composition root passes them in settings. */
function l3Settings(deps: CoreDeps): L3Settings {
  const s = deps.settings;
  return { enableSnatByDefault: s.enableSnatByDefault ?? DEFAULT_L3_SETTINGS.enableSnatByDefault, maxRoutes: s.maxRoutes ?? DEFAULT_L3_SETTINGS.maxRoutes };
}

export function l3Core(deps: CoreDeps, parts: { networks: NetworkService; subnets: SubnetService; ipam: Ipam; scheduler: L3Scheduler }): L3Core {
  const d: L3Deps = { deps, ...parts, l3: l3Settings(deps) };
  return {
    routers: routerService(d),
    floatingips: floatingIpService(d),
    portForwardings: portForwardingService(d),
    floatingIpPools: (caller) => floatingIpPools(d, caller),
  };
}
