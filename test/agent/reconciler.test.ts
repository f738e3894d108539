import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AgentReport, HostState } from '../../src/hoststate/types.js';
import { defaultDhcpConfig, defaultL2Config, type AgentConfig } from '../../src/agent/config.js';
import { Reconciler, type StageOps } from '../../src/agent/reconciler.js';
import type { HostStateSource } from '../../src/agent/host-state-client.js';
import type { Ops } from '../../src/agent/ops/types.js';
import { WorkQueue } from '../../src/agent/work-queue.js';

/** A model kernel: stage:key → desired value last applied. */
type Kernel = Map<string, string>;

/** `batch`: the tap stage also has updateMany, applying in order and throwing at the first failure (as `ip -batch`). */
function fakeOps(kernel: Kernel, failing: Set<string> = new Set(), batch?: { calls: number }): StageOps {
  const make = (stage: string, keyOf: (d: any) => string): Ops<any> => ({
    stage,
    keyOf,
    async update(d) {
      const k = `${stage}:${keyOf(d)}`;
      if (failing.has(k)) throw new Error(`kernel says no to ${k}`);
      const v = JSON.stringify(d);
      if (kernel.get(k) === v) return 0;
      kernel.set(k, v);
      return 1;
    },
    async delete(key) {
      return kernel.delete(`${stage}:${key}`) ? 1 : 0;
    },
    async prune(keys) {
      let n = 0;
      for (const k of [...kernel.keys()]) if (k.startsWith(`${stage}:`) && !keys.has(k.slice(stage.length + 1))) n += kernel.delete(k) ? 1 : 0;
      return n;
    },
  });
  const tap = make('tap', (d) => d.portId);
  if (batch) {
    tap.updateMany = async (ds) => {
      batch.calls++;
      const out: number[] = [];
      for (const d of ds) out.push(await tap.update(d));
      return out;
    };
  }
  return {
    bridge: make('bridge', (d) => d.networkId),
    segment: make('segment', (d) => d.name),
    fdb: make('fdb', (d) => d.device),
    dhcp: make('dhcp', (d) => d.network.network_id),
    tap: { ...tap, status: async (d) => (kernel.has(`tap:${d.portId}`) ? 'ACTIVE' : 'DOWN') },
  };
}

class Source implements HostStateSource {
  reports: AgentReport[] = [];
  fail = false;
  constructor(public state: HostState) {}
  async fetchState(since?: number) {
    if (this.fail) throw new Error('server down');
    return since !== undefined && since >= this.state.revision ? 'not-modified' : structuredClone(this.state);
  }
  async report(r: AgentReport) {
    this.reports.push(r);
  }
}

const cfg: AgentConfig = {
  host: 'h1',
  l2: defaultL2Config({ localIp: '192.0.2.1', l2Population: true, physicalInterfaceMappings: { physnet1: 'eth1' } }),
  dhcp: defaultDhcpConfig({ enabled: true, stateDir: '/x' }),
};
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A small universe of networks and ports to draw host states from. */
function hostState(revision: number, nets: number[], ports: [number, number, boolean][], remotes: number[], dhcp: number[]): HostState {
  const netId = (i: number) => `net-${i}`;
  const present = new Set(nets);
  return {
    host: 'h1', revision,
    networks: nets.map((i) => ({
      id: netId(i), mtu: 1400 + i, admin_state_up: true,
      segment: i % 3 === 0
        ? { network_type: 'flat', physical_network: 'physnet1', segmentation_id: null }
        : { network_type: 'vxlan', physical_network: null, segmentation_id: 100 + i },
      remotes: remotes.map((r) => ({ host: `h${r}`, vtep_ip: `192.0.2.${r}`, ports: [{ mac_address: `fa:16:3e:00:0${i}:0${r}`, ips: [`10.${i}.0.${r}`] }] })),
    })),
    ports: ports.filter(([, n]) => present.has(n)).map(([p, n, up]) => ({
      id: `port-${p}`, network_id: netId(n), mac_address: `fa:16:3e:00:00:${p}`, fixed_ips: [], admin_state_up: up, device_owner: 'compute:nova',
      device_id: 'vm', revision_number: revision, port_security_enabled: true, security_groups: [], allowed_address_pairs: [],
    })),
    dhcp: dhcp.filter((n) => present.has(n)).map((n) => ({
      network_id: netId(n), mtu: 1400, port: { id: `dhcp-${n}`, mac_address: 'fa:16:3e:ff:ff:ff', fixed_ips: [] }, subnets: [], hosts: [],
    })),
  };
}

const arbState = fc.tuple(
  fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 4 }),
  fc.uniqueArray(fc.tuple(fc.integer({ min: 10, max: 19 }), fc.integer({ min: 1, max: 6 }), fc.boolean()), { maxLength: 6, selector: (t) => t[0] }),
  fc.uniqueArray(fc.integer({ min: 2, max: 4 }), { maxLength: 3 }),
  fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 2 }),
);

describe('Reconciler', () => {
  it('incremental updates end in the same kernel state as a full resync (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbState, { minLength: 1, maxLength: 6 }), async (seq) => {
        const kernel: Kernel = new Map();
        const src = new Source(hostState(1, ...seq[0]!));
        const inc = new Reconciler({ config: cfg, source: src, ops: fakeOps(kernel), log: quiet });
        await inc.fullResync();
        for (const [i, s] of seq.slice(1).entries()) {
          src.state = hostState(i + 2, ...s);
          await inc.incremental();
        }
        // A full resync on top of the incremental result changes nothing...
        const before = inc.stats().changes;
        await inc.fullResync();
        assert.equal(inc.stats().changes, before);
        // ...and equals what a full resync from an empty kernel builds.
        const fresh: Kernel = new Map();
        await new Reconciler({ config: cfg, source: src, ops: fakeOps(fresh), log: quiet }).fullResync();
        assert.deepEqual(new Map([...kernel].sort()), new Map([...fresh].sort()));
      }),
      { numRuns: 150 },
    );
  });

  it('batched tap updates (updateMany) end where per-key updates do (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbState, { minLength: 1, maxLength: 6 }), async (seq) => {
        const [batched, single]: Kernel[] = [new Map(), new Map()];
        const calls = { calls: 0 };
        const src = new Source(hostState(1, ...seq[0]!));
        const a = new Reconciler({ config: cfg, source: src, ops: fakeOps(batched, new Set(), calls), log: quiet });
        const b = new Reconciler({ config: cfg, source: src, ops: fakeOps(single), log: quiet });
        await a.fullResync();
        await b.fullResync();
        for (const [i, s] of seq.slice(1).entries()) {
          src.state = hostState(i + 2, ...s);
          await a.incremental();
          await b.incremental();
        }
        assert.deepEqual(new Map([...batched].sort()), new Map([...single].sort()));
        assert.equal(a.stats().changes, b.stats().changes);
      }),
      { numRuns: 100 },
    );
  });

  it('a failing batch falls back to one key at a time: the error lands on its port, the others converge', async () => {
    const kernel: Kernel = new Map();
    const calls = { calls: 0 };
    const src = new Source(hostState(2, [1], [[10, 1, true], [11, 1, true], [12, 1, true]], [], []));
    const r = new Reconciler({ config: cfg, source: src, ops: fakeOps(kernel, new Set(['tap:port-11']), calls), log: quiet });
    await r.fullResync();
    assert.equal(calls.calls, 1);
    assert.deepEqual(r.stats().errors.map((e) => [e.kind, e.key]), [['tap', 'port-11']]);
    assert.ok(kernel.has('tap:port-10') && kernel.has('tap:port-12'));
    const [l2] = await r.buildReports();
    assert.deepEqual(l2!.devices.map((d) => [d.port_id, d.status]), [['port-10', 'ACTIVE'], ['port-11', 'ERROR'], ['port-12', 'ACTIVE']]);
  });

  it('a hint arriving during a pass starts the next pass right after it, not a poll interval later', async () => {
    const kernel: Kernel = new Map();
    const src = new Source(hostState(1, [1], [[10, 1, true]], [], []));
    let fetches = 0;
    let inPass!: () => void;
    const passStarted = new Promise<void>((res) => { inPass = res; });
    const slow = Object.assign(Object.create(src), {
      async fetchState(since?: number) {
        fetches++;
        if (fetches === 2) inPass();
        await new Promise((r) => setTimeout(r, 30));
        return src.fetchState(since);
      },
    });
    const r = new Reconciler({ config: cfg, source: slow, ops: fakeOps(kernel), log: quiet, pollIntervalMs: 60_000 });
    const t0 = Date.now();
    r.start();
    r.hint(); // arrives during the first (full) pass
    const timeout = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), 2_000).unref());
    const second = await Promise.race([passStarted, timeout]);
    src.state = hostState(2, [1], [[10, 1, true], [11, 1, true]], [], []);
    r.hint(); // committed after the second pass's fetch
    while (!kernel.has('tap:port-11') && Date.now() - t0 < 2_000) await new Promise((res) => setTimeout(res, 10));
    const stopping = r.stop();
    r.hint(); // wake a sleeping loop (the broken case) so stop() returns at once
    await stopping;
    assert.notEqual(second, 'timeout', 'a hint during the first pass was lost: no second pass within 2 s');
    assert.ok(kernel.has('tap:port-11'), 'the hinted change was not applied within 2 s');
    assert.equal(src.reports.at(-1)!.observed_revision, 2);
  });

  it('makes zero changes when restarted on a converged kernel', async () => {
    const kernel: Kernel = new Map();
    const src = new Source(hostState(7, [1, 2, 3], [[10, 1, true], [11, 3, false]], [2], [1]));
    await new Reconciler({ config: cfg, source: src, ops: fakeOps(kernel), log: quiet }).fullResync();
    assert.ok(kernel.size > 0);
    const again = new Reconciler({ config: cfg, source: src, ops: fakeOps(kernel), log: quiet });
    await again.fullResync();
    assert.equal(again.stats().changes, 0);
  });

  it('stops promptly when stop() arrives during a pass, however long the poll interval', async () => {
    const kernel: Kernel = new Map();
    const src = new Source(hostState(1, [1], [], [], []));
    let release!: () => void;
    const fetched = new Promise<void>((res) => { release = res; });
    const slow = Object.assign(Object.create(src), {
      async fetchState(since?: number) { release(); await new Promise((r) => setTimeout(r, 100)); return src.fetchState(since); },
    });
    const r = new Reconciler({ config: cfg, source: slow, ops: fakeOps(kernel), log: quiet, pollIntervalMs: 60_000 });
    r.start();
    await fetched; // the first pass is under way: nothing is asleep to be woken
    const t0 = Date.now();
    await r.stop();
    assert.ok(Date.now() - t0 < 2_000, `stop took ${Date.now() - t0} ms`);
  });

  it('prunes nothing before the first full fetch succeeds', async () => {
    const kernel: Kernel = new Map([['bridge:old-net', '{}'], ['tap:old-port', '{}']]);
    const src = new Source(hostState(1, [], [], [], []));
    src.fail = true;
    const r = new Reconciler({ config: cfg, source: src, ops: fakeOps(kernel), log: quiet, pollIntervalMs: 10 });
    await assert.rejects(r.fullResync(), /server down/);
    await assert.rejects(r.incremental(), /server down/);
    assert.equal(kernel.size, 2);
    src.fail = false;
    await r.fullResync();
    assert.equal(kernel.size, 0);
  });

  it('reports kernel errors per object and port, retries with backoff, then recovers', async () => {
    const kernel: Kernel = new Map();
    const failing = new Set(['segment:vxlan-101']);
    const src = new Source(hostState(3, [1, 3], [[10, 1, true], [11, 3, true]], [], []));
    const r = new Reconciler({ config: cfg, source: src, ops: fakeOps(kernel, failing), log: quiet, backoff: { baseMs: 20, maxMs: 40 } });
    await r.fullResync();
    assert.deepEqual(r.stats().errors.map((e) => [e.kind, e.key]), [['segment', 'vxlan-101']]);
    const [l2] = await r.buildReports();
    assert.equal(l2!.observed_revision, 3);
    assert.deepEqual(l2!.devices.map((d) => [d.port_id, d.status]), [['port-10', 'ERROR'], ['port-11', 'ACTIVE']]);
    assert.match(l2!.devices[0]!.error!, /kernel says no/);
    failing.clear();
    await r.drain(); // not due yet: backoff
    assert.equal(r.stats().errors.length, 1);
    await new Promise((res) => setTimeout(res, 30));
    await r.drain();
    assert.equal(r.stats().errors.length, 0);
    assert.ok(kernel.has('segment:vxlan-101'));
  });

  it('reports configuration problems for a network without touching others', async () => {
    const kernel: Kernel = new Map();
    const src = new Source(hostState(1, [1], [[10, 1, true]], [], []));
    src.state.networks[0]!.segment = { network_type: 'flat', physical_network: 'unmapped', segmentation_id: null };
    const r = new Reconciler({ config: cfg, source: src, ops: fakeOps(kernel), log: quiet });
    await r.fullResync();
    const [l2] = await r.buildReports();
    assert.equal(l2!.devices[0]!.status, 'ERROR');
    assert.match(l2!.errors[0]!.message, /physical network 'unmapped'/);
    assert.ok(kernel.has('bridge:net-1'));
  });

  it('the loop reports and converges on its own, and stop() ends it', async () => {
    const kernel: Kernel = new Map();
    const src = new Source(hostState(1, [1], [[10, 1, true]], [], [1]));
    const r = new Reconciler({ config: cfg, source: src, ops: fakeOps(kernel), log: quiet, pollIntervalMs: 10, reportIntervalMs: 50 });
    r.start();
    await new Promise((res) => setTimeout(res, 50));
    src.state = hostState(2, [], [], [], []);
    r.hint();
    await new Promise((res) => setTimeout(res, 50));
    await r.stop();
    assert.equal(kernel.size, 0);
    assert.deepEqual(new Set(src.reports.map((x) => x.agent_type)), new Set(['Linux bridge agent', 'DHCP agent']));
    assert.equal(src.reports.at(-1)!.observed_revision, 2);
  });
});

describe('WorkQueue', () => {
  it('coalesces, backs off exponentially and lets urgent work through', () => {
    let now = 0;
    const q = new WorkQueue<string>({ baseMs: 100, maxMs: 300 }, () => now);
    q.add('a'); q.add('a'); q.add('b');
    assert.deepEqual(q.takeDue(), ['a', 'b']);
    assert.equal(q.failed('a'), 100);
    q.add('a');
    assert.deepEqual(q.takeDue(), []);
    now = 100;
    assert.deepEqual(q.takeDue(), ['a']);
    assert.equal(q.failed('a'), 200);
    assert.equal(q.failed('a'), 300);
    q.add('a', true);
    assert.deepEqual(q.takeDue(), ['a']);
    q.succeeded('a');
    assert.equal(q.failed('a'), 100);
  });
});
