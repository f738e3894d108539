import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fdbDesired, planFdb, FLOOD_MAC } from '../../../src/agent/ops/fdb.js';
import type { NetworkState } from '../../../src/hoststate/types.js';

const net: NetworkState = {
  id: 'n1', mtu: 1450, admin_state_up: true, segment: { network_type: 'vxlan', physical_network: null, segmentation_id: 9 },
  remotes: [
    { host: 'h2', vtep_ip: '192.0.2.2', ports: [{ mac_address: 'FA:16:3E:00:00:0B', ips: ['10.0.0.12'] }] },
    { host: 'h1', vtep_ip: '192.0.2.1', ports: [{ mac_address: 'fa:16:3e:00:00:0a', ips: ['10.0.0.11'] }] },
  ],
};

describe('fdbDesired', () => {
  it('has a flood and a unicast entry per remote port, skipping our own VTEP', () => {
    const d = fdbDesired(net, '192.0.2.1', true)!;
    assert.equal(d.device, 'vxlan-9');
    assert.deepEqual(d.entries, [{ mac: FLOOD_MAC, dst: '192.0.2.2' }, { mac: 'fa:16:3e:00:00:0b', dst: '192.0.2.2' }]);
    assert.deepEqual(d.neighbours, [{ ip: '10.0.0.12', mac: 'fa:16:3e:00:00:0b' }]);
    assert.deepEqual(fdbDesired(net, '192.0.2.1', false)!.neighbours, []);
    assert.equal(fdbDesired({ ...net, segment: { network_type: 'flat', physical_network: 'p', segmentation_id: null } }, undefined, false), null);
  });
});

describe('planFdb', () => {
  const d = fdbDesired(net, '192.0.2.1', true)!;
  it('adds what is missing', () => {
    const p = planFdb(d, [], []);
    assert.deepEqual(p.bridge, ['fdb append 00:00:00:00:00:00 dev vxlan-9 dst 192.0.2.2', 'fdb replace fa:16:3e:00:00:0b dev vxlan-9 dst 192.0.2.2']);
    assert.deepEqual(p.ip, ['neigh replace 10.0.0.12 lladdr fa:16:3e:00:00:0b dev vxlan-9 nud permanent']);
  });
  it('is empty when converged and ignores learned entries', () => {
    const actual = [
      { mac: FLOOD_MAC, dev: 'vxlan-9', dst: '192.0.2.2', flags: ['self'] },
      { mac: 'fa:16:3e:00:00:0b', dev: 'vxlan-9', dst: '192.0.2.2', flags: ['self'] },
      { mac: '52:54:00:00:00:01', dev: 'vxlan-9', flags: ['master'], master: 'brq' },
    ];
    assert.deepEqual(planFdb(d, actual, [{ ip: '10.0.0.12', mac: 'fa:16:3e:00:00:0b', permanent: true }]), { bridge: [], ip: [] });
  });
  it('removes stale entries and moves a MAC to its new VTEP with one replace', () => {
    const actual = [
      { mac: FLOOD_MAC, dev: 'vxlan-9', dst: '192.0.2.7', flags: ['self'] },
      { mac: 'fa:16:3e:00:00:0b', dev: 'vxlan-9', dst: '192.0.2.7', flags: ['self'] },
      { mac: 'fa:16:3e:00:00:99', dev: 'vxlan-9', dst: '192.0.2.7', flags: ['self'] },
    ];
    const p = planFdb(d, actual, [{ ip: '10.0.0.99', mac: 'fa:16:3e:00:00:99', permanent: true }, { ip: '10.0.0.5', mac: 'aa:aa:aa:aa:aa:aa', permanent: false }]);
    assert.deepEqual(p.bridge, [
      'fdb del 00:00:00:00:00:00 dev vxlan-9 dst 192.0.2.7',
      'fdb del fa:16:3e:00:00:99 dev vxlan-9 dst 192.0.2.7',
      'fdb append 00:00:00:00:00:00 dev vxlan-9 dst 192.0.2.2',
      'fdb replace fa:16:3e:00:00:0b dev vxlan-9 dst 192.0.2.2',
    ]);
    assert.deepEqual(p.ip, ['neigh del 10.0.0.99 dev vxlan-9', 'neigh replace 10.0.0.12 lladdr fa:16:3e:00:00:0b dev vxlan-9 nud permanent']);
  });
});
