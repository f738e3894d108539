/**
 * Prometheus metrics at `GET /metrics` (public, like Neutron deployments expose them through a
 * sidecar): the default process/Node.js metrics plus an HTTP request counter and a latency
 * histogram labelled by method, route pattern (never the raw URL: ids would explode the label
 * space) and status code. One Registry per app, so several apps in one process (tests) do not clash.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsOptions {
  /** Default: a fresh registry with the default process metrics. */
  registry?: Registry;
  /** Where the metrics are served; default `/metrics`. */
  path?: string;
  /**
   * Replaces the handler's text, e.g. to aggregate over cluster workers
   * (see cmd/cluster.ts); default: this registry's metrics.
   */
  collect?: () => Promise<string>;
}

/** Route label of requests that matched no route (so 404 probes do not add one series per URL). */
export const UNMATCHED_ROUTE = '<unmatched>';

export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Adds the request hooks and the /metrics route; returns the registry used. */
export function registerMetrics(app: FastifyInstance, o: MetricsOptions = {}): Registry {
  const registry = o.registry ?? createMetricsRegistry();
  const path = o.path ?? '/metrics';
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({
    name: 'nucleon_http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry],
  });
  const duration = new Histogram({
    name: 'nucleon_http_request_duration_seconds', help: 'HTTP request latency from arrival to response sent',
    labelNames, registers: [registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });

  app.addHook('onResponse', async (req, reply) => {
    const labels = {
      method: req.method,
      route: req.routeOptions.url ?? UNMATCHED_ROUTE,
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get(path, async (_req, reply) => {
    const text = o.collect ? await o.collect() : await registry.metrics();
    return reply.header('content-type', registry.contentType).send(text);
  });
  return registry;
}
