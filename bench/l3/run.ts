/**
 * L3 benchmark (issue 4, "Performance"; printed, never asserted): a real `nucleon server` (SQLite,
 * noauth, RabbitMQ hints when 127.0.0.1:5672 answers) and one simulated network node running a real
 * `nucleon agent` with the L2 and L3 roles (test/fullstack harness; root only). An external flat
 * network on br-phys with an "external" host namespace (the upstream) and, through the API, a router
 * with S attached subnets (default 10) and F floating IPs (default 200) associated to ports on them.
 *   scratch (API)   router POST → 10 interfaces → F FIP POSTs (8 concurrent) → kernel converged:
 *                   qrouter namespace, qr- addresses, every FIP on qg- and DNATed in nft; and → every
 *                   FIP ACTIVE through the API
 *   scratch (agent) agent stopped, qrouter namespace + metadata proxy wiped, agent started → converged
 *   restart         agent restarted on the converged host → first full resync; kernel changes (goal 0)
 *   associate       A times (default 20): PUT port_id on a free FIP → first ICMP echo reply at the
 *                   FIP from the external host (ping every 10 ms, started with the PUT), p50/p90
 * Run: node --import tsx bench/l3/run.ts [--fips 200] [--subnets 10] [--assoc 20] [--agent-debug] [--agent-log FILE]
 */
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fullstackSkipReason, sh, Topology, waitFor, type SimHost } from '../../test/fullstack/harness.js';
import { HostProcess, RealServer, writeAgentConfig, type AgentFiles } from '../../test/fullstack/server-harness.js';
import { killMetadataProxies, rabbitUp } from '../../test/fullstack/l3-server-helpers.js';
import { RouterProbe } from './kernel.js';

const { values } = parseArgs({ options: {
  fips: { type: 'string', default: '200' }, subnets: { type: 'string', default: '10' }, assoc: { type: 'string', default: '20' },
  'agent-debug': { type: 'boolean', default: false }, 'agent-log': { type: 'string' },
} });
const FIPS = Number(values.fips);
const SUBNETS = Number(values.subnets);
const ASSOC = Number(values.assoc);
const skip = (await fullstackSkipReason()) ?? (await sh(['sh', '-c', 'command -v arping && command -v conntrack && command -v nft']).then(() => undefined, () => 'needs arping, conntrack and nft'));
if (skip) {
  console.log(`bench/l3 skipped: ${skip}`);
  process.exit(0);
}
const rabbit = await rabbitUp();
const transportUrl = rabbit ? 'rabbit://guest:guest@127.0.0.1:5672/' : undefined;
const PROJECT = 'bench';
const EXT = { cidr: '198.18.0.0/22', host: '198.18.0.1', pool: { start: '198.18.0.10', end: '198.18.3.250' } };

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const since = (t: number) => Math.round(performance.now() - t);

/** Runs fn over items, `n` at a time. */
async function pool<T, R>(items: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

const topo = new Topology();
const server = new RealServer({ dir: '', agentDownTime: 30, transportUrl });
let agent: HostProcess | undefined;
const agents: HostProcess[] = [];
let h: SimHost | undefined;
const extNs = `${topo.prefix}-ext`;
try {
  await topo.create(1);
  h = topo.hosts[0]!;
  (server.c as { dir: string }).dir = `${topo.baseDir}/server`;
  await mkdir(server.c.dir, { recursive: true });
  await server.start();
  // The external host on br-phys (the flat external network), as in test/fullstack/l3-server.test.ts.
  await sh(['ip', 'netns', 'add', extNs]);
  topo.track(extNs);
  await sh(['ip', '-n', topo.underlayNs, 'link', 'add', 'pext', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', extNs]);
  await sh(['ip', '-n', topo.underlayNs, 'link', 'set', 'pext', 'master', 'br-phys', 'up']);
  await sh(['ip', '-n', extNs, '-batch', '-'], `link set lo up\nlink set eth0 up\naddr add ${EXT.host}/22 dev eth0\n`);

  const files: AgentFiles = await writeAgentConfig(h, { serverUrl: server.url, dhcp: false, pollingInterval: 2, transportUrl });
  if (values['agent-debug']) await appendFile(files.neutronConf, '[DEFAULT]\ndebug = true\n');
  const l3Ini = join(h.stateDir, 'l3_agent.ini');
  const mdIni = join(h.stateDir, 'metadata_agent.ini');
  await writeFile(l3Ini, '[DEFAULT]\ninterface_driver = linuxbridge\nagent_mode = legacy\n');
  await writeFile(mdIni, `[DEFAULT]\nnova_metadata_host = ${EXT.host}\nnova_metadata_port = 8775\nmetadata_proxy_shared_secret = bench\n`);
  const argv = ['agent', ...[files.neutronConf, files.agentIni, l3Ini, mdIni].flatMap((f) => ['--config-file', f])];
  const startAgent = async () => {
    const p = new HostProcess(h!);
    await p.start(argv);
    agents.push(p);
    return p;
  };
  agent = await startAgent();
  await waitFor('L2 + L3 agents alive', async () => ((await server.ok('GET', '/v2.0/agents?host=host1')).agents as any[]).filter((a) => a.alive).length === 2, 30_000);

  // Set-up, not measured: the external network, S project networks with F ports (instances
  // elsewhere), one instance plugged on this host for the associate → traffic figure, A free FIPs.
  const ext = (await server.ok('POST', '/v2.0/networks', { network: { name: 'public', 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': 'physnet1' } })).network;
  await server.ok('POST', '/v2.0/subnets', { subnet: { network_id: ext.id, ip_version: 4, cidr: EXT.cidr, gateway_ip: EXT.host, enable_dhcp: false, allocation_pools: [EXT.pool] } });
  await server.ok('PUT', `/v2.0/quotas/${PROJECT}`, { quota: { floatingip: -1, port: -1, router: -1, network: -1, subnet: -1 } });
  const subnets: any[] = [];
  const ports: any[] = [];
  for (let i = 0; i < SUBNETS; i++) {
    const net = (await server.ok('POST', '/v2.0/networks', { network: { name: `n${i}` } }, PROJECT)).network;
    subnets.push((await server.ok('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: `10.${i + 1}.0.0/24`, ip_version: 4, enable_dhcp: false } }, PROJECT)).subnet);
    const n = Math.ceil(FIPS / SUBNETS);
    ports.push(...(await server.ok('POST', '/v2.0/ports', { ports: Array.from({ length: n }, (_, k) => ({ network_id: net.id, name: `p${i}-${k}` })) }, PROJECT)).ports);
  }
  ports.length = FIPS;
  const vmPort = (await server.ok('POST', '/v2.0/ports', { port: { network_id: subnets[0].network_id, name: 'vm', port_security_enabled: false } }, PROJECT)).port;
  const vm = await topo.plug(h, 'vm', vmPort.id, vmPort.mac_address, 1450);
  await sh(['ip', '-n', vm.ns, '-batch', '-'], `addr add ${vmPort.fixed_ips[0].ip_address}/24 dev eth0\nroute add default via ${subnets[0].gateway_ip}\n`);
  await server.ok('PUT', `/v2.0/ports/${vmPort.id}`, { port: { 'binding:host_id': 'host1', device_owner: 'compute:nova', device_id: vmPort.id } });
  await waitFor('instance port ACTIVE', async () => (await server.ok('GET', `/v2.0/ports/${vmPort.id}?fields=status`)).port.status === 'ACTIVE', 30_000);
  const free = await pool(Array.from({ length: ASSOC }, (_, i) => i), 8, async () =>
    (await server.ok('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id } }, PROJECT)).floatingip);

  // 1. From scratch through the API.
  const passesFrom = Date.now();
  const t0 = performance.now();
  const router = (await server.ok('POST', '/v2.0/routers', { router: { name: 'r', external_gateway_info: { network_id: ext.id } } }, PROJECT)).router;
  const routerPostMs = since(t0);
  for (const s of subnets) await server.ok('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: s.id }, PROJECT);
  const interfacesMs = since(t0);
  const fipPutMs: number[] = [];
  const fips = await pool(ports, 8, async (p) => {
    const t = performance.now();
    const f = (await server.ok('POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: p.id } }, PROJECT)).floatingip;
    fipPutMs.push(since(t));
    return f;
  });
  const apiMs = since(t0);
  const addrs = fips.map((f) => f.floating_ip_address as string);
  const probe = new RouterProbe(h, `qrouter-${router.id}`);
  let kernelMs = 0;
  let activeMs = 0;
  await waitFor('router converged and FIPs ACTIVE', async () => {
    if (!kernelMs && RouterProbe.converged(await probe.read(), addrs, SUBNETS)) kernelMs = since(t0);
    if (!activeMs) {
      const list = (await server.ok('GET', `/v2.0/floatingips?router_id=${router.id}&fields=status`, undefined, PROJECT)).floatingips as any[];
      if (list.length === FIPS && list.every((f) => f.status === 'ACTIVE')) activeMs = since(t0);
    }
    return kernelMs > 0 && activeMs > 0;
  }, 180_000, 50);
  const passLines = (from: number) => agent!.output().split('\n').filter((l) => l.includes('"msg":"pass"')).map((l) => JSON.parse(l)).filter((p) => p.time >= from);
  const stageMs = (p: { stageMs?: Record<string, number> }) => Object.entries(p.stageMs ?? {}).filter(([, v]) => v >= 5).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ');
  const fmtPass = (from: number) => (p: any) => `[${p.time - from} ms: ${p.kind} fetch ${p.fetchMs} drain ${p.drainMs} (${p.keys} keys, ${p.changes} changes; ${stageMs(p)}) report ${p.reportMs}]`;
  const scratchPasses = passLines(passesFrom).map(fmtPass(passesFrom));
  console.log(`scratch (API): router POST ${routerPostMs} ms, ${SUBNETS} interfaces done at ${interfacesMs} ms, ${FIPS} FIP POSTs (8 concurrent; p50 ${pct(fipPutMs, 50)} ms, p90 ${pct(fipPutMs, 90)} ms) done at ${apiMs} ms`);
  console.log(`scratch (API): kernel converged (qrouter ns, ${SUBNETS} qr-, ${FIPS} FIPs on qg- and DNATed) at ${kernelMs} ms; all FIPs ACTIVE at ${activeMs} ms after the router POST (goal ≤ 5 s)`);
  console.log(`scratch (API): agent passes ${scratchPasses.join(' ')}`);

  // 2. From scratch for the agent: its kernel state wiped while it was stopped.
  await agent.stop();
  await killMetadataProxies(join(h.stateDir, 'l3'));
  await probe.wipe();
  await rm(join(h.stateDir, 'l3', router.id), { recursive: true, force: true });
  const t1 = performance.now();
  const cold = Date.now();
  agent = await startAgent();
  const coldLine = await waitFor('first full resync', async () => agent!.output().split('\n').find((l) => l.includes('"first full resync done"')), 120_000, 20);
  const coldResyncMs = since(t1);
  await waitFor('kernel converged', async () => RouterProbe.converged(await probe.read(), addrs, SUBNETS), 60_000, 20);
  const coldKernelMs = since(t1);
  console.log(`scratch (agent): agent started on a wiped host → first full resync done ${coldResyncMs} ms (${JSON.parse(coldLine).changes} changes), kernel converged ${coldKernelMs} ms (incl. process start; goal ≤ 5 s); passes ${passLines(cold).map(fmtPass(cold)).join(' ')}`);

  // 3. Restart on the converged host.
  await agent.stop();
  const t2 = performance.now();
  const warm = Date.now();
  agent = await startAgent();
  const line = await waitFor('first full resync', async () => agent!.output().split('\n').find((l) => l.includes('"first full resync done"')), 120_000, 20);
  const restartMs = since(t2);
  console.log(`restart: agent restarted on the converged host → first full resync done ${restartMs} ms (incl. process start) with ${JSON.parse(line).changes} kernel changes (goal 0); passes ${passLines(warm).map(fmtPass(warm)).join(' ')}`);

  // 4. Associate → first packet through, one FIP at a time onto the plugged instance.
  await waitFor('L3 agent idle', async () => passLines(warm).length > 0, 30_000);
  const through: number[] = [];
  const putMs: number[] = [];
  const assocFrom = Date.now();
  for (const f of free) {
    const addr = f.floating_ip_address as string;
    const pinger = spawn('ip', ['netns', 'exec', extNs, 'ping', '-D', '-i', '0.01', '-w', '15', addr], { stdio: ['ignore', 'pipe', 'ignore'] });
    const reply = new Promise<number>((resolve, reject) => {
      let out = '';
      pinger.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /\[(\d+\.\d+)\] \d+ bytes from/.exec(out);
        if (m) resolve(Number(m[1]) * 1000);
      });
      pinger.once('exit', () => reject(new Error(`no reply from ${addr}`)));
    });
    const t = Date.now();
    await server.ok('PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: vmPort.id } }, PROJECT);
    putMs.push(Date.now() - t);
    try {
      through.push(Math.round((await reply) - t));
    } finally {
      pinger.kill('SIGINT');
    }
    await server.ok('PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: null } }, PROJECT);
    await waitFor('FIP removed', async () => !(await probe.read()).qg.has(addr), 30_000, 20);
  }
  const assocPasses = passLines(assocFrom).filter((p) => p.changes > 0).slice(-4).map(fmtPass(assocFrom));
  console.log(`associate → first ping reply through the FIP (${through.length} associations, router with ${FIPS} FIPs): p50 ${pct(through, 50)} ms, p90 ${pct(through, 90)} ms, max ${Math.max(...through)} ms (goal p50 ≤ 500 ms); PUT p50 ${pct(putMs, 50)} ms; last passes ${assocPasses.join(' ')}`);
  console.log(`(${rabbit ? 'RabbitMQ hints' : 'no bus: changes found by the poll'}, polling_interval 2 s; load average ${(await sh(['cat', '/proc/loadavg'])).split(' ').slice(0, 3).join(' ')})`);
} finally {
  // --agent-log FILE: every agent run's whole output (with --agent-debug, every command it ran).
  if (values['agent-log']) await writeFile(values['agent-log'], agents.map((a) => a.output()).join('')).catch(() => {});
  await agent?.stop().catch(() => {});
  if (h) await killMetadataProxies(join(h.stateDir, 'l3')).catch(() => {});
  await topo.destroy();
  await server.stop();
}
