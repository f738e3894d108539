/**
 * `api_workers` > 1: node:cluster forks N worker processes that share the listening port (the
 * primary accepts and hands connections round-robin). The primary serves nothing itself: it
 * forks, replaces a worker that dies, stops them all on SIGTERM/SIGINT (SIGTERM to each, which
 * then finishes its requests), and answers the workers' requests for cluster-wide metrics so that
 * /metrics on any worker shows the sum over all of them.
 *
 * Workers start one after another (the next is forked once the previous listens): each runs the
 * start-up pool sync in core, which is not safe against a concurrent copy of itself (see the
 * report of the cmd issue); this also makes a broken setup fail once, not N times.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';

const METRICS_REQ = 'nucleon:metrics-req';
const METRICS_RES = 'nucleon:metrics-res';
/** A worker dying within this long of its start is a broken setup (port taken, ...), not bad luck. */
const RESPAWN_DELAY_MS = 1000;

interface MetricsMessage { type: string; id: number; text?: string; error?: string }

export interface PrimaryOptions {
  workers: number;
  log: Logger;
  /** Printed/logged once every worker listens. */
  onReady?: (address: { address: string; port: number }) => void;
}

/** Runs the primary until every worker has stopped; resolves with the exit code. */
export function runPrimary(o: PrimaryOptions): Promise<number> {
  const aggregator = new AggregatorRegistry();
  const everListened = new Set<number>();
  let stopping = false;
  let failed = false;
  let ready = false;

  return new Promise((resolve) => {
    const fork = () => cluster.fork();
    const live = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    const stopAll = (signal: NodeJS.Signals) => { for (const w of live()) w.process.kill(signal); };

    let forked = 0;
    const forkNext = () => { if (!stopping && forked < o.workers) { forked++; fork(); } };

    cluster.on('listening', (worker, address) => {
      const first = !everListened.has(worker.id);
      everListened.add(worker.id);
      o.log.info({ worker: worker.process.pid }, 'worker listening');
      if (first) forkNext();
      if (!ready && everListened.size >= o.workers) {
        ready = true;
        o.onReady?.({ address: address.address ?? '0.0.0.0', port: address.port });
      }
    });
    cluster.on('message', (worker, msg: MetricsMessage) => {
      if (msg?.type !== METRICS_REQ) return;
      aggregator.clusterMetrics().then(
        (text) => worker.send({ type: METRICS_RES, id: msg.id, text }),
        (err: Error) => worker.send({ type: METRICS_RES, id: msg.id, error: err.message }),
      );
    });
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) {
        if (code !== 0) failed = true;
        if (live().length === 0) resolve(failed ? 1 : 0);
        return;
      }
      o.log.error({ worker: worker.process.pid, code, signal }, 'worker exited');
      if (!everListened.has(worker.id)) {
        // It never got to serve: another copy would fail the same way.
        stopping = failed = true;
        o.log.error('a worker failed before listening: stopping');
        stopAll('SIGTERM');
        if (live().length === 0) resolve(1);
        return;
      }
      setTimeout(() => { if (!stopping) fork(); }, RESPAWN_DELAY_MS);
    });

    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        o.log.warn({ signal }, 'second signal: killing workers and exiting');
        stopAll('SIGKILL');
        process.exit(1);
      }
      stopping = true;
      o.log.info({ signal, workers: live().length }, 'stopping workers');
      stopAll('SIGTERM');
      if (live().length === 0) resolve(0);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    o.log.info({ workers: o.workers }, 'starting API workers');
    forkNext();
  });
}

/**
 * In a worker: makes this worker's registry answer the primary's aggregation, and returns the
 * collect function for /metrics that asks the primary for the cluster-wide text.
 */
export function workerMetrics(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's listener that answers the primary's requests.
  new AggregatorRegistry();
  const waiting = new Map<number, (m: MetricsMessage) => void>();
  let seq = 0;
  process.on('message', (m: MetricsMessage) => {
    if (m?.type === METRICS_RES) waiting.get(m.id)?.(m);
  });
  return () => new Promise((resolve, reject) => {
    const id = ++seq;
    const timer = setTimeout(() => { waiting.delete(id); reject(new Error('metrics: no answer from the primary')); }, 5000);
    waiting.set(id, (m) => {
      clearTimeout(timer);
      waiting.delete(id);
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve(m.text ?? '');
    });
    process.send!({ type: METRICS_REQ, id });
  });
}

export const isWorker = () => cluster.isWorker;
