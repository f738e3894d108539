import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultDhcpConfig } from '../../../src/agent/config.js';
import { dnsmasqPaths, renderArgs, renderAddnHosts, renderHosts, renderOpts } from '../../../src/agent/render/dnsmasq.js';
import { cidrContains, cidrNetwork, prefixToNetmask } from '../../../src/agent/render/ip-util.js';
import type { DhcpNetworkState, DhcpSubnetState } from '../../../src/hoststate/types.js';

const S4 = 's4';
const S6 = 's6';
const subnet4: DhcpSubnetState = {
  id: S4, cidr: '10.0.0.0/24', ip_version: 4, gateway_ip: '10.0.0.1', enable_dhcp: true, dns_nameservers: ['8.8.8.8', '8.8.4.4'],
  host_routes: [], ipv6_address_mode: null, ipv6_ra_mode: null, allocation_pools: [{ start: '10.0.0.2', end: '10.0.0.254' }], has_router_interface: true,
};
const subnet6: DhcpSubnetState = {
  ...subnet4, id: S6, cidr: 'fd00:1::/64', ip_version: 6, gateway_ip: 'fd00:1::1', dns_nameservers: [], ipv6_address_mode: 'dhcpv6-stateful', ipv6_ra_mode: 'dhcpv6-stateful',
};
const net = (over: Partial<DhcpNetworkState> = {}): DhcpNetworkState => ({
  network_id: 'net1', mtu: 1450,
  port: { id: 'dhcpport', mac_address: 'fa:16:3e:00:00:02', fixed_ips: [{ subnet_id: S4, ip_address: '10.0.0.2' }, { subnet_id: S6, ip_address: 'fd00:1::2' }] },
  subnets: [subnet4, subnet6],
  hosts: [
    { port_id: 'p1', mac_address: 'fa:16:3e:00:00:0a', fixed_ips: [{ subnet_id: S4, ip_address: '10.0.0.11' }, { subnet_id: S6, ip_address: 'fd00:1::11' }], hostname: null, device_owner: 'compute:nova', extra_dhcp_opts: [] },
    { port_id: 'dhcpport', mac_address: 'fa:16:3e:00:00:02', fixed_ips: [{ subnet_id: S4, ip_address: '10.0.0.2' }], hostname: null, device_owner: 'network:dhcp', extra_dhcp_opts: [] },
  ],
  ...over,
});
const cfg = defaultDhcpConfig({ enabled: true, stateDir: '/var/lib/x/' });
const paths = dnsmasqPaths(cfg.stateDir, 'net1');

describe('ip-util', () => {
  it('computes networks, netmasks and containment', () => {
    assert.deepEqual(cidrNetwork('10.0.0.77/24'), ['10.0.0.0', 24]);
    assert.deepEqual(cidrNetwork('fd00:1:0:0:abcd::5/64'), ['fd00:1::', 64]);
    assert.equal(prefixToNetmask(20), '255.255.240.0');
    assert.ok(cidrContains('10.0.0.0/24', '10.0.0.9') && !cidrContains('10.0.0.0/24', '10.0.1.9'));
    assert.throws(() => cidrNetwork('10.0.0.0/33'));
  });
});

describe('dnsmasq command line', () => {
  it('matches Neutron’s dnsmasq driver', () => {
    assert.deepEqual(renderArgs(net(), cfg, paths), [
      '--no-hosts', '--no-resolv', '--pid-file=/var/lib/x/net1/pid', '--dhcp-hostsfile=/var/lib/x/net1/host',
      '--addn-hosts=/var/lib/x/net1/addn_hosts', '--dhcp-optsfile=/var/lib/x/net1/opts', '--dhcp-leasefile=/var/lib/x/net1/leases',
      '--dhcp-match=set:ipxe,175', '--dhcp-userclass=set:ipxe6,iPXE', '--local-service', '--bind-dynamic',
      '--dhcp-range=set:subnet-s4,10.0.0.0,static,255.255.255.0,86400s',
      '--dhcp-range=set:subnet-s6,fd00:1::,static,64,86400s',
      '--dhcp-option-force=option:mtu,1450', `--dhcp-lease-max=${2 ** 24}`, '--conf-file=/dev/null', '--domain=openstacklocal',
    ]);
  });
  it('skips SLAAC and DHCP-disabled subnets, uses infinite leases and DNS servers from config', () => {
    const args = renderArgs(
      net({ subnets: [{ ...subnet4, enable_dhcp: false }, { ...subnet6, ipv6_address_mode: 'slaac', ipv6_ra_mode: 'slaac' }] }),
      { ...cfg, leaseDuration: -1, dnsmasqDnsServers: ['1.1.1.1'] }, paths,
    );
    assert.ok(!args.some((a) => a.startsWith('--dhcp-range')));
    assert.ok(args.includes('--server=1.1.1.1') && args.includes('--dhcp-lease-max=0'));
    assert.ok(renderArgs(net(), { ...cfg, leaseDuration: -1 }, paths).includes('--dhcp-range=set:subnet-s4,10.0.0.0,static,255.255.255.0,infinite'));
  });
});

describe('dnsmasq files', () => {
  it('hosts: one static lease per address on a DHCP subnet, DHCP ports excluded', () => {
    assert.equal(renderHosts(net(), cfg), [
      'fa:16:3e:00:00:0a,host-10-0-0-11.openstacklocal,10.0.0.11',
      'fa:16:3e:00:00:0a,tag:dhcpv6,host-fd00-1--11.openstacklocal,[fd00:1::11]',
    ].map((l) => l + '\n').join(''));
  });
  it('hosts: extra options tag the port; a client id is matched by id:', () => {
    const n = net();
    n.hosts[0]!.extra_dhcp_opts = [{ opt_name: 'tftp-server', opt_value: '10.0.0.9', ip_version: 4 }, { opt_name: 'client-id', opt_value: 'abc', ip_version: 4 }];
    n.hosts[0]!.fixed_ips = n.hosts[0]!.fixed_ips.slice(0, 1);
    assert.equal(renderHosts(n, cfg), 'fa:16:3e:00:00:0a,id:abc,host-10-0-0-11.openstacklocal,10.0.0.11,set:port-p1\n');
    assert.match(renderOpts(n, cfg), /^tag:port-p1,option:tftp-server,10\.0\.0\.9$/m);
    assert.doesNotMatch(renderOpts(n, cfg), /client-id/);
  });
  it('addn_hosts: fqdn before hostname', () => {
    assert.match(renderAddnHosts(net(), cfg), /^10\.0\.0\.11\thost-10-0-0-11\.openstacklocal host-10-0-0-11$/m);
  });
  it('opts: DNS servers, router and (routed subnet) the metadata route via the gateway', () => {
    assert.equal(renderOpts(net({ subnets: [subnet4] }), cfg), [
      'tag:subnet-s4,option:dns-server,8.8.8.8,8.8.4.4',
      'tag:subnet-s4,option:classless-static-route,169.254.169.254/32,10.0.0.1,0.0.0.0/0,10.0.0.1',
      'tag:subnet-s4,249,169.254.169.254/32,10.0.0.1,0.0.0.0/0,10.0.0.1',
      'tag:subnet-s4,option:router,10.0.0.1',
    ].join('\n'));
  });
  it('opts: isolated subnet with enable_isolated_metadata routes metadata via the DHCP port; host routes; no gateway', () => {
    const s = { ...subnet4, has_router_interface: false, gateway_ip: null, dns_nameservers: ['0.0.0.0'], host_routes: [{ destination: '192.168.0.0/16', nexthop: '10.0.0.254' }] };
    assert.equal(renderOpts(net({ subnets: [s] }), { ...cfg, enableIsolatedMetadata: true }), [
      'tag:subnet-s4,option:dns-server',
      'tag:subnet-s4,option:classless-static-route,192.168.0.0/16,10.0.0.254,169.254.169.254/32,10.0.0.2',
      'tag:subnet-s4,249,192.168.0.0/16,10.0.0.254,169.254.169.254/32,10.0.0.2',
      'tag:subnet-s4,option:router',
    ].join('\n'));
    // Without the option an isolated subnet gets no metadata route at all.
    assert.equal(renderOpts(net({ subnets: [{ ...s, host_routes: [] }] }), cfg), 'tag:subnet-s4,option:dns-server\ntag:subnet-s4,option:router');
  });
  it('opts: a default host route stands in for a missing gateway; other IPv4 subnets are on-link', () => {
    const a = { ...subnet4, gateway_ip: null, host_routes: [{ destination: '0.0.0.0/0', nexthop: '10.0.0.254' }], dns_nameservers: [] };
    const b = { ...subnet4, id: 'sb', cidr: '10.1.0.0/24', gateway_ip: '10.1.0.1', dns_nameservers: [] };
    const opts = renderOpts(net({ subnets: [a, b] }), cfg).split('\n');
    assert.ok(opts.includes('tag:subnet-s4,option:classless-static-route,10.1.0.0/24,0.0.0.0,169.254.169.254/32,10.0.0.254,0.0.0.0/0,10.0.0.254'));
    assert.ok(opts.includes('tag:subnet-s4,option:router,10.0.0.254'));
  });
});
