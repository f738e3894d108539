/**
 * The L3 agent never exits on a kernel refusal (issue 4, "Bad input"), on the real kernel (root only):
 * one simulated host (test/fullstack harness: private /run/netns, so qrouter-* namespaces stay private
 * to it) runs an agent process with the L3 role against a stand-in server. Router A's gateway asks
 * for an MTU the kernel refuses ('mtu greater than device maximum'); router B on the same external
 * network is fine. The refusal is reported in the L3 agent's report (`errors`, kind router, key A,
 * with the command's stderr; not in the L2 report), retried with backoff while the agent keeps
 * running and keeps serving B; once the server sends a valid MTU, A converges and its error clears.
 * Run: node --import tsx --test test/agent/ops/routers-refusal.kernel.test.ts
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { HostState, PortState } from '../../../src/hoststate/types.js';
import type { RouterState } from '../../../src/hoststate/l3.js';
import { defaultDhcpConfig, defaultL2Config, defaultL3Config, type AgentConfig } from '../../../src/agent/config.js';
import { FakeServer } from '../../fullstack/fake-server.js';
import { fullstackSkipReason, sh, Topology, waitFor, type SimHost } from '../../fullstack/harness.js';

const skip = (await fullstackSkipReason()) ?? (await sh(['sh', '-c', 'command -v nft']).then(() => undefined, () => 'needs nft'));

const EXT = { id: 'e0000000-0000-4000-8000-00000000000e', subnet: 'e5000000-0000-4000-8000-00000000000e', cidr: '203.0.113.0/24', gw: '203.0.113.1' };
const A = { router: '7a000000-0000-4000-8000-00000000000a', port: '9a000000-0000-4000-8000-00000000000a', mac: 'fa:16:3e:30:00:0a', ip: '203.0.113.10' };
const B = { router: '7b000000-0000-4000-8000-00000000000b', port: '9b000000-0000-4000-8000-00000000000b', mac: 'fa:16:3e:30:00:0b', ip: '203.0.113.11' };
const TOO_BIG = 70_000; // veth's maximum is 65535

function router(r: typeof A, mtu: number): RouterState {
  return {
    id: r.router, project_id: 'p', admin_state_up: true,
    gateway: {
      port_id: r.port, mac_address: r.mac, network_id: EXT.id, mtu, enable_snat: true,
      segment: { network_type: 'flat', physical_network: 'physnet1', segmentation_id: null },
      fixed_ips: [{ subnet_id: EXT.subnet, ip_address: r.ip, cidr: EXT.cidr, gateway_ip: EXT.gw }],
    },
    interfaces: [], routes: [], floating_ips: [], port_forwardings: [], metadata: {},
  };
}

function gwPort(r: typeof A): PortState {
  return {
    id: r.port, network_id: EXT.id, mac_address: r.mac, fixed_ips: [{ subnet_id: EXT.subnet, ip_address: r.ip }], admin_state_up: true,
    device_owner: 'network:router_gateway', device_id: r.router, revision_number: 1, port_security_enabled: false, security_groups: [], allowed_address_pairs: [],
  };
}

function state(mtuA: number): Omit<HostState, 'revision'> {
  return {
    host: 'host1',
    networks: [{ id: EXT.id, mtu: 1500, admin_state_up: true, segment: { network_type: 'flat', physical_network: 'physnet1', segmentation_id: null }, remotes: [] }],
    ports: [gwPort(A), gwPort(B)], dhcp: [], routers: [router(A, mtuA), router(B, 1500)],
  };
}

describe('L3 agent on a kernel refusal: reported, retried, never fatal', { skip }, () => {
  const topo = new Topology();
  const server = new FakeServer();
  let h: SimHost;
  const l3Errors = () => server.report('host1', 'L3 agent')?.errors ?? [];
  const retries = () => h.agentLog().split('\n').filter((l) => l.includes('kernel change failed; will retry') && l.includes(A.router)).length;
  /** IPv4 addresses inside a router's namespace (in the host's private mount namespace). */
  const addrsOf = async (routerId: string) => {
    const holder = Number((await readFile(`${h.stateDir}/holder.pid`, 'utf8')).trim());
    const out = await sh(['nsenter', `--mount=/proc/${holder}/ns/mnt`, 'ip', '-n', `qrouter-${routerId}`, '-4', '-o', 'addr', 'show']).catch(() => '');
    return [...out.matchAll(/inet (\S+)/g)].map((m) => m[1]);
  };
  const fail = (e: Error): never => {
    throw new Error(`${e.message}\n${h.agentLog().slice(-4000)}`);
  };

  before(async () => {
    await server.start();
    await topo.create(1);
    h = topo.hosts[0]!;
    const config: AgentConfig = {
      host: 'host1', dhcp: defaultDhcpConfig(),
      l2: defaultL2Config({ localIp: h.underlayIp, physicalInterfaceMappings: { physnet1: 'eth1' } }),
      // No metadata proxy (no process to clean up) and no gratuitous ARP: only the namespace work.
      l3: defaultL3Config({ enabled: true, stateDir: `${h.stateDir}/l3`, enableMetadataProxy: false, sendArpCount: 0 }),
    };
    server.set([state(TOO_BIG)]);
    await h.startAgent(config, server.url, { resyncIntervalMs: 60_000, pollIntervalMs: 300, reportIntervalMs: 500 });
  });

  after(async () => {
    await h?.stopAgent().catch(() => {});
    await topo.destroy();
    await server.stop();
  });

  it('reports the refusal for router A in the L3 report with the kernel message; the L2 report does not carry it', async () => {
    const err = await waitFor('router error reported', async () => l3Errors().find((e) => e.kind === 'router' && e.key === A.router), 30_000).catch(fail);
    assert.match(err.message, /mtu greater than device maximum/);
    assert.ok(err.message.includes(`: link set tap${A.port.slice(0, 11)} mtu ${TOO_BIG})`), `the refused change is named: ${err.message}`);
    assert.deepEqual(l3Errors().filter((e) => e.key !== A.router), [], 'only router A failed');
    assert.deepEqual((server.report('host1')?.errors ?? []).filter((e) => e.kind === 'router'), []);
  });

  it('keeps serving router B on the same host', async () => {
    await waitFor('router B built', async () => (await addrsOf(B.router)).includes(`${B.ip}/24`), 30_000).catch(fail);
  });

  it('retries router A with backoff and stays up', async () => {
    const first = retries();
    assert.ok(first >= 1);
    await waitFor('another retry', async () => retries() > first, 15_000).catch(fail);
    const stats = await h.stats();
    assert.ok(stats && stats.errors.some((e) => e.key === A.router), 'the running agent still holds the error');
    assert.ok(!h.agentLog().includes('"level":"error"'), 'nothing logged at error level');
  });

  it('converges router A and clears its error once the server sends a valid MTU', async () => {
    const rev = server.set([state(1500)]);
    await waitFor('A converged and reported clean', async () => {
      const r = server.report('host1', 'L3 agent');
      return r !== undefined && r.observed_revision >= rev && r.errors.length === 0 && (await h.stats())?.pending === 0;
    }, 30_000).catch(fail);
    assert.ok((await addrsOf(A.router)).includes(`${A.ip}/24`));
    assert.ok((await addrsOf(B.router)).includes(`${B.ip}/24`));
  });
});
