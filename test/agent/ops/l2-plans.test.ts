import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Link } from '../../../src/agent/linux/ip.js';
import { planBridge, planBridgePrune } from '../../../src/agent/ops/bridges.js';
import { planSegment, planSegmentPrune, segmentDevice, SegmentConfigError } from '../../../src/agent/ops/segments.js';
import { planTap, planTapPrune, tapStatus } from '../../../src/agent/ops/taps.js';
import { defaultL2Config } from '../../../src/agent/config.js';
import type { NetworkState } from '../../../src/hoststate/types.js';

const NET = '11111111-2222-3333-4444-555555555555';
const BR = 'brq11111111-22';
const link = (ifname: string, over: Partial<Link> = {}): Link => ({ ifname, ifindex: 1, mtu: 1500, flags: ['BROADCAST', 'UP'], ...over });
const net = (segment: NetworkState['segment'], mtu = 1450): NetworkState => ({ id: NET, mtu, admin_state_up: true, segment, remotes: [] });

describe('planBridge', () => {
  it('creates a missing bridge with MTU and brings it up', () => {
    assert.deepEqual(planBridge({ networkId: NET, mtu: 1450 }, undefined), [`link add ${BR} type bridge`, `link set ${BR} mtu 1450`, `link set ${BR} up`]);
  });
  it('changes nothing on a correct bridge, fixes MTU and state otherwise', () => {
    const ok = link(BR, { kind: 'bridge', mtu: 1450 });
    assert.deepEqual(planBridge({ networkId: NET, mtu: 1450 }, ok), []);
    assert.deepEqual(planBridge({ networkId: NET, mtu: 0 }, { ...ok, mtu: 9000 }), []);
    assert.deepEqual(planBridge({ networkId: NET, mtu: 1400 }, { ...ok, flags: [] }), [`link set ${BR} mtu 1400`, `link set ${BR} up`]);
  });
  it('replaces a non-bridge device squatting the name', () => {
    assert.equal(planBridge({ networkId: NET, mtu: 0 }, link(BR, { kind: 'veth' }))[0], `link del ${BR}`);
  });
  it('prunes only brq* bridges not desired', () => {
    const links = [link(BR, { kind: 'bridge' }), link('brqdeadbeef-00', { kind: 'bridge' }), link('br-ex', { kind: 'bridge' }), link('brqfake', { kind: 'veth' })];
    assert.deepEqual(planBridgePrune(new Set([NET]), links), ['link del brqdeadbeef-00']);
  });
});

describe('segmentDevice / planSegment', () => {
  const cfg = defaultL2Config({ localIp: '192.0.2.1', l2Population: true, physicalInterfaceMappings: { physnet1: 'eth1' } });
  const vxlan = segmentDevice(net({ network_type: 'vxlan', physical_network: null, segmentation_id: 77 }), cfg)!;

  it('maps segment types to devices', () => {
    assert.equal(segmentDevice(net({ network_type: 'local', physical_network: null, segmentation_id: null }), cfg), null);
    assert.deepEqual(
      { ...vxlan },
      { type: 'vxlan', networkId: NET, name: 'vxlan-77', vni: 77, local: '192.0.2.1', dstport: 4789, learning: false, proxy: false, ttl: undefined, tos: undefined, mtu: 1450 },
    );
    assert.equal(segmentDevice(net({ network_type: 'flat', physical_network: 'physnet1', segmentation_id: null }), cfg)?.name, 'eth1');
    assert.equal(segmentDevice(net({ network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 10 }), cfg)?.name, 'eth1.10');
  });
  it('rejects what this host cannot realise with a clear message', () => {
    assert.throws(() => segmentDevice(net({ network_type: 'flat', physical_network: 'nope', segmentation_id: null }), cfg), SegmentConfigError);
    assert.throws(() => segmentDevice(net({ network_type: 'vxlan', physical_network: null, segmentation_id: 5 }), defaultL2Config()), /local_ip/);
    assert.throws(() => segmentDevice(net({ network_type: 'gre', physical_network: null, segmentation_id: 5 }), cfg), /not supported/);
  });
  it('creates a vxlan device with nolearning, MTU, master and up', () => {
    assert.deepEqual(planSegment(vxlan, undefined), [
      'link add vxlan-77 type vxlan id 77 local 192.0.2.1 dstport 4789 nolearning',
      'link set vxlan-77 mtu 1450', `link set vxlan-77 master ${BR}`, 'link set vxlan-77 up',
    ]);
  });
  it('leaves a matching vxlan device alone and recreates one with other parameters', () => {
    const good = link('vxlan-77', { kind: 'vxlan', mtu: 1450, master: BR, data: { id: 77, local: '192.0.2.1', port: 4789, learning: false } });
    assert.deepEqual(planSegment(vxlan, good), []);
    const wrongLocal = { ...good, data: { ...good.data, local: '192.0.2.9' } };
    assert.equal(planSegment(vxlan, wrongLocal)[0], 'link del vxlan-77');
    assert.deepEqual(planSegment(vxlan, { ...good, master: undefined }), [`link set vxlan-77 master ${BR}`]);
  });
  it('enslaves a flat interface and refuses a missing one', () => {
    const flat = segmentDevice(net({ network_type: 'flat', physical_network: 'physnet1', segmentation_id: null }), cfg)!;
    assert.deepEqual(planSegment(flat, link('eth1', { flags: [] })), [`link set eth1 master ${BR}`, 'link set eth1 up']);
    assert.throws(() => planSegment(flat, undefined), /does not exist/);
  });
  it('plans a VLAN sub-interface', () => {
    const vlan = segmentDevice(net({ network_type: 'vlan', physical_network: 'physnet1', segmentation_id: 10 }), cfg)!;
    assert.equal(planSegment(vlan, undefined)[0], 'link add link eth1 name eth1.10 type vlan id 10');
  });
  it('prunes undesired vxlan/vlan devices and releases mapped interfaces', () => {
    const links = [
      link('vxlan-77', { kind: 'vxlan' }), link('vxlan-78', { kind: 'vxlan' }), link('eth1', { master: BR }),
      link('eth1.10', { kind: 'vlan' }), link('eth0', { master: 'brqother' }), link('flannel.1', { kind: 'vxlan' }),
    ];
    assert.deepEqual(planSegmentPrune(new Set(['vxlan-77']), links, cfg), ['link del vxlan-78', 'link set eth1 nomaster', 'link del eth1.10']);
  });
});

describe('planTap', () => {
  const PORT = 'abcdef01-2345-6789-abcd-ef0123456789';
  const TAP = 'tapabcdef01-23';
  const d = { portId: PORT, networkId: NET, adminStateUp: true, mtu: 1450 };
  it('waits for the tap to appear', () => {
    assert.deepEqual(planTap(d, undefined), []);
    assert.equal(tapStatus(d, undefined), 'DOWN');
  });
  it('enslaves, sets MTU and brings up an admin-up port', () => {
    assert.deepEqual(planTap(d, link(TAP, { flags: [] })), [`link set ${TAP} mtu 1450`, `link set ${TAP} master ${BR}`, `link set ${TAP} up`]);
    const ok = link(TAP, { mtu: 1450, master: BR });
    assert.deepEqual(planTap(d, ok), []);
    assert.equal(tapStatus(d, ok), 'ACTIVE');
  });
  it('takes an admin-down port out of the bridge and down', () => {
    const down = { ...d, adminStateUp: false };
    assert.deepEqual(planTap(down, link(TAP, { mtu: 1450, master: BR })), [`link set ${TAP} nomaster`, `link set ${TAP} down`]);
    assert.equal(tapStatus(down, link(TAP, { master: BR })), 'DOWN');
  });
  it('prunes only taps in our bridges', () => {
    const links = [link(TAP, { master: BR }), link('tapother00000', { master: BR }), link('tapfree', {}), link('tapx', { master: 'docker0' })];
    assert.deepEqual(planTapPrune(new Set([PORT]), links), ['link set tapother00000 nomaster']);
  });
});
