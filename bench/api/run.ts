/**
 * API benchmark: for each database, one `nucleon server` child process (noauth), a short warm-up
 * in a project of its own, then the issue's scenario driven over keep-alive HTTP from this process.
 *
 *   node --import tsx bench/api/run.ts [--db sqlite|postgres|both] [--json FILE] [--cpu-prof DIR]
 *
 * --cpu-prof DIR starts the server under `node --cpu-prof` and leaves its .cpuprofile in DIR
 * (summarise with bench/api/profile-summary.ts). Figures are printed, never asserted: the exit
 * code says only whether the run itself worked.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApiClient } from './client.js';
import { startServer, type BenchDb } from './server.js';
import { runScenario, ISSUE_SIZES, WARMUP_SIZES } from './scenario.js';
import { formatReport, machineLine, type DbRun } from './report.js';

const USAGE = 'usage: node --import tsx bench/api/run.ts [--db sqlite|postgres|both] [--json FILE] [--cpu-prof DIR]';

async function benchOne(db: BenchDb, profileDir: string | undefined): Promise<DbRun> {
  const nodeFlags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=nucleon-server-${db}-${process.pid}.cpuprofile`] : [];
  const server = await startServer({ db, nodeFlags });
  console.error(`[${db}] server pid ${server.pid} at ${server.url}`);
  try {
    const warm = new ApiClient(server.url, { project: 'bench-warmup', roles: ['member', 'reader'] });
    try {
      await runScenario(warm, WARMUP_SIZES, server.rss);
    } finally {
      warm.close();
    }
    console.error(`[${db}] warmed up, running the scenario`);
    const api = new ApiClient(server.url, { project: 'bench-project', roles: ['member', 'reader'] });
    try {
      const phases = await runScenario(api, ISSUE_SIZES, server.rss);
      for (const p of phases) console.error(`[${db}] ${p.name}: ${p.opsPerSecond.toFixed(1)} ops/s, p50 ${p.p50Ms.toFixed(2)} ms, p99 ${p.p99Ms.toFixed(2)} ms`);
      return { db, phases, peakRss: server.peakRss() };
    } finally {
      api.close();
    }
  } finally {
    await server.stop();
    if (profileDir) console.error(`[${db}] CPU profile in ${profileDir}/nucleon-server-${db}-${process.pid}.cpuprofile`);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { db: { type: 'string', default: 'both' }, json: { type: 'string' }, 'cpu-prof': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) { console.log(USAGE); return 0; }
  const dbs: BenchDb[] = values.db === 'both' ? ['sqlite', 'postgres'] : values.db === 'sqlite' || values.db === 'postgres' ? [values.db] : [];
  if (dbs.length === 0) { console.error(USAGE); return 2; }
  const profileDir = values['cpu-prof'];
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const machine = machineLine();
  const runs: DbRun[] = [];
  for (const db of dbs) runs.push(await benchOne(db, profileDir));
  console.log(`\nNucleon API bench · ${machine}`);
  console.log(`command: node --import tsx bench/api/run.ts ${process.argv.slice(2).join(' ')}`.trimEnd());
  console.log(formatReport(runs));
  if (values.json) writeFileSync(values.json, JSON.stringify({ machine, runs }, null, 2));
  return 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (error: unknown) => { console.error(error instanceof Error ? error.message : error); process.exitCode = 1; },
);
