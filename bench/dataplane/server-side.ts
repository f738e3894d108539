/**
 * The server's share of plug → ACTIVE, without a kernel (no root needed): a server built in this
 * process (createServerRuntime on a SQLite file, as `nucleon server`), a fake host1 reporting as an
 * L2 + DHCP agent, N ports bound at once as in run.ts, then what the agent would do: a full
 * GET /internal/hosts/host1/state and one L2 report with N ACTIVE devices. Prints per phase the wall
 * time, SQL statements per request and the costliest statements (better-sqlite3 timed per SQL text).
 *
 *   node --import tsx bench/dataplane/server-side.ts [--ports 100,500] [--top 8]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ApiClient } from '../api/client.js';
import { loadConfig, serverOptions } from '../../src/config/index.js';
import { createServerRuntime } from '../../src/cmd/server-runtime.js';
import { createNoauth } from '../../src/api/identity/noauth.js';

interface Stat { count: number; ms: number }
const stats = new Map<string, Stat>();
let recording = false;

/** Times every execution of a prepared statement per SQL text. */
function instrument(): void {
  const proto = Database.prototype as unknown as { prepare(sql: string): Record<string, (...a: unknown[]) => unknown> };
  const prepare = proto.prepare;
  proto.prepare = function (this: unknown, sql: string) {
    const stmt = prepare.call(this, sql);
    for (const method of ['run', 'all', 'get']) {
      const original = stmt[method]!;
      stmt[method] = (...args: unknown[]) => {
        const t = performance.now();
        try { return original.apply(stmt, args); } finally {
          if (recording) {
            const s = stats.get(sql) ?? stats.set(sql, { count: 0, ms: 0 }).get(sql)!;
            s.count++;
            s.ms += performance.now() - t;
          }
        }
      };
    }
    return stmt;
  };
}

const { values } = parseArgs({ options: { ports: { type: 'string', default: '100,500' }, top: { type: 'string', default: '8' } } });
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

async function phase(name: string, requests: number, fn: () => Promise<void>): Promise<void> {
  stats.clear();
  recording = true;
  const cpu0 = process.cpuUsage();
  const t = performance.now();
  await fn();
  const wall = performance.now() - t;
  const cpu = process.cpuUsage(cpu0);
  recording = false;
  const all = [...stats].sort((a, b) => b[1].ms - a[1].ms);
  const n = all.reduce((a, [, s]) => a + s.count, 0);
  const sqlMs = all.reduce((a, [, s]) => a + s.ms, 0);
  console.log(`\n== ${name}: ${requests} request(s), wall ${wall.toFixed(0)} ms, process CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, `
    + `${(n / requests).toFixed(1)} statements/request, SQL ${sqlMs.toFixed(0)} ms`);
  for (const [sql, s] of all.slice(0, Number(values.top))) {
    console.log(`${String(s.count).padStart(7)}× ${s.ms.toFixed(1).padStart(7)} ms  ${sql.replace(/\s+/g, ' ').replace(/(\?, )+\?/g, '?…').slice(0, 140)}`);
  }
}

instrument();
for (const n of String(values.ports).split(',').map(Number).filter((x) => x > 0)) {
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-bench-dp-'));
  const file = join(dir, 'neutron.conf');
  writeFileSync(file, ['[DEFAULT]', 'auth_strategy = noauth', 'api_workers = 1', 'core_plugin = ml2', 'agent_down_time = 60',
    '[database]', `connection = sqlite:///${join(dir, 'neutron.db')}`, '[quotas]', 'quota_port = -1',
    '[ml2]', 'type_drivers = flat,vxlan', 'tenant_network_types = vxlan', 'mechanism_drivers = linuxbridge,l2population',
    '[ml2_type_vxlan]', 'vni_ranges = 1000:1999'].join('\n') + '\n');
  const runtime = await createServerRuntime(serverOptions(loadConfig({ files: [file] })), {
    logger: false, auth: createNoauth(), defaultDatabase: { dialect: 'sqlite', path: ':memory:' }, migrate: true,
  });
  try {
    await runtime.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(runtime.app.server.address() as { port: number }).port}`;
    const api = new ApiClient(url, { project: 'bench', roles: ['admin', 'member', 'reader'] }, 128);
    const ok = async (method: string, path: string, body?: unknown) => {
      const r = await api.request(method, path, body);
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const agentReport = (type: string, binary: string, topic: string, configurations: object, devices: object[] = [], revision = 0) =>
      ok('POST', '/internal/agents/host1/report', { agent_type: type, binary, topic, configurations, observed_revision: revision, devices, errors: [] });
    const l2 = (devices: object[] = [], revision = 0) => agentReport('Linux bridge agent', 'neutron-linuxbridge-agent', 'N/A',
      { interface_mappings: {}, bridge_mappings: {}, tunneling_ip: '192.0.2.1', tunnel_types: ['vxlan'], l2_population: true, devices: devices.length }, devices, revision);
    await l2();
    await agentReport('DHCP agent', 'neutron-dhcp-agent', 'dhcp_agent', { dhcp_driver: 'neutron.agent.linux.dhcp.Dnsmasq', networks: 0 });
    const network = (await ok('POST', '/v2.0/networks', { network: { name: 'bench' } })).network;
    await ok('POST', '/v2.0/subnets', { subnet: { network_id: network.id, cidr: '10.64.0.0/20', ip_version: 4 } });
    const ports: { id: string }[] = [];
    for (let i = 0; i < n; i += 100) {
      ports.push(...(await ok('POST', '/v2.0/ports', { ports: Array.from({ length: Math.min(100, n - i) }, (_, k) => ({ network_id: network.id, name: `p${i + k}` })) })).ports);
    }
    console.log(`\n######## ${n} ports`);
    const putMs: number[] = [];
    await phase(`bind ${n} ports (PUT binding:host_id, all concurrent)`, n, async () => {
      await Promise.all(ports.map(async (p) => {
        const t = performance.now();
        await ok('PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': 'host1', device_owner: 'compute:nova', device_id: p.id } });
        putMs.push(performance.now() - t);
      }));
    });
    console.log(`PUT latency p50 ${pct(putMs, 50).toFixed(0)} ms p99 ${pct(putMs, 99).toFixed(0)} ms`);
    let revision = 0;
    await phase(`GET /internal/hosts/host1/state (full, ${n} ports) ×5`, 5, async () => {
      for (let i = 0; i < 5; i++) revision = (await ok('GET', '/internal/hosts/host1/state')).revision;
    });
    await phase(`L2 report with ${n} ACTIVE devices`, 1, async () => {
      await l2(ports.map((p) => ({ port_id: p.id, status: 'ACTIVE' })), revision);
    });
    const active = (await ok('GET', `/v2.0/ports?network_id=${network.id}&device_owner=compute:nova&fields=status`)).ports.filter((p: { status: string }) => p.status === 'ACTIVE').length;
    console.log(`ACTIVE after the report: ${active}/${n}`);
    api.close();
  } finally {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
