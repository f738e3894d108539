import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultDhcpConfig } from '../../../src/agent/config.js';
import { dnsmasqArgs, planDhcp, type DhcpActual, type DhcpDesired } from '../../../src/agent/ops/dhcp.js';
import { dnsmasqPaths, renderDnsmasq } from '../../../src/agent/render/dnsmasq.js';
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
