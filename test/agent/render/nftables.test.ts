import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PortState } from '../../../src/hoststate/types.js';
import type { FirewallState, SecurityGroupRuleState } from '../../../src/hoststate/firewall.js';
import {
  allowedSources, assignZones, dropCovered, linkLocalFromMac, nftAddr, protocolNumber, renderFirewall, ruleMatch,
} from '../../../src/agent/render/nftables.js';

const NET = '11111111-2222-4333-8444-555555555555';
export function port(id: string, over: Partial<PortState> = {}): PortState {
  return {
    id, network_id: NET, mac_address: 'fa:16:3e:00:00:0a', fixed_ips: [{ subnet_id: 's', ip_address: '10.0.0.10' }],
    admin_state_up: true, device_owner: 'compute:nova', device_id: 'vm', revision_number: 1, port_security_enabled: true,
    security_groups: ['sg1'], allowed_address_pairs: [], ...over,
  };
}
const rule = (over: Partial<SecurityGroupRuleState>): SecurityGroupRuleState => ({
  id: 'r', direction: 'ingress', ethertype: 'IPv4', protocol: null, port_range_min: null, port_range_max: null,
  remote_ip_prefix: null, remote_group_id: null, remote_address_group_id: null, ...over,
});
const fw = (rules: SecurityGroupRuleState[], stateful = true): FirewallState => ({
  security_groups: [{ id: 'sg1', stateful, rules }], remote_groups: [], address_groups: [],
});

describe('nftables renderer', () => {
  it('derives the EUI-64 link-local address from a MAC', () => {
    assert.equal(linkLocalFromMac('fa:16:3e:00:00:0a'), 'fe80::f816:3eff:fe00:a');
    assert.equal(linkLocalFromMac('00:11:22:33:44:55'), 'fe80::211:22ff:fe33:4455');
  });

  it('normalises addresses and protocols as Neutron means them', () => {
    assert.equal(nftAddr('10.0.0.5/24'), '10.0.0.0/24');
    assert.equal(nftAddr('10.0.0.5/32'), '10.0.0.5');
    assert.throws(() => nftAddr('10.0.0.256'), /invalid IP/, 'never handed to nft, which would resolve it as a host name');
    assert.throws(() => nftAddr('example.com'));
    assert.equal(protocolNumber({ protocol: 'tcp', ethertype: 'IPv4' }), 6);
    assert.equal(protocolNumber({ protocol: '112', ethertype: 'IPv4' }), 112);
    assert.equal(protocolNumber({ protocol: 'icmp', ethertype: 'IPv6' }), 58);
    assert.equal(protocolNumber({ protocol: 'any', ethertype: 'IPv4' }), undefined);
    assert.throws(() => protocolNumber({ protocol: 'bogus', ethertype: 'IPv4' }));
  });

  it('renders rule matches: ports, ICMP type/code, prefixes, remote groups and address groups', () => {
    assert.equal(ruleMatch(rule({ protocol: 'tcp', port_range_min: 22, port_range_max: 22 })), 'meta nfproto ipv4 meta l4proto 6 th dport 22');
    assert.equal(ruleMatch(rule({ protocol: 'udp', port_range_min: 1000, port_range_max: 2000, direction: 'egress', remote_ip_prefix: '192.168.1.7/24' })),
      'meta nfproto ipv4 meta l4proto 17 th dport 1000-2000 ip daddr 192.168.1.0/24');
    assert.equal(ruleMatch(rule({ protocol: 'icmp', port_range_min: 8, port_range_max: 0 })), 'meta nfproto ipv4 meta l4proto 1 icmp type 8 icmp code 0');
    assert.equal(ruleMatch(rule({ ethertype: 'IPv6', protocol: 'ipv6-icmp', port_range_min: 128 })), 'meta nfproto ipv6 meta l4proto 58 icmpv6 type 128');
    assert.equal(ruleMatch(rule({ remote_group_id: 'g' })), 'meta nfproto ipv4 ip saddr @rg_g_v4');
    assert.equal(ruleMatch(rule({ ethertype: 'IPv6', direction: 'egress', remote_address_group_id: 'a' })), 'meta nfproto ipv6 ip6 daddr @ag_a_v6');
    assert.equal(ruleMatch(rule({ remote_ip_prefix: '0.0.0.0/0' })), 'meta nfproto ipv4');
    assert.equal(ruleMatch(rule({ remote_ip_prefix: '2001:db8::/64' })), undefined, 'an IPv4 rule with an IPv6 prefix matches nothing');
  });

  it('allows the fixed IPs, link-local and allowed address pairs per source MAC', () => {
    const p = port('p1', { allowed_address_pairs: [{ ip_address: '10.0.0.100' }, { ip_address: '10.9.0.0/16', mac_address: 'fa:16:3e:99:99:99' }] });
    const s = allowedSources(p);
    assert.deepEqual(s.get('fa:16:3e:00:00:0a'), { v4: ['10.0.0.10', '10.0.0.100'], v6: ['fe80::f816:3eff:fe00:a'] });
    assert.deepEqual(s.get('fa:16:3e:99:99:99')?.v4, ['10.9.0.0/16']);
  });

  it('renders one transaction replacing both tables, with per-port chains, zones and sets', () => {
    const p = port('aaaaaaaaaaaa-1');
    const r = renderFirewall([p, port('dhcp', { device_owner: 'network:dhcp' }), port('open', { port_security_enabled: false, security_groups: [] })],
      { ...fw([rule({ protocol: 'tcp', port_range_min: 22, remote_group_id: 'sg1' })]), remote_groups: [{ security_group_id: 'sg1', ipv4: ['10.0.0.10', '10.0.0.0/28'], ipv6: [] }] },
      new Map([[NET, 42]]));
    assert.match(r.script, /^table bridge nucleon \{\}\ndelete table bridge nucleon\ntable bridge nucleon \{/);
    assert.match(r.script, /table inet nucleon \{\}\ndelete table inet nucleon\ntable inet nucleon \{/);
    assert.match(r.script, /"brq11111111-22" : 42/);
    assert.match(r.script, /set ports \{\n\t\ttypeof iifname\n\t\telements = \{ "tapaaaaaaaaaaa" \}/, 'only the filtered port is filtered');
    assert.match(r.script, /elements = \{ "tapaaaaaaaaaaa" \. fa:16:3e:00:00:0a \. 10\.0\.0\.10, "tapaaaaaaaaaaa" \. fa:16:3e:00:00:0a \. fe80::f816:3eff:fe00:a \}|"tapaaaaaaaaaaa" \. fa:16:3e:00:00:0a \. 10\.0\.0\.10 \}/);
    assert.match(r.script, /"tapaaaaaaaaaaa" \. fa:16:3e:00:00:0a \. fa:16:3e:00:00:0a \. 10\.0\.0\.10/, 'ARP sender check element');
    assert.match(r.script, /"tapaaaaaaaaaaa" : jump to_tapaaaaaaaaaaa/);
    assert.doesNotMatch(r.script, /tapdhcp|tapopen/);
    assert.match(r.script, /set rg_sg1_v4 \{[^}]*elements = \{ 10\.0\.0\.0\/28, 10\.0\.0\.10 \}/);
    assert.match(r.script, /meta nfproto ipv4 meta l4proto 6 th dport 22 ip saddr @rg_sg1_v4 return/);
    assert.match(r.script, /ct state established,related return/);
    assert.match(r.script, /ether type ip udp sport 67 udp dport 68 drop/, 'no DHCP server in the instance');
    assert.match(r.script, /icmpv6 type \{ nd-router-advert, nd-redirect \} drop/);
    assert.match(r.script, /counter comment "sha256:[0-9a-f]{64}"/);
    const ingress = Object.keys(r.chains).filter((c) => c.startsWith('inet ingress_'));
    assert.equal(ingress.length, 1);
    assert.equal(r.chains[ingress[0]!], 2 + 3 + 1 + 1);
  });

  it('gives stateless ports no conntrack (notrack mark) and no established shortcut', () => {
    const r = renderFirewall([port('p1')], fw([rule({ protocol: 'tcp' })], false), new Map([[NET, 1]]));
    assert.match(r.script, /set stateless_macs \{\n\t\ttypeof ether daddr\n\t\telements = \{ fa:16:3e:00:00:0a \}/);
    assert.match(r.script, /"tapp1" : 0x40010000/, 'frames from it carry the notrack bit');
    assert.doesNotMatch(r.script, /ct state established/);
  });

  it('shares L3 chains between ports with the same groups', () => {
    const r = renderFirewall([port('p1'), port('p2', { mac_address: 'fa:16:3e:00:00:0b' }), port('p3', { mac_address: 'fa:16:3e:00:00:0c', security_groups: [] })],
      fw([rule({})]), new Map([[NET, 1]]));
    assert.equal(Object.keys(r.chains).filter((c) => c.startsWith('inet ingress_')).length, 2, 'sg1 ports share; the group-less port has its own');
    assert.match(r.script, /0x00000001 : jump (ingress_\w+), 0x00000002 : jump \1,/);
  });

  it('drops addresses a wider CIDR of the same port already covers (interval sets refuse overlaps)', () => {
    assert.deepEqual(dropCovered(['10.0.0.5', '10.0.0.0/24', '10.1.0.1', '10.0.0.0/24']), ['10.0.0.0/24', '10.1.0.1']);
    assert.deepEqual(dropCovered(['2001:db8::1', '2001:db8::/64', 'fe80::1']), ['2001:db8::/64', 'fe80::1']);
  });

  it('is deterministic: list order does not change the ruleset or its hash', () => {
    const a = renderFirewall([port('p1'), port('p2', { mac_address: 'fa:16:3e:00:00:0b' })], fw([rule({}), rule({ direction: 'egress' })]), new Map([[NET, 1]]));
    const b = renderFirewall([port('p2', { mac_address: 'fa:16:3e:00:00:0b' }), port('p1')], fw([rule({ direction: 'egress' }), rule({})]), new Map([[NET, 1]]));
    assert.equal(a.hash, b.hash);
    const c = renderFirewall([port('p1')], fw([rule({})]), new Map([[NET, 1]]));
    assert.notEqual(a.hash, c.hash);
  });

  it('keeps existing conntrack zones and assigns new networks a free one', () => {
    const z = assignZones(['n1', 'n2', 'n3'], new Map([['n1', 7], ['n2', 7]]));
    assert.equal(z.get('n1'), 7);
    assert.notEqual(z.get('n2'), 7);
    assert.equal(new Set(z.values()).size, 3);
    assert.deepEqual(assignZones(['n3'], new Map()), assignZones(['n3'], new Map()), 'stable for a new network');
  });
});
