// Typed, plain-object views of the groups the server uses, so the rest of the code never
// handles option names. Values are already validated by loadConfig; these only reshape them.
import type { LoadedConfig } from './load.js';
import { parseDatabaseUrl, parseTransportUrl, type DatabaseUrl, type TransportUrl } from './urls.js';
import { firewallMode, type FirewallMode } from './firewall-driver.js';

export interface IdRange {
  min: number;
  max: number;
}

/** An entry of [ml2_type_vlan] network_vlan_ranges: a physnet, with a project range or not. */
export interface VlanRange {
  physnet: string;
  range?: IdRange;
}

export interface DatabaseOptions {
  /** As written; null when unset (the caller decides: Nucleon's `up` uses SQLite in its data dir). */
  connection: string | null;
  url: DatabaseUrl | null;
  maxPoolSize: number;
  maxOverflow: number;
  poolTimeout: number | null;
  maxRetries: number;
  retryInterval: number;
  connectionRecycleTime: number;
  dbMaxRetries: number;
}

export interface Ml2Options {
  typeDrivers: string[];
  tenantNetworkTypes: string[];
  mechanismDrivers: string[];
  extensionDrivers: string[];
  /** 0 means "use global_physnet_mtu" (Neutron's default). */
  pathMtu: number;
  /** [ml2] physical_network_mtus as physnet → MTU. */
  physicalNetworkMtus: Record<string, number>;
  externalNetworkType: string | null;
  overlayIpVersion: number;
  /** [ml2_type_flat] flat_networks; ['*'] allows any physnet, [] none. */
  flatNetworks: string[];
  networkVlanRanges: VlanRange[];
  greTunnelIdRanges: IdRange[];
  vxlanVniRanges: IdRange[];
  vxlanGroup: string | null;
  geneveVniRanges: IdRange[];
  geneveMaxHeaderSize: number;
}

/** Per-project quotas; -1 means unlimited. */
export interface QuotaOptions {
  defaultQuota: number;
  network: number;
  subnet: number;
  port: number;
  router: number;
  floatingip: number;
  securityGroup: number;
  securityGroupRule: number;
  trackQuotaUsage: boolean;
}

export interface KeystoneAuthtokenOptions {
  wwwAuthenticateUri: string | null;
  authUrl: string | null;
  authType: string | null;
  username: string | null;
  password: string | null;
  projectName: string | null;
  userDomainName: string | null;
  projectDomainName: string | null;
  userDomainId: string | null;
  projectDomainId: string | null;
  regionName: string | null;
  interface: string;
  memcachedServers: string[] | null;
  /** Seconds a validated token is cached; -1 disables caching. */
  tokenCacheTime: number;
  insecure: boolean;
  cafile: string | null;
  httpConnectTimeout: number | null;
  httpRequestMaxRetries: number;
  serviceTokenRoles: string[];
  serviceTokenRolesRequired: boolean;
  delayAuthDecision: boolean;
  includeServiceCatalog: boolean;
}

export interface PolicyOptions {
  policyFile: string;
  policyDirs: string[];
  policyDefaultRule: string;
  enforceScope: boolean;
  enforceNewDefaults: boolean;
}

export interface RabbitOptions {
  retryInterval: number;
  retryBackoff: number;
  intervalMax: number;
  heartbeatTimeoutThreshold: number;
  ssl: boolean;
  sslCaFile: string;
  sslCertFile: string;
  sslKeyFile: string;
}

export interface ServerOptions {
  host: string;
  bindHost: string;
  bindPort: number;
  authStrategy: 'keystone' | 'noauth';
  corePlugin: string | null;
  servicePlugins: string[];
  baseMac: string;
  dvrBaseMac: string;
  globalPhysnetMtu: number;
  apiWorkers: number | null;
  rpcWorkers: number | null;
  allowBulk: boolean;
  allowOverlappingIps: boolean;
  maxFixedIpsPerPort: number;
  /** -1 for no limit. */
  paginationMaxLimit: number;
  maxDnsNameservers: number;
  maxSubnetHostRoutes: number;
  maxAllowedAddressPair: number;
  maxRoutes: number;
  filterValidation: boolean;
  vlanTransparent: boolean;
  ipamDriver: string;
  dnsDomain: string;
  dhcpLeaseDuration: number;
  statePath: string;
  agentDownTime: number;
  dhcpAgentsPerNetwork: number;
  networkAutoSchedule: boolean;
  allowAutomaticDhcpFailover: boolean;
  routerAutoSchedule: boolean;
  allowAutomaticL3agentFailover: boolean;
  enableNewAgents: boolean;
  routerDistributed: boolean;
  l3Ha: boolean;
  maxL3AgentsPerRouter: number;
  enableSnatByDefault: boolean;
  defaultAvailabilityZones: string[];
  /** Parsed [DEFAULT] transport_url; Neutron's default "rabbit://" gives no hosts (localhost). */
  transportUrl: TransportUrl;
  controlExchange: string;
  debug: boolean;
  logDir: string | null;
  logFile: string | null;
  database: DatabaseOptions;
  ml2: Ml2Options;
  quotas: QuotaOptions;
  keystoneAuthtoken: KeystoneAuthtokenOptions;
  policy: PolicyOptions;
  rabbit: RabbitOptions;
  /** [oslo_middleware] max_request_body_size in bytes. */
  maxRequestBodySize: number;
  /** [securitygroup] in the server's files (ml2_conf.ini): whether host states carry a firewall
   *  (enable_security_group, shown as port_filter) and what firewall_driver maps to there. */
  securityGroup: { enableSecurityGroup: boolean; firewall: FirewallMode };
}

function ranges(entries: string[]): IdRange[] {
  return entries.map((e) => {
    const [a, b] = e.split(':').map((x) => Number(x.trim()));
    return { min: a!, max: b! };
  });
}

function vlanRanges(entries: string[]): VlanRange[] {
  return entries.map((e) => {
    const [physnet, a, b] = e.split(':').map((x) => x.trim());
    return a === undefined ? { physnet: physnet! } : { physnet: physnet!, range: { min: Number(a), max: Number(b) } };
  });
}

/** "key:value" list entries as a record (shape validated at load). */
export function mappings(entries: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    if (e === '') continue;
    const c = e.indexOf(':');
    out[e.slice(0, c).trim()] = e.slice(c + 1).trim();
  }
  return out;
}

/**
 * The server's configuration as one typed object: [DEFAULT] service options, [database] (with
 * the parsed URL), [ml2] and [ml2_type_*] (ranges parsed), [quotas], [keystone_authtoken],
 * [oslo_policy], [oslo_messaging_rabbit] and [oslo_middleware]. Defaults are Neutron's.
 */
export function serverOptions(conf: LoadedConfig): ServerOptions {
  const D = <T>(o: string) => conf.get<T>('DEFAULT', o);
  const connection = conf.get<string | null>('database', 'connection');
  const ml2 = <T>(o: string) => conf.get<T>('ml2', o);
  const q = (o: string) => conf.get<number>('quotas', o);
  const ks = <T>(o: string) => conf.get<T>('keystone_authtoken', o);
  const rb = <T>(o: string) => conf.get<T>('oslo_messaging_rabbit', o);
  return {
    host: D('host'),
    bindHost: D('bind_host'),
    bindPort: D('bind_port'),
    authStrategy: D('auth_strategy'),
    corePlugin: D('core_plugin'),
    servicePlugins: D('service_plugins'),
    baseMac: D('base_mac'),
    dvrBaseMac: D('dvr_base_mac'),
    globalPhysnetMtu: D('global_physnet_mtu'),
    apiWorkers: D('api_workers'),
    rpcWorkers: D('rpc_workers'),
    allowBulk: D('allow_bulk'),
    allowOverlappingIps: D('allow_overlapping_ips'),
    maxFixedIpsPerPort: D('max_fixed_ips_per_port'),
    paginationMaxLimit: Number(D<string>('pagination_max_limit')),
    maxDnsNameservers: D('max_dns_nameservers'),
    maxSubnetHostRoutes: D('max_subnet_host_routes'),
    maxAllowedAddressPair: D('max_allowed_address_pair'),
    maxRoutes: D('max_routes'),
    filterValidation: D('filter_validation'),
    vlanTransparent: D('vlan_transparent'),
    ipamDriver: D('ipam_driver'),
    dnsDomain: D('dns_domain'),
    dhcpLeaseDuration: D('dhcp_lease_duration'),
    statePath: D('state_path'),
    agentDownTime: D('agent_down_time'),
    dhcpAgentsPerNetwork: D('dhcp_agents_per_network'),
    networkAutoSchedule: D('network_auto_schedule'),
    allowAutomaticDhcpFailover: D('allow_automatic_dhcp_failover'),
    routerAutoSchedule: D('router_auto_schedule'),
    allowAutomaticL3agentFailover: D('allow_automatic_l3agent_failover'),
    enableNewAgents: D('enable_new_agents'),
    routerDistributed: D('router_distributed'),
    l3Ha: D('l3_ha'),
    maxL3AgentsPerRouter: D('max_l3_agents_per_router'),
    enableSnatByDefault: D('enable_snat_by_default'),
    defaultAvailabilityZones: D('default_availability_zones'),
    transportUrl: parseTransportUrl(D<string>('transport_url')),
    controlExchange: D('control_exchange'),
    debug: D('debug'),
    logDir: D('log_dir'),
    logFile: D('log_file'),
    database: {
      connection,
      url: connection ? parseDatabaseUrl(connection) : null,
      maxPoolSize: conf.get('database', 'max_pool_size'),
      maxOverflow: conf.get('database', 'max_overflow'),
      poolTimeout: conf.get('database', 'pool_timeout'),
      maxRetries: conf.get('database', 'max_retries'),
      retryInterval: conf.get('database', 'retry_interval'),
      connectionRecycleTime: conf.get('database', 'connection_recycle_time'),
      dbMaxRetries: conf.get('database', 'db_max_retries'),
    },
    ml2: {
      typeDrivers: ml2('type_drivers'),
      tenantNetworkTypes: ml2('tenant_network_types'),
      mechanismDrivers: ml2('mechanism_drivers'),
      extensionDrivers: ml2('extension_drivers'),
      pathMtu: ml2('path_mtu'),
      physicalNetworkMtus: Object.fromEntries(
        Object.entries(mappings(ml2<string[]>('physical_network_mtus'))).map(([k, v]) => [k, Number(v)]),
      ),
      externalNetworkType: ml2('external_network_type'),
      overlayIpVersion: ml2('overlay_ip_version'),
      flatNetworks: conf.get('ml2_type_flat', 'flat_networks'),
      networkVlanRanges: vlanRanges(conf.get('ml2_type_vlan', 'network_vlan_ranges')),
      greTunnelIdRanges: ranges(conf.get('ml2_type_gre', 'tunnel_id_ranges')),
      vxlanVniRanges: ranges(conf.get('ml2_type_vxlan', 'vni_ranges')),
      vxlanGroup: conf.get('ml2_type_vxlan', 'vxlan_group'),
      geneveVniRanges: ranges(conf.get('ml2_type_geneve', 'vni_ranges')),
      geneveMaxHeaderSize: conf.get('ml2_type_geneve', 'max_header_size'),
    },
    securityGroup: {
      enableSecurityGroup: conf.get('securitygroup', 'enable_security_group'),
      firewall: firewallMode(conf.get('securitygroup', 'enable_security_group'), conf.get('securitygroup', 'firewall_driver')),
    },
    quotas: {
      defaultQuota: q('default_quota'),
      network: q('quota_network'),
      subnet: q('quota_subnet'),
      port: q('quota_port'),
      router: q('quota_router'),
      floatingip: q('quota_floatingip'),
      securityGroup: q('quota_security_group'),
      securityGroupRule: q('quota_security_group_rule'),
      trackQuotaUsage: conf.get('quotas', 'track_quota_usage'),
    },
    keystoneAuthtoken: {
      wwwAuthenticateUri: ks('www_authenticate_uri'),
      authUrl: ks('auth_url'),
      authType: ks('auth_type'),
      username: ks('username'),
      password: ks('password'),
      projectName: ks('project_name'),
      userDomainName: ks('user_domain_name'),
      projectDomainName: ks('project_domain_name'),
      userDomainId: ks('user_domain_id'),
      projectDomainId: ks('project_domain_id'),
      regionName: ks('region_name'),
      interface: ks('interface'),
      memcachedServers: ks('memcached_servers'),
      tokenCacheTime: ks('token_cache_time'),
      insecure: ks('insecure'),
      cafile: ks('cafile'),
      httpConnectTimeout: ks('http_connect_timeout'),
      httpRequestMaxRetries: ks('http_request_max_retries'),
      serviceTokenRoles: ks('service_token_roles'),
      serviceTokenRolesRequired: ks('service_token_roles_required'),
      delayAuthDecision: ks('delay_auth_decision'),
      includeServiceCatalog: ks('include_service_catalog'),
    },
    policy: {
      policyFile: conf.get('oslo_policy', 'policy_file'),
      policyDirs: conf.get('oslo_policy', 'policy_dirs'),
      policyDefaultRule: conf.get('oslo_policy', 'policy_default_rule'),
      enforceScope: conf.get('oslo_policy', 'enforce_scope'),
      enforceNewDefaults: conf.get('oslo_policy', 'enforce_new_defaults'),
    },
    rabbit: {
      retryInterval: rb('rabbit_retry_interval'),
      retryBackoff: rb('rabbit_retry_backoff'),
      intervalMax: rb('rabbit_interval_max'),
      heartbeatTimeoutThreshold: rb('heartbeat_timeout_threshold'),
      ssl: rb('ssl'),
      sslCaFile: rb('ssl_ca_file'),
      sslCertFile: rb('ssl_cert_file'),
      sslKeyFile: rb('ssl_key_file'),
    },
    maxRequestBodySize: conf.get('oslo_middleware', 'max_request_body_size'),
  };
}
