/**
 * API benchmark: for each database, one `nucleon server` child process (noauth), a short warm-up
 * in a project of its own, then the issue's scenario driven over keep-alive HTTP from this process.
 *
 *   node --import tsx bench/api/run.ts [--db sqlite|postgres|both] [--rev REV | --root DIR] [--runs N] [--json FILE] [--cpu-prof DIR]
 *
 * --rev REV measures a committed revision (unpacked to a temp dir) instead of the working tree:
 * stable while others edit the tree, and the way to compare before/after a change. --root DIR
 * measures another checkout (e.g. an unpacked revision with a patch applied). --runs N repeats
 * the scenario N times on the same server and reports, per phase, the repetition with the median
 * ops/s.
 * --client-malloc default runs the bench client with glibc's own malloc settings instead of
 * re-running it with them tuned (bench/api/client-malloc.ts); the server runs as started either way.
 * --cpu-prof DIR starts the server under `node --cpu-prof` and leaves its .cpuprofile in DIR
 * (summarise with bench/api/profile-summary.ts). Figures are printed, never asserted: the exit
 * code says only whether the run itself worked.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApiClient } from './client.js';
import { startServer, type BenchDb } from './server.js';
import { runScenario, ISSUE_SIZES, WARMUP_SIZES } from './scenario.js';
import type { PhaseResult } from './measure.js';
import { formatReport, machineLine, type DbRun } from './report.js';
import { snapshot, type Snapshot } from './snapshot.js';
import { applyClientMalloc, CLIENT_MALLOC_OPTION } from './client-malloc.js';

const USAGE = 'usage: node --import tsx bench/api/run.ts [--db sqlite|postgres|both] [--rev REV | --root DIR] [--runs N] [--json FILE] [--cpu-prof DIR] [--client-malloc tuned|default]';

/** Per phase, the repetition with the median ops/s (a shared machine is noisy). */
function medianPhases(repeats: PhaseResult[][]): PhaseResult[] {
  return repeats[0]!.map((_, i) => {
    const sorted = repeats.map((r) => r[i]!).sort((a, b) => a.opsPerSecond - b.opsPerSecond);
    return sorted[Math.floor((sorted.length - 1) / 2)]!;
  });
}

async function benchOne(db: BenchDb, runs: number, root: string | undefined, profileDir: string | undefined): Promise<DbRun> {
  // One profile per thread (tsx's loader hooks run in a worker): CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile;
  // the server's own is thread 0.
  const nodeFlags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const server = await startServer({ db, nodeFlags, root });
  console.error(`[${db}] server pid ${server.pid} at ${server.url}`);
  try {
    const warm = new ApiClient(server.url, { project: 'bench-warmup', roles: ['member', 'reader'] });
    try {
      await runScenario(warm, WARMUP_SIZES, server);
    } finally {
      warm.close();
    }
    console.error(`[${db}] warmed up, running the scenario`);
    const repeats: PhaseResult[][] = [];
    for (let k = 0; k < runs; k++) {
      // Each repetition in a project of its own; the previous one deleted everything it made.
      const api = new ApiClient(server.url, { project: `bench-project-${k}`, roles: ['member', 'reader'] });
      try {
        const phases = await runScenario(api, ISSUE_SIZES, server);
        for (const p of phases) console.error(`[${db}#${k + 1}] ${p.name}: ${p.opsPerSecond.toFixed(1)} ops/s, p50 ${p.p50Ms.toFixed(2)} ms, p99 ${p.p99Ms.toFixed(2)} ms, server CPU ${p.cpuMsPerOp.toFixed(2)} ms/op`);
        repeats.push(phases);
      } finally {
        api.close();
      }
    }
    return { db, phases: medianPhases(repeats), peakRss: server.peakRss() };
  } finally {
    await server.stop();
    if (profileDir) console.error(`[${db}] CPU profiles in ${profileDir}/CPU.*.${server.pid}.0.*.cpuprofile (main thread)`);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { db: { type: 'string', default: 'both' }, rev: { type: 'string' }, root: { type: 'string' }, runs: { type: 'string', default: '1' }, json: { type: 'string' }, 'cpu-prof': { type: 'string' }, ...CLIENT_MALLOC_OPTION, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) { console.log(USAGE); return 0; }
  const dbs: BenchDb[] = values.db === 'both' ? ['sqlite', 'postgres'] : values.db === 'sqlite' || values.db === 'postgres' ? [values.db] : [];
  if (dbs.length === 0) { console.error(USAGE); return 2; }
  const repetitions = Number(values.runs);
  if (!Number.isInteger(repetitions) || repetitions < 1 || repetitions > 20) { console.error('--runs takes 1..20'); return 2; }
  const rerun = applyClientMalloc(values['client-malloc']);
  if (rerun) return rerun;
  const profileDir = values['cpu-prof'];
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const machine = machineLine();
  const snap: Snapshot | undefined = values.rev ? snapshot(values.rev) : undefined;
  const runs: DbRun[] = [];
  try {
    for (const db of dbs) runs.push(await benchOne(db, repetitions, snap?.root ?? values.root, profileDir));
  } finally {
    snap?.remove();
  }
  console.log(`\nNucleon API bench · ${machine}${snap ? ` · revision ${snap.commit.slice(0, 10)}` : values.root ? ` · ${values.root}` : ' · working tree'} · client malloc ${values['client-malloc']}`);
  console.log(`command: node --import tsx bench/api/run.ts ${process.argv.slice(2).join(' ')}`.trimEnd());
  console.log(formatReport(runs));
  if (values.json) writeFileSync(values.json, JSON.stringify({ machine, revision: snap?.commit ?? 'working tree', runs }, null, 2));
  return 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (error: unknown) => { console.error(error instanceof Error ? error.message : error); process.exitCode = 1; },
);
