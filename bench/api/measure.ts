/**
 * Timing of one phase: `count` operations run by `concurrency` workers, each operation timed on its
 * own; the server's resident memory polled while the phase runs.
 */
export interface PhaseResult {
  name: string;
  ops: number;
  concurrency: number;
  seconds: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Highest VmRSS seen while the phase ran (bytes). */
  peakRss: number;
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  // Nearest-rank: the smallest value with at least p% of samples at or below it.
  const rank = Math.max(1, Math.ceil((p / 100) * sortedMs.length));
  return sortedMs[Math.min(rank, sortedMs.length) - 1]!;
}

export async function runPhase(
  name: string,
  count: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
  rss: () => number,
): Promise<PhaseResult> {
  const latencies = new Array<number>(count);
  let next = 0;
  let peakRss = rss();
  const poll = setInterval(() => { peakRss = Math.max(peakRss, rss()); }, 20);
  const started = process.hrtime.bigint();
  const worker = async () => {
    // Bounded: each worker takes the next index until `count` are taken.
    for (let i = next++; i < count; i = next++) {
      const t0 = process.hrtime.bigint();
      await op(i);
      latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } finally {
    clearInterval(poll);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  peakRss = Math.max(peakRss, rss());
  const sorted = latencies.slice().sort((a, b) => a - b);
  return {
    name, ops: count, concurrency, seconds,
    opsPerSecond: count / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    peakRss,
  };
}
