import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Link } from '../../../src/agent/linux/ip.js';
import { desiredRoutes, planRouter, routeDst, type RouterActual } from '../../../src/agent/ops/router-plan.js';
import { planMetadata } from '../../../src/agent/metadata/supervisor.js';
import { renderRouterNat } from '../../../src/agent/render/router-nft.js';
import { sampleRouter } from '../fixtures-l3.js';

const r = sampleRouter();
const NS = `qrouter-${r.id}`;
const link = (ifname: string, over: Partial<Link> = {}): Link => ({ ifname, ifindex: 1, mtu: 1500, flags: ['UP'], ...over });

/** What the kernel holds once `r` is realised. */
function converged(router = r): RouterActual {
  return {
    nsExists: true,
    hostLinks: new Map([
      ['tapiiiiiiiiiii', link('tapiiiiiiiiiii', { kind: 'veth', mtu: 1450, master: 'brqnnnnnnnnnnn' })],
      ['tapggggggggggg', link('tapggggggggggg', { kind: 'veth', master: 'brqeeeeeeeeeee' })],
    ]),
    nsLinks: new Map([
      ['lo', link('lo')],
      ['qr-iiiiiiiiiii', link('qr-iiiiiiiiiii', { kind: 'veth', mtu: 1450, address: 'fa:16:3e:00:00:02' })],
      ['qg-ggggggggggg', link('qg-ggggggggggg', { kind: 'veth', address: 'fa:16:3e:00:00:01' })],
    ]),
    addrs: [
      { ifname: 'qr-iiiiiiiiiii', family: 'inet', local: '10.1.0.1', prefixlen: 24 },
      { ifname: 'qr-iiiiiiiiiii', family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' },
      { ifname: 'qg-ggggggggggg', family: 'inet', local: '203.0.113.10', prefixlen: 24 },
      ...router.floating_ips.map((f) => ({ ifname: 'qg-ggggggggggg', family: 'inet' as const, local: f.floating_ip_address, prefixlen: 32 })),
    ],
    routes: [
      { dst: 'default', gateway: '203.0.113.1', dev: 'qg-ggggggggggg' },
      { dst: '10.1.0.0/24', dev: 'qr-iiiiiiiiiii' },
      ...router.routes.map((x) => ({ dst: routeDst(x.destination), gateway: x.nexthop })),
    ],
    ipForward: '1',
    nat: renderRouterNat(router, { qgName: 'qg-ggggggggggg', metadataPort: 9697 }),
  };
}

describe('planRouter', () => {
  it('builds everything from nothing: namespace, veths into the bridges, addresses, routes, forwarding, NAT, GARPs', () => {
    const plan = planRouter(r, { nsExists: false, hostLinks: new Map(), nsLinks: new Map(), addrs: [], routes: [] }, { metadataPort: 9697 });
    assert.deepEqual(plan.map((a) => a.op), ['netns-add', 'ip', 'ip', 'sysctl', 'nft', 'garp', 'garp']);
    const host = plan[1] as { lines: string[] };
    assert.ok(host.lines.includes(`link add tapiiiiiiiiiii type veth peer name qr-iiiiiiiiiii netns ${NS}`));
    assert.ok(host.lines.includes('link set tapggggggggggg master brqeeeeeeeeeee'));
    const inner = (plan[2] as { lines: string[] }).lines;
    assert.ok(inner.includes('addr add 10.1.0.1/24 dev qr-iiiiiiiiiii'));
    assert.ok(inner.includes('addr add 203.0.113.20/32 dev qg-ggggggggggg'));
    assert.deepEqual(inner.slice(-2), ['route replace 192.168.7.0/24 via 10.1.0.5', 'route replace default via 203.0.113.1']);
    assert.deepEqual(plan[3], { op: 'sysctl', key: 'net.ipv4.ip_forward', value: '1' });
    assert.deepEqual(plan.slice(5), [{ op: 'garp', dev: 'qg-ggggggggggg', ip: '203.0.113.10' }, { op: 'garp', dev: 'qg-ggggggggggg', ip: '203.0.113.20' }]);
  });

  it('does nothing when the kernel already matches (zero changes on restart)', () => {
    assert.deepEqual(planRouter(r, converged(), { metadataPort: 9697 }), []);
  });

  it('moving a FIP to another port rewrites NAT and flushes its conntrack entries; removing it also drops the /32', () => {
    const moved = sampleRouter({ floating_ips: [{ id: 'f1', floating_ip_address: '203.0.113.20', fixed_ip_address: '10.1.0.12', port_id: 'p2' }] });
    const plan = planRouter(moved, converged(), { metadataPort: 9697 });
    assert.deepEqual(plan.map((a) => a.op), ['nft']);
    assert.deepEqual((plan[0] as { flushConntrack: string[] }).flushConntrack, ['203.0.113.20']);
    const gone = planRouter(sampleRouter({ floating_ips: [] }), converged(), { metadataPort: 9697 });
    assert.deepEqual(gone[0], { op: 'ip', where: 'ns', lines: ['addr del 203.0.113.20/32 dev qg-ggggggggggg'] });
    assert.deepEqual((gone[1] as { flushConntrack: string[] }).flushConntrack, ['203.0.113.20']);
  });

  it('removes stale routes first and interfaces no longer attached, keeps kernel routes', () => {
    const plan = planRouter(sampleRouter({ routes: [], interfaces: [] }), converged(), { metadataPort: 9697 });
    assert.deepEqual(plan[0], { op: 'ip', where: 'ns', lines: ['route del 192.168.7.0/24 via 10.1.0.5', 'link del qr-iiiiiiiiiii'] });
  });

  it('recreates half a veth pair', () => {
    const a = converged();
    a.hostLinks.delete('tapiiiiiiiiiii');
    const plan = planRouter(r, a, { metadataPort: 9697 });
    assert.deepEqual(plan[0], { op: 'ip', where: 'ns', lines: ['link del qr-iiiiiiiiiii'] });
    assert.equal((plan[1] as { lines: string[] }).lines[0], `link add tapiiiiiiiiiii type veth peer name qr-iiiiiiiiiii netns ${NS}`);
  });

  it('desiredRoutes: default via the external gateway, IPv4 extra routes only', () => {
    assert.deepEqual(desiredRoutes(sampleRouter({ routes: [{ destination: '10.9.9.9/32', nexthop: '10.1.0.7' }, { destination: '2001:db8::/64', nexthop: 'fe80::1' }] })),
      ['10.9.9.9 via 10.1.0.7', 'default via 203.0.113.1']);
    assert.deepEqual(desiredRoutes(sampleRouter({ gateway: null, routes: [] })), []);
  });
});

describe('planMetadata', () => {
  const want = { config: 'C', instances: 'I', argv: ['node', 'proxy', '/c'] };
  it('writes files and spawns; a changed instance map needs no restart; a changed config restarts', () => {
    assert.deepEqual(planMetadata(want, {}).map((a) => a.op), ['write', 'write', 'spawn']);
    assert.deepEqual(planMetadata(want, { config: 'C', instances: 'I', running: want.argv }), []);
    assert.deepEqual(planMetadata(want, { config: 'C', instances: 'old', running: want.argv }).map((a) => a.op), ['write']);
    assert.deepEqual(planMetadata(want, { config: 'old', instances: 'I', running: want.argv }).map((a) => a.op), ['write', 'restart']);
    assert.deepEqual(planMetadata(want, { config: 'C', instances: 'I' }).map((a) => a.op), ['spawn'], 'a dead proxy is restarted');
    assert.deepEqual(planMetadata(null, { running: want.argv }).map((a) => a.op), ['kill']);
  });
});
