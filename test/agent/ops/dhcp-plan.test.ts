import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultDhcpConfig } from '../../../src/agent/config.js';
import { dnsmasqArgs, planDhcp, releaseConflictingLeases, type DhcpActual, type DhcpDesired } from '../../../src/agent/ops/dhcp.js';
import { dnsmasqPaths, renderDnsmasq, servesMetadata } from '../../../src/agent/render/dnsmasq.js';
import { dhcpInstances, metadataPaths, renderDhcpProxyConfig } from '../../../src/agent/metadata/files.js';
import type { Link } from '../../../src/agent/linux/ip.js';

const NET = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const PORT = 'pppppppp-1111-2222-3333-444444444444';
const d: DhcpDesired = {
  network: {
    network_id: NET, mtu: 1450,
    port: { id: PORT, mac_address: 'fa:16:3e:00:00:02', fixed_ips: [{ subnet_id: 's', ip_address: '10.0.0.2' }] },
    subnets: [{ id: 's', cidr: '10.0.0.0/24', ip_version: 4, gateway_ip: '10.0.0.1', enable_dhcp: true, dns_nameservers: [], host_routes: [], ipv6_address_mode: null, ipv6_ra_mode: null, allocation_pools: [], has_router_interface: false }],
    hosts: [],
  },
};
const cfg = defaultDhcpConfig({ enabled: true, stateDir: '/s' });
const paths = dnsmasqPaths('/s', NET);
const link = (ifname: string, over: Partial<Link> = {}): Link => ({ ifname, ifindex: 1, mtu: 1450, flags: ['UP'], ...over });
const r = renderDnsmasq(d.network, cfg, paths);
const converged: DhcpActual = {
  nsExists: true,
  tap: link('tappppppppp-11', { kind: 'veth', master: 'brqaaaaaaaa-bb' }),
  nsIf: link('ns-pppppppp-11', { kind: 'veth', address: 'fa:16:3e:00:00:02' }),
  nsLo: link('lo'),
  addrs: [{ ifname: 'ns-pppppppp-11', family: 'inet', local: '10.0.0.2', prefixlen: 24 }, { ifname: 'ns-pppppppp-11', family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' }],
  files: { hosts: r.hosts, opts: r.opts, addnHosts: r.addnHosts },
  runningArgs: dnsmasqArgs(d, cfg, paths),
};

describe('planDhcp', () => {
  it('builds everything from nothing', () => {
    const plan = planDhcp(d, { nsExists: false, addrs: [], files: {} }, cfg, paths);
    assert.deepEqual(plan.map((a) => a.op), ['netns-add', 'ip', 'ip', 'write', 'write', 'write', 'spawn']);
    assert.deepEqual(plan[1], { op: 'ip', where: 'host', lines: [
      `link add tappppppppp-11 type veth peer name ns-pppppppp-11 netns qdhcp-${NET}`,
      'link set tappppppppp-11 mtu 1450', 'link set tappppppppp-11 master brqaaaaaaaa-bb', 'link set tappppppppp-11 up',
    ] });
    assert.deepEqual(plan[2], { op: 'ip', where: 'ns', lines: [
      'link set lo up', 'link set ns-pppppppp-11 address fa:16:3e:00:00:02', 'link set ns-pppppppp-11 mtu 1450', 'link set ns-pppppppp-11 up',
      'addr add 10.0.0.2/24 dev ns-pppppppp-11',
    ] });
  });
  it('does nothing when converged', () => {
    assert.deepEqual(planDhcp(d, converged, cfg, paths), []);
  });
  it('rewrites files and HUPs when only hosts change', () => {
    const plan = planDhcp(d, { ...converged, files: { ...converged.files, hosts: 'old\n' } }, cfg, paths);
    assert.deepEqual(plan, [{ op: 'write', file: 'hosts', content: r.hosts }, { op: 'hup' }]);
  });
  it('restarts dnsmasq when its command line changes, and fixes addresses', () => {
    const plan = planDhcp(d, { ...converged, runningArgs: ['--old'], addrs: [{ ifname: 'x', family: 'inet', local: '10.0.0.3', prefixlen: 24 }] }, cfg, paths);
    assert.deepEqual(plan, [
      { op: 'ip', where: 'ns', lines: ['addr del 10.0.0.3/24 dev ns-pppppppp-11', 'addr add 10.0.0.2/24 dev ns-pppppppp-11'] },
      { op: 'restart' },
    ]);
  });
  it('recreates half a veth pair and stops dnsmasq when no subnet has DHCP', () => {
    const off: DhcpDesired = { network: { ...d.network, subnets: [{ ...d.network.subnets[0]!, enable_dhcp: false }] } };
    const plan = planDhcp(off, { ...converged, nsIf: undefined }, cfg, paths);
    assert.equal(plan[0]!.op, 'ip');
    assert.deepEqual((plan[0] as { lines: string[] }).lines.slice(0, 2), ['link del tappppppppp-11', `link add tappppppppp-11 type veth peer name ns-pppppppp-11 netns qdhcp-${NET}`]);
    assert.equal(plan.at(-1)!.op, 'kill');
  });
});

describe('leases of reused addresses (a deleted port\'s IP given to a new port)', () => {
  const host = (mac: string, ip: string) => ({ port_id: `p-${ip}`, mac_address: mac, fixed_ips: [{ subnet_id: 's', ip_address: ip }], hostname: null, device_owner: 'compute:nova', extra_dhcp_opts: [] });
  const withHosts: DhcpDesired = { network: { ...d.network, hosts: [host('fa:16:3e:00:00:0b', '10.0.0.5'), host('FA:16:3E:00:00:0C', '10.0.0.6')] } };
  const rw = renderDnsmasq(withHosts.network, cfg, paths);
  const running: DhcpActual = { ...converged, files: { hosts: rw.hosts, opts: rw.opts, addnHosts: rw.addnHosts } };
  const old = '1795327406 fa:16:3e:00:00:aa 10.0.0.5 host-10-0-0-5 01:fa:16:3e:00:00:aa';
  const mine = '1795327406 fa:16:3e:00:00:0c 10.0.0.6 host-10-0-0-6 *';
  const gone = '1795327406 fa:16:3e:00:00:dd 10.0.0.9 host-10-0-0-9 *';
  const v6 = ['duid 00:01:00:01:2c:aa:bb:cc:fa:16:3e:00:00:02', '1795327406 1234 fd00::5 host-fd00--5 00:04:aa'];

  it('drops only the IPv4 lease whose address a host entry now gives to another MAC', () => {
    const text = [old, mine, gone, ...v6, ''].join('\n');
    assert.equal(releaseConflictingLeases(withHosts.network, text), [mine, gone, ...v6, ''].join('\n'));
    assert.equal(releaseConflictingLeases(withHosts.network, [mine, gone, ...v6].join('\n')), undefined, 'same MAC (any case), unknown address, IPv6: kept');
    assert.equal(releaseConflictingLeases(withHosts.network, undefined), undefined);
  });
  it('restarts a running dnsmasq with the lease released; writes the file before a first start', () => {
    assert.deepEqual(planDhcp(withHosts, { ...running, leases: `${old}\n${mine}\n` }, cfg, paths), [{ op: 'restart', leases: `${mine}\n` }]);
    assert.deepEqual(planDhcp(withHosts, { ...running, leases: `${mine}\n` }, cfg, paths), [], 'no conflict: nothing to do');
    const fresh = planDhcp(withHosts, { ...running, runningArgs: undefined, leases: `${old}\n` }, cfg, paths);
    assert.deepEqual(fresh, [{ op: 'write', file: 'leases', content: '' }, { op: 'spawn' }]);
  });
});

describe('isolated metadata in the DHCP namespace', () => {
  const isolated = defaultDhcpConfig({ enabled: true, stateDir: '/s', enableIsolatedMetadata: true, metadataProxySocket: '/s/metadata_proxy' });
  const routed: DhcpDesired = { network: { ...d.network, subnets: [{ ...d.network.subnets[0]!, has_router_interface: true }] } };
  it('is served with force_metadata always, with enable_isolated_metadata only while no router interface is on an IPv4 DHCP subnet', () => {
    assert.equal(servesMetadata(d.network, cfg), false, 'off by default, as Neutron');
    assert.equal(servesMetadata(d.network, isolated), true);
    assert.equal(servesMetadata(routed.network, isolated), false, 'the router serves it');
    assert.equal(servesMetadata(routed.network, defaultDhcpConfig({ forceMetadata: true })), true);
    assert.equal(servesMetadata({ ...d.network, subnets: [{ ...d.network.subnets[0]!, enable_dhcp: false }] }, isolated), false);
  });
  it('puts 169.254.169.254/32 on the DHCP port inside the namespace, and takes it off when a router arrives', () => {
    const plan = planDhcp(d, converged, isolated, paths);
    assert.deepEqual(plan.find((a) => a.op === 'ip'), { op: 'ip', where: 'ns', lines: ['addr add 169.254.169.254/32 dev ns-pppppppp-11'] });
    const withAddr: DhcpActual = { ...converged, addrs: [...converged.addrs, { ifname: 'ns-pppppppp-11', family: 'inet', local: '169.254.169.254', prefixlen: 32 }] };
    assert.equal(planDhcp(d, withAddr, isolated, paths).find((a) => a.op === 'ip'), undefined);
    assert.deepEqual(planDhcp(routed, withAddr, isolated, paths).find((a) => a.op === 'ip'), { op: 'ip', where: 'ns', lines: ['addr del 169.254.169.254/32 dev ns-pppppppp-11'] });
  });
  it("maps the network's compute ports' addresses to instance and project, and listens on 169.254.169.254:80 through the relay socket", () => {
    const net = { ...d.network, hosts: [
      { port_id: 'p1', mac_address: 'fa:16:3e:00:00:10', fixed_ips: [{ subnet_id: 's', ip_address: '10.0.0.10' }], hostname: null, device_owner: 'compute:nova', device_id: 'vm-1', project_id: 'proj', extra_dhcp_opts: [] },
      { port_id: PORT, mac_address: 'fa:16:3e:00:00:02', fixed_ips: [{ subnet_id: 's', ip_address: '10.0.0.2' }], hostname: null, device_owner: 'network:dhcp', device_id: 'dhcp-x', project_id: 'proj', extra_dhcp_opts: [] },
    ] };
    assert.deepEqual(JSON.parse(dhcpInstances(net)), { '10.0.0.10': { device_id: 'vm-1', project_id: 'proj' } });
    const c = JSON.parse(renderDhcpProxyConfig(NET, isolated, metadataPaths('/s', NET)));
    assert.equal(c.listenHost, '169.254.169.254');
    assert.equal(c.listenPort, 80);
    assert.equal(c.upstreamSocket, '/s/metadata_proxy');
    assert.equal(c.instancesFile, `/s/${NET}/instances.json`);
  });
});
