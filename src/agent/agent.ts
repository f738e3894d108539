/**
 * Builds one agent from plain values: runner → shared link view → ops per stage → reconciler.
 * The `nucleon agent` command (src/cmd) maps config files to AgentConfig and calls this.
 */
import type { AgentConfig } from './config.js';
import type { HostStateSource } from './host-state-client.js';
import { createRunner, type Runner } from './linux/exec.js';
import { BridgeOps } from './ops/bridges.js';
import { DhcpOps } from './ops/dhcp.js';
import { FdbOps } from './ops/fdb.js';
import { RouterOps } from './ops/routers.js';
import { FirewallOps } from './ops/firewall.js';
import { SegmentOps } from './ops/segments.js';
import { TapOps } from './ops/taps.js';
import { LinkView } from './ops/types.js';
import { Reconciler, type Logger, type ReconcilerOptions } from './reconciler.js';

export interface CreateAgentOptions {
  config: AgentConfig;
  source: HostStateSource;
  log: Logger;
  /** Path of the host's network namespace file for a simulated host; undefined on a real host. */
  hostNetns?: string;
  /** A ready runner (tests); default: createRunner({hostNetns}). */
  runner?: Runner;
  timings?: Pick<ReconcilerOptions, 'resyncIntervalMs' | 'pollIntervalMs' | 'reportIntervalMs' | 'backoff' | 'onPass'>;
}

export function createAgent(o: CreateAgentOptions): Reconciler {
  const runner = o.runner ?? createRunner({ hostNetns: o.hostNetns, onCommand: (argv) => o.log.debug({ argv }, 'exec') });
  const view = new LinkView(runner);
  const ops = {
    bridge: new BridgeOps(runner, view),
    segment: new SegmentOps(runner, view, o.config.l2),
    tap: new TapOps(runner, view),
    fdb: new FdbOps(runner, view),
    firewall: new FirewallOps(runner, view),
    ...(o.config.dhcp.enabled ? { dhcp: new DhcpOps(runner, view, o.config.dhcp, o.log) } : {}),
    ...(o.config.l3?.enabled ? { router: new RouterOps(runner, view, o.config.l3, o.log) } : {}),
  };
  return new Reconciler({ config: o.config, source: o.source, ops, log: o.log, view, ...o.timings });
}
