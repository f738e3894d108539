/**
 * Routers, floating IPs, port forwarding, metadata and L3 failover end to end with the REAL server
 * (issue 4's proof points 1–6): a `nucleon server` process (SQLite, noauth, RabbitMQ hints when
 * 127.0.0.1:5672 answers, allow_automatic_l3agent_failover = true, small agent_down_time) and three
 * simulated hosts each running a real `nucleon agent`: host1 and host2 network nodes (L2 + L3, given
 * l3_agent.ini and metadata_agent.ini), host3 a compute node (L2 + DHCP) holding the instances.
 * Everything is created through the API as a user would (external flat network mapped to eth1,
 * project VXLAN networks, router with gateway and interfaces, security group rules, floating IPs,
 * port forwardings, extra routes); instances are plugged with `nucleon port plug` and take DHCP.
 * The "external" namespace on br-phys plays the upstream host, a TCP client and Nova's metadata API
 * (l3-peer.ts, which checks X-Instance-ID-Signature). Needs root; skipped with the reason otherwise.
 * Run: node --import tsx --test test/fullstack/l3-server.test.ts   (NUCLEON_FULLSTACK_DEBUG=1 for logs)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fullstackSkipReason, sh, Topology, waitFor, type Instance, type SimHost } from './harness.js';
import { HostProcess, portPlug, RealServer, startPing, writeAgentConfig, type AgentFiles } from './server-harness.js';
import { rabbitUp, tcpFrom } from './l3-server-helpers.js';

const skip = (await fullstackSkipReason()) ?? (await sh(['sh', '-c', 'command -v arping && command -v conntrack && command -v nft && command -v curl']).then(() => undefined, () => 'L3 fullstack needs arping, conntrack, nft and curl'));
if (skip) console.log(`# SKIP fullstack L3 (real server): ${skip}`);
const rabbit = !skip && (await rabbitUp());
const REPO = new URL('../../', import.meta.url).pathname;
const DEMO = 'demo';
const SECRET = 'nova-metadata-secret';
const EXT = { cidr: '203.0.113.0/24', host: '203.0.113.1' };
const AGENT_DOWN_TIME = 3;
const POLL = rabbit ? 3 : 1;

describe('fullstack (real server): routers, floating IPs, port forwarding, metadata, L3 failover', { skip }, () => {
  const topo = new Topology();
  const extNs = `${topo.prefix}-ext`;
  const ext = { ns: extNs } as Instance;
  const children: ChildProcess[] = [];
  let server: RealServer;
  let h1: SimHost, h2: SimHost, h3: SimHost;
  const files = new Map<SimHost, AgentFiles & { l3?: string[] }>();
  const agents = new Map<SimHost, HostProcess>();
  let extNet: any, netA: any, netB: any, subA: any, subB: any, router: any, gwIp = '';
  const vm: Record<'vm1' | 'vm2' | 'vm3', { inst: Instance; port: any; ip: string; device: string }> = {} as any;
  let fip1: any, fip2: any;

  const logs = () => [...agents.entries()].map(([h, a]) => `--- ${h.name}\n${a.output().slice(-3000)}`).join('\n') + `\n--- server\n${server.child?.output().slice(-3000)}`;
  const withLogs = (e: Error): never => { throw new Error(`${e.message}\n${logs()}`); };
  const startAgent = async (h: SimHost) => {
    const f = files.get(h)!;
    const p = new HostProcess(h);
    await p.start(['agent', '--config-file', f.neutronConf, '--config-file', f.agentIni, ...(f.dhcpIni ? ['--config-file', f.dhcpIni] : []), ...(f.l3 ?? []).flatMap((x) => ['--config-file', x])]);
    agents.set(h, p);
  };
  /** Warnings and errors the agents logged (level ≥ 40): a kernel refusal is logged and retried, never fatal. */
  const refusals = () => [...agents.entries()].flatMap(([h, a]) => a.output().split('\n').filter((l) => /"level":(40|50|60)/.test(l)).map((l) => `${h.name}: ${l}`));
  const agentList = async (host: string) => (await server.ok('GET', `/v2.0/agents?host=${host}`)).agents as any[];
  const hosting = async () => (await server.ok('GET', `/v2.0/routers/${router.id}/l3-agents`)).agents as any[];
  const hostOf = (name: string) => topo.hosts.find((h) => h.name === name)!;
  const tcp = (ns: string, ip: string, port: number) => tcpFrom(REPO, ns, ip, port);
  const ping = (ns: string, ip: string, count = 2) => sh(['ip', 'netns', 'exec', ns, 'ping', '-c', String(count), '-W', '1', '-i', '0.2', ip]).then(() => true, () => false);
  const fipStatus = async (id: string) => (await server.ok('GET', `/v2.0/floatingips/${id}`)).floatingip.status as string;

  async function peer(ns: string, ...args: string[]): Promise<void> {
    const c = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', 'test/fullstack/l3-peer.ts', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(c);
    await new Promise<void>((resolve, reject) => {
      c.stdout!.once('data', () => resolve());
      c.once('exit', (code) => reject(new Error(`peer ${args.join(' ')} in ${ns} exited with ${code}`)));
    });
  }

  /** l3_agent.ini and metadata_agent.ini as an operator writes them for a network node. */
  async function writeL3Files(h: SimHost): Promise<string[]> {
    const l3 = join(h.stateDir, 'l3_agent.ini');
    const md = join(h.stateDir, 'metadata_agent.ini');
    await writeFile(l3, '[DEFAULT]\ninterface_driver = linuxbridge\nagent_mode = legacy\n');
    await writeFile(md, `[DEFAULT]\nnova_metadata_host = ${EXT.host}\nnova_metadata_port = 8775\nmetadata_proxy_shared_secret = ${SECRET}\n`);
    return [l3, md];
  }

  before(async () => {
    await topo.create(3);
    [h1, h2, h3] = topo.hosts as [SimHost, SimHost, SimHost];
    // The external host: a namespace on br-phys (the flat external network) with the subnet's gateway address.
    await sh(['ip', 'netns', 'add', extNs]);
    topo.track(extNs);
    await sh(['ip', '-n', topo.underlayNs, 'link', 'add', 'pext', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', extNs]);
    await sh(['ip', '-n', topo.underlayNs, 'link', 'set', 'pext', 'master', 'br-phys', 'up']);
    await sh(['ip', '-n', extNs, '-batch', '-'], `link set lo up\nlink set eth0 up\naddr add ${EXT.host}/24 dev eth0\n`);
    await peer(extNs, 'serve', '7000', 'ext');
    await peer(extNs, 'nova', '8775', SECRET);

    const dir = `${topo.baseDir}/server`;
    await mkdir(dir, { recursive: true });
    const transportUrl = rabbit ? 'rabbit://guest:guest@127.0.0.1:5672/' : undefined;
    server = new RealServer({ dir, transportUrl, agentDownTime: AGENT_DOWN_TIME, defaults: ['allow_automatic_l3agent_failover = true'] });
    await server.start();
    for (const h of [h1, h2, h3]) {
      const f: AgentFiles & { l3?: string[] } = await writeAgentConfig(h, { serverUrl: server.url, transportUrl, dhcp: h === h3, pollingInterval: POLL });
      if (h !== h3) f.l3 = await writeL3Files(h);
      files.set(h, f);
      await startAgent(h);
    }
    for (const [h, n] of [[h1, 2], [h2, 2], [h3, 2]] as const) {
      await waitFor(`${h.name} agents alive`, async () => {
        const list = await agentList(h.name);
        return list.length === n && list.every((a) => a.alive);
      }, 30_000).catch(withLogs);
    }
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const a of agents.values()) await a.stop().catch(() => {});
    await topo.destroy();
    await server?.stop();
  });

  it('the user builds it through the API: external network, project networks, router, interfaces, instances', async () => {
    assert.deepEqual((await agentList('host1')).map((a) => a.agent_type).sort(), ['L3 agent', 'Linux bridge agent']);
    extNet = (await server.ok('POST', '/v2.0/networks', { network: { name: 'public', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'physnet1' } })).network;
    await server.ok('POST', '/v2.0/subnets', { subnet: { network_id: extNet.id, ip_version: 4, cidr: EXT.cidr, gateway_ip: EXT.host, enable_dhcp: false, allocation_pools: [{ start: '203.0.113.10', end: '203.0.113.99' }] } });
    netA = (await server.ok('POST', '/v2.0/networks', { network: { name: 'a' } }, DEMO)).network;
    netB = (await server.ok('POST', '/v2.0/networks', { network: { name: 'b' } }, DEMO)).network;
    subA = (await server.ok('POST', '/v2.0/subnets', { subnet: { network_id: netA.id, cidr: '10.1.0.0/24', ip_version: 4 } }, DEMO)).subnet;
    subB = (await server.ok('POST', '/v2.0/subnets', { subnet: { network_id: netB.id, cidr: '10.2.0.0/24', ip_version: 4 } }, DEMO)).subnet;
    router = (await server.ok('POST', '/v2.0/routers', { router: { name: 'r1', external_gateway_info: { network_id: extNet.id } } }, DEMO)).router;
    gwIp = router.external_gateway_info.external_fixed_ips[0].ip_address;
    assert.equal(router.external_gateway_info.enable_snat, true);
    for (const s of [subA, subB]) await server.ok('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: s.id }, DEMO);
    // The project opens ICMP and its service ports to the world, as users do for floating IPs.
    const sg = (await server.ok('GET', `/v2.0/security-groups?name=default`, undefined, DEMO)).security_groups[0];
    for (const rule of [{ protocol: 'icmp' }, { protocol: 'tcp', port_range_min: 7001, port_range_max: 7002 }]) {
      await server.ok('POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv4', remote_ip_prefix: '0.0.0.0/0', ...rule } }, DEMO);
    }
    for (const [name, net, extra] of [['vm1', netA, {}], ['vm2', netA, { allowed_address_pairs: [{ ip_address: '192.168.77.0/24' }] }], ['vm3', netB, {}]] as const) {
      const device = randomUUID();
      const { id } = (await server.ok('POST', '/v2.0/ports', { port: { network_id: net.id, name, device_id: device, device_owner: 'compute:nova', ...extra } }, DEMO)).port;
      const port = (await server.ok('GET', `/v2.0/ports/${id}`)).port;
      const inst = await portPlug(topo, h3, id, name, { files: files.get(h3) });
      vm[name] = { inst, port, ip: port.fixed_ips[0].ip_address, device };
    }
    for (const v of Object.values(vm)) {
      await waitFor(`port ${v.port.name} ACTIVE`, async () => (await server.ok('GET', `/v2.0/ports/${v.port.id}`)).port.status === 'ACTIVE', 30_000).catch(withLogs);
      const lease = await topo.dhcp(v.inst);
      assert.equal(lease.ip, v.ip);
      assert.equal(lease.router, v.port.network_id === netA.id ? subA.gateway_ip : subB.gateway_ip);
      await peer(v.inst.ns, 'serve', '7001', v.port.name);
    }
    // Scheduled to one of the two L3 agents; its host builds qrouter-<id>, the other does not.
    const [agent] = await waitFor('router hosted', async () => { const a = await hosting(); return a.length === 1 ? a : undefined; });
    const [host, other] = agent.host === 'host1' ? [h1, h2] : [h2, h1];
    await waitFor('qrouter namespace', async () => (await host.agentNetns()).includes(`qrouter-${router.id}`), 30_000).catch(withLogs);
    assert.ok(!(await other.agentNetns()).includes(`qrouter-${router.id}`));
    const routerPorts = (await server.ok('GET', `/v2.0/ports?device_id=${router.id}`)).ports as any[];
    assert.equal(routerPorts.length, 3);
    assert.ok(routerPorts.every((p) => p['binding:host_id'] === agent.host), 'router ports bound to the hosting agent\'s host');
    await waitFor('router ports ACTIVE', async () => (await server.ok('GET', `/v2.0/ports?device_id=${router.id}`)).ports.every((p: any) => p.status === 'ACTIVE'), 30_000).catch(withLogs);
  });

  it('(1) an instance behind the router pings the external host, which sees the router gateway IP (SNAT)', async () => {
    assert.ok(await waitFor('vm1 → external host', () => ping(vm.vm1.inst.ns, EXT.host), 15_000).catch(withLogs));
    assert.equal(await tcp(vm.vm2.inst.ns, EXT.host, 7000), `ext ${gwIp}`);
  });

  it('(2) a floating IP reaches its instance (ICMP, TCP), ACTIVE via the API; not after disassociation; re-associated reaches the other port', async () => {
    const t0 = Date.now();
    fip1 = (await server.ok('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: extNet.id, port_id: vm.vm1.port.id } }, DEMO)).floatingip;
    const addr = fip1.floating_ip_address;
    assert.equal(fip1.router_id, router.id);
    assert.equal(fip1.fixed_ip_address, vm.vm1.ip);
    await waitFor('FIP answers', () => ping(extNs, addr, 1), 15_000).catch(withLogs);
    console.log(`# floating IP create+associate → first ping through: ${Date.now() - t0} ms`);
    await waitFor('FIP ACTIVE', async () => (await fipStatus(fip1.id)) === 'ACTIVE', 15_000).catch(withLogs);
    assert.equal(await tcp(extNs, addr, 7001), `vm1 ${EXT.host}`);
    assert.equal(await tcp(vm.vm1.inst.ns, EXT.host, 7000), `ext ${addr}`, 'vm1 leaves with its floating IP');

    await server.ok('PUT', `/v2.0/floatingips/${fip1.id}`, { floatingip: { port_id: null } }, DEMO);
    assert.equal(await fipStatus(fip1.id), 'DOWN');
    await waitFor('FIP silent after disassociation', async () => !(await ping(extNs, addr, 1)), 15_000).catch(withLogs);
    assert.equal(await tcp(extNs, addr, 7001), undefined);
    assert.equal(await tcp(vm.vm1.inst.ns, EXT.host, 7000), `ext ${gwIp}`, 'vm1 back behind SNAT');

    await server.ok('PUT', `/v2.0/floatingips/${fip1.id}`, { floatingip: { port_id: vm.vm2.port.id } }, DEMO);
    await waitFor('FIP on vm2', async () => (await tcp(extNs, addr, 7001)) === `vm2 ${EXT.host}`, 15_000).catch(withLogs);
    assert.ok(await ping(extNs, addr));
    await waitFor('FIP ACTIVE again', async () => (await fipStatus(fip1.id)) === 'ACTIVE', 15_000).catch(withLogs);
    const shown = (await server.ok('GET', `/v2.0/floatingips/${fip1.id}`)).floatingip;
    assert.equal(shown.port_details?.device_id, vm.vm2.device);
  });

  it('(3) two project subnets on one router reach each other; an extra route to a next hop on an attached subnet works', async () => {
    assert.ok(await ping(vm.vm1.inst.ns, vm.vm3.ip), 'net a → net b');
    assert.equal(await tcp(vm.vm3.inst.ns, vm.vm1.ip, 7001), `vm1 ${vm.vm3.ip}`, 'no SNAT between attached subnets');
    await sh(['ip', '-n', vm.vm2.inst.ns, 'addr', 'add', '192.168.77.1/32', 'dev', 'lo']);
    assert.equal(await ping(vm.vm3.inst.ns, '192.168.77.1', 1), false, 'unreachable before the extra route');
    const r = (await server.ok('PUT', `/v2.0/routers/${router.id}/add_extraroutes`, { router: { routes: [{ destination: '192.168.77.0/24', nexthop: vm.vm2.ip }] } }, DEMO)).router;
    assert.deepEqual(r.routes, [{ destination: '192.168.77.0/24', nexthop: vm.vm2.ip }]);
    await waitFor('extra route', () => ping(vm.vm3.inst.ns, '192.168.77.1', 1), 15_000).catch(withLogs);
  });

  it('(4) a TCP port forwarding on a floating IP reaches the inner port', async () => {
    fip2 = (await server.ok('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: extNet.id } }, DEMO)).floatingip;
    const pf = (await server.ok('POST', `/v2.0/floatingips/${fip2.id}/port_forwardings`, { port_forwarding: {
      protocol: 'tcp', external_port: 2222, internal_port: 7001, internal_port_id: vm.vm3.port.id, internal_ip_address: vm.vm3.ip,
    } }, DEMO)).port_forwarding;
    assert.equal(pf.external_port, 2222);
    await waitFor('port forwarding', async () => (await tcp(extNs, fip2.floating_ip_address, 2222)) === `vm3 ${EXT.host}`, 15_000).catch(withLogs);
    assert.equal(await tcp(extNs, fip2.floating_ip_address, 7001), undefined, 'only the forwarded port');
  });

  it('(5) metadata: an instance gets its instance id from the stand-in Nova, through the signing proxy', async () => {
    const curl = (v: { inst: Instance }, path: string) => sh(['ip', 'netns', 'exec', v.inst.ns, 'curl', '-sS', '--max-time', '5', `http://169.254.169.254${path}`]);
    for (const v of [vm.vm1, vm.vm3]) {
      assert.equal(await waitFor('metadata answer', async () => (await curl(v, '/latest/meta-data/instance-id')) || undefined, 15_000).catch(withLogs), v.device);
    }
    const who = JSON.parse(await curl(vm.vm2, '/whoami')) as Record<string, string>;
    assert.equal(who['x-forwarded-for'], vm.vm2.ip);
    assert.equal(who['x-instance-id'], vm.vm2.device);
    assert.equal(who['x-tenant-id'], DEMO);
  });

  it('the agents logged no warning or error while building all of this (no kernel refusal, retried or not)', () => {
    assert.deepEqual(refusals(), []);
  });

  it('(6a) restarting the hosting agent: zero kernel changes, a running ping through the floating IP keeps going', async () => {
    const host = hostOf((await hosting())[0].host);
    const run = startPing(ext, fip1.floating_ip_address);
    await new Promise((r) => setTimeout(r, 500));
    await agents.get(host)!.stop();
    await startAgent(host);
    const line = await waitFor('first full resync of the restarted agent', async () =>
      agents.get(host)!.output().split('\n').find((l) => l.includes('"first full resync done"')), 30_000).catch(withLogs);
    await new Promise((r) => setTimeout(r, 1000));
    const { sent, received } = await run.stop();
    console.log(`# ping ext → FIP across the L3 agent restart: ${received}/${sent}`);
    assert.equal(JSON.parse(line).changes, 0, `restarted agent changed the kernel:\n${agents.get(host)!.output().slice(-4000)}`);
    assert.ok(sent >= 5, `sent ${sent}`);
    assert.equal(received, sent, 'no ping lost');
  });

  it('(6b) the hosting network node dies: the router is rescheduled to the other L3 agent and traffic resumes', async () => {
    const before = (await hosting())[0];
    const [dead, survivor] = before.host === 'host1' ? [h1, h2] : [h2, h1];
    const addr = fip1.floating_ip_address;
    assert.ok(await ping(extNs, addr));
    // Power loss: the agent is killed and the node's links go down (its kernel state stays, unreachable).
    const t0 = Date.now();
    await agents.get(dead)!.kill();
    await dead.ip('link', 'set', 'eth1', 'down');
    await dead.ip('link', 'set', 'ul0', 'down');
    const moved = await waitFor('router rescheduled', async () => { const a = await hosting(); return a[0]?.host === survivor.name ? a[0] : undefined; }, 30_000).catch(withLogs);
    const tMoved = Date.now() - t0;
    await waitFor('FIP answers again', () => ping(extNs, addr, 1), 30_000).catch(withLogs);
    const tFip = Date.now() - t0;
    await waitFor('SNAT again', async () => (await tcp(vm.vm1.inst.ns, EXT.host, 7000)) === `ext ${gwIp}`, 15_000).catch(withLogs);
    const tSnat = Date.now() - t0;
    console.log(`# L3 failover (agent_down_time ${AGENT_DOWN_TIME} s): rescheduled after ${tMoved} ms, FIP traffic after ${tFip} ms, SNAT after ${tSnat} ms`);
    assert.equal(moved.alive, true);
    assert.ok((await survivor.agentNetns()).includes(`qrouter-${router.id}`));
    assert.equal(await tcp(extNs, fip2.floating_ip_address, 2222), `vm3 ${EXT.host}`, 'port forwarding on the new node');
    assert.equal(await tcp(extNs, addr, 7001), `vm2 ${EXT.host}`);
    await waitFor('FIP ACTIVE on the new node', async () => (await fipStatus(fip1.id)) === 'ACTIVE', 15_000).catch(withLogs);
    // The node comes back: its agent removes the stale router before its links return.
    await startAgent(dead);
    await waitFor('stale router pruned', async () => !(await dead.agentNetns()).includes(`qrouter-${router.id}`), 30_000).catch(withLogs);
    await dead.ip('link', 'set', 'eth1', 'up');
    await dead.ip('link', 'set', 'ul0', 'up');
    assert.equal((await hosting())[0].host, survivor.name, 'the router stays where it moved');
    assert.ok(await ping(extNs, addr));
  });
});
