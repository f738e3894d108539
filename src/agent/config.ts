/**
 * What the agent needs from Neutron's config files, as plain values. The composition root (src/cmd)
 * maps INI options to this: [vxlan] local_ip/enable_vxlan/l2_population/arp_responder/udp_dstport/
 * ttl/tos, [linux_bridge] physical_interface_mappings, dhcp_agent.ini and neutron.conf DHCP options.
 */
import type { MetadataOptions } from '../config/index.js';

export interface L2Config {
  /** [vxlan] local_ip: this host's VTEP address. */
  localIp?: string;
  /** [vxlan] enable_vxlan (default true). */
  enableVxlan: boolean;
  /** [vxlan] l2_population (default false). */
  l2Population: boolean;
  /** [vxlan] arp_responder (default false). */
  arpResponder: boolean;
  /** [vxlan] udp_dstport; Neutron leaves it unset (kernel default 8472); we default to IANA 4789 (DESIGN.md §6). */
  udpDstport: number;
  /** [vxlan] ttl / tos, unset = kernel default. */
  ttl?: number;
  tos?: number;
  /** [linux_bridge] physical_interface_mappings: physnet → interface. */
  physicalInterfaceMappings: Record<string, string>;
  /** [securitygroup] enable_security_group + firewall_driver as src/config maps them: 'nftables'
   *  programs HostState.firewall; 'none' (noop / disabled) ignores it and removes our tables. */
  firewall: 'nftables' | 'none';
}

export interface DhcpConfig {
  enabled: boolean;
  /** Where per-network files live: <stateDir>/<network id>/{host,opts,addn_hosts,leases,pid}. */
  stateDir: string;
  /** neutron.conf dhcp_lease_duration (default 86400; -1 = infinite). */
  leaseDuration: number;
  /** dhcp_agent.ini enable_isolated_metadata (default false) and force_metadata (default false). */
  enableIsolatedMetadata: boolean;
  forceMetadata: boolean;
  /** dnsmasq_dns_servers (default []), dnsmasq_local_resolv (default false), dns_domain (default 'openstacklocal'). */
  dnsmasqDnsServers: string[];
  dnsmasqLocalResolv: boolean;
  dnsDomain: string;
  /** dnsmasq_lease_max (default 2**24), dhcp_renewal_time / dhcp_rebinding_time (default 0 = unset). */
  dnsmasqLeaseMax: number;
  dhcpRenewalTime: number;
  dhcpRebindingTime: number;
  /** dhcp_broadcast_reply (default false). */
  dhcpBroadcastReply: boolean;
  /** The dnsmasq binary (tests may point elsewhere). */
  dnsmasqBinary: string;
  /** Isolated metadata (enable_isolated_metadata / force_metadata): metadata_agent.ini's upstream,
   *  and metadata_proxy_socket, the agent's relay to it (default <state_path>/metadata_proxy). */
  metadata: MetadataConfig;
  metadataProxySocket: string;
}

/** metadata_agent.ini [DEFAULT]: where the metadata proxies send signed requests (Nova's metadata API). */
export type MetadataConfig = MetadataOptions;

/** l3_agent.ini: the L3 agent role (routers) and its metadata proxies. */
export interface L3Config {
  enabled: boolean;
  /** Per-router files (metadata proxy config, instance map, PID): <stateDir>/<router id>/. */
  stateDir: string;
  /** [DEFAULT] metadata_port (default 9697): where 169.254.169.254:80 is redirected inside the namespace. */
  metadataPort: number;
  /** [DEFAULT] enable_metadata_proxy (default true). */
  enableMetadataProxy: boolean;
  /** [DEFAULT] send_arp_for_ha (default 3): gratuitous ARPs per new gateway/floating address; 0 = none. */
  sendArpCount: number;
  metadata: MetadataConfig;
}

export interface AgentConfig {
  host: string;
  l2: L2Config;
  dhcp: DhcpConfig;
  /** Absent = no L3 role. */
  l3?: L3Config;
}

/** metadata_agent.ini's defaults, as Neutron's. */
export function defaultMetadataConfig(over: Partial<MetadataConfig> = {}): MetadataConfig {
  return {
    novaMetadataHost: '127.0.0.1', novaMetadataPort: 8775, novaMetadataProtocol: 'http', novaMetadataInsecure: false,
    authCaCert: '', novaClientCert: '', novaClientPrivKey: '', metadataProxySharedSecret: '',
    ...over,
  };
}

export function defaultL3Config(over: Partial<L3Config> = {}): L3Config {
  return {
    enabled: false,
    stateDir: '/var/lib/nucleon/l3',
    metadataPort: 9697,
    enableMetadataProxy: true,
    sendArpCount: 3,
    ...over,
    metadata: defaultMetadataConfig(over.metadata),
  };
}

export function defaultL2Config(over: Partial<L2Config> = {}): L2Config {
  return {
    enableVxlan: true,
    l2Population: false,
    arpResponder: false,
    udpDstport: 4789,
    physicalInterfaceMappings: {},
    firewall: 'nftables',
    ...over,
  };
}

export function defaultDhcpConfig(over: Partial<DhcpConfig> = {}): DhcpConfig {
  return {
    enabled: false,
    stateDir: '/var/lib/nucleon/dhcp',
    leaseDuration: 86400,
    enableIsolatedMetadata: false,
    forceMetadata: false,
    dnsmasqDnsServers: [],
    dnsmasqLocalResolv: false,
    dnsDomain: 'openstacklocal',
    dnsmasqLeaseMax: 2 ** 24,
    dhcpRenewalTime: 0,
    dhcpRebindingTime: 0,
    dhcpBroadcastReply: false,
    dnsmasqBinary: 'dnsmasq',
    metadataProxySocket: '/var/lib/nucleon/metadata_proxy',
    ...over,
    metadata: defaultMetadataConfig(over.metadata),
  };
}
