/**
 * The printed table: per phase, each database's ops/s, p50 and p99, beside the target for a
 * single server process on SQLite and what OpenStack Neutron Zed measured on this machine kind.
 * Figures only: a miss is marked, never asserted.
 */
import { cpus, totalmem, availableParallelism } from 'node:os';
import type { PhaseResult } from './measure.js';
import { PHASES } from './scenario.js';

export interface DbRun {
  db: string;
  phases: PhaseResult[];
  /** VmHWM of the server process at the end of the run (bytes). */
  peakRss: number;
}

/** The targets (ops/s, SQLite, one server process, this 2-core machine). */
export const TARGETS: Record<string, number> = {
  [PHASES.networkCreate]: 1000,
  [PHASES.portCreate]: 2000,
  [PHASES.portList]: 100,
  [PHASES.portShow]: 5000,
  [PHASES.portUpdate]: 2000,
};
export const RSS_TARGET_MB = 150;

/** OpenStack Neutron Zed on this machine kind (2 API workers, MariaDB, Keystone), from the issue. */
export const NEUTRON_ZED: Record<string, string> = {
  [PHASES.networkCreate]: '4.8/s',
  [PHASES.portCreate]: '2.3/s (p50 3.3 s)',
  [PHASES.portList]: '1.2/s',
  [PHASES.portShow]: '65/s',
  [PHASES.portUpdate]: '7/s',
};
export const NEUTRON_ZED_RSS = '~1.2 GB (6 processes)';

const mb = (bytes: number) => bytes / (1024 * 1024);

function num(n: number): string {
  if (n >= 100) return Math.round(n).toString();
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

function table(rows: string[][], rightAligned: Set<number>): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export function machineLine(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${new Date().toISOString()} · ${availableParallelism()} CPUs (${model}) · ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM · node ${process.version}`;
}

export function formatReport(runs: DbRun[]): string {
  const header = ['phase', 'reqs', 'conc'];
  for (const r of runs) header.push(`${r.db} ops/s`, 'p50 ms', 'p99 ms', 'cpu ms/op');
  header.push('target (sqlite)', 'Neutron Zed');
  const rows: string[][] = [header];
  const names = runs[0]?.phases.map((p) => p.name) ?? [];
  for (const name of names) {
    const first = runs[0]!.phases.find((p) => p.name === name)!;
    const row = [name, String(first.ops), String(first.concurrency)];
    const target = TARGETS[name];
    for (const r of runs) {
      const p = r.phases.find((x) => x.name === name);
      if (!p) { row.push('-', '-', '-', '-'); continue; }
      const miss = target !== undefined && r.db === 'sqlite' && p.opsPerSecond < target ? ' (miss)' : '';
      row.push(num(p.opsPerSecond) + miss, num(p.p50Ms), num(p.p99Ms), num(p.cpuMsPerOp));
    }
    row.push(target !== undefined ? `>= ${target}/s` : '', NEUTRON_ZED[name] ?? '');
    rows.push(row);
  }
  const rss = ['server peak RSS (MB)', '', ''];
  for (const r of runs) {
    const miss = r.db === 'sqlite' && mb(r.peakRss) > RSS_TARGET_MB ? ' (miss)' : '';
    rss.push(num(mb(r.peakRss)) + miss, '', '', '');
  }
  rss.push(`<= ${RSS_TARGET_MB} MB`, NEUTRON_ZED_RSS);
  rows.push(rss);
  const right = new Set<number>([1, 2, ...runs.flatMap((_, i) => [3, 4, 5, 6].map((c) => c + 4 * i))]);
  return table(rows, right);
}
