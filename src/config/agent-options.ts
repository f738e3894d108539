// Typed, plain-object view of what a host agent reads: [DEFAULT] agent options, [agent],
// [linux_bridge], [vxlan], [securitygroup], and the DHCP, L3 and metadata agents' [DEFAULT] keys.
import type { LoadedConfig } from './load.js';
import { mappings } from './server-options.js';
import { parseTransportUrl, type TransportUrl } from './urls.js';
import { firewallMode, type FirewallMode } from './firewall-driver.js';

export interface AgentOptions {
  host: string;
  statePath: string;
  /** null when unset; the DHCP and L3 roles need it. */
  interfaceDriver: string | null;
  transportUrl: TransportUrl;
  debug: boolean;
  logDir: string | null;
  logFile: string | null;
  agent: {
    pollingInterval: number;
    /** Seconds between heartbeats (float). */
    reportInterval: number;
    availabilityZone: string;
    rootHelper: string;
    quittingRpcTimeout: number;
    extensions: string[];
    dscp: number | null;
    dscpInherit: boolean;
  };
  linuxBridge: {
    /** physnet → interface. */
    physicalInterfaceMappings: Record<string, string>;
    /** physnet → existing bridge. */
    bridgeMappings: Record<string, string>;
  };
  vxlan: {
    enableVxlan: boolean;
    localIp: string | null;
    l2Population: boolean;
    arpResponder: boolean;
    ttl: number | null;
    tos: number | null;
    /** null: kernel default (8472 on Linux); Nucleon's docs use 4789. */
    udpDstport: number | null;
    udpSrcportMin: number;
    udpSrcportMax: number;
    vxlanGroup: string;
    multicastRanges: string[];
  };
  securityGroup: {
    enableSecurityGroup: boolean;
    firewallDriver: string | null;
    /** What enable_security_group and firewall_driver map to (config/firewall-driver.ts). */
    firewall: FirewallMode;
    enableIpset: boolean;
    permittedEthertypes: string[];
  };
  dhcp: {
    driver: string;
    resyncInterval: number;
    enableIsolatedMetadata: boolean;
    forceMetadata: boolean;
    enableMetadataNetwork: boolean;
    numSyncThreads: number;
    confsDir: string;
    dnsmasqConfigFile: string;
    dnsmasqDnsServers: string[];
    dnsmasqLeaseMax: number;
    dnsmasqLocalResolv: boolean;
    dnsmasqBaseLogDir: string | null;
    broadcastReply: boolean;
    leaseDuration: number;
    dnsDomain: string;
  };
  l3: {
    agentMode: 'legacy' | 'dvr' | 'dvr_snat' | 'dvr_no_external';
    metadataPort: number;
    handleInternalOnlyRouters: boolean;
    enableMetadataProxy: boolean;
    periodicInterval: number;
    cleanupOnShutdown: boolean;
  };
  metadata: {
    novaMetadataHost: string;
    novaMetadataPort: number;
    novaMetadataProtocol: 'http' | 'https';
    novaMetadataInsecure: boolean;
    sharedSecret: string;
    socketPath: string;
    workers: number | null;
    backlog: number;
  };
}

/** The agent's configuration as one typed object; defaults are Neutron's. */
export function agentOptions(conf: LoadedConfig): AgentOptions {
  const D = <T>(o: string) => conf.get<T>('DEFAULT', o);
  const A = <T>(o: string) => conf.get<T>('agent', o);
  const V = <T>(o: string) => conf.get<T>('vxlan', o);
  const S = <T>(o: string) => conf.get<T>('securitygroup', o);
  return {
    host: D('host'),
    statePath: D('state_path'),
    interfaceDriver: D('interface_driver'),
    transportUrl: parseTransportUrl(D<string>('transport_url')),
    debug: D('debug'),
    logDir: D('log_dir'),
    logFile: D('log_file'),
    agent: {
      pollingInterval: A('polling_interval'),
      reportInterval: A('report_interval'),
      availabilityZone: A('availability_zone'),
      rootHelper: A('root_helper'),
      quittingRpcTimeout: A('quitting_rpc_timeout'),
      extensions: A('extensions'),
      dscp: A('dscp'),
      dscpInherit: A('dscp_inherit'),
    },
    linuxBridge: {
      physicalInterfaceMappings: mappings(conf.get('linux_bridge', 'physical_interface_mappings')),
      bridgeMappings: mappings(conf.get('linux_bridge', 'bridge_mappings')),
    },
    vxlan: {
      enableVxlan: V('enable_vxlan'),
      localIp: V('local_ip'),
      l2Population: V('l2_population'),
      arpResponder: V('arp_responder'),
      ttl: V('ttl'),
      tos: V('tos'),
      udpDstport: V('udp_dstport'),
      udpSrcportMin: V('udp_srcport_min'),
      udpSrcportMax: V('udp_srcport_max'),
      vxlanGroup: V('vxlan_group'),
      multicastRanges: V('multicast_ranges'),
    },
    securityGroup: {
      enableSecurityGroup: S('enable_security_group'),
      firewallDriver: S('firewall_driver'),
      firewall: firewallMode(S('enable_security_group'), S('firewall_driver')),
      enableIpset: S('enable_ipset'),
      permittedEthertypes: S('permitted_ethertypes'),
    },
    dhcp: {
      driver: D('dhcp_driver'),
      resyncInterval: D('resync_interval'),
      enableIsolatedMetadata: D('enable_isolated_metadata'),
      forceMetadata: D('force_metadata'),
      enableMetadataNetwork: D('enable_metadata_network'),
      numSyncThreads: D('num_sync_threads'),
      confsDir: D('dhcp_confs'),
      dnsmasqConfigFile: D('dnsmasq_config_file'),
      dnsmasqDnsServers: D('dnsmasq_dns_servers'),
      dnsmasqLeaseMax: D('dnsmasq_lease_max'),
      dnsmasqLocalResolv: D('dnsmasq_local_resolv'),
      dnsmasqBaseLogDir: D('dnsmasq_base_log_dir'),
      broadcastReply: D('dhcp_broadcast_reply'),
      leaseDuration: D('dhcp_lease_duration'),
      dnsDomain: D('dns_domain'),
    },
    l3: {
      agentMode: D('agent_mode'),
      metadataPort: D('metadata_port'),
      handleInternalOnlyRouters: D('handle_internal_only_routers'),
      enableMetadataProxy: D('enable_metadata_proxy'),
      periodicInterval: D('periodic_interval'),
      cleanupOnShutdown: D('cleanup_on_shutdown'),
    },
    metadata: {
      novaMetadataHost: D('nova_metadata_host'),
      novaMetadataPort: D('nova_metadata_port'),
      novaMetadataProtocol: D('nova_metadata_protocol'),
      novaMetadataInsecure: D('nova_metadata_insecure'),
      sharedSecret: D('metadata_proxy_shared_secret'),
      socketPath: D('metadata_proxy_socket'),
      workers: D('metadata_workers'),
      backlog: D('metadata_backlog'),
    },
  };
}
