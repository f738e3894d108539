// The reconciler's heartbeats keep [agent] report_interval even when polling_interval is longer
// (found by test/fullstack/l3-server.test.ts: polling 3 s, report 1 s, agent_down_time 3 s made a
// live L3 agent flap to alive=false); a failing report is retried a report interval later, not in a loop.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AgentReport, HostState } from '../../src/hoststate/types.js';
import { defaultDhcpConfig, defaultL2Config, type AgentConfig } from '../../src/agent/config.js';
import { Reconciler, type StageOps } from '../../src/agent/reconciler.js';
import type { HostStateSource } from '../../src/agent/host-state-client.js';

const cfg: AgentConfig = { host: 'h1', l2: defaultL2Config({ localIp: '192.0.2.1' }), dhcp: defaultDhcpConfig() };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const empty: HostState = { host: 'h1', revision: 1, networks: [], ports: [], dhcp: [] };
const ops: StageOps = {
  tap: { stage: 'tap', keyOf: (d) => d.portId, update: async () => 0, delete: async () => 0, prune: async () => 0, status: async () => 'ACTIVE' },
};

class Source implements HostStateSource {
  fetches = 0;
  reports: AgentReport[] = [];
  attempts = 0;
  failReports = false;
  async fetchState(since?: number) {
    this.fetches++;
    return since !== undefined ? 'not-modified' as const : structuredClone(empty);
  }
  async report(r: AgentReport) {
    this.attempts++;
    if (this.failReports) throw new Error('server down');
    this.reports.push(r);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Reconciler heartbeats', () => {
  it('reports every report interval while waiting for a much longer poll, without extra fetches', async () => {
    const src = new Source();
    const r = new Reconciler({ config: cfg, source: src, ops, log: quiet, pollIntervalMs: 10_000, reportIntervalMs: 50 });
    r.start();
    await sleep(420);
    await r.stop();
    assert.equal(src.fetches, 1, 'only the first full fetch: heartbeats do not poll');
    assert.ok(src.reports.length >= 6, `${src.reports.length} heartbeats in 420 ms at a 50 ms interval`);
    assert.ok(src.reports.length <= 10, `${src.reports.length} heartbeats: more than the interval asks`);
  });

  it('a failing report is retried a report interval later, and a hint still wakes the loop at once', async () => {
    const src = new Source();
    src.failReports = true;
    const r = new Reconciler({ config: cfg, source: src, ops, log: quiet, pollIntervalMs: 10_000, reportIntervalMs: 50 });
    r.start();
    await sleep(300);
    assert.ok(src.attempts >= 3 && src.attempts <= 8, `${src.attempts} attempts in 300 ms`);
    const before = src.fetches;
    r.hint();
    await sleep(30);
    assert.equal(src.fetches, before + 1, 'the hint fetched');
    await r.stop();
  });
});
