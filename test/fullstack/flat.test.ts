/**
 * A flat provider network on two simulated hosts: each host's `eth1` (mapped as physnet1) joins the
 * network's bridge; instances with static addresses ping each other over the "physical" segment.
 * Removing the network releases eth1 from the bridge (it is never deleted). Needs root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HostState } from '../../src/hoststate/types.js';
import { defaultDhcpConfig, defaultL2Config } from '../../src/agent/config.js';
import { FakeServer } from './fake-server.js';
import { fullstackSkipReason, Topology, waitFor, type SimHost } from './harness.js';

const skip = await fullstackSkipReason();
const NET = 'f1a70000-0000-4000-8000-000000000001';
const BR = `brq${NET.slice(0, 11)}`;
const ports = [
  { id: 'f0000001-0000-4000-8000-000000000001', mac: 'fa:16:3e:0f:00:01', ip: '172.16.0.11' },
  { id: 'f0000002-0000-4000-8000-000000000002', mac: 'fa:16:3e:0f:00:02', ip: '172.16.0.12' },
];

function hostState(host: string, p: (typeof ports)[number] | undefined): Omit<HostState, 'revision'> {
  return {
    host,
    networks: p ? [{ id: NET, mtu: 1500, admin_state_up: true, segment: { network_type: 'flat', physical_network: 'physnet1', segmentation_id: null }, remotes: [] }] : [],
    ports: p ? [{
      id: p.id, network_id: NET, mac_address: p.mac, fixed_ips: [{ subnet_id: 's', ip_address: p.ip }], admin_state_up: true, device_owner: 'compute:nova',
      device_id: 'vm', revision_number: 1, port_security_enabled: false, security_groups: [], allowed_address_pairs: [],
    }] : [],
    dhcp: [],
  };
}

describe('fullstack: flat network over a mapped physical interface', { skip }, () => {
  const topo = new Topology();
  const server = new FakeServer();
  let hosts: SimHost[];

  before(async () => {
    await server.start();
    await topo.create(2);
    hosts = topo.hosts;
    server.set([hostState('host1', ports[0]), hostState('host2', ports[1])]);
    for (const h of hosts) {
      await h.startAgent({ host: h.name, l2: defaultL2Config({ physicalInterfaceMappings: { physnet1: 'eth1' } }), dhcp: defaultDhcpConfig() }, server.url);
    }
  });
  after(async () => {
    await topo.destroy();
    await server.stop();
  });

  it('joins eth1 and the taps to the bridge; instances ping each other', async () => {
    const vms = [];
    for (const [i, h] of hosts.entries()) {
      const vm = await topo.plug(h, `fvm${i}`, ports[i]!.id, ports[i]!.mac);
      await topo.address(vm, `${ports[i]!.ip}/24`);
      vms.push(vm);
    }
    for (const [i, h] of hosts.entries()) {
      await waitFor(`host${i + 1} wired`, async () => {
        const r = server.report(h.name)?.devices[0]?.status === 'ACTIVE';
        return r && (await h.link('eth1'))?.master === BR;
      }).catch((e) => { throw new Error(`${e.message}\n${h.agentLog()}`); });
    }
    assert.ok(await topo.ping(vms[0]!, ports[1]!.ip), 'ping across the flat network');
  });

  it('releases eth1 when the network leaves the host', async () => {
    server.set([hostState('host1', undefined), hostState('host2', undefined)]);
    for (const h of hosts) {
      await waitFor(`${h.name} released eth1`, async () => {
        const eth1 = await h.link('eth1');
        return eth1 !== undefined && eth1.master === undefined && !(await h.links()).some((l) => l.ifname === BR);
      });
    }
  });
});
