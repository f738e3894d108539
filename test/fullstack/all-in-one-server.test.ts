/**
 * `nucleon up --agents` (issue 3 point 5, the in-process bus): one all-in-one process — API, SQLite,
 * built-in identity and this host's agents — on ONE simulated host (it runs in that host's mount
 * namespace with --host-netns). The test talks to it like a user: clouds.yaml tokens, `nucleon port
 * plug/unplug` with OS_CLOUD. polling_interval is 30 s, so ports going ACTIVE within seconds prove
 * the in-process hints. Needs root; skipped with the reason otherwise.
 * Run: node --import tsx --test test/fullstack/all-in-one-server.test.ts
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fullstackSkipReason, Topology, waitFor, type Instance, type SimHost } from './harness.js';
import { HostProcess, portPlug, portUnplug } from './server-harness.js';
import { ApiSession, clientAuthFromEnvironment } from '../../src/cmd/os-auth.js';
import { ApiClient } from '../../src/cmd/api-client.js';

const skip = await fullstackSkipReason();
if (skip) console.log(`# SKIP fullstack: ${skip}`);

describe('fullstack: nucleon up --agents on one simulated host (in-process bus)', { skip }, () => {
  const topo = new Topology();
  let h: SimHost;
  let up: HostProcess;
  let api: ApiClient;
  let env: NodeJS.ProcessEnv;
  let vm1: Instance, vm2: Instance, p1: any, p2: any, net: any, dhcpIp: string;

  const port = async (id: string) => (await api.request<any>('GET', `/v2.0/ports/${id}`)).port;

  before(async () => {
    await topo.create(1);
    h = topo.hosts[0]!;
    const conf = join(h.stateDir, 'nucleon.conf');
    await writeFile(conf, [
      '[DEFAULT]', `host = ${h.name}`, 'agent_down_time = 6',
      '[agent]', 'polling_interval = 30', 'report_interval = 1',
      '[ml2]', 'type_drivers = flat,vxlan', 'tenant_network_types = vxlan', 'mechanism_drivers = linuxbridge,l2population',
      '[ml2_type_vxlan]', 'vni_ranges = 1000:1999', '[ml2_type_flat]', 'flat_networks = physnet1',
      '[linux_bridge]', 'physical_interface_mappings = physnet1:eth1',
      '[vxlan]', `local_ip = ${h.underlayIp}`, 'l2_population = true',
    ].join('\n') + '\n');
    up = new HostProcess(h);
    // The data dir doubles as state_path: dnsmasq files under <stateDir>/dhcp, where the harness cleans.
    await up.start(['up', '--agents', '--port', '0', '--data-dir', h.stateDir, '--config-file', conf]);
    const url = await waitFor('nucleon up banner', async () => /Nucleon is up at (http:\S+)/.exec(up.output())?.[1], 60_000)
      .catch((e) => { throw new Error(`${e.message}\n${up.output()}`); });
    assert.match(up.output(), /agents: +l2, dhcp, l3 on host host1/);
    env = { OS_CLOUD: 'nucleon', OS_CLIENT_CONFIG_FILE: join(h.stateDir, 'clouds.yaml') };
    api = new ApiClient(new ApiSession((await clientAuthFromEnvironment(env))!));
    assert.ok(url);
  });

  after(async () => {
    await up?.stop();
    await topo.destroy();
  });

  it('the agents report in: Linux bridge and DHCP agents alive for host1', async () => {
    const agents = await waitFor('agents alive', async () => {
      const list = (await api.request<any>('GET', '/v2.0/agents?host=host1')).agents as any[];
      return list.length >= 2 && list.every((a) => a.alive) ? list : undefined;
    }).catch((e) => { throw new Error(`${e.message}\n${up.output()}`); });
    assert.deepEqual(agents.map((a) => a.agent_type).filter((t) => t !== 'L3 agent').sort(), ['DHCP agent', 'Linux bridge agent']);
  });

  it('a VXLAN network with DHCP: plugged instances go ACTIVE on hints, get their addresses and ping each other', async () => {
    net = (await api.request<any>('POST', '/v2.0/networks', { network: { name: 'aio' } })).network;
    await api.request('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.40.0.0/24', ip_version: 4 } });
    p1 = (await api.request<any>('POST', '/v2.0/ports', { port: { network_id: net.id, name: 'one' } })).port;
    p2 = (await api.request<any>('POST', '/v2.0/ports', { port: { network_id: net.id, name: 'two' } })).port;
    const t0 = Date.now();
    vm1 = await portPlug(topo, h, p1.id, 'aio1', { env });
    vm2 = await portPlug(topo, h, p2.id, 'aio2', { env });
    for (const p of [p1, p2]) {
      await waitFor(`port ${p.name} ACTIVE`, async () => (await port(p.id)).status === 'ACTIVE', 10_000)
        .catch((e) => { throw new Error(`${e.message}\n${up.output().slice(-5000)}`); });
    }
    const ms = Date.now() - t0;
    console.log(`# all-in-one: two plugs → ACTIVE in ${ms} ms (polling_interval 30 s)`);
    assert.ok(ms < 10_000);
    const l1 = await topo.dhcp(vm1);
    const l2 = await topo.dhcp(vm2);
    assert.equal(l1.ip, p1.fixed_ips[0].ip_address);
    assert.equal(l2.ip, p2.fixed_ips[0].ip_address);
    assert.ok(await topo.ping(vm1, l2.ip!), 'instance 1 pings instance 2');
    assert.ok((await h.agentNetns()).includes(`qdhcp-${net.id}`));
    dhcpIp = (await api.request<any>('GET', `/v2.0/ports?network_id=${net.id}&device_owner=network:dhcp`)).ports[0].fixed_ips[0].ip_address;
  });

  it('port unplug removes the tap and clears the binding; the port goes DOWN', async () => {
    await portUnplug(h, p2.id, { env });
    assert.equal(await h.link(`tap${p2.id.slice(0, 11)}`), undefined);
    const p = await port(p2.id);
    assert.equal(p['binding:host_id'], '');
    assert.equal(p.device_owner, '');
    await waitFor('port 2 DOWN', async () => (await port(p2.id)).status === 'DOWN', 10_000);
  });

  it('SIGTERM stops the process cleanly and leaves the data plane in place', async () => {
    await up.stop();
    assert.equal(up.exitCode(), 0, up.output().slice(-3000));
    assert.equal((await h.link(`tap${p1.id.slice(0, 11)}`))?.master, `brq${net.id.slice(0, 11)}`);
    assert.ok((await h.agentNetns()).includes(`qdhcp-${net.id}`));
    assert.ok(await topo.ping(vm1, dhcpIp), 'instance 1 still reaches the DHCP namespace over the bridge');
  });
});
