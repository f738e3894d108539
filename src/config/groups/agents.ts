// Agent-side groups: [agent], [linux_bridge], [vxlan], [securitygroup], [ovs], [dhcp],
// [network_log] (linuxbridge_agent.ini, openvswitch_agent.ini). Names and defaults are Neutron's.
import { bool, dict, float, group, int, ip, list, port, str, uri } from '../types.js';
import { firewallDriverCheck } from '../firewall-driver.js';

/** Neutron's mapping lists ("physnet:iface,..."): key:value pairs, keys unique, values unique. */
export function mappingsCheck(v: unknown): string | undefined {
  if (!Array.isArray(v)) return undefined;
  const keys = new Set<string>();
  const values = new Set<string>();
  for (const entry of v as string[]) {
    if (entry === '') continue;
    const c = entry.indexOf(':');
    const k = c < 0 ? '' : entry.slice(0, c).trim();
    const val = c < 0 ? '' : entry.slice(c + 1).trim();
    if (!k || !val) return `"${entry}" is not key:value`;
    if (keys.has(k)) return `key "${k}" appears twice`;
    if (values.has(val)) return `value "${val}" appears twice`;
    keys.add(k);
    values.add(val);
  }
  return undefined;
}

const vxlanGroupCheck = (v: unknown) =>
  typeof v === 'string' && v !== '' && !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(v) ? 'not an IP address or CIDR' : undefined;

export const agent = group(
  'agent',
  'Common agent settings',
  ['polling_interval', 'report_interval', 'root_helper', 'availability_zone', 'quitting_rpc_timeout', 'extensions', 'dscp', 'dscp_inherit', 'check_child_processes_action', 'check_child_processes_interval', 'log_agent_heartbeats', 'nucleon_server_url'],
  [
    int('polling_interval', 2, 'Seconds between local device polls'),
    float('report_interval', 30, 'Seconds between agent heartbeats; should be under agent_down_time / 2'),
    bool('log_agent_heartbeats', false, 'Log each heartbeat'),
    // Nucleon's own: Neutron agents talk RPC over transport_url, Nucleon's pull host state over HTTP.
    uri('nucleon_server_url', null, 'Nucleon API endpoint the agent pulls host state from (unset: the network endpoint of the [keystone_authtoken] catalog, else http://127.0.0.1:9696)'),
    str('root_helper', 'sudo', 'Command prefix for privileged commands'),
    str('root_helper_daemon', null, 'Privileged helper daemon'),
    bool('use_helper_for_ns_read', true, 'Read namespaces through the root helper'),
    str('check_child_processes_action', 'respawn', 'What to do when a child process dies', { choices: ['respawn', 'exit'] }),
    int('check_child_processes_interval', 60, 'Seconds between child process checks'),
    str('kill_scripts_path', '/etc/neutron/kill_scripts/', 'Scripts that stop child processes'),
    bool('comment_iptables_rules', true, 'Comment iptables rules'),
    bool('debug_iptables_rules', false, 'Log iptables rules'),
    bool('use_random_fully', true, 'SNAT with random-fully'),
    str('availability_zone', 'nova', 'Availability zone of this agent'),
    int('quitting_rpc_timeout', 10, 'RPC timeout while stopping'),
    list('extensions', [], 'Agent extensions (qos, fdb, ...)'),
    int('dscp', null, 'DSCP of tunnel packets', { min: 0, max: 63 }),
    bool('dscp_inherit', false, 'Tunnel packets inherit the inner DSCP'),
    // Open vSwitch agent.
    bool('minimize_polling', true, 'Poll OVSDB only on change'),
    int('ovsdb_monitor_respawn_interval', 30, 'Seconds before restarting the OVSDB monitor'),
    list('tunnel_types', [], 'Tunnel types of the OVS agent (gre, vxlan, geneve)'),
    port('vxlan_udp_port', 4789, 'UDP port of VXLAN tunnels'),
    int('veth_mtu', 9000, 'MTU of veth interfaces', { deprecatedForRemoval: true }),
    bool('l2_population', false, 'Use the l2population mechanism (OVS agent)'),
    bool('arp_responder', false, 'Answer ARP locally (OVS agent)'),
    bool('dont_fragment', true, 'Set DF on tunnel packets'),
    bool('enable_distributed_routing', false, 'DVR on this agent'),
    bool('drop_flows_on_start', false, 'Reset flows at start'),
    bool('tunnel_csum', false, 'Checksum tunnel packets'),
    bool('baremetal_smartnic', false, 'Bind smart-NIC ports'),
    bool('explicitly_egress_direct', false, 'Direct egress flows'),
  ],
);

export const linuxBridge = group('linux_bridge', 'Linux bridge agent', 'all', [
  list('physical_interface_mappings', [], 'physnet:interface pairs for flat and VLAN networks', { validate: mappingsCheck }),
  list('bridge_mappings', [], 'physnet:bridge pairs using existing bridges', { validate: mappingsCheck }),
]);

export const vxlan = group(
  'vxlan',
  'VXLAN in the Linux bridge agent',
  ['enable_vxlan', 'local_ip', 'l2_population', 'ttl', 'tos', 'arp_responder', 'udp_dstport', 'vxlan_group', 'udp_srcport_min', 'udp_srcport_max', 'multicast_ranges'],
  [
    bool('enable_vxlan', true, 'Carry overlay networks in VXLAN'),
    int('ttl', null, 'TTL of VXLAN packets'),
    int('tos', null, 'TOS of VXLAN packets', { deprecatedForRemoval: true }),
    str('vxlan_group', '224.0.0.1', 'Multicast group (or CIDR) for VXLAN flooding without l2population', { validate: vxlanGroupCheck }),
    ip('local_ip', null, 'Local VTEP address'),
    port('udp_srcport_min', 0, 'Lowest VXLAN source port (0: kernel default)'),
    port('udp_srcport_max', 0, 'Highest VXLAN source port (0: kernel default)'),
    port('udp_dstport', null, 'VXLAN UDP port (unset: kernel default)'),
    bool('l2_population', false, 'Static forwarding entries from the server instead of flooding'),
    bool('arp_responder', false, 'Answer ARP from local entries (needs l2_population)'),
    list('multicast_ranges', [], 'group/CIDR:vni_min:vni_max mappings'),
  ],
);

export const securityGroup = group(
  'securitygroup',
  'Security groups in agents',
  ['enable_security_group', 'firewall_driver', 'enable_ipset', 'permitted_ethertypes'],
  [
    str('firewall_driver', null, 'Firewall driver: every Neutron driver maps to nftables, noop disables filtering (config/firewall-driver.ts)', { validate: firewallDriverCheck }),
    bool('enable_security_group', true, 'Enforce security groups'),
    bool('enable_ipset', true, 'Use sets for remote groups'),
    list('permitted_ethertypes', [], 'Extra ethertypes allowed (hex)'),
  ],
);

export const ovs = group('ovs', 'Open vSwitch agent', [], [
  str('integration_bridge', 'br-int', 'Integration bridge', { deprecated: [{ name: 'ovs_integration_bridge' }] }),
  str('tunnel_bridge', 'br-tun', 'Tunnel bridge'),
  str('int_peer_patch_port', 'patch-tun', 'Integration side of the tunnel patch'),
  str('tun_peer_patch_port', 'patch-int', 'Tunnel side of the tunnel patch'),
  ip('local_ip', null, 'Local tunnel endpoint'),
  list('bridge_mappings', [], 'physnet:bridge pairs', { validate: mappingsCheck }),
  list('resource_provider_bandwidths', [], 'Bandwidth inventories'),
  list('resource_provider_packet_processing_with_direction', [], 'Packet rate inventories'),
  list('resource_provider_packet_processing_without_direction', [], 'Packet rate inventories'),
  dict('resource_provider_hypervisors', {}, 'Bridge to hypervisor mapping'),
  str('resource_provider_default_hypervisor', null, 'Default hypervisor'),
  dict('resource_provider_inventory_defaults', { allocation_ratio: '1.0', min_unit: '1', step_size: '1', reserved: '0' }, 'Inventory defaults'),
  dict('resource_provider_packet_processing_inventory_defaults', { allocation_ratio: '1.0', min_unit: '1', step_size: '1', reserved: '0' }, 'Packet processing inventory defaults'),
  str('datapath_type', 'system', 'OVS datapath', { choices: ['system', 'netdev'] }),
  str('vhostuser_socket_dir', '/var/run/openvswitch', 'vhost-user socket directory'),
  ip('of_listen_address', '127.0.0.1', 'OpenFlow listen address'),
  port('of_listen_port', 6633, 'OpenFlow listen port'),
  int('of_connect_timeout', 300, 'OpenFlow connect timeout'),
  int('of_request_timeout', 300, 'OpenFlow request timeout'),
  int('of_inactivity_probe', 10, 'OpenFlow inactivity probe'),
  bool('openflow_processed_per_port', false, 'Process flows per port'),
  str('ovsdb_connection', 'tcp:127.0.0.1:6640', 'OVSDB connection'),
  bool('ovsdb_debug', false, 'OVSDB debug'),
  int('ovsdb_timeout', 10, 'OVSDB timeout'),
  int('bridge_mac_table_size', 50000, 'MAC table size'),
  bool('igmp_snooping_enable', false, 'IGMP snooping'),
  str('ssl_key_file', null, 'OVSDB TLS key'),
  str('ssl_cert_file', null, 'OVSDB TLS certificate'),
  str('ssl_ca_cert_file', null, 'OVSDB TLS CA'),
]);

export const dhcp = group('dhcp', 'DHCP options of the OVS agent', [], [
  bool('enable_ipv6', true, 'Answer DHCPv6'),
  int('dhcp_renewal_time', 0, 'DHCP T1'),
  int('dhcp_rebinding_time', 0, 'DHCP T2'),
]);

export const networkLog = group('network_log', 'Security group logging', [], [
  int('rate_limit', 100, 'Packets logged per second', { min: 100 }),
  int('burst_limit', 25, 'Burst of logged packets', { min: 25 }),
  str('local_output_log_base', null, 'Log file'),
]);
