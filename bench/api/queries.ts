/**
 * Where the database time goes: runs the scenario against a server built in this process on SQLite
 * (createServerRuntime, as `nucleon server` does), with better-sqlite3's prepare/run/all timed per
 * SQL text, and prints per phase the statements per request and the costliest statements.
 * Figures here include the instrumentation; use run.ts for throughput.
 *
 *   node --import tsx bench/api/queries.ts [--rev REV | --root DIR] [--top N] [--plans]
 *
 * --plans prints under each listed statement SQLite's query plan when it scans a table (as the
 * database's statistics stand at the end of the phase): a join planned as a scan from statistics
 * taken while a table was small costs a read of the whole table on every request.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ApiClient } from './client.js';
import { runScenario, ISSUE_SIZES, WARMUP_SIZES } from './scenario.js';
import { snapshot, REPO_ROOT } from './snapshot.js';

interface Stat { count: number; prepareMs: number; execMs: number }

const stats = new Map<string, Stat>();
/** The connection each SQL text was prepared on (for --plans). */
const connectionOf = new Map<string, { prepare(sql: string): { all(...a: unknown[]): { detail: string }[] } }>();
let recording = false;

function statOf(sql: string): Stat {
  let stat = stats.get(sql);
  if (!stat) stats.set(sql, (stat = { count: 0, prepareMs: 0, execMs: 0 }));
  return stat;
}

/** SQLite's plan steps of `sql` that scan a table (nulls for its parameters), or [] when none or not a query. */
function scans(sql: string): string[] {
  const db = connectionOf.get(sql);
  if (!db || !/^\s*(select|with)\b/i.test(sql)) return [];
  try {
    const params = new Array(sql.split('?').length - 1).fill(null);
    return db.prepare(`explain query plan ${sql}`).all(...params).map((r) => r.detail).filter((d) => /^SCAN /.test(d) && !/COVERING INDEX/.test(d));
  } catch {
    return [];
  }
}

/** Times prepare per SQL text, and each execution of the statement (also when a cache reuses it). */
function instrument(): void {
  const proto = Database.prototype as unknown as { prepare(sql: string): Record<string, (...a: unknown[]) => unknown> };
  const prepare = proto.prepare;
  proto.prepare = function (this: unknown, sql: string) {
    const t0 = performance.now();
    const stmt = prepare.call(this, sql);
    if (recording) statOf(sql).prepareMs += performance.now() - t0;
    connectionOf.set(sql, this as never);
    for (const method of ['run', 'all', 'get']) {
      const original = stmt[method]!;
      stmt[method] = (...args: unknown[]) => {
        const t1 = performance.now();
        try { return original.apply(stmt, args); } finally {
          if (recording) { const stat = statOf(sql); stat.count++; stat.execMs += performance.now() - t1; }
        }
      };
    }
    return stmt;
  };
}

function shorten(sql: string): string {
  return sql.replace(/\s+/g, ' ').replace(/(\?, )+\?/g, '?…').slice(0, 150);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rev: { type: 'string' }, root: { type: 'string' }, top: { type: 'string', default: '6' }, plans: { type: 'boolean', default: false } } });
  const snap = values.rev ? snapshot(values.rev) : undefined;
  const root = snap?.root ?? values.root ?? REPO_ROOT;
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-bench-q-'));
  instrument();
  const mod = (p: string) => import(pathToFileURL(join(root, 'src', p)).href);
  const { loadConfig, serverOptions } = await mod('config/index.ts');
  const { createServerRuntime } = await mod('cmd/server-runtime.ts');
  const { createNoauth } = await mod('api/identity/noauth.ts');
  const file = join(dir, 'neutron.conf');
  writeFileSync(file, `[DEFAULT]\nauth_strategy = noauth\n[database]\nconnection = sqlite:///${join(dir, 'neutron.db')}\n[quotas]\nquota_network = -1\nquota_subnet = -1\nquota_port = -1\nquota_security_group = -1\nquota_security_group_rule = -1\n[ml2]\ntype_drivers = local,flat,vlan,vxlan\ntenant_network_types = vxlan\nmechanism_drivers = linuxbridge\nextension_drivers = port_security,dns\n[ml2_type_vxlan]\nvni_ranges = 1:100000\n`);
  const runtime = await createServerRuntime(serverOptions(loadConfig({ files: [file] })), {
    logger: false, auth: createNoauth(), defaultDatabase: { dialect: 'sqlite', path: ':memory:' }, migrate: true,
  });
  try {
    await runtime.app.listen({ host: '127.0.0.1', port: 0 });
    const address = runtime.app.server.address() as { port: number };
    const url = `http://127.0.0.1:${address.port}`;
    const probe = { rss: () => process.memoryUsage().rss, cpuSeconds: () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; } };
    const warm = new ApiClient(url, { project: 'bench-warmup', roles: ['member', 'reader'] });
    await runScenario(warm, WARMUP_SIZES, probe);
    warm.close();
    const api = new ApiClient(url, { project: 'bench-project', roles: ['member', 'reader'] });
    await runScenario(api, ISSUE_SIZES, probe, {
      before: () => { stats.clear(); recording = true; },
      after: (r) => {
        recording = false;
        const all = [...stats];
        const n = all.reduce((a, [, s]) => a + s.count, 0);
        const prep = all.reduce((a, [, s]) => a + s.prepareMs, 0);
        const exec = all.reduce((a, [, s]) => a + s.execMs, 0);
        console.log(`\n== ${r.name}: ${r.ops} requests, ${(n / r.ops).toFixed(1)} statements/request, prepare ${(prep / r.ops).toFixed(3)} ms + execute ${(exec / r.ops).toFixed(3)} ms per request (wall ${(1000 * r.seconds / r.ops).toFixed(3)} ms/request)`);
        for (const [sql, s] of all.sort((a, b) => (b[1].prepareMs + b[1].execMs) - (a[1].prepareMs + a[1].execMs)).slice(0, Number(values.top))) {
          console.log(`${String(s.count).padStart(6)}× prep ${s.prepareMs.toFixed(0).padStart(4)} ms exec ${s.execMs.toFixed(0).padStart(5)} ms  ${shorten(sql)}`);
          if (values.plans) for (const step of scans(sql)) console.log(`${' '.repeat(8)}plan: ${step}`);
        }
      },
    });
    api.close();
  } finally {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
    snap?.remove();
  }
}

main().catch((error: unknown) => { console.error(error); process.exitCode = 1; });
