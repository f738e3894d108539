/**
 * Composition root of the API server: constructs the store, ML2 drivers, core services, auth,
 * policy and the Fastify app from the server options, and passes them down. Nothing else
 * constructs these objects.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ServerOptions } from '../config/index.js';
import type { AuthStrategy } from '../api/identity/context.js';
import type { Ml2Settings } from '../ml2/driver-api.js';
import type { CoreSettings, CommitListener } from '../core/deps.js';
import { openStore, migrateToLatest, type Store, type DatabaseOptions } from '../store/db.js';
import { freeRanges } from '../store/tables/free-ranges.js';
import { createTypeDrivers, createMechanismDrivers } from '../ml2/registry.js';
import type { Bus } from '../bus/bus.js';
import { registerInternalRoutes } from '../api/internal/index.js';
import { createCore, syncPools, type Core } from '../core/index.js';
import { createPolicyEnforcer } from '../api/policy/index.js';
import { buildApp } from '../api/app.js';
import { EXTENSIONS } from '../definitions/registry.js';
import { registerApiRoutes } from '../api/routes/index.js';

export interface ServerRuntime {
  app: FastifyInstance;
  store: Store;
  core: Core;
  close(): Promise<void>;
}

export interface ServerParts {
  logger: Logger | false;
  auth: AuthStrategy;
  /** Where the database lives when [database] connection is unset (the all-in-one data dir). */
  defaultDatabase: DatabaseOptions;
  /** Registers extra routes before the API's (the built-in identity). */
  extraRoutes?: (app: FastifyInstance) => void | Promise<void>;
  publicPrefixes?: string[];
  onCommit?: CommitListener;
  /** Where hints `{host, revision}` go after commits (topic `host.<host>`); none: agents poll. */
  bus?: Pick<Bus, 'publish'>;
  /** Milliseconds since the epoch (tests of agent liveness); default Date.now. */
  clock?: () => number;
  /** Run migrations at start (the all-in-one does; `nucleon server` expects `nucleon db upgrade`, but applies them too if asked). */
  migrate?: boolean;
}

export function databaseOptions(o: ServerOptions, fallback: DatabaseOptions): DatabaseOptions {
  const url = o.database.url;
  if (!url) return fallback;
  const poolSize = o.database.maxPoolSize || undefined;
  if (url.dialect === 'sqlite') return { dialect: 'sqlite', path: url.path ?? ':memory:' };
  return { dialect: url.dialect, host: url.host ?? '127.0.0.1', port: url.port, user: url.user, password: url.password, database: url.database ?? 'neutron', poolSize };
}

export function ml2Settings(o: ServerOptions): Ml2Settings {
  const pairs = (rs: { min: number; max: number }[]) => rs.map((r) => [r.min, r.max] as [number, number]);
  const vlan = new Map<string, [number, number][]>();
  for (const r of o.ml2.networkVlanRanges) {
    const list = vlan.get(r.physnet) ?? [];
    if (r.range) list.push([r.range.min, r.range.max]);
    vlan.set(r.physnet, list);
  }
  return {
    typeDrivers: o.ml2.typeDrivers,
    tenantNetworkTypes: o.ml2.tenantNetworkTypes,
    mechanismDrivers: o.ml2.mechanismDrivers,
    extensionDrivers: o.ml2.extensionDrivers,
    globalPhysnetMtu: o.globalPhysnetMtu,
    pathMtu: o.ml2.pathMtu,
    physicalNetworkMtus: o.ml2.physicalNetworkMtus,
    flatNetworks: o.ml2.flatNetworks,
    networkVlanRanges: [...vlan].map(([physicalNetwork, ranges]) => ({ physicalNetwork, ranges })),
    vxlanVniRanges: pairs(o.ml2.vxlanVniRanges),
    geneveVniRanges: pairs(o.ml2.geneveVniRanges),
    geneveMaxHeaderSize: o.ml2.geneveMaxHeaderSize,
    greTunnelIdRanges: pairs(o.ml2.greTunnelIdRanges),
    overlayIpVersion: o.ml2.overlayIpVersion === 6 ? 6 : 4,
  };
}

export function coreSettings(o: ServerOptions): CoreSettings {
  const q = o.quotas;
  return {
    baseMac: o.baseMac,
    allowOverlappingIps: o.allowOverlappingIps,
    maxFixedIpsPerPort: o.maxFixedIpsPerPort,
    dnsDomain: o.dnsDomain,
    quotaDefaults: {
      network: q.network, subnet: q.subnet, port: q.port, router: q.router, floatingip: q.floatingip,
      security_group: q.securityGroup, security_group_rule: q.securityGroupRule,
    },
    paginationMaxLimit: o.paginationMaxLimit > 0 ? o.paginationMaxLimit : 0,
    agentDownTime: o.agentDownTime,
    dhcpAgentsPerNetwork: o.dhcpAgentsPerNetwork,
    networkAutoSchedule: o.networkAutoSchedule,
    allowAutomaticDhcpFailover: o.allowAutomaticDhcpFailover,
    routerAutoSchedule: o.routerAutoSchedule,
    allowAutomaticL3agentFailover: o.allowAutomaticL3agentFailover,
    enableNewAgents: o.enableNewAgents,
    dhcpLoadType: 'networks',
    enableSnatByDefault: o.enableSnatByDefault,
    maxRoutes: o.maxRoutes,
    securityGroupFirewall: o.securityGroup.firewall === 'nftables',
  };
}

/**
 * What [ml2] extension_drivers does here: port_security and dns (dns-integration) are always loaded,
 * so leaving them out changes nothing; other drivers (qos, ...) are not implemented. Said, not refused.
 */
export function extensionDriverNotes(drivers: string[]): string[] {
  const notes: string[] = [];
  if (drivers.length && !drivers.includes('port_security')) {
    notes.push('[ml2] extension_drivers has no port_security: Nucleon always loads it (ports have port_security_enabled, default true)');
  }
  const other = drivers.filter((d) => d !== 'port_security' && d !== 'dns');
  if (other.length) notes.push(`[ml2] extension_drivers ${other.join(', ')}: not implemented by Nucleon; ignored`);
  return notes;
}

export async function createServerRuntime(o: ServerOptions, parts: ServerParts): Promise<ServerRuntime> {
  if (parts.logger) for (const note of extensionDriverNotes(o.ml2.extensionDrivers)) parts.logger.warn({ extension_drivers: o.ml2.extensionDrivers }, `config: ${note}`);
  const store = await openStore(databaseOptions(o, parts.defaultDatabase));
  try {
    if (parts.migrate) await migrateToLatest(store);
    const ml2 = ml2Settings(o);
    const ranges = freeRanges(store.dialect !== 'sqlite');
    const typeDrivers = createTypeDrivers(ml2, ranges);
    const settings = coreSettings(o);
    // [securitygroup] enable_security_group (default true) is what Neutron shows as port_filter.
    const mechanismDrivers = createMechanismDrivers(ml2.mechanismDrivers, { portFilter: o.securityGroup.enableSecurityGroup });
    const onCommit: CommitListener = (change) => {
      parts.onCommit?.(change);
      if (!parts.bus || !change.revision) return;
      for (const host of change.hosts ?? []) void parts.bus.publish(`host.${host}`, { host, revision: change.revision });
    };
    const core = createCore({ store, ml2, typeDrivers, ranges, settings, onCommit, mechanismDrivers, clock: parts.clock });
    await syncPools(core.deps);
    const policy = createPolicyEnforcer({ policyFile: o.policy.policyFile, enforceNewDefaults: o.policy.enforceNewDefaults });
    const app = await buildApp({
      logger: parts.logger,
      auth: parts.auth,
      policy,
      extensions: EXTENSIONS,
      publicPrefixes: parts.publicPrefixes,
      bodyLimit: o.maxRequestBodySize > 0 ? o.maxRequestBodySize : undefined,
      routes: async (app) => {
        if (parts.extraRoutes) await parts.extraRoutes(app);
        registerApiRoutes(app, { core, policy, paginationMaxLimit: settings.paginationMaxLimit });
        registerInternalRoutes(app, { core });
      },
    });
    // Neutron's periodic DHCP agent status check: failover off silent agents even when none reports.
    const dhcpCheck = setInterval(() => {
      core.agentReports.checkDhcp().catch((err) => { if (parts.logger) parts.logger.warn({ err }, 'DHCP agent check failed'); });
    }, Math.max(1, settings.agentDownTime / 2) * 1000);
    dhcpCheck.unref();
    return {
      app, store, core,
      async close() {
        clearInterval(dhcpCheck);
        await app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
