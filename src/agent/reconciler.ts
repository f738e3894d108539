/**
 * The agent's reconciler. It is level-based: it never acts on "what happened", only on the difference
 * between the host's whole desired state (fetched from the server) and the kernel.
 *
 * - Full resync (at start and every `resyncIntervalMs`): fetch the whole HostState, queue every key of
 *   every stage, drain, then prune what we own but is not desired. Nothing is pruned before the first
 *   full fetch succeeded (a failing server must not make the agent tear the host down).
 * - Incremental (on a hint or every `pollIntervalMs`): fetch with `since`; on a newer state queue only
 *   the keys whose desired value changed or disappeared (delete). A test proves it ends where a full
 *   resync does.
 * - Kernel errors are logged with the command and its stderr, reported, and the key is retried with
 *   backoff; the agent never exits on them. Every applied change is counted (`stats().changes`): a
 *   restarted agent on a converged host makes zero.
 */
import type { AgentReport, DeviceReport, HostState, ObjectError } from '../hoststate/types.js';
import { AGENT_TYPE_DHCP, AGENT_TYPE_LINUXBRIDGE } from '../hoststate/types.js';
import { AGENT_TYPE_L3 } from '../hoststate/l3.js';
import type { AgentConfig } from './config.js';
import { changedKeys, desiredFromHostState, STAGES, type Desired, type StageName } from './desired.js';
import type { HostStateSource } from './host-state-client.js';
import type { Ops } from './ops/types.js';
import type { TapDesired } from './ops/taps.js';
import type { DeviceStatus } from '../hoststate/types.js';
import { WorkQueue } from './work-queue.js';

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** The ops per stage; the tap stage also answers each port's status. */
export type StageOps = { [S in StageName]?: Ops<any> } & { tap: Ops<TapDesired> & { status(d: TapDesired): Promise<DeviceStatus> } };

export interface ReconcilerOptions {
  config: AgentConfig;
  source: HostStateSource;
  ops: StageOps;
  log: Logger;
  /** The ops' shared cached kernel view, refreshed at the start of every pass. */
  view?: { invalidate(): void };
  resyncIntervalMs?: number;
  pollIntervalMs?: number;
  reportIntervalMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Called after every loop iteration (tests and metrics read the change count from it). */
  onPass?: (stats: ReconcilerStats) => void;
}

export interface ReconcilerStats {
  changes: number;
  fullResyncs: number;
  incrementals: number;
  appliedRevision: number | undefined;
  pending: number;
  errors: ObjectError[];
}

/** One loop iteration: `poll` = the server had nothing newer (304), only local taps were checked. */
export interface PassStats {
  kind: 'full' | 'incremental' | 'poll';
  fetchMs: number;
  drainMs: number;
  keys: number;
  changes: number;
  reportMs?: number;
}

const ms = (x: number) => Math.round(x * 10) / 10;

type Key = `${StageName}:${string}`;
const keyOf = (stage: StageName, key: string): Key => `${stage}:${key}`;
const splitKey = (k: Key): [StageName, string] => {
  const i = k.indexOf(':');
  return [k.slice(0, i) as StageName, k.slice(i + 1)];
};

export class Reconciler {
  private desired?: Desired;
  private firstFullFetchDone = false;
  private readonly queue: WorkQueue<Key>;
  private readonly errors = new Map<Key, string>();
  private changes = 0;
  private fullResyncs = 0;
  private incrementals = 0;
  private startedAt = new Date().toISOString();
  private stopped = false;
  private wake?: () => void;
  private hinted = false;
  private running?: Promise<void>;
  private lastReportAt = 0;
  private lastReportJson?: string;
  /** What the last fullResync/incremental did and how long its parts took (the `pass` log line). */
  private pass?: PassStats;
  /** Drain time per stage since the last `pass` line. */
  private stageMs: Partial<Record<StageName, number>> = {};

  constructor(private readonly o: ReconcilerOptions) {
    this.queue = new WorkQueue<Key>(o.backoff ?? { baseMs: 500, maxMs: 30_000 });
  }

  stats(): ReconcilerStats {
    return {
      changes: this.changes, fullResyncs: this.fullResyncs, incrementals: this.incrementals,
      appliedRevision: this.desired?.revision, pending: this.queue.size, errors: this.objectErrors(),
    };
  }

  /** Full resync: fetch everything, converge every key, prune. Throws only when the fetch fails. */
  async fullResync(): Promise<void> {
    const t0 = performance.now();
    const state = await this.o.source.fetchState();
    if (state === 'not-modified') throw new Error('server answered 304 to a fetch without since');
    this.fullResyncs++;
    const prev = this.desired;
    this.adopt(state);
    const t1 = performance.now();
    for (const stage of STAGES) for (const key of this.stageMap(stage).keys()) this.queue.add(keyOf(stage, key));
    // Keys gone since the previous render are deleted explicitly; prune catches anything else of ours.
    for (const c of changedKeys(prev, this.desired!)) this.queue.add(keyOf(c.stage, c.key), true);
    const before = this.changes;
    const keys = await this.drain();
    this.firstFullFetchDone = true;
    await this.prune();
    this.pass = { kind: 'full', fetchMs: ms(t1 - t0), drainMs: ms(performance.now() - t1), keys, changes: this.changes - before };
  }

  /** Incremental: fetch what changed since the applied revision and converge only those keys. */
  async incremental(): Promise<void> {
    if (!this.desired) return this.fullResync();
    const t0 = performance.now();
    const state = await this.o.source.fetchState(this.desired.revision);
    if (state !== 'not-modified') {
      this.incrementals++;
      const prev = this.desired;
      this.adopt(state);
      for (const c of changedKeys(prev, this.desired!)) this.queue.add(keyOf(c.stage, c.key), true);
    }
    const t1 = performance.now();
    // Taps appear without any server change (an instance plugs in): poll them like Neutron's agent does.
    for (const portId of this.desired!.tap.keys()) this.queue.add(keyOf('tap', portId));
    const before = this.changes;
    const keys = await this.drain();
    this.pass = { kind: state === 'not-modified' ? 'poll' : 'incremental', fetchMs: ms(t1 - t0), drainMs: ms(performance.now() - t1), keys, changes: this.changes - before };
  }

  /** Processes every due key, in stage order (bridges before the devices enslaved to them). */
  async drain(): Promise<number> {
    this.o.view?.invalidate();
    const due = this.queue.takeDue();
    due.sort((a, b) => STAGES.indexOf(splitKey(a)[0]) - STAGES.indexOf(splitKey(b)[0]));
    for (let i = 0; i < due.length;) {
      const stage = splitKey(due[i]!)[0];
      let j = i;
      while (j < due.length && splitKey(due[j]!)[0] === stage) j++;
      const t = performance.now();
      await this.processStage(stage, due.slice(i, j));
      this.stageMs[stage] = ms((this.stageMs[stage] ?? 0) + performance.now() - t);
      i = j;
    }
    return due.length;
  }

  /**
   * One stage's due keys. Ops with `updateMany` get all updates of the stage at once (one kernel read,
   * one batch instead of two commands per key); when that throws, each key runs alone so the error
   * lands on the key that caused it. Deletes always run one by one.
   */
  private async processStage(stage: StageName, keys: Key[]): Promise<void> {
    const ops = this.o.ops[stage];
    if (!ops) return;
    const map = this.stageMap(stage);
    const updates = ops.updateMany && keys.length > 1 ? keys.filter((k) => map.has(splitKey(k)[1])) : [];
    if (updates.length) {
      try {
        const counts = await ops.updateMany!(updates.map((k) => map.get(splitKey(k)[1])));
        updates.forEach((k, i) => this.succeeded(k, counts[i] ?? 0, 'updated'));
      } catch (err) {
        this.o.log.debug({ stage, keys: updates.length, err: (err as Error).message }, 'batch failed; applying its keys one by one');
        for (const k of updates) await this.process(k);
      }
    }
    const batched = new Set(updates);
    for (const k of keys) if (!batched.has(k)) await this.process(k);
  }

  private succeeded(k: Key, n: number, what: 'updated' | 'deleted'): void {
    const [stage, key] = splitKey(k);
    if (n > 0) this.o.log.info({ stage, key, changes: n }, what);
    this.changes += n;
    this.errors.delete(k);
    this.queue.succeeded(k);
  }

  private async process(k: Key): Promise<void> {
    const [stage, key] = splitKey(k);
    const ops = this.o.ops[stage];
    if (!ops) return;
    const want = this.stageMap(stage).get(key);
    try {
      const n = want !== undefined ? await ops.update(want) : await ops.delete(key);
      this.succeeded(k, n, want !== undefined ? 'updated' : 'deleted');
    } catch (err) {
      const message = (err as Error).message;
      this.errors.set(k, message);
      const retryInMs = this.queue.failed(k);
      this.o.log.warn({ stage, key, err: message, retryInMs }, 'kernel change failed; will retry');
    }
  }

  private async prune(): Promise<void> {
    if (!this.firstFullFetchDone || !this.desired) return;
    // Reverse stage order: release ports and remove DHCP before their bridges go.
    for (const stage of [...STAGES].reverse()) {
      const ops = this.o.ops[stage];
      if (!ops) continue;
      try {
        const n = await ops.prune(new Set(this.stageMap(stage).keys()));
        if (n > 0) this.o.log.info({ stage, changes: n }, 'pruned');
        this.changes += n;
        this.errors.delete(keyOf(stage, '*prune'));
      } catch (err) {
        this.errors.set(keyOf(stage, '*prune'), (err as Error).message);
        this.o.log.warn({ stage, err: (err as Error).message }, 'prune failed; will retry at the next full resync');
      }
    }
  }

  private adopt(state: HostState): void {
    // Errors of keys that are no longer desired clear when their delete succeeds.
    this.desired = desiredFromHostState(state, this.o.config);
  }

  private stageMap(stage: StageName): Map<string, unknown> {
    return (this.desired?.[stage] as Map<string, unknown> | undefined) ?? new Map();
  }

  private objectErrors(): ObjectError[] {
    const out: ObjectError[] = [...(this.desired?.errors ?? [])];
    for (const [k, message] of this.errors) {
      const [kind, key] = splitKey(k);
      out.push({ kind, key, message });
    }
    return out;
  }

  /** Per-port status: ERROR when the port or a device its network needs failed, else from the tap. */
  async deviceReports(): Promise<DeviceReport[]> {
    const d = this.desired;
    if (!d) return [];
    const rendered = new Map(d.errors.map((e) => [`segment:!${e.key}`, e.message]));
    const out: DeviceReport[] = [];
    for (const [portId, tap] of d.tap) {
      const failed = (d.portDeps.get(portId) ?? [])
        .map((dep) => this.errors.get(keyOf(dep.stage, dep.key)) ?? rendered.get(`${dep.stage}:${dep.key}`))
        .find((m) => m !== undefined);
      if (failed) out.push({ port_id: portId, status: 'ERROR', error: failed });
      else out.push({ port_id: portId, status: await this.o.ops.tap.status(tap).catch(() => 'DOWN' as const) });
    }
    return out;
  }

  async buildReports(): Promise<AgentReport[]> {
    const cfg = this.o.config;
    const revision = this.desired?.revision ?? 0;
    const errors = this.objectErrors();
    const devices = await this.deviceReports();
    const l2: AgentReport = {
      host: cfg.host, agent_type: AGENT_TYPE_LINUXBRIDGE, binary: 'neutron-linuxbridge-agent', topic: 'N/A',
      configurations: {
        interface_mappings: cfg.l2.physicalInterfaceMappings, bridge_mappings: {},
        tunneling_ip: cfg.l2.localIp, tunnel_types: cfg.l2.enableVxlan ? ['vxlan'] : [],
        l2_population: cfg.l2.l2Population, devices: devices.length,
      },
      observed_revision: revision, devices, errors: errors.filter((e) => e.kind !== 'dhcp' && e.kind !== 'router'), started_at: this.startedAt,
    };
    const out = [l2];
    if (cfg.l3?.enabled) {
      const routers = [...(this.desired?.router.values() ?? [])].map((d) => d.router);
      out.push({
        host: cfg.host, agent_type: AGENT_TYPE_L3, binary: 'neutron-l3-agent', topic: 'l3_agent',
        configurations: {
          agent_mode: 'legacy', interface_driver: 'linuxbridge', routers: routers.length,
          ex_gw_ports: routers.filter((r) => r.gateway).length,
          interfaces: routers.reduce((n, r) => n + r.interfaces.length, 0),
          floating_ips: routers.reduce((n, r) => n + r.floating_ips.length, 0),
          log_agent_heartbeats: false,
        },
        observed_revision: revision, devices: [], errors: errors.filter((e) => e.kind === 'router'), started_at: this.startedAt,
      });
    }
    if (!cfg.dhcp.enabled) return out;
    const nets = this.desired?.dhcp ?? new Map();
    const dhcp: AgentReport = {
      host: cfg.host, agent_type: AGENT_TYPE_DHCP, binary: 'neutron-dhcp-agent', topic: 'dhcp_agent',
      configurations: {
        dhcp_driver: 'neutron.agent.linux.dhcp.Dnsmasq', dhcp_lease_duration: cfg.dhcp.leaseDuration,
        networks: nets.size, log_agent_heartbeats: false,
      },
      observed_revision: revision, devices: [], errors: errors.filter((e) => e.kind === 'dhcp'), started_at: this.startedAt,
    };
    return [...out, dhcp];
  }

  /** Sends the reports when they changed or the heartbeat is due (`force`: always). */
  async report(force = true): Promise<void> {
    const reports = await this.buildReports();
    const json = JSON.stringify(reports.map((r) => ({ ...r, started_at: undefined })));
    const heartbeatDue = Date.now() - this.lastReportAt >= (this.o.reportIntervalMs ?? 10_000);
    if (!force && !heartbeatDue && json === this.lastReportJson) return;
    for (const r of reports) await this.o.source.report(r);
    this.lastReportAt = Date.now();
    this.lastReportJson = json;
  }

  /**
   * A bus hint arrived: check for a newer state now instead of at the next poll. One that arrives
   * during a pass (nothing asleep to wake) makes the next pass start right after this one; many
   * coalesce into that one pass.
   */
  hint(): void {
    this.hinted = true;
    this.wake?.();
  }

  /** Runs until stop(): full resync (retried until the first succeeds), incrementals, retries, reports. */
  start(): void {
    if (this.running) return;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    const resyncMs = this.o.resyncIntervalMs ?? 60_000;
    const pollMs = this.o.pollIntervalMs ?? 2_000;
    let nextFull = 0;
    let fetchFailures = 0;
    while (!this.stopped) {
      let sleepMs = pollMs;
      this.hinted = false;
      try {
        if (Date.now() >= nextFull) {
          await this.fullResync();
          nextFull = Date.now() + resyncMs;
        } else {
          await this.incremental();
        }
        fetchFailures = 0;
      } catch (err) {
        fetchFailures++;
        sleepMs = Math.min(pollMs * 2 ** Math.min(fetchFailures, 5), 30_000);
        this.o.log.warn({ err: (err as Error).message, retryInMs: sleepMs }, 'fetching host state failed');
      }
      if (this.desired) {
        const t = performance.now();
        await this.report(false).catch((err) => this.o.log.warn({ err: (err as Error).message }, 'report failed'));
        if (this.pass) this.pass.reportMs = ms(performance.now() - t);
      }
      // Where a pass's time went, when it had something to do (idle polls stay quiet).
      if (this.pass && (this.pass.kind !== 'poll' || this.pass.changes > 0)) this.o.log.info({ ...this.pass, stageMs: this.stageMs, revision: this.desired?.revision }, 'pass');
      this.pass = undefined;
      this.stageMs = {};
      this.o.onPass?.(this.stats());
      const retry = this.queue.nextDueIn();
      if (retry !== undefined) sleepMs = Math.min(sleepMs, Math.max(retry, 10));
      // stop() may have come during the pass, while nothing was waiting to be woken.
      if (this.stopped) break;
      // A hint during the pass: its change may have committed after our fetch. (Not while fetches fail.)
      if (this.hinted && fetchFailures === 0) continue;
      await this.idle(sleepMs);
    }
  }

  /**
   * Sleeps until the next poll, a hint or stop(), sending heartbeats on time meanwhile: report_interval
   * is its own period (as Neutron's report loop), so a polling_interval longer than agent_down_time
   * cannot make the server declare a live agent dead. Reports go out between passes only, never
   * while one is applying (its observed revision would run ahead of the kernel).
   */
  private async idle(sleepMs: number): Promise<void> {
    const pollAt = Date.now() + sleepMs;
    const reportMs = this.o.reportIntervalMs ?? 10_000;
    let tried = 0; // a failed report is retried a report interval later, not at once
    while (!this.stopped && !this.hinted) {
      const heartbeatAt = this.desired ? Math.max(this.lastReportAt, tried) + reportMs : Infinity;
      const until = Math.min(pollAt, heartbeatAt) - Date.now();
      if (until > 0) {
        await new Promise<void>((res) => {
          const t = setTimeout(res, until);
          this.wake = () => {
            clearTimeout(t);
            res();
          };
        });
        this.wake = undefined;
      }
      if (this.stopped || this.hinted || Date.now() >= pollAt) return;
      if (Date.now() < heartbeatAt) continue;
      tried = Date.now();
      await this.report(false).catch((err) => this.o.log.warn({ err: (err as Error).message }, 'report failed'));
    }
  }
}
