/**
 * The L2 + DHCP data plane end to end with the REAL server: a `nucleon server` process (SQLite,
 * noauth, hints on RabbitMQ when 127.0.0.1:5672 answers), two simulated hosts each running a real
 * `nucleon agent` (L2 + DHCP, dhcp_agents_per_network = 2; the agents reach RabbitMQ through a TCP
 * proxy this test can cut), instances plugged with `nucleon port plug`, real dnsmasq and udhcpc.
 * Issue 3's proof points 1–6 (5: the RabbitMQ half; the in-process bus is all-in-one-server.test.ts),
 * and isolated metadata (enable_isolated_metadata): net1 has no router, so its DHCP namespaces answer
 * 169.254.169.254 through a signing proxy and the agent's relay to a stand-in Nova on loopback.
 * Needs root; skipped with the reason otherwise.
 * Run: node --import tsx --test test/fullstack/l2-dhcp-server.test.ts   (NUCLEON_FULLSTACK_DEBUG=1 for logs)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import { fullstackSkipReason, sh, Topology, waitFor, type Instance, type SimHost } from './harness.js';
import { portPlug, RealServer, startAgent, startPing, writeAgentConfig, type AgentFiles, type HostProcess } from './server-harness.js';
import { startTcpProxy, type TcpProxy } from '../bus/tcp-proxy.js';

const skip = await fullstackSkipReason();
if (skip) console.log(`# SKIP fullstack: ${skip}`);

async function rabbitUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(5672, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}
const rabbit = !skip && (await rabbitUp());
if (!skip && !rabbit) console.log('# RabbitMQ is not on 127.0.0.1:5672: agents poll; the bus cut step is skipped');

const DEMO = 'demo';
const POLL = rabbit ? 5 : 1;
const SECRET = 'isolated-metadata-secret';

describe('fullstack (real server): VXLAN and flat networks, DHCP, two hosts, real agents', { skip }, () => {
  const topo = new Topology();
  let server: RealServer;
  let proxy: TcpProxy | undefined;
  let h1: SimHost, h2: SimHost;
  const files = new Map<SimHost, AgentFiles>();
  const agents = new Map<SimHost, HostProcess>();
  let net1: any, vmA: Instance, vmB: Instance, portA: any, portB: any;
  const dhcpIps: string[] = [];
  // Nova's metadata API stand-in on loopback (the agents' relay runs in the root namespace): answers
  // the instance id only when the proxy's signature verifies, as Nova does.
  let novaSeen: IncomingHttpHeaders | undefined;
  const nova = createServer((req, res) => {
    novaSeen = req.headers;
    const id = String(req.headers['x-instance-id'] ?? '');
    const signed = createHmac('sha256', SECRET).update(id).digest('hex') === req.headers['x-instance-id-signature'];
    if (!signed) res.writeHead(403).end('bad signature');
    else res.writeHead(200, { 'content-type': 'text/plain' }).end(req.url === '/latest/meta-data/instance-id' ? id : `unknown ${req.url}`);
  });

  const restart = async (h: SimHost) => {
    await agents.get(h)?.stop();
    agents.set(h, await startAgent(h, files.get(h)!));
  };
  const agentList = async (host: string) => (await server.ok('GET', `/v2.0/agents?host=${host}`)).agents as any[];
  const logs = () => [...agents.entries()].map(([h, a]) => `--- ${h.name}\n${a.output().slice(-4000)}`).join('\n');
  const active = (id: string, ms = 30_000) => waitFor(`port ${id} ACTIVE`, async () => (await server.ok('GET', `/v2.0/ports/${id}`)).port.status === 'ACTIVE', ms)
    .catch((e) => { throw new Error(`${e.message}\n${logs()}`); });
  const plug = (h: SimHost, port: any, name: string) => portPlug(topo, h, port.id, name, { files: files.get(h) });
  // Read back as admin: the whole port whatever the create answer shows the project.
  const createPort = async (netId: string, name: string, project?: string) => {
    const { id } = (await server.ok('POST', '/v2.0/ports', { port: { network_id: netId, name } }, project)).port;
    return (await server.ok('GET', `/v2.0/ports/${id}`)).port;
  };

  before(async () => {
    await topo.create(2);
    [h1, h2] = topo.hosts as [SimHost, SimHost];
    const dir = `${topo.baseDir}/server`;
    await mkdir(dir, { recursive: true });
    if (rabbit) proxy = await startTcpProxy({ host: '127.0.0.1', port: 5672 });
    server = new RealServer({ dir, transportUrl: rabbit ? 'rabbit://guest:guest@127.0.0.1:5672/' : undefined, agentDownTime: 4, dhcpAgentsPerNetwork: 2 });
    await server.start();
    const novaPort = await new Promise<number>((r) => nova.listen(0, '127.0.0.1', () => r((nova.address() as net.AddressInfo).port)));
    // As an operator enables isolated metadata: dhcp_agent.ini plus metadata_agent.ini's [DEFAULT] options.
    const dhcpExtra = ['enable_isolated_metadata = true', 'nova_metadata_host = 127.0.0.1', `nova_metadata_port = ${novaPort}`, `metadata_proxy_shared_secret = ${SECRET}`];
    for (const h of [h1, h2]) {
      files.set(h, await writeAgentConfig(h, { serverUrl: server.url, dhcp: true, dhcpExtra, pollingInterval: POLL, transportUrl: proxy ? `rabbit://guest:guest@127.0.0.1:${proxy.port}/` : undefined }));
      agents.set(h, await startAgent(h, files.get(h)!));
    }
  });

  after(async () => {
    for (const a of agents.values()) await a.stop().catch(() => {});
    await topo.destroy();
    await server?.stop();
    await proxy?.close();
    nova.closeAllConnections();
    await new Promise((r) => nova.close(r));
  });

  it('both hosts register a Linux bridge and a DHCP agent, alive', async () => {
    for (const h of [h1, h2]) {
      await waitFor(`${h.name} agents alive`, async () => {
        const list = await agentList(h.name);
        return list.length === 2 && list.every((a) => a.alive) ? list : undefined;
      }, 30_000).catch((e) => { throw new Error(`${e.message}\n${logs()}`); });
    }
    const lb = (await agentList('host1')).find((a) => a.agent_type === 'Linux bridge agent');
    assert.equal(lb.configurations.tunneling_ip, '192.0.2.1');
    assert.deepEqual(lb.configurations.interface_mappings, { physnet1: 'eth1' });
  });

  it('(1) VXLAN project network: instances on both hosts get DHCP addresses, ping each other, ports ACTIVE', async () => {
    const { id: netId } = (await server.ok('POST', '/v2.0/networks', { network: { name: 'net1' } }, DEMO)).network;
    net1 = (await server.ok('GET', `/v2.0/networks/${netId}`)).network;
    const { id: subId } = (await server.ok('POST', '/v2.0/subnets', { subnet: { network_id: net1.id, cidr: '10.20.0.0/24', ip_version: 4 } }, DEMO)).subnet;
    assert.equal((await server.ok('GET', `/v2.0/subnets/${subId}`)).subnet.enable_dhcp, true);
    portA = await createPort(net1.id, 'a', DEMO);
    portB = await createPort(net1.id, 'b', DEMO);
    const t0 = Date.now();
    vmA = await plug(h1, portA, 'vma');
    vmB = await plug(h2, portB, 'vmb');
    await active(portA.id);
    await active(portB.id);
    console.log(`# plug → ACTIVE for two ports: ${Date.now() - t0} ms (polling_interval ${POLL} s, bus ${rabbit ? 'RabbitMQ' : 'none'})`);
    const bound = (await server.ok('GET', `/v2.0/ports/${portA.id}`)).port;
    assert.equal(bound['binding:host_id'], 'host1');
    assert.equal(bound['binding:vif_type'], 'bridge');
    assert.equal(bound.device_owner, 'compute:nova');
    const leaseA = await topo.dhcp(vmA);
    const leaseB = await topo.dhcp(vmB);
    assert.equal(leaseA.ip, portA.fixed_ips[0].ip_address);
    assert.equal(leaseB.ip, portB.fixed_ips[0].ip_address);
    assert.equal(leaseA.mtu, String(net1.mtu));
    assert.ok(await topo.ping(vmA, leaseB.ip!), 'A pings B');
    assert.ok(await topo.ping(vmB, leaseA.ip!), 'B pings A');
    // dhcp_agents_per_network = 2: both hosts serve it.
    const dhcpPorts = (await server.ok('GET', `/v2.0/ports?network_id=${net1.id}&device_owner=network:dhcp`)).ports as any[];
    assert.equal(dhcpPorts.length, 2);
    dhcpIps.push(...dhcpPorts.map((p) => p.fixed_ips[0].ip_address));
    for (const h of [h1, h2]) assert.ok((await h.agentNetns()).includes(`qdhcp-${net1.id}`), h.name);
  });

  it('isolated metadata: an instance on a network without a router gets its instance id through the DHCP namespace', async () => {
    const lease = await topo.dhcp(vmA);
    // dnsmasq sends the metadata route via the DHCP port (option 121), as Neutron's does for isolated subnets.
    assert.match(lease.staticroutes ?? '', /169\.254\.169\.254\/32 10\.20\.0\.\d+/);
    const curl = (vm: Instance, path: string) => sh(['ip', 'netns', 'exec', vm.ns, 'curl', '-sS', '--max-time', '5', `http://169.254.169.254${path}`]).catch(() => '');
    const device = (await server.ok('GET', `/v2.0/ports/${portA.id}`)).port.device_id as string;
    assert.ok(device);
    assert.equal(await waitFor('metadata answer', async () => (await curl(vmA, '/latest/meta-data/instance-id')) || undefined, 20_000)
      .catch((e) => { throw new Error(`${e.message}\n${logs()}`); }), device);
    assert.equal(novaSeen?.['x-forwarded-for'], portA.fixed_ips[0].ip_address);
    assert.equal(novaSeen?.['x-tenant-id'], DEMO);
    for (const h of [h1, h2]) {
      const addrs = await sh(['nsenter', `--mount=${h.mountNs()}`, 'ip', '-n', `qdhcp-${net1.id}`, '-4', '-o', 'addr', 'show']);
      assert.match(addrs, /169\.254\.169\.254\/32/, `${h.name}: the DHCP namespace holds the metadata address`);
    }
  });

  it('(2) flat provider network mapped to eth1 on both hosts: DHCP, ping, ACTIVE', async () => {
    const flat = (await server.ok('POST', '/v2.0/networks', { network: { name: 'flat', 'provider:network_type': 'flat', 'provider:physical_network': 'physnet1' } })).network;
    await server.ok('POST', '/v2.0/subnets', { subnet: { network_id: flat.id, cidr: '10.30.0.0/24', ip_version: 4 } });
    const pc = await createPort(flat.id, 'c');
    const pd = await createPort(flat.id, 'd');
    const vmC = await plug(h1, pc, 'vmc');
    const vmD = await plug(h2, pd, 'vmd');
    await active(pc.id);
    await active(pd.id);
    const br = `brq${flat.id.slice(0, 11)}`;
    assert.equal((await h1.link('eth1'))?.master, br);
    assert.equal((await h2.link('eth1'))?.master, br);
    const lc = await topo.dhcp(vmC);
    const ld = await topo.dhcp(vmD);
    assert.equal(lc.ip, pc.fixed_ips[0].ip_address);
    assert.equal(ld.ip, pd.fixed_ips[0].ip_address);
    assert.ok(await topo.ping(vmC, ld.ip!), 'C pings D over br-phys');
    assert.ok(await topo.ping(vmD, lc.ip!), 'D pings C');
  });

  it('(4) a stopped agent goes alive=false; restarted, it converges with zero kernel changes and no ping is lost', async () => {
    const ping = startPing(vmA, portB.fixed_ips[0].ip_address);
    await agents.get(h2)!.stop();
    const t0 = Date.now();
    await waitFor('host2 agents dead', async () => (await agentList('host2')).every((a) => !a.alive), 20_000);
    const deadAfter = Date.now() - t0;
    assert.ok(deadAfter >= 2_000, `alive went false after ${deadAfter} ms, before agent_down_time`);
    await restart(h2);
    const line = await waitFor('first full resync of the restarted agent', async () =>
      agents.get(h2)!.output().split('\n').find((l) => l.includes('"first full resync done"')), 30_000);
    assert.equal(JSON.parse(line).changes, 0, `restarted agent changed the kernel:\n${agents.get(h2)!.output()}`);
    await waitFor('host2 agents alive again', async () => (await agentList('host2')).every((a) => a.alive), 20_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const { sent, received } = await ping.stop();
    console.log(`# ping A→B across the agent restart: ${received}/${sent}`);
    assert.ok(sent >= 10, `sent ${sent}`);
    assert.equal(received, sent, 'no ping lost while the agent was down and restarting');
  });

  it('(5) RabbitMQ path cut and restored: nothing is lost, hints resume', { skip: !rabbit && 'RabbitMQ not available' }, async () => {
    proxy!.cut();
    const pe = await createPort(net1.id, 'e', DEMO);
    const vmE = await plug(h2, pe, 'vme');
    // Without hints the agent still converges at its next poll.
    await active(pe.id, 30_000);
    proxy!.restore();
    // The agents reconnect (rabbit_retry_interval 1 s, at most 2 s); then a plug is ACTIVE well before a poll.
    await new Promise((r) => setTimeout(r, 4_000));
    const pf = await createPort(net1.id, 'f', DEMO);
    const t0 = Date.now();
    await plug(h1, pf, 'vmf');
    await active(pf.id, 30_000);
    const ms = Date.now() - t0;
    console.log(`# after the bus came back: plug → ACTIVE ${ms} ms (polling_interval ${POLL} s)`);
    assert.ok(ms < POLL * 1000, `ACTIVE after ${ms} ms: no hint arrived (poll is every ${POLL} s)`);
    const le = await topo.dhcp(vmE);
    assert.equal(le.ip, pe.fixed_ips[0].ip_address);
    assert.ok(await topo.ping(vmE, portA.fixed_ips[0].ip_address));
  });

  it('(6) two DHCP agents serve the network: an instance gets its address with either one stopped', async () => {
    for (const [down, vm] of [[h1, vmB], [h2, vmA]] as const) {
      await agents.get(down)!.stop();
      await down.killDnsmasqs();
      const lease = await topo.dhcp(vm);
      assert.equal(lease.ip, vm === vmA ? portA.fixed_ips[0].ip_address : portB.fixed_ips[0].ip_address);
      assert.ok(dhcpIps.includes(lease.serverid!), `served by ${lease.serverid}`);
      await restart(down);
      await waitFor(`${down.name} agents alive`, async () => (await agentList(down.name)).every((a) => a.alive), 20_000);
      // The restarted agent starts its dnsmasq again before the other one goes down.
      await waitFor(`${down.name} dnsmasq back`, async () => agents.get(down)!.output().includes('"first full resync done"'), 30_000);
    }
  });

  it('(3) deleting a port removes its tap from the bridge and its FDB entries; deleting the network cleans both hosts', async () => {
    const vni = (await server.ok('GET', `/v2.0/networks/${net1.id}`)).network['provider:segmentation_id'];
    const br = `brq${net1.id.slice(0, 11)}`;
    const tapB = `tap${portB.id.slice(0, 11)}`;
    // l2population's entries (with a VTEP dst); the bridge's own learned entries age out by themselves.
    const l2pop = async () => (await h1.fdb(`vxlan-${vni}`)).filter((e) => e.mac === vmB.mac && e.dst);
    assert.equal((await l2pop())[0]?.dst, '192.0.2.2', 'FDB entry for B on host1 before');
    await server.ok('DELETE', `/v2.0/ports/${portB.id}`);
    await waitFor('tap B out of the bridge', async () => (await h2.link(tapB))?.master === undefined);
    await waitFor('FDB entry for B gone on host1', async () => (await l2pop()).length === 0);
    const ports = (await server.ok('GET', `/v2.0/ports?network_id=${net1.id}`)).ports as any[];
    for (const p of ports.filter((p) => p.device_owner.startsWith('compute:'))) await server.ok('DELETE', `/v2.0/ports/${p.id}`);
    await server.ok('DELETE', `/v2.0/networks/${net1.id}`);
    for (const h of [h1, h2]) {
      await waitFor(`${h.name} cleaned`, async () => {
        const links = (await h.links()).map((l) => l.ifname);
        return !links.includes(br) && !links.includes(`vxlan-${vni}`) && !(await h.agentNetns()).includes(`qdhcp-${net1.id}`);
      }).catch((e) => { throw new Error(`${e.message}\n${logs()}`); });
    }
    for (const a of agents.values()) assert.ok(a.running(), 'agents still running');
  });
});
