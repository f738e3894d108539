/**
 * Neutron's agent config files → the agent's plain AgentConfig, which roles run, how it reaches the
 * API, and the checks against this host's kernel that make a bad config refuse to start (naming
 * file, section and option) instead of failing later on every pass.
 */
import { basename } from 'node:path';
import { hostname } from 'node:os';
import { agentOptions, ConfigError, l3AgentOptions, metadataOptions, type ConfigIssue, type LoadedConfig } from '../config/index.js';
import { defaultDhcpConfig, defaultL2Config, defaultMetadataConfig, type AgentConfig } from '../agent/config.js';
import { listAddrs, listLinks } from '../agent/linux/ip.js';
import type { Runner } from '../agent/linux/exec.js';
import { UsageError } from './args.js';
import { noauthHeaders, type ClientAuth } from './os-auth.js';

export type Role = 'l2' | 'dhcp' | 'l3';
export const ROLES: readonly Role[] = ['l2', 'dhcp', 'l3'];

/**
 * The roles to run. `--roles` says so explicitly (l2 is always on). Otherwise by the files given,
 * as Neutron has one file per agent binary: a file named dhcp_agent*.ini (or any file setting
 * [DEFAULT] dhcp_driver) adds DHCP; l3_agent*.ini adds L3.
 */
export function agentRoles(conf: LoadedConfig, explicit?: string): Set<Role> {
  const roles = new Set<Role>(['l2']);
  if (explicit !== undefined) {
    for (const r of explicit.split(',').map((s) => s.trim()).filter(Boolean)) {
      if (!ROLES.includes(r as Role)) throw new UsageError(`--roles: unknown role '${r}' (known: ${ROLES.join(', ')})`);
      roles.add(r as Role);
    }
    return roles;
  }
  const names = conf.sources.map((f) => basename(f));
  if (names.some((n) => n.startsWith('dhcp_agent')) || conf.isSet('DEFAULT', 'dhcp_driver')) roles.add('dhcp');
  if (names.some((n) => n.startsWith('l3_agent'))) roles.add('l3');
  return roles;
}

/** A ConfigError at the file and line where the option was set (or just section/option). */
export function optionError(conf: LoadedConfig, section: string, option: string, reason: string): ConfigError {
  const o = conf.origin(section, option);
  return new ConfigError(reason, { file: o?.file, line: o?.line, section, option });
}

const statePathOf = (v: string, statePath: string) => v.replace(/\$\{?state_path\}?/g, statePath);

/**
 * Pure: options → AgentConfig. Throws ConfigError for values no kernel check is needed to reject;
 * values it runs with but an operator should hear about are passed to `defaults.warn`.
 */
export function agentConfigFrom(conf: LoadedConfig, roles: Set<Role>, defaults: { localIp?: string; statePath?: string; warn?: (w: ConfigIssue) => void } = {}): AgentConfig {
  const o = agentOptions(conf);
  const host = o.host || hostname();
  const state = !conf.isSet('DEFAULT', 'state_path') && defaults.statePath ? defaults.statePath : o.statePath;
  const localIp = o.vxlan.localIp ?? defaults.localIp;
  if (o.vxlan.enableVxlan && !localIp) {
    throw optionError(conf, 'vxlan', 'local_ip', 'must be set when enable_vxlan is true (the VTEP address of this host)');
  }
  if (o.vxlan.arpResponder && !o.vxlan.l2Population) {
    throw optionError(conf, 'vxlan', 'arp_responder', 'needs l2_population = true');
  }
  if (Object.keys(o.linuxBridge.bridgeMappings).length) {
    throw optionError(conf, 'linux_bridge', 'bridge_mappings', 'is not supported: map physical networks to interfaces with physical_interface_mappings');
  }
  if (roles.has('dhcp') || roles.has('l3')) {
    const drv = o.interfaceDriver;
    if (drv && !/linuxbridge|BridgeInterfaceDriver/i.test(drv)) {
      throw optionError(conf, 'DEFAULT', 'interface_driver', `'${drv}' is not supported (use linuxbridge)`);
    }
  }
  if (roles.has('dhcp') && !/Dnsmasq$/.test(o.dhcp.driver)) {
    throw optionError(conf, 'DEFAULT', 'dhcp_driver', `'${o.dhcp.driver}' is not supported (use neutron.agent.linux.dhcp.Dnsmasq)`);
  }
  // Isolated metadata: the DHCP role signs with metadata_agent.ini's options too (as Neutron's
  // metadata agent does for the DHCP namespaces' haproxy).
  const isolatedMetadata = roles.has('dhcp') && (o.dhcp.enableIsolatedMetadata || o.dhcp.forceMetadata);
  const mdWarnings: ConfigIssue[] = [];
  const metadata = isolatedMetadata ? metadataOptions(conf, mdWarnings, true) : defaultMetadataConfig();
  if (isolatedMetadata && !roles.has('l3')) for (const w of mdWarnings) defaults.warn?.(w);
  const cfg: AgentConfig = {
    host,
    l2: defaultL2Config({
      localIp: localIp ?? undefined,
      enableVxlan: o.vxlan.enableVxlan,
      l2Population: o.vxlan.l2Population,
      arpResponder: o.vxlan.arpResponder,
      // Unset: IANA's 4789 (DESIGN.md §6), not the kernel's 8472.
      udpDstport: o.vxlan.udpDstport ?? 4789,
      ttl: o.vxlan.ttl ?? undefined,
      tos: o.vxlan.tos ?? undefined,
      physicalInterfaceMappings: o.linuxBridge.physicalInterfaceMappings,
      // firewall_driver was validated at load (an unknown driver names file/section/option there).
      firewall: o.securityGroup.firewall,
    }),
    dhcp: defaultDhcpConfig({
      enabled: roles.has('dhcp'),
      stateDir: statePathOf(o.dhcp.confsDir, state),
      leaseDuration: o.dhcp.leaseDuration,
      enableIsolatedMetadata: o.dhcp.enableIsolatedMetadata,
      forceMetadata: o.dhcp.forceMetadata,
      dnsmasqDnsServers: o.dhcp.dnsmasqDnsServers,
      dnsmasqLocalResolv: o.dhcp.dnsmasqLocalResolv,
      dnsDomain: o.dhcp.dnsDomain,
      dnsmasqLeaseMax: o.dhcp.dnsmasqLeaseMax,
      dhcpBroadcastReply: o.dhcp.broadcastReply,
      metadata,
      metadataProxySocket: statePathOf(conf.get<string>('DEFAULT', 'metadata_proxy_socket'), state),
    }),
  };
  if (roles.has('l3')) {
    // l3_agent.ini + metadata_agent.ini as src/config maps them: agent_mode other than legacy refused
    // there (naming file, section, option); warnings (external_network_bridge, ...) go to `warn`.
    const { l3, warnings } = l3AgentOptions(conf, { stateDir: `${state}/l3` });
    for (const w of warnings) defaults.warn?.(w);
    cfg.l3 = l3; // the same shape: the compiler checks config's L3RoleOptions against the agent's L3Config here
  }
  return cfg;
}

/**
 * Checks the config against this host's kernel (through `runner`, i.e. in the host's namespace):
 * every mapped interface exists and local_ip is an address of this host.
 */
export async function checkAgentHost(conf: LoadedConfig, cfg: AgentConfig, runner: Runner): Promise<void> {
  const links = new Set((await listLinks(runner)).map((l) => l.ifname));
  for (const [physnet, dev] of Object.entries(cfg.l2.physicalInterfaceMappings)) {
    if (!links.has(dev)) {
      throw optionError(conf, 'linux_bridge', 'physical_interface_mappings', `interface '${dev}' (physical network '${physnet}') does not exist on this host`);
    }
  }
  if (cfg.l2.enableVxlan && cfg.l2.localIp) {
    const addrs = await listAddrs(runner);
    if (!addrs.some((a) => a.local === cfg.l2.localIp)) {
      throw optionError(conf, 'vxlan', 'local_ip', `${cfg.l2.localIp} is not an address of this host`);
    }
  }
}

/**
 * How an agent reaches the API: [agent] nucleon_server_url (else the catalog's network endpoint
 * with keystone credentials, else http://127.0.0.1:9696); with auth_strategy = keystone the
 * service user of [keystone_authtoken] (which neutron.conf on every node already has), with
 * noauth the `service` role in headers.
 */
export function agentClientAuth(conf: LoadedConfig): ClientAuth {
  const url = conf.get<string | null>('agent', 'nucleon_server_url');
  const ks = <T>(o: string) => conf.get<T>('keystone_authtoken', o);
  const keystone = conf.get<string>('DEFAULT', 'auth_strategy') === 'keystone' && ks<string | null>('username') !== null;
  if (!keystone) {
    return { password: null, endpoint: url ?? 'http://127.0.0.1:9696', interface: 'internal', noauthHeaders: { 'x-roles': 'service', 'x-user-id': 'nucleon-agent' } };
  }
  for (const option of ['auth_url', 'password']) {
    if (!ks(option)) throw optionError(conf, 'keystone_authtoken', option, 'must be set for the agent to authenticate (auth_strategy = keystone)');
  }
  return {
    password: {
      authUrl: ks('auth_url'), username: ks('username'), password: ks('password'),
      projectName: ks<string | null>('project_name') ?? undefined, projectId: ks<string | null>('project_id') ?? undefined,
      userDomainName: ks<string | null>('user_domain_name') ?? undefined, userDomainId: ks<string | null>('user_domain_id') ?? undefined,
      projectDomainName: ks<string | null>('project_domain_name') ?? undefined, projectDomainId: ks<string | null>('project_domain_id') ?? undefined,
    },
    endpoint: url ?? undefined,
    regionName: ks<string | null>('region_name') ?? undefined,
    interface: ks<string>('interface') ?? 'internal',
  };
}

export { noauthHeaders };
