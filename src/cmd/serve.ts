/**
 * What `nucleon up` and `nucleon server` share: the server runtime plus the operational routes
 * (health, metrics), and listening.
 */
import type { Registry } from 'prom-client';
import type { ServerOptions } from '../config/index.js';
import { createServerRuntime, type ServerParts, type ServerRuntime } from './server-runtime.js';
import { registerHealthcheck } from '../api/health.js';
import { createMetricsRegistry, registerMetrics } from '../api/metrics.js';

/** Served without authentication, in every mode. */
export const OPERATIONAL_PREFIXES = ['/healthcheck', '/metrics'];

export interface ApiServer {
  runtime: ServerRuntime;
  metrics: Registry;
  /** Listens and returns the port actually bound (useful with port 0). */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting, lets requests in flight finish, closes the database. */
  close(): Promise<void>;
}

export interface ApiServerParts extends ServerParts {
  /** Given this server's metrics registry, returns what /metrics serves instead of it (cluster aggregation). */
  metricsCollector?: (registry: Registry) => () => Promise<string>;
}

export async function createApiServer(o: ServerOptions, parts: ApiServerParts): Promise<ApiServer> {
  const runtime = await createServerRuntime(o, {
    ...parts,
    publicPrefixes: [...OPERATIONAL_PREFIXES, ...(parts.publicPrefixes ?? [])],
  });
  // Routes and hooks may still be added: the app is not ready until it listens.
  registerHealthcheck(runtime.app, runtime.store);
  const metrics = createMetricsRegistry();
  registerMetrics(runtime.app, { registry: metrics, collect: parts.metricsCollector?.(metrics) });
  return {
    runtime,
    metrics,
    async listen(host, port) {
      await runtime.app.listen({ host, port });
      const address = runtime.app.server.address();
      return address && typeof address === 'object' ? address.port : port;
    },
    close: () => runtime.close(),
  };
}

/** A host clients on this machine can use to reach a server bound to `bindHost`. */
export function clientHost(bindHost: string): string {
  if (bindHost === '0.0.0.0' || bindHost === '') return '127.0.0.1';
  if (bindHost === '::') return '[::1]';
  return bindHost.includes(':') ? `[${bindHost}]` : bindHost;
}
