/**
 * Timing of one phase: `count` operations run by `concurrency` workers, each operation timed on its
 * own; the server's resident memory polled while the phase runs and its CPU time read before and
 * after. CPU per operation is the figure to compare on a busy machine: wall-clock rates there
 * depend on what else runs, CPU time much less.
 */
export interface ServerProbe {
  /** Resident set size now (bytes). */
  rss(): number;
  /** User + system CPU seconds the server process has used so far (all its threads). */
  cpuSeconds(): number;
}

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
  /** Server CPU milliseconds per operation. */
  cpuMsPerOp: number;
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
  probe: ServerProbe,
): Promise<PhaseResult> {
  const rss = () => probe.rss();
  const latencies = new Array<number>(count);
  let next = 0;
  let peakRss = rss();
  const poll = setInterval(() => { peakRss = Math.max(peakRss, rss()); }, 20);
  const cpuBefore = probe.cpuSeconds();
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
  const cpuMsPerOp = (1000 * (probe.cpuSeconds() - cpuBefore)) / count;
  peakRss = Math.max(peakRss, rss());
  const sorted = latencies.slice().sort((a, b) => a - b);
  return {
    name, ops: count, concurrency, seconds,
    opsPerSecond: count / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    peakRss,
    cpuMsPerOp,
  };
}
