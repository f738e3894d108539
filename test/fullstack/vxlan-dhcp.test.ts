/**
 * Two simulated hosts, one VXLAN network with l2population, no server: a stand-in serves hand-built
 * HostStates. Instances get their IPv4 address from the real dnsmasq (on host1) via a real udhcpc,
 * ping each other across the tunnel; removing a port and then everything converges the kernel back.
 * Needs root; skipped with the reason otherwise. Run: node --import tsx --test test/fullstack/vxlan-dhcp.test.ts
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HostState, NetworkState, PortState, DhcpNetworkState } from '../../src/hoststate/types.js';
import { defaultDhcpConfig, defaultL2Config, type AgentConfig } from '../../src/agent/config.js';
import { FakeServer } from './fake-server.js';
import { fullstackSkipReason, Topology, waitFor, type Instance, type SimHost } from './harness.js';

const skip = await fullstackSkipReason();
if (skip) console.log(`# SKIP fullstack: ${skip}`);

const NET = 'a1b2c3d4-0000-4000-8000-000000000001';
const SUBNET = 'b1b2c3d4-0000-4000-8000-000000000002';
const VNI = 1001;
const MTU = 1450;
const DHCP_PORT = { id: 'd0c0ffee-0000-4000-8000-000000000003', mac_address: 'fa:16:3e:00:00:02', fixed_ips: [{ subnet_id: SUBNET, ip_address: '10.10.0.2' }] };
const PORT_A = { id: 'aaaa0001-0000-4000-8000-00000000000a', mac: 'fa:16:3e:00:00:0a', ip: '10.10.0.11' };
const PORT_B = { id: 'bbbb0002-0000-4000-8000-00000000000b', mac: 'fa:16:3e:00:00:0b', ip: '10.10.0.12' };

function port(p: { id: string; mac: string; ip: string }, owner = 'compute:nova'): PortState {
  return {
    id: p.id, network_id: NET, mac_address: p.mac, fixed_ips: [{ subnet_id: SUBNET, ip_address: p.ip }], admin_state_up: true,
    device_owner: owner, device_id: `vm-${p.id.slice(0, 4)}`, revision_number: 1, port_security_enabled: true,
    security_groups: [], allowed_address_pairs: [],
  };
}

function network(remotes: NetworkState['remotes']): NetworkState {
  return { id: NET, mtu: MTU, admin_state_up: true, segment: { network_type: 'vxlan', physical_network: null, segmentation_id: VNI }, remotes };
}

function dhcp(ports: { id: string; mac: string; ip: string }[]): DhcpNetworkState {
  return {
    network_id: NET, mtu: MTU, port: DHCP_PORT,
    subnets: [{
      id: SUBNET, cidr: '10.10.0.0/24', ip_version: 4, gateway_ip: '10.10.0.1', enable_dhcp: true, dns_nameservers: [],
      host_routes: [], ipv6_address_mode: null, ipv6_ra_mode: null, allocation_pools: [{ start: '10.10.0.2', end: '10.10.0.254' }],
      has_router_interface: false,
    }],
    hosts: ports.map((p) => ({ port_id: p.id, mac_address: p.mac, fixed_ips: [{ subnet_id: SUBNET, ip_address: p.ip }], hostname: null, device_owner: 'compute:nova', extra_dhcp_opts: [] })),
  };
}

const remotePort = (p: { mac: string; ip: string }) => ({ mac_address: p.mac, ips: [p.ip] });

/** host1: DHCP + port A; host2: port B. */
function states(withB: boolean): Omit<HostState, 'revision'>[] {
  const dhcpPort = { id: DHCP_PORT.id, mac: DHCP_PORT.mac_address, ip: '10.10.0.2' };
  const h1: Omit<HostState, 'revision'> = {
    host: 'host1',
    networks: [network(withB ? [{ host: 'host2', vtep_ip: '192.0.2.2', ports: [remotePort(PORT_B)] }] : [])],
    ports: [port(PORT_A), port(dhcpPort, 'network:dhcp')],
    dhcp: [dhcp(withB ? [PORT_A, PORT_B] : [PORT_A])],
  };
  const h2: Omit<HostState, 'revision'> = {
    host: 'host2',
    networks: withB ? [network([{ host: 'host1', vtep_ip: '192.0.2.1', ports: [remotePort(PORT_A), remotePort(dhcpPort)] }])] : [],
    ports: withB ? [port(PORT_B)] : [],
    dhcp: [],
  };
  return [h1, h2];
}

function agentConfig(h: SimHost, dhcpEnabled: boolean): AgentConfig {
  return {
    host: h.name,
    l2: defaultL2Config({ localIp: h.underlayIp, l2Population: true }),
    dhcp: defaultDhcpConfig({ enabled: dhcpEnabled, stateDir: `${h.stateDir}/dhcp`, leaseDuration: 600 }),
  };
}

describe('fullstack: VXLAN + l2population + DHCP on two simulated hosts', { skip }, () => {
  const topo = new Topology();
  const server = new FakeServer();
  let h1: SimHost, h2: SimHost, vmA: Instance, vmB: Instance;

  before(async () => {
    await server.start();
    await topo.create(2);
    [h1, h2] = topo.hosts as [SimHost, SimHost];
    server.set(states(true));
    await h1.startAgent(agentConfig(h1, true), server.url);
    await h2.startAgent(agentConfig(h2, false), server.url);
    vmA = await topo.plug(h1, 'vma', PORT_A.id, PORT_A.mac);
    vmB = await topo.plug(h2, 'vmb', PORT_B.id, PORT_B.mac);
  });

  after(async () => {
    await topo.destroy();
    await server.stop();
  });

  it('wires bridges, vxlan devices and taps, and reports the ports ACTIVE', async () => {
    const active = (host: string, portId: string) => async () =>
      server.report(host)?.devices.find((d) => d.port_id === portId)?.status === 'ACTIVE';
    await waitFor('port A active on host1', active('host1', PORT_A.id)).catch((e) => { throw new Error(`${e.message}\n${h1.agentLog()}`); });
    await waitFor('port B active on host2', active('host2', PORT_B.id)).catch((e) => { throw new Error(`${e.message}\n${h2.agentLog()}`); });
    const br = `brq${NET.slice(0, 11)}`;
    const vx = await h1.link(`vxlan-${VNI}`);
    assert.equal(vx?.master, br);
    assert.equal(vx?.data?.learning, false);
    assert.equal(vx?.data?.local, '192.0.2.1');
    assert.equal(vx?.mtu, MTU);
    assert.equal((await h2.link(`tap${PORT_B.id.slice(0, 11)}`))?.master, br);
    const fdb = await h1.fdb(`vxlan-${VNI}`);
    assert.ok(fdb.some((e) => e.mac === '00:00:00:00:00:00' && e.dst === '192.0.2.2'), 'flood entry to host2');
    assert.ok(fdb.some((e) => e.mac === PORT_B.mac && e.dst === '192.0.2.2'), 'unicast entry for port B');
    assert.ok((await h1.agentNetns()).includes(`qdhcp-${NET}`));
    assert.equal(server.report('host1', 'DHCP agent')?.errors.length, 0);
  });

  it('instances get their addresses from dnsmasq over DHCP and ping each other', async () => {
    const leaseA = await topo.dhcp(vmA);
    assert.equal(leaseA.ip, PORT_A.ip);
    assert.equal(leaseA.router, '10.10.0.1');
    assert.equal(leaseA.mtu, String(MTU));
    const leaseB = await topo.dhcp(vmB); // crosses the VXLAN tunnel to host1's dnsmasq
    assert.equal(leaseB.ip, PORT_B.ip);
    assert.ok(await topo.ping(vmA, PORT_B.ip), 'A pings B');
    assert.ok(await topo.ping(vmB, PORT_A.ip), 'B pings A');
  });

  it('a restarted agent on a converged host changes nothing', async () => {
    await h1.stopAgent();
    await h1.startAgent(agentConfig(h1, true), server.url);
    const stats = await waitFor('first pass of the restarted agent', async () => {
      const s = await h1.stats();
      return s && s.fullResyncs >= 1 ? s : undefined;
    });
    assert.equal(stats.changes, 0, h1.agentLog());
  });

  it('removing port B releases its tap and removes its FDB entry on host1', async () => {
    server.set(states(false));
    await waitFor('tap B out of the bridge', async () => (await h2.link(`tap${PORT_B.id.slice(0, 11)}`))?.master === undefined);
    await waitFor('FDB entries for host2 gone on host1', async () =>
      (await h1.fdb(`vxlan-${VNI}`)).every((e) => e.dst !== '192.0.2.2'));
    // host2 has no network left: its bridge and vxlan device go too.
    await waitFor('host2 bridge and vxlan gone', async () => !(await h2.links()).some((l) => l.ifname.startsWith('brq') || l.ifname.startsWith('vxlan-')));
  });

  it('an empty state removes bridges, vxlan devices and the qdhcp namespace', async () => {
    server.set([{ host: 'host1', networks: [], ports: [], dhcp: [] }, { host: 'host2', networks: [], ports: [], dhcp: [] }]);
    await waitFor('host1 cleaned', async () => {
      const links = await h1.links();
      const nss = await h1.agentNetns();
      return !links.some((l) => /^(brq|vxlan-)/.test(l.ifname) || l.ifname === `tap${DHCP_PORT.id.slice(0, 11)}`) && !nss.includes(`qdhcp-${NET}`);
    });
    // The instance's tap stays (the instance owns it) but belongs to no bridge.
    assert.equal((await h1.link(`tap${PORT_A.id.slice(0, 11)}`))?.master, undefined);
  });
});
