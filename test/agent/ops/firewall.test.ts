/**
 * Firewall ops: pure plan tests, and (root only) the ruleset applied for real inside a scratch network
 * namespace: it loads, reads back as up to date, a hand-deleted rule is noticed, zones are kept.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { PortState } from '../../../src/hoststate/types.js';
import type { FirewallState } from '../../../src/hoststate/firewall.js';
import { currentZones, firewallUpToDate, FirewallOps, planBridgeNfCall } from '../../../src/agent/ops/firewall.js';
import { renderFirewall } from '../../../src/agent/render/nftables.js';
import { parseNftTable } from '../../../src/agent/linux/nft.js';
import { createRunner } from '../../../src/agent/linux/exec.js';
import { LinkView } from '../../../src/agent/ops/types.js';

const exec = promisify(execFile);
const NET = '11111111-2222-4333-8444-555555555555';
const port = (id: string, mac: string, ip: string): PortState => ({
  id, network_id: NET, mac_address: mac, fixed_ips: [{ subnet_id: 's', ip_address: ip }], admin_state_up: true,
  device_owner: 'compute:nova', device_id: 'vm', revision_number: 1, port_security_enabled: true, security_groups: ['sg'],
  allowed_address_pairs: [],
});
const FW: FirewallState = {
  security_groups: [{ id: 'sg', stateful: true, rules: [
    { id: 'r1', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: null, remote_group_id: 'sg', remote_address_group_id: null },
    { id: 'r2', direction: 'egress', ethertype: 'IPv6', protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: null, remote_address_group_id: 'ag' },
  ] }],
  remote_groups: [{ security_group_id: 'sg', ipv4: ['10.0.0.1', '10.0.0.2'], ipv6: [] }],
  address_groups: [{ id: 'ag', addresses: ['2001:db8::/64', '192.0.2.0/24'] }],
};
const PORTS = [port('aaaa', 'fa:16:3e:00:00:01', '10.0.0.1'), port('bbbb', 'fa:16:3e:00:00:02', '10.0.0.2')];

describe('firewall plan', () => {
  const r = renderFirewall(PORTS, FW, new Map([[NET, 9]]));
  const view = (chains: Record<string, number>, comment?: string) =>
    parseNftTable(JSON.stringify({ nftables: [
      ...Object.entries(chains).map(([name]) => ({ chain: { name } })),
      ...Object.entries(chains).flatMap(([chain, n]) => Array.from({ length: n }, (_, i) => ({ rule: { chain, ...(i === 0 && comment ? { comment } : {}) } }))),
      { map: { name: 'zones', elem: [[`brq${NET.slice(0, 11)}`, 9]] } },
    ] }));
  const split = (fam: string) => Object.fromEntries(Object.entries(r.chains).filter(([k]) => k.startsWith(`${fam} `)).map(([k, v]) => [k.slice(fam.length + 1), v]));

  it('is up to date only when the hash and every chain\'s rule count match', () => {
    const inet = split('inet');
    const good = { bridge: view(split('bridge')), inet: view(inet, `sha256:${r.hash}`) };
    // The marker chain holds exactly one rule carrying the comment.
    good.inet.comments.set('nucleon_state', [`sha256:${r.hash}`]);
    assert.equal(firewallUpToDate(r, good), true);
    assert.equal(firewallUpToDate(r, { ...good, bridge: undefined }), false, 'table missing');
    const stale = { ...good, inet: view(inet) };
    stale.inet.comments.set('nucleon_state', ['sha256:other']);
    assert.equal(firewallUpToDate(r, stale), false, 'other hash');
    const ing = Object.keys(inet).find((c) => c.startsWith('ingress_'))!;
    const fewer = { ...good, inet: view({ ...inet, [ing]: inet[ing]! - 1 }) };
    fewer.inet.comments.set('nucleon_state', [`sha256:${r.hash}`]);
    assert.equal(firewallUpToDate(r, fewer), false, 'a rule deleted by hand');
    const extra = { ...good, bridge: view({ ...split('bridge'), stray: 0 }) };
    assert.equal(firewallUpToDate(r, extra), false, 'a chain added by hand');
    assert.deepEqual(currentZones(good, [NET, 'other']), new Map([[NET, 9]]));
  });

  it('turns on br_netfilter per bridge only where it is off', () => {
    const br = (v: number) => new Map([[`brq${NET.slice(0, 11)}`, { ifname: `brq${NET.slice(0, 11)}`, ifindex: 1, mtu: 1500, flags: [], kind: 'bridge', data: { nf_call_iptables: v, nf_call_ip6tables: v } }]]);
    assert.deepEqual(planBridgeNfCall([NET], br(0)), [`link set brq${NET.slice(0, 11)} type bridge nf_call_iptables 1 nf_call_ip6tables 1`]);
    assert.deepEqual(planBridgeNfCall([NET], br(1)), []);
    assert.deepEqual(planBridgeNfCall([NET], new Map()), [], 'no bridge yet: the bridge stage comes first');
  });
});

const skip = process.getuid?.() !== 0 ? 'needs root (scratch network namespace)' : undefined;

describe('firewall ops on the real kernel', { skip }, () => {
  const ns = `nffw${randomBytes(3).toString('hex')}`;
  const path = `/run/netns/${ns}`;
  let ops: FirewallOps;
  const nft = async (...args: string[]) => (await exec('ip', ['netns', 'exec', ns, 'nft', ...args])).stdout;

  before(async () => {
    await exec('ip', ['netns', 'add', ns]);
    await exec('ip', ['-n', ns, 'link', 'add', `brq${NET.slice(0, 11)}`, 'type', 'bridge']);
    const runner = createRunner({ hostNetns: path });
    ops = new FirewallOps(runner, new LinkView(runner));
  });
  after(async () => {
    await exec('ip', ['netns', 'delete', ns]).catch(() => {});
  });

  it('applies once, then changes nothing; repairs a hand-deleted rule; keeps the zone; removes on prune', async () => {
    assert.equal(await ops.update({ ports: PORTS, firewall: FW }), 2, 'bridge nf_call switch + one transaction');
    assert.equal(await ops.update({ ports: PORTS, firewall: FW }), 0);
    const listed = await nft('list', 'table', 'inet', 'nucleon');
    const zone = /"brq11111111-22" : (\d+)/.exec(listed)?.[1];
    assert.ok(zone, listed);
    const ing = /chain (ingress_\w+)/.exec(listed)![1]!;
    const handle = /ct state invalid drop # handle (\d+)/.exec(await nft('-a', 'list', 'chain', 'inet', 'nucleon', ing))![1]!;
    await nft('delete', 'rule', 'inet', 'nucleon', ing, 'handle', handle);
    // Between full resyncs the agent trusts what it applied; the end of a full resync (prune of
    // the other stages' leftovers, keeping ours) makes the next pass read the kernel and repair.
    assert.equal(await ops.update({ ports: PORTS, firewall: FW }), 0, 'trusted until the next full resync');
    assert.equal(await ops.prune(new Set([ops.keyOf()])), 0);
    assert.equal(await ops.update({ ports: PORTS, firewall: FW }), 1, 'repaired');
    // Membership change: one more transaction, same zone.
    const fw2 = { ...FW, remote_groups: [{ security_group_id: 'sg', ipv4: ['10.0.0.1'], ipv6: [] }] };
    assert.equal(await ops.update({ ports: PORTS, firewall: fw2 }), 1);
    assert.match(await nft('list', 'set', 'inet', 'nucleon', 'rg_sg_v4'), /elements = \{ 10\.0\.0\.1 \}/);
    assert.match(await nft('list', 'map', 'inet', 'nucleon', 'zones'), new RegExp(`: ${zone}`));
    assert.equal(await ops.prune(new Set()), 1);
    assert.doesNotMatch(await nft('list', 'tables'), /nucleon/);
    assert.equal(await ops.prune(new Set()), 0);
  });
});
