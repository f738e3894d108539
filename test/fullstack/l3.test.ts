/**
 * L3 on the real kernel: host1 is the network node (L2 + L3 agent, router `qrouter-<id>`), host2 the
 * compute node with three instances on two VXLAN project networks; an "external" namespace on the flat
 * external network (br-phys, physnet1 = eth1) plays the upstream router, a client and Nova's metadata API.
 * A stand-in server serves hand-built HostStates with a `routers` section. Proves SNAT, floating IPs
 * (associate, disassociate, re-associate), routing between subnets, an extra route, port forwarding
 * (single port and a shifted range), the metadata proxy's signed requests, and that a restarted agent
 * changes nothing while a ping through a floating IP keeps going. Needs root; skipped otherwise.
 * Run: node --import tsx --test test/fullstack/l3.test.ts
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { HostState, NetworkState, PortState } from '../../src/hoststate/types.js';
import type { RouterState } from '../../src/hoststate/l3.js';
import { defaultDhcpConfig, defaultL2Config, defaultL3Config, type AgentConfig } from '../../src/agent/config.js';
import { metadataPaths } from '../../src/agent/metadata/files.js';
import { FakeServer } from './fake-server.js';
import { fullstackSkipReason, sh, Topology, waitFor, type Instance, type SimHost } from './harness.js';

const skip = (await fullstackSkipReason()) ?? (await sh(['sh', '-c', 'command -v arping && command -v conntrack && command -v nft']).then(() => undefined, () => 'L3 fullstack needs arping, conntrack and nft'));
if (skip) console.log(`# SKIP fullstack L3: ${skip}`);

const REPO = new URL('../../', import.meta.url).pathname;
const ROUTER = '70000000-0000-4000-8000-000000000001';
const PROJECT = 'p0000000000040008000000000000001';
const SECRET = 'nova-shared-secret';
const EXT = { id: 'e0000000-0000-4000-8000-000000000001', subnet: 'e5000000-0000-4000-8000-000000000001', cidr: '203.0.113.0/24', gw: '203.0.113.1' };
const NET_A = { id: 'a0000000-0000-4000-8000-00000000000a', subnet: 'a5000000-0000-4000-8000-00000000000a', cidr: '10.1.0.0/24', gw: '10.1.0.1', vni: 2001 };
const NET_B = { id: 'b0000000-0000-4000-8000-00000000000b', subnet: 'b5000000-0000-4000-8000-00000000000b', cidr: '10.2.0.0/24', gw: '10.2.0.1', vni: 2002 };
const GW_PORT = { id: '90000000-0000-4000-8000-000000000001', mac: 'fa:16:3e:10:00:01', ip: '203.0.113.10', net: EXT };
const QR_A = { id: '1a000000-0000-4000-8000-000000000001', mac: 'fa:16:3e:10:00:0a', ip: NET_A.gw, net: NET_A };
const QR_B = { id: '1b000000-0000-4000-8000-000000000001', mac: 'fa:16:3e:10:00:0b', ip: NET_B.gw, net: NET_B };
const VM1 = { id: 'c1000000-0000-4000-8000-000000000001', mac: 'fa:16:3e:20:00:01', ip: '10.1.0.11', net: NET_A, device: 'instance-0001' };
const VM2 = { id: 'c2000000-0000-4000-8000-000000000002', mac: 'fa:16:3e:20:00:02', ip: '10.1.0.12', net: NET_A, device: 'instance-0002' };
const VM3 = { id: 'c3000000-0000-4000-8000-000000000003', mac: 'fa:16:3e:20:00:03', ip: '10.2.0.13', net: NET_B, device: 'instance-0003' };
const FIP1 = '203.0.113.20';
const FIP2 = '203.0.113.21';
type P = { id: string; mac: string; ip: string; net: { id: string; subnet: string } };

function portState(p: P, owner: string, device = 'dev'): PortState {
  return {
    id: p.id, network_id: p.net.id, mac_address: p.mac, fixed_ips: [{ subnet_id: p.net.subnet, ip_address: p.ip }], admin_state_up: true,
    device_owner: owner, device_id: device, revision_number: 1, port_security_enabled: false, security_groups: [], allowed_address_pairs: [],
  };
}

function vxlanNet(n: typeof NET_A, remoteHost: string, vtep: string, ports: P[]): NetworkState {
  return {
    id: n.id, mtu: 1450, admin_state_up: true, segment: { network_type: 'vxlan', physical_network: null, segmentation_id: n.vni },
    remotes: [{ host: remoteHost, vtep_ip: vtep, ports: ports.map((p) => ({ mac_address: p.mac, ips: [p.ip] })) }],
  };
}

interface Scenario {
  router: boolean;
  fip1?: typeof VM1;
  pf: boolean;
  extraRoute: boolean;
}

function router(s: Scenario): RouterState {
  const fixed = (p: P, n: { subnet: string; cidr: string; gw: string }, gw: string | null) => ({ subnet_id: n.subnet, ip_address: p.ip, cidr: n.cidr, gateway_ip: gw });
  return {
    id: ROUTER, project_id: PROJECT, admin_state_up: true,
    gateway: {
      port_id: GW_PORT.id, mac_address: GW_PORT.mac, network_id: EXT.id, mtu: 1500, enable_snat: true,
      segment: { network_type: 'flat', physical_network: 'physnet1', segmentation_id: null }, fixed_ips: [fixed(GW_PORT, EXT, EXT.gw)],
    },
    interfaces: [QR_A, QR_B].map((p) => ({ port_id: p.id, mac_address: p.mac, network_id: p.net.id, mtu: 1450, fixed_ips: [fixed(p, p.net, p.net.gw)] })),
    routes: s.extraRoute ? [{ destination: '192.168.77.0/24', nexthop: VM2.ip }] : [],
    floating_ips: s.fip1 ? [{ id: 'f1', floating_ip_address: FIP1, fixed_ip_address: s.fip1.ip, port_id: s.fip1.id }] : [],
    port_forwardings: s.pf
      ? [
          { id: 'pf1', floatingip_id: 'f2', floating_ip_address: FIP2, protocol: 'tcp', external_port: 2222, external_port_range: null, internal_port: 7001, internal_port_range: null, internal_ip_address: VM3.ip, internal_port_id: VM3.id },
          { id: 'pf2', floatingip_id: 'f2', floating_ip_address: FIP2, protocol: 'tcp', external_port: null, external_port_range: '3001:3002', internal_port: null, internal_port_range: '7001:7002', internal_ip_address: VM3.ip, internal_port_id: VM3.id },
        ]
      : [],
    metadata: Object.fromEntries([VM1, VM2, VM3].map((v) => [v.ip, { device_id: v.device, project_id: PROJECT }])),
  };
}

function states(s: Scenario): Omit<HostState, 'revision'>[] {
  const extNet: NetworkState = { id: EXT.id, mtu: 1500, admin_state_up: true, segment: { network_type: 'flat', physical_network: 'physnet1', segmentation_id: null }, remotes: [] };
  const h1: Omit<HostState, 'revision'> = s.router
    ? {
        host: 'host1',
        networks: [extNet, vxlanNet(NET_A, 'host2', '192.0.2.2', [VM1, VM2]), vxlanNet(NET_B, 'host2', '192.0.2.2', [VM3])],
        ports: [portState(GW_PORT, 'network:router_gateway', ROUTER), portState(QR_A, 'network:router_interface', ROUTER), portState(QR_B, 'network:router_interface', ROUTER)],
        dhcp: [],
        routers: [router(s)],
      }
    : { host: 'host1', networks: [], ports: [], dhcp: [], routers: [] };
  const h2: Omit<HostState, 'revision'> = {
    host: 'host2',
    networks: [vxlanNet(NET_A, 'host1', '192.0.2.1', s.router ? [QR_A] : []), vxlanNet(NET_B, 'host1', '192.0.2.1', s.router ? [QR_B] : [])],
    ports: [VM1, VM2, VM3].map((v) => portState(v, 'compute:nova', v.device)),
    dhcp: [],
  };
  return [h1, h2];
}

describe('fullstack: L3 router, floating IPs, port forwarding, metadata', { skip }, () => {
  const topo = new Topology();
  const server = new FakeServer();
  const children: ChildProcess[] = [];
  let h1: SimHost, h2: SimHost;
  let vm1: Instance, vm2: Instance, vm3: Instance;
  const extNs = `${topo.prefix}-ext`;
  let scenario: Scenario = { router: true, pf: false, extraRoute: false };
  const publish = (s: Scenario) => {
    scenario = s;
    return server.set(states(s));
  };

  const l3Config = (h: SimHost): AgentConfig => ({
    host: h.name,
    l2: defaultL2Config({ localIp: h.underlayIp, l2Population: true, physicalInterfaceMappings: { physnet1: 'eth1' } }),
    dhcp: defaultDhcpConfig(),
    l3: defaultL3Config({
      enabled: true, stateDir: `${h.stateDir}/l3`, sendArpCount: 1,
      metadata: { ...defaultL3Config().metadata, novaMetadataHost: EXT.gw, novaMetadataPort: 8775, metadataProxySharedSecret: SECRET },
    }),
  });

  /** Starts a peer (l3-peer.ts) inside `ns` and waits until it listens. */
  async function peer(ns: string, ...args: string[]): Promise<void> {
    const c = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', 'test/fullstack/l3-peer.ts', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(c);
    await new Promise<void>((resolve, reject) => {
      c.stdout!.once('data', () => resolve());
      c.once('exit', (code) => reject(new Error(`peer ${args.join(' ')} in ${ns} exited with ${code}`)));
    });
  }

  /** TCP connect from `ns`; the server's answer, or undefined when it did not answer. */
  async function tcp(ns: string, ip: string, port: number): Promise<string | undefined> {
    try {
      return (await sh(['ip', 'netns', 'exec', ns, process.execPath, '--import', 'tsx', `${REPO}test/fullstack/l3-peer.ts`, 'connect', ip, String(port)])).trim();
    } catch {
      return undefined;
    }
  }

  const extPing = async (ip: string) => sh(['ip', 'netns', 'exec', extNs, 'ping', '-c', '2', '-W', '1', '-i', '0.2', ip]).then(() => true, () => false);
  const converged = (rev: number) => async () => {
    const r = server.report('host1', 'L3 agent');
    return r !== undefined && r.observed_revision >= rev && (await h1.stats())?.pending === 0;
  };
  const agentFail = (e: Error) => {
    throw new Error(`${e.message}\n${h1.agentLog().slice(-4000)}`);
  };

  before(async () => {
    await server.start();
    await topo.create(2);
    [h1, h2] = topo.hosts as [SimHost, SimHost];
    // The external host: a namespace on br-phys (the flat external network) with the subnet's gateway address.
    await sh(['ip', 'netns', 'add', extNs]);
    topo.track(extNs);
    await sh(['ip', '-n', topo.underlayNs, 'link', 'add', 'pext', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', extNs]);
    await sh(['ip', '-n', topo.underlayNs, 'link', 'set', 'pext', 'master', 'br-phys', 'up']);
    await sh(['ip', '-n', extNs, '-batch', '-'], `link set lo up\nlink set eth0 up\naddr add ${EXT.gw}/24 dev eth0\n`);
    const rev = publish({ router: true, pf: false, extraRoute: false });
    await h1.startAgent(l3Config(h1), server.url);
    await h2.startAgent({ host: h2.name, l2: defaultL2Config({ localIp: h2.underlayIp, l2Population: true }), dhcp: defaultDhcpConfig() }, server.url);
    for (const [v, name] of [[VM1, 'vm1'], [VM2, 'vm2'], [VM3, 'vm3']] as const) {
      const inst = await topo.plug(h2, name, v.id, v.mac, 1450);
      await topo.address(inst, `${v.ip}/24`);
      await sh(['ip', '-n', inst.ns, 'route', 'add', 'default', 'via', v.net.gw]);
      await peer(inst.ns, 'serve', '7001', name);
      if (name === 'vm1') vm1 = inst;
      else if (name === 'vm2') vm2 = inst;
      else vm3 = inst;
    }
    await peer(extNs, 'serve', '7000', 'ext');
    await peer(extNs, 'nova', '8775', SECRET);
    await waitFor('router converged', converged(rev), 30_000).catch(agentFail);
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await h1?.stopAgent().catch(() => {});
    // The agent leaves metadata proxies running (they outlive restarts): stop ours by their PID files.
    if (h1) {
      const paths = metadataPaths(`${h1.stateDir}/l3`, ROUTER);
      const pid = Number((await readFile(paths.pid, 'utf8').catch(() => '')).trim());
      const cmd = pid ? await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '') : '';
      if (cmd.split('\0').includes(paths.config)) process.kill(pid, 'SIGKILL');
    }
    await topo.destroy();
    await server.stop();
  });

  it('builds qrouter-<id> with qr-/qg- in the bridges, forwarding only inside, and reports no error', async () => {
    const ns = `qrouter-${ROUTER}`;
    assert.ok((await h1.agentNetns()).includes(ns));
    assert.deepEqual(server.report('host1', 'L3 agent')?.errors, []);
    assert.equal((await h1.link(`tap${QR_A.id.slice(0, 11)}`))?.master, `brq${NET_A.id.slice(0, 11)}`);
    assert.equal((await h1.link(`tap${GW_PORT.id.slice(0, 11)}`))?.master, `brq${EXT.id.slice(0, 11)}`);
    assert.equal((await sh(['sysctl', '-n', 'net.ipv4.ip_forward'])).trim(), '0', 'root namespace forwarding untouched');
    assert.equal((await sh(['ip', 'netns', 'exec', h1.ns, 'sysctl', '-n', 'net.ipv4.ip_forward'])).trim(), '0', 'host namespace forwarding untouched');
  });

  it('(1) an instance reaches the external host, which sees the router gateway IP (SNAT)', async () => {
    assert.ok(await topo.ping(vm1, EXT.gw), 'vm1 pings the external host');
    assert.equal(await tcp(vm2.ns, EXT.gw, 7000), `ext ${GW_PORT.ip}`);
  });

  it('(2) a floating IP reaches its instance (ICMP, TCP); gone after disassociation; re-associated reaches the other port', async () => {
    let rev = publish({ ...scenario, fip1: VM1 });
    await waitFor('FIP on vm1', converged(rev)).catch(agentFail);
    assert.ok(await extPing(FIP1), 'external host pings the FIP');
    assert.equal(await tcp(extNs, FIP1, 7001), `vm1 ${EXT.gw}`);
    assert.equal(await tcp(vm1.ns, EXT.gw, 7000), `ext ${FIP1}`, 'outbound traffic of vm1 leaves with its FIP');

    rev = publish({ ...scenario, fip1: undefined });
    await waitFor('FIP removed', converged(rev)).catch(agentFail);
    assert.equal(await extPing(FIP1), false, 'no answer on a disassociated FIP');
    assert.equal(await tcp(extNs, FIP1, 7001), undefined);

    rev = publish({ ...scenario, fip1: VM2 });
    await waitFor('FIP on vm2', converged(rev)).catch(agentFail);
    assert.equal(await tcp(extNs, FIP1, 7001), `vm2 ${EXT.gw}`);
    assert.ok(await extPing(FIP1));
  });

  it('(3) two project subnets reach each other; an extra route via an instance works', async () => {
    assert.ok(await topo.ping(vm1, VM3.ip), 'net A → net B');
    assert.equal(await tcp(vm3.ns, VM1.ip, 7001), `vm1 ${VM3.ip}`, 'no SNAT between attached subnets');
    await sh(['ip', '-n', vm2.ns, 'addr', 'add', '192.168.77.1/32', 'dev', 'lo']);
    assert.equal(await topo.ping(vm3, '192.168.77.1', 1), false, 'unreachable before the extra route');
    const rev = publish({ ...scenario, extraRoute: true });
    await waitFor('extra route', converged(rev)).catch(agentFail);
    assert.ok(await topo.ping(vm3, '192.168.77.1'), 'vm3 reaches 192.168.77.1 via vm2 (extra route)');
  });

  it('(4) TCP port forwarding on a floating IP reaches the inner port (single port and shifted range)', async () => {
    const rev = publish({ ...scenario, pf: true });
    await waitFor('port forwardings', converged(rev)).catch(agentFail);
    assert.equal(await tcp(extNs, FIP2, 2222), `vm3 ${EXT.gw}`);
    assert.equal(await tcp(extNs, FIP2, 3001), `vm3 ${EXT.gw}`, 'external 3001 of range 3001:3002 → internal 7001');
  });

  it('(5) the metadata proxy forwards signed requests to Nova and answers the instance id', async () => {
    const curl = (vm: Instance, path: string) => sh(['ip', 'netns', 'exec', vm.ns, 'curl', '-sS', '--max-time', '5', `http://169.254.169.254${path}`]);
    assert.equal(await waitFor('metadata answer', async () => (await curl(vm1, '/latest/meta-data/instance-id')) || undefined, 10_000), VM1.device);
    assert.equal(await curl(vm3, '/latest/meta-data/instance-id'), VM3.device, 'through the other subnet');
    const who = JSON.parse(await curl(vm2, '/whoami')) as Record<string, string>;
    assert.equal(who['x-forwarded-for'], VM2.ip);
    assert.equal(who['x-tenant-id'], PROJECT);
    assert.equal(who['x-instance-id'], VM2.device);
    // The proxy port is not reachable from outside the router's internal interfaces.
    assert.equal(await tcp(extNs, GW_PORT.ip, 9697), undefined);
  });

  it('(6) a restarted L3 agent changes nothing and a running ping through the FIP loses nothing', async () => {
    const ping = spawn('ip', ['netns', 'exec', extNs, 'ping', '-i', '0.1', '-W', '1', FIP1], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(ping);
    let out = '';
    ping.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((r) => setTimeout(r, 500));
    await h1.stopAgent();
    await h1.startAgent(l3Config(h1), server.url);
    const stats = await waitFor('restarted agent converged', async () => {
      const s = await h1.stats();
      return s && s.fullResyncs >= 1 ? s : undefined;
    });
    await new Promise((r) => setTimeout(r, 1000));
    const exited = new Promise((r) => ping.once('exit', r));
    ping.kill('SIGINT');
    await exited;
    assert.equal(stats.changes, 0, h1.agentLog().slice(-4000));
    const m = /(\d+) packets transmitted, (\d+) received/.exec(out);
    assert.ok(m, out);
    assert.ok(Number(m[1]) >= 10, out);
    assert.equal(m[2], m[1], `no loss: ${m[0]}`);
  });

  it('removing the router deletes its namespace, veths and metadata proxy', async () => {
    const paths = metadataPaths(`${h1.stateDir}/l3`, ROUTER);
    const pid = Number((await readFile(paths.pid, 'utf8')).trim());
    const rev = publish({ router: false, pf: false, extraRoute: false });
    await waitFor('router removed', async () => (await converged(rev)()) && !(await h1.agentNetns()).some((n) => n.startsWith('qrouter-'))).catch(agentFail);
    assert.ok(!(await h1.links()).some((l) => l.ifname === `tap${QR_A.id.slice(0, 11)}`));
    await waitFor('proxy exited', async () => (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')) === '');
  });
});
