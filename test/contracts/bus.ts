/**
 * The contract every Bus implementation passes (DESIGN.md §5). Run it with one line:
 *   busContract('in-process', async () => createInProcessBus());
 * `make` returns a fresh, ready bus per test; the suite closes it. Negative checks ("X got nothing")
 * wait for a later sentinel hint on the same subscription instead of sleeping: one publisher's hints
 * reach a subscriber in order, so once the sentinel is in, an earlier stray hint would be too.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Bus, Hint } from '../../src/bus/bus.js';

const WAIT_MS = 5000;

/** Polls `cond` until it holds; fails after `ms`. */
export async function waitFor(cond: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Subscribes a recorder on `topic`. */
export async function record(bus: Bus, topic: string) {
  const hints: Hint[] = [];
  const unsubscribe = await bus.subscribe(topic, (h) => hints.push(h));
  const has = (host: string, revision: number) => hints.some((h) => h.host === host && h.revision === revision);
  return {
    hints,
    unsubscribe,
    has,
    /** Waits until the hint {host, revision} has arrived. */
    waitFor: (host: string, revision: number) => waitFor(() => has(host, revision), `hint ${host}@${revision} on ${topic}`),
  };
}

export function busContract(name: string, make: () => Promise<Bus>): void {
  describe(`Bus contract: ${name}`, () => {
    async function open(t: TestContext): Promise<Bus> {
      const bus = await make();
      t.after(() => bus.close());
      return bus;
    }

    it('delivers a published hint to a subscriber of its topic', async (t) => {
      const bus = await open(t);
      assert.equal(bus.state(), 'connected');
      const sub = await record(bus, 'host.a');
      await bus.publish('host.a', { host: 'a', revision: 7 });
      await sub.waitFor('a', 7);
      assert.deepEqual(sub.hints, [{ host: 'a', revision: 7 }]);
    });

    it('keeps topics apart', async (t) => {
      const bus = await open(t);
      const a = await record(bus, 'host.a');
      const b = await record(bus, 'host.b');
      const all = await record(bus, 'hosts');
      await bus.publish('host.b', { host: 'b', revision: 1 });
      await bus.publish('hosts', { host: '*', revision: 2 });
      await bus.publish('host.a', { host: 'a', revision: 3 });
      await a.waitFor('a', 3);
      await b.waitFor('b', 1);
      await all.waitFor('*', 2);
      assert.deepEqual(a.hints, [{ host: 'a', revision: 3 }]);
      assert.deepEqual(b.hints, [{ host: 'b', revision: 1 }]);
      assert.deepEqual(all.hints, [{ host: '*', revision: 2 }]);
    });

    it('does not treat dots in topics as patterns', async (t) => {
      const bus = await open(t);
      const short = await record(bus, 'host.node1');
      const fqdn = await record(bus, 'host.node1.example.org');
      await bus.publish('host.node1.example.org', { host: 'node1.example.org', revision: 1 });
      await bus.publish('host.node1', { host: 'node1', revision: 2 });
      await short.waitFor('node1', 2);
      await fqdn.waitFor('node1.example.org', 1);
      assert.deepEqual(short.hints, [{ host: 'node1', revision: 2 }]);
      assert.deepEqual(fqdn.hints, [{ host: 'node1.example.org', revision: 1 }]);
    });

    it('gives every subscriber of a topic the hint', async (t) => {
      const bus = await open(t);
      const subs = await Promise.all([record(bus, 'host.a'), record(bus, 'host.a'), record(bus, 'host.a')]);
      await bus.publish('host.a', { host: 'a', revision: 1 });
      for (const s of subs) await s.waitFor('a', 1);
      for (const s of subs) assert.deepEqual(s.hints, [{ host: 'a', revision: 1 }]);
    });

    it('stops delivery on unsubscribe, and unsubscribe is idempotent', async (t) => {
      const bus = await open(t);
      const gone = await record(bus, 'host.a');
      const stays = await record(bus, 'host.a');
      await bus.publish('host.a', { host: 'a', revision: 1 });
      await gone.waitFor('a', 1);
      await stays.waitFor('a', 1);
      await gone.unsubscribe();
      await gone.unsubscribe();
      await bus.publish('host.a', { host: 'a', revision: 2 });
      await stays.waitFor('a', 2);
      // A fresh subscriber on the same topic proves the topic still routes after the unsubscribe.
      const later = await record(bus, 'host.a');
      await bus.publish('host.a', { host: 'a', revision: 3 });
      await later.waitFor('a', 3);
      await stays.waitFor('a', 3);
      assert.deepEqual(gone.hints, [{ host: 'a', revision: 1 }]);
    });

    it('stops delivery of hints already published when unsubscribed before they arrive', async (t) => {
      const bus = await open(t);
      const gone = await record(bus, 'host.a');
      const probe = await record(bus, 'host.a');
      const p = bus.publish('host.a', { host: 'a', revision: 1 });
      await gone.unsubscribe(); // before any delivery could run
      await p;
      await probe.waitFor('a', 1);
      assert.deepEqual(gone.hints, []);
    });

    it('delivers hints from one publisher in order', async (t) => {
      const bus = await open(t);
      const sub = await record(bus, 'host.a');
      for (let r = 1; r <= 200; r++) await bus.publish('host.a', { host: 'a', revision: r });
      // Without awaiting each publish, too: order is the call order.
      await Promise.all(Array.from({ length: 200 }, (_, i) => bus.publish('host.a', { host: 'a', revision: 201 + i })));
      await sub.waitFor('a', 400);
      assert.deepEqual(sub.hints.map((h) => h.revision), Array.from({ length: 400 }, (_, i) => i + 1));
    });

    it('never runs a subscriber inside publish', async (t) => {
      const bus = await open(t);
      let insidePublish = false;
      const seen: boolean[] = [];
      await bus.subscribe('host.a', () => seen.push(insidePublish));
      insidePublish = true;
      const p = bus.publish('host.a', { host: 'a', revision: 1 });
      insidePublish = false;
      assert.deepEqual(seen, [], 'delivered synchronously');
      await p;
      await waitFor(() => seen.length === 1, 'the hint');
      assert.deepEqual(seen, [false]);
    });

    it('delivers only {host, revision}, a copy per subscriber', async (t) => {
      const bus = await open(t);
      const got: Hint[] = [];
      await bus.subscribe('host.a', (h) => { got.push(h); h.revision = -1; });
      const other = await record(bus, 'host.a');
      const hint = { host: 'a', revision: 5, body: 'never on the bus' } as Hint;
      await bus.publish('host.a', hint);
      await other.waitFor('a', 5);
      await waitFor(() => got.length === 1, 'the first subscriber');
      assert.deepEqual(other.hints, [{ host: 'a', revision: 5 }]);
      assert.equal(hint.revision, 5, "a subscriber changed the publisher's object");
    });

    it('keeps delivering to others when a subscriber throws', async (t) => {
      const bus = await open(t);
      await bus.subscribe('host.a', () => { throw new Error('subscriber bug'); });
      const ok = await record(bus, 'host.a');
      await bus.publish('host.a', { host: 'a', revision: 1 });
      await bus.publish('host.a', { host: 'a', revision: 2 });
      await ok.waitFor('a', 2);
      assert.deepEqual(ok.hints.map((h) => h.revision), [1, 2]);
    });

    it('rejects topics that are patterns or empty', async (t) => {
      const bus = await open(t);
      for (const bad of ['', 'host.*', 'host.#', '#', 'x'.repeat(256)]) {
        await assert.rejects(bus.subscribe(bad, () => {}), TypeError, `topic ${JSON.stringify(bad)}`);
      }
    });

    it('closes cleanly and idempotently; afterwards publish drops and subscribe rejects', async (t) => {
      const bus = await make();
      const got: Hint[] = [];
      await bus.subscribe('host.a', (h) => got.push(h));
      const p = bus.publish('host.a', { host: 'a', revision: 1 });
      await Promise.all([bus.close(), bus.close()]); // concurrent closes
      await p;
      await bus.close();
      assert.equal(bus.state(), 'closed');
      await bus.publish('host.a', { host: 'a', revision: 2 }); // resolves, does not throw
      await assert.rejects(bus.subscribe('host.a', () => {}));
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(got, [], 'delivered after close');
      t.diagnostic('closed');
    });
  });
}
