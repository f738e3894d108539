/**
 * Data-plane benchmark (issue 3; printed, never asserted): a real `nucleon server` (SQLite, noauth,
 * RabbitMQ hints when 127.0.0.1:5672 answers) and one simulated host running a real `nucleon agent`
 * (test/fullstack harness; root only). For N ports (default 1, 100, 500) on one VXLAN network:
 *   plug → ACTIVE   from setting binding:host_id (the tap already exists, as after Nova's plug) to
 *                   the port's status ACTIVE, p50/p99 over the N ports plugged concurrently
 *   plug → lease    udhcpc in up to 20 instances right after their plug
 *   one more port   then 10 more ports plugged one at a time on that host: PUT → ACTIVE each
 *   restart         the agent restarted on the converged host: time to its first full resync and
 *                   the kernel changes it made (goal 0)
 * Run: node --import tsx bench/dataplane/run.ts [--ports 1,100,500] [--agent-debug]
 */
import { appendFile, mkdir } from 'node:fs/promises';
import net from 'node:net';
import { parseArgs } from 'node:util';
import { fullstackSkipReason, Topology, waitFor, type Instance } from '../../test/fullstack/harness.js';
import { RealServer, startAgent, writeAgentConfig } from '../../test/fullstack/server-harness.js';

const { values } = parseArgs({ options: { ports: { type: 'string', default: '1,100,500' }, 'agent-debug': { type: 'boolean', default: false } } });
const sizes = String(values.ports).split(',').map(Number).filter((n) => n > 0);
const skip = await fullstackSkipReason();
if (skip) {
  console.log(`bench/dataplane skipped: ${skip}`);
  process.exit(0);
}

const rabbit = await new Promise<boolean>((resolve) => {
  const s = net.connect(5672, '127.0.0.1');
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});
const transportUrl = rabbit ? 'rabbit://guest:guest@127.0.0.1:5672/' : undefined;

const SINGLES = 10;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

for (const n of sizes) {
  const topo = new Topology();
  const server = new RealServer({ dir: '', agentDownTime: 30, transportUrl });
  let agent: Awaited<ReturnType<typeof startAgent>> | undefined;
  try {
    await topo.create(1);
    const h = topo.hosts[0]!;
    (server.c as { dir: string }).dir = `${topo.baseDir}/server`;
    await mkdir(server.c.dir, { recursive: true });
    await server.start();
    const files = await writeAgentConfig(h, { serverUrl: server.url, dhcp: true, pollingInterval: 2, transportUrl });
    // --agent-debug: the agent logs every command it runs (with NUCLEON_FULLSTACK_DEBUG=1 to see them).
    if (values['agent-debug']) await appendFile(files.neutronConf, '[DEFAULT]\ndebug = true\n');
    agent = await startAgent(h, files);
    await waitFor('agent alive', async () => ((await server.ok('GET', '/v2.0/agents?host=host1')).agents as any[]).length >= 2, 30_000);
    const network = (await server.ok('POST', '/v2.0/networks', { network: { name: 'bench' } })).network;
    await server.ok('PUT', `/v2.0/quotas/${network.project_id}`, { quota: { port: -1 } }); // default quota_port is 500
    await server.ok('POST', '/v2.0/subnets', { subnet: { network_id: network.id, cidr: '10.64.0.0/20', ip_version: 4 } });
    const ports: any[] = [];
    for (let i = 0; i < n; i += 100) {
      const bodies = Array.from({ length: Math.min(100, n - i) }, (_, k) => ({ network_id: network.id, name: `p${i + k}` }));
      ports.push(...(await server.ok('POST', '/v2.0/ports', { ports: bodies })).ports);
    }
    // The host is settled before anything binds (as when Nova plugs into an existing network): its
    // DHCP port is up, so the figures below are the ports' own.
    await waitFor('DHCP port ACTIVE', async () => ((await server.ok('GET', `/v2.0/ports?network_id=${network.id}&device_owner=network:dhcp`)).ports as any[])
      .some((p) => p.status === 'ACTIVE'), 60_000, 50);
    const instances: Instance[] = [];
    for (const [i, p] of ports.entries()) instances.push(await topo.plug(h, `i${i}`, p.id, p.mac_address, network.mtu));
    // Bind all at once (what Nova does after plugging), then watch statuses.
    const start = new Map<string, number>();
    const bindStart = Date.now();
    const putMs: number[] = [];
    await Promise.all(ports.map(async (p) => {
      start.set(p.id, Date.now());
      await server.ok('PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': 'host1', device_owner: 'compute:nova', device_id: p.id } });
      putMs.push(Date.now() - start.get(p.id)!);
    }));
    const putsDoneMs = Date.now() - bindStart;
    const activeMs = new Map<string, number>();
    await waitFor('all ports ACTIVE', async () => {
      const list = (await server.ok('GET', `/v2.0/ports?network_id=${network.id}&device_owner=compute:nova&fields=id&fields=status`)).ports as any[];
      for (const p of list) if (p.status === 'ACTIVE' && !activeMs.has(p.id)) activeMs.set(p.id, Date.now() - start.get(p.id)!);
      return activeMs.size === ports.length;
    }, 120_000, 50);
    const act = [...activeMs.values()];
    // Server side: one full render of the host's state, and the agent's passes while binding.
    const renderMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await server.ok('GET', '/internal/hosts/host1/state');
      renderMs.push(Math.round(performance.now() - t));
    }
    const stageMs = (p: { stageMs?: Record<string, number> }) => Object.entries(p.stageMs ?? {}).filter(([, v]) => v >= 5).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ');
    const passes = agent.output().split('\n').filter((l) => l.includes('"msg":"pass"')).map((l) => JSON.parse(l))
      .filter((p) => p.time >= bindStart);
    const leases: number[] = [];
    for (const inst of instances.slice(0, 20)) {
      const t = Date.now();
      await topo.dhcp(inst);
      leases.push(Date.now() - t);
    }
    // Steady state: one more instance at a time on the host that now has N ports (what a user booting
    // an instance sees), PUT → ACTIVE polled every 10 ms.
    const single: number[] = [];
    for (let i = 0; i < SINGLES; i++) {
      const p = (await server.ok('POST', '/v2.0/ports', { port: { network_id: network.id, name: `s${i}` } })).port;
      await topo.plug(h, `s${i}`, p.id, p.mac_address, network.mtu);
      const t = Date.now();
      await server.ok('PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': 'host1', device_owner: 'compute:nova', device_id: p.id } });
      await waitFor('port ACTIVE', async () => (await server.ok('GET', `/v2.0/ports/${p.id}?fields=status`)).port.status === 'ACTIVE', 30_000, 10);
      single.push(Date.now() - t);
    }
    const singlePasses = agent.output().split('\n').filter((l) => l.includes('"msg":"pass"')).map((l) => JSON.parse(l)).slice(-2 * SINGLES)
      .filter((p) => p.changes > 0).map((p) => `[fetch ${p.fetchMs} drain ${p.drainMs} (${stageMs(p)}) report ${p.reportMs}]`);
    await agent.stop();
    const t0 = Date.now();
    agent = await startAgent(h, files);
    const line = await waitFor('first full resync', async () => agent!.output().split('\n').find((l) => l.includes('"first full resync done"')), 120_000, 50);
    const restartMs = Date.now() - t0;
    const changes = JSON.parse(line).changes as number;
    console.log(`ports ${String(n).padStart(4)}: binding PUTs (${n} concurrent) done after ${putsDoneMs} ms (PUT p50 ${pct(putMs, 50)} ms) | `
      + `GET host state (full render) p50 ${pct(renderMs, 50)} ms | agent passes during binding: `
      + passes.map((p) => `[${p.time - bindStart} ms: ${p.kind} fetch ${p.fetchMs} drain ${p.drainMs} (${p.keys} keys, ${p.changes} changes; ${stageMs(p)}) report ${p.reportMs}]`).join(' '));
    console.log(`ports ${String(n).padStart(4)}: one more port at a time on this host (${SINGLES} ports): plug→ACTIVE p50 ${pct(single, 50)} ms max ${Math.max(...single)} ms; its last passes ${singlePasses.slice(-4).join(' ')}`);
    console.log(`ports ${String(n).padStart(4)}: plug→ACTIVE p50 ${pct(act, 50)} ms p99 ${pct(act, 99)} ms (target p50 ≤ 300 ms; agent polling_interval 2 s, ${rabbit ? 'RabbitMQ hints' : 'no bus: found by the poll'}) | `
      + `DHCP lease (udhcpc, ${leases.length} instances) p50 ${pct(leases, 50)} ms | restart → converged ${restartMs} ms (incl. process start; target ≤ 10 s at 500) with ${changes} kernel changes (goal 0)`);
  } finally {
    await agent?.stop().catch(() => {});
    await topo.destroy();
    await server.stop();
  }
}
