/**
 * Runs one host's agent (all its roles in one reconciler) for `nucleon agent` and `nucleon up
 * --agents`: the host-state source (HTTP with credentials, or the in-process core), hints from the
 * bus topic `host.<host>` waking the reconciler, timings from [agent], and a clean stop that leaves
 * the data plane in place.
 */
import type { AgentReport, HostState } from '../hoststate/types.js';
import type { Bus } from '../bus/bus.js';
import type { AgentConfig } from '../agent/config.js';
import { createAgent } from '../agent/agent.js';
import { startMetadataRelay, type MetadataRelay } from '../agent/metadata/relay.js';
import { HttpError, HttpHostStateClient, type HostStateSource } from '../agent/host-state-client.js';
import type { Logger, Reconciler, ReconcilerOptions } from '../agent/reconciler.js';
import type { ApiSession } from './os-auth.js';

export interface AgentTimings {
  /** [agent] polling_interval (s): incremental checks (a 304 when nothing changed) and local device polls. */
  pollingInterval: number;
  /** [agent] report_interval (s): heartbeats. */
  reportInterval: number;
  /** Full resync period (s); default 30 × polling_interval, at least 10. */
  resyncInterval?: number;
}

export interface RunAgentOptions {
  config: AgentConfig;
  source: HostStateSource;
  log: Logger;
  timings: AgentTimings;
  bus?: Pick<Bus, 'subscribe'>;
  hostNetns?: string;
  onPass?: ReconcilerOptions['onPass'];
}

export interface RunningAgent {
  reconciler: Reconciler;
  /** Stops the loop and the subscription; kernel state stays as it is. */
  stop(): Promise<void>;
}

export async function runAgent(o: RunAgentOptions): Promise<RunningAgent> {
  const t = o.timings;
  const reconciler = createAgent({
    config: o.config, source: o.source, log: o.log, hostNetns: o.hostNetns,
    timings: {
      pollIntervalMs: t.pollingInterval * 1000,
      reportIntervalMs: t.reportInterval * 1000,
      resyncIntervalMs: (t.resyncInterval ?? Math.max(10, 30 * t.pollingInterval)) * 1000,
      onPass: o.onPass,
    },
  });
  // The DHCP namespaces' metadata proxies reach Nova through this socket (agent/metadata/relay.ts).
  const dhcp = o.config.dhcp;
  let relay: MetadataRelay | undefined;
  if (dhcp.enabled && (dhcp.enableIsolatedMetadata || dhcp.forceMetadata)) {
    relay = await startMetadataRelay({ socket: dhcp.metadataProxySocket, host: dhcp.metadata.novaMetadataHost, port: dhcp.metadata.novaMetadataPort }, o.log);
  }
  let unsubscribe: (() => Promise<void>) | undefined;
  if (o.bus) {
    // Resolves once registered; with a broker down the subscription is bound on reconnect.
    unsubscribe = await o.bus.subscribe(`host.${o.config.host}`, () => reconciler.hint());
  }
  reconciler.start();
  o.log.info({ host: o.config.host, roles: roleNames(o.config), bus: !!o.bus }, 'agent started');
  return {
    reconciler,
    async stop() {
      await unsubscribe?.().catch(() => {});
      await reconciler.stop();
      await relay?.close();
      o.log.info({ host: o.config.host }, 'agent stopped; data plane left in place');
    },
  };
}

export function roleNames(c: AgentConfig): string[] {
  return ['l2', ...(c.dhcp.enabled ? ['dhcp'] : []), ...(c.l3?.enabled ? ['l3'] : [])];
}

/** HTTP source with the session's credentials; a 401 drops the token and retries once. */
export async function httpSource(session: ApiSession, host: string): Promise<HostStateSource> {
  const client = new HttpHostStateClient({ baseUrl: await session.endpoint(), host, headers: () => session.headers() });
  const retry401 = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 401) || !session.auth.password) throw err;
      session.invalidate();
      return fn();
    }
  };
  return {
    fetchState: (since) => retry401(() => client.fetchState(since)),
    report: (r) => retry401(() => client.report(r)),
  };
}

/** What the in-process source needs from the server's core (wired by `nucleon up --agents`). */
export interface InProcessCore {
  readState(host: string, since?: number): Promise<HostState | 'not-modified'>;
  report(host: string, report: unknown): Promise<unknown>;
}

/** Host state straight from the core; a JSON round trip keeps the agent's copy its own, as over HTTP. */
export function inProcessSource(core: InProcessCore, host: string): HostStateSource {
  return {
    async fetchState(since) {
      const s = await core.readState(host, since);
      return s === 'not-modified' ? s : (JSON.parse(JSON.stringify(s)) as HostState);
    },
    async report(r: AgentReport) {
      await core.report(host, JSON.parse(JSON.stringify(r)));
    },
  };
}
