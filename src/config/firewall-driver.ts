// [securitygroup] firewall_driver and enable_security_group → what Nucleon does on a host.
//
// Neutron loads firewall_driver by stevedore alias (entry points neutron.agent.firewall_drivers) or by
// class path. Nucleon has one data plane for security groups, nftables (docs/firewall.md), so every
// filtering driver maps to it and only noop turns filtering off:
//
//   value (alias or class path)                                                  Neutron's driver            Nucleon
//   iptables        | neutron.agent.linux.iptables_firewall.IptablesFirewallDriver          iptables                nftables
//   iptables_hybrid | neutron.agent.linux.iptables_firewall.OVSHybridIptablesFirewallDriver  iptables + hybrid veth  nftables
//   openvswitch     | neutron.agent.linux.openvswitch_firewall[.firewall].OVSFirewallDriver  OVS flows + conntrack   nftables
//   nftables        (Nucleon's own name)                                                       -                       nftables
//   noop            | neutron.agent.firewall.NoopFirewallDriver                              no filtering            none
//   unset                                                                                      agent: noop             nftables
//
// Unset differs on purpose: Neutron's agent falls back to noop while its server still reports
// port_filter (enable_security_group defaults to true) — a combination it warns about. Nucleon
// filters, so the API's security groups hold on a host whose file only omits the driver.
// enable_security_group = false means none whatever the driver (Neutron's is_firewall_enabled).

/** 'nftables': security groups and port security enforced; 'none': no filtering on this host. */
export type FirewallMode = 'nftables' | 'none';

const NFTABLES = [
  'nftables', 'iptables', 'iptables_hybrid', 'openvswitch',
  'neutron.agent.linux.iptables_firewall.IptablesFirewallDriver',
  'neutron.agent.linux.iptables_firewall.OVSHybridIptablesFirewallDriver',
  'neutron.agent.linux.openvswitch_firewall.OVSFirewallDriver',
  'neutron.agent.linux.openvswitch_firewall.firewall.OVSFirewallDriver',
];
const NONE = ['noop', 'neutron.agent.firewall.NoopFirewallDriver'];

/** Every accepted firewall_driver value and what it maps to. */
export const FIREWALL_DRIVERS: ReadonlyMap<string, FirewallMode> = new Map([
  ...NFTABLES.map((v) => [v, 'nftables'] as const),
  ...NONE.map((v) => [v, 'none'] as const),
]);

/** Option validator: an unknown driver is a config error (the loader names file, section and option). */
export function firewallDriverCheck(v: unknown): string | undefined {
  if (v === null || v === undefined || FIREWALL_DRIVERS.has(String(v))) return undefined;
  return `unknown firewall driver '${String(v)}' (Nucleon enforces security groups with nftables; ` +
    `known: iptables, iptables_hybrid, openvswitch, nftables, noop and their Neutron class paths)`;
}

/** What a host does given [securitygroup] enable_security_group and firewall_driver (validated). */
export function firewallMode(enableSecurityGroup: boolean, firewallDriver: string | null): FirewallMode {
  if (!enableSecurityGroup) return 'none';
  if (firewallDriver === null || firewallDriver === '') return 'nftables';
  return FIREWALL_DRIVERS.get(firewallDriver) ?? 'nftables';
}
