/**
 * The AMQP bus against the real RabbitMQ on 127.0.0.1:5672 (guest/guest). Each bus gets its own
 * exchange, deleted at the end; connection failures are made with an in-test TCP proxy, never by
 * touching the shared broker.
 */
import { after, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'amqplib';
import { backoffDelay, createAmqpBus, type AmqpBus, type AmqpBusOptions } from '../../src/bus/amqp.js';
import { amqpBusOptions } from '../../src/bus/from-config.js';
import type { BusLogger } from '../../src/bus/bus.js';
import { ConfigError } from '../../src/config/errors.js';
import { busContract, record, waitFor } from '../contracts/bus.js';
import { startTcpProxy } from './tcp-proxy.js';

const BROKER = process.env.NUCLEON_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/%2F';
const DEAD = 'amqp://guest:guest@127.0.0.1:1/%2F';
const FAST = { initialMs: 20, maxMs: 200 };
const run = `${process.pid}-${Date.now().toString(36)}`;
const exchanges = new Set<string>();
let n = 0;

function newExchange(): string {
  const name = `nucleon-test-bus-${run}-${n++}`;
  exchanges.add(name);
  return name;
}

after(async () => {
  // The exchanges are not auto-deleted (like oslo's): remove ours.
  const conn = await connect(BROKER);
  const ch = await conn.createChannel();
  for (const name of exchanges) await ch.deleteExchange(name);
  await conn.close();
});

/** A bus closed when the test ends (also when it fails). */
function bus(t: TestContext, o: Partial<AmqpBusOptions> & { exchange: string }): AmqpBus {
  const b = createAmqpBus({ urls: [BROKER], reconnect: FAST, connectTimeoutMs: 2000, ...o });
  t.after(() => b.close());
  return b;
}

async function connected(b: AmqpBus, ms = 5000): Promise<void> {
  assert.ok(await b.waitConnected(ms), `bus not connected within ${ms} ms (state ${b.state()})`);
}

busContract('amqp', async () => {
  const b = createAmqpBus({ urls: [BROKER], exchange: newExchange(), reconnect: FAST });
  await connected(b);
  return b;
});

describe('amqp bus', { timeout: 60_000 }, () => {
  it('carries hints between separate connections (server and agent processes)', async (t) => {
    const exchange = newExchange();
    const server = bus(t, { exchange });
    const agent = bus(t, { exchange });
    await Promise.all([connected(server), connected(agent)]);
    const sub = await record(agent, 'host.compute-1');
    await server.publish('host.compute-1', { host: 'compute-1', revision: 42 });
    await sub.waitFor('compute-1', 42);
    assert.equal(server.stats().published, 1);
    assert.equal(agent.stats().delivered, 1);
  });

  it('tries the URLs in turn: a dead first broker still connects to the second', async (t) => {
    const b = bus(t, { exchange: newExchange(), urls: [DEAD, BROKER] });
    await connected(b);
    assert.match(b.broker()!, /:5672\//);
    const sub = await record(b, 'hosts');
    await b.publish('hosts', { host: 'h', revision: 1 });
    await sub.waitFor('h', 1);
  });

  it('with no broker reachable: keeps trying, drops and counts hints, registers subscriptions, closes promptly', async (t) => {
    const warnings: string[] = [];
    const logger: BusLogger = { debug() {}, info() {}, warn: (_o, m) => warnings.push(m), error() {} };
    const b = bus(t, { exchange: newExchange(), urls: [DEAD], logger });
    await waitFor(() => warnings.filter((m) => m.includes('no broker reachable')).length >= 3, 'three reconnect rounds');
    assert.equal(b.state(), 'connecting');
    assert.equal(await b.waitConnected(100), false);
    await b.publish('host.a', { host: 'a', revision: 1 });
    await b.publish('host.a', { host: 'a', revision: 2 });
    assert.deepEqual([b.stats().published, b.stats().dropped], [0, 2]);
    assert.equal(warnings.filter((m) => m.startsWith('bus: dropping hints')).length, 1, 'one warning per outage');
    const unsubscribe = await b.subscribe('host.a', () => {});
    await unsubscribe();
    const started = Date.now();
    await b.close();
    assert.ok(Date.now() - started < 1000, 'close waited on the reconnect loop');
    assert.equal(b.state(), 'closed');
  });

  it('binds subscriptions made before the broker is reachable once it is', async (t) => {
    const exchange = newExchange();
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5672 });
    t.after(() => proxy.close());
    proxy.cut();
    const agent = bus(t, { exchange, urls: [`amqp://guest:guest@127.0.0.1:${proxy.port}/%2F`] });
    const sub = await record(agent, 'host.a');
    assert.equal(agent.state(), 'connecting');
    proxy.restore();
    await connected(agent);
    const server = bus(t, { exchange });
    await connected(server);
    await server.publish('host.a', { host: 'a', revision: 1 });
    await sub.waitFor('a', 1);
  });

  it('recovers from a connection cut mid-run: re-binds subscriptions, publishes again', async (t) => {
    const exchange = newExchange();
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5672 });
    t.after(() => proxy.close());
    const agent = bus(t, { exchange, urls: [`amqp://guest:guest@127.0.0.1:${proxy.port}/%2F`] });
    const server = bus(t, { exchange });
    await Promise.all([connected(agent), connected(server)]);
    const viaProxy = await record(agent, 'host.a');
    const direct = await record(server, 'host.b');
    await server.publish('host.a', { host: 'a', revision: 1 });
    await viaProxy.waitFor('a', 1);

    proxy.cut();
    await waitFor(() => agent.state() === 'connecting', 'the agent to notice the cut');
    await agent.publish('host.b', { host: 'b', revision: 1 }); // dropped, does not throw
    assert.equal(agent.stats().dropped, 1);

    proxy.restore();
    await connected(agent);
    assert.deepEqual([agent.stats().connects, agent.stats().disconnects], [2, 1]);
    await server.publish('host.a', { host: 'a', revision: 2 });
    await viaProxy.waitFor('a', 2);
    await agent.publish('host.b', { host: 'b', revision: 2 });
    await direct.waitFor('b', 2);
    assert.deepEqual(viaProxy.hints.map((h) => h.revision), [1, 2]);
    assert.deepEqual(direct.hints.map((h) => h.revision), [2]);
  });

  it('recovers again and again (repeated cuts), keeping one binding per subscription', async (t) => {
    const exchange = newExchange();
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5672 });
    t.after(() => proxy.close());
    const agent = bus(t, { exchange, urls: [`amqp://guest:guest@127.0.0.1:${proxy.port}/%2F`] });
    const server = bus(t, { exchange });
    await Promise.all([connected(agent), connected(server)]);
    const sub = await record(agent, 'host.a');
    for (let i = 1; i <= 3; i++) {
      proxy.cut();
      await waitFor(() => agent.state() === 'connecting', `cut ${i} noticed`);
      proxy.restore();
      await connected(agent);
    }
    await server.publish('host.a', { host: 'a', revision: 1 });
    await server.publish('host.a', { host: 'a', revision: 2 });
    await sub.waitFor('a', 2);
    assert.deepEqual(sub.hints.map((h) => h.revision), [1, 2], 'a hint arrived twice: a stale binding survived');
  });

  it('closes promptly when the broker link dies at the same moment', async (t) => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5672 });
    t.after(() => proxy.close());
    const b = bus(t, { exchange: newExchange(), urls: [`amqp://guest:guest@127.0.0.1:${proxy.port}/%2F`] });
    await connected(b);
    proxy.cut();
    const started = Date.now();
    await b.close();
    assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`);
  });

  it('notices a silent (half-open) connection by heartbeats and reconnects', async (t) => {
    const exchange = newExchange();
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5672 });
    t.after(() => proxy.close());
    const agent = bus(t, { exchange, urls: [`amqp://guest:guest@127.0.0.1:${proxy.port}/%2F`], heartbeatSeconds: 1 });
    const server = bus(t, { exchange });
    await Promise.all([connected(agent), connected(server)]);
    const sub = await record(agent, 'host.a');
    proxy.freeze();
    await waitFor(() => agent.state() === 'connecting', 'heartbeat timeout', 10_000);
    proxy.restore();
    await connected(agent);
    await server.publish('host.a', { host: 'a', revision: 1 });
    await sub.waitFor('a', 1);
  });

  it('re-declares the exchange and re-binds when the channel is closed by the broker', async (t) => {
    const exchange = newExchange();
    const b = bus(t, { exchange });
    await connected(b);
    const sub = await record(b, 'host.a');
    // Someone deletes the exchange (and with it our bindings); publishing to it closes the channel.
    const admin = await connect(BROKER);
    t.after(() => admin.close().catch(() => {}));
    await (await admin.createChannel()).deleteExchange(exchange);
    await b.publish('host.a', { host: 'a', revision: 1 });
    await waitFor(() => b.stats().connects === 2 && b.state() === 'connected', 'the reconnection');
    await b.publish('host.a', { host: 'a', revision: 2 });
    await sub.waitFor('a', 2);
    assert.deepEqual(sub.hints.map((h) => h.revision), [2]);
  });

  it('ignores messages on the exchange that are not hints', async (t) => {
    const exchange = newExchange();
    const warnings: string[] = [];
    const logger: BusLogger = { debug() {}, info() {}, warn: (_o, m) => warnings.push(m), error() {} };
    const b = bus(t, { exchange, logger });
    await connected(b);
    const sub = await record(b, 'host.a');
    const admin = await connect(BROKER);
    t.after(() => admin.close().catch(() => {}));
    const ch = await admin.createChannel();
    for (const body of ['not json', '{"host":"a"}', '{"host":1,"revision":2}', '[]']) ch.publish(exchange, 'host.a', Buffer.from(body));
    ch.publish(exchange, 'host.a', Buffer.from('{"host":"a","revision":3,"extra":true}'));
    await sub.waitFor('a', 3);
    assert.deepEqual(sub.hints, [{ host: 'a', revision: 3 }]);
    assert.equal(warnings.filter((m) => m.includes('not a hint')).length, 4);
  });

  it('uses an existing exchange declared differently (e.g. a durable one) instead of failing', async (t) => {
    const exchange = newExchange();
    const admin = await connect(BROKER);
    t.after(() => admin.close().catch(() => {}));
    await (await admin.createChannel()).assertExchange(exchange, 'topic', { durable: true });
    const b = bus(t, { exchange });
    await connected(b);
    const sub = await record(b, 'host.a');
    await b.publish('host.a', { host: 'a', revision: 1 });
    await sub.waitFor('a', 1);
  });
});

describe('amqp bus options', () => {
  it('backs off exponentially with jitter, within [base/2, base], capped', () => {
    const r = { initialMs: 1000, maxMs: 30000 };
    assert.equal(backoffDelay(0, r, () => 0), 500);
    assert.equal(backoffDelay(0, r, () => 1), 1000);
    assert.equal(backoffDelay(3, r, () => 1), 8000);
    assert.equal(backoffDelay(10, r, () => 1), 30000);
    assert.equal(backoffDelay(1000, r, () => 0), 15000);
  });

  it('maps transport_url and [oslo_messaging_rabbit] options', () => {
    const o = amqpBusOptions('rabbit://u1:p%40ss@h1:5673,u2:p2@h2/nova', { retryInterval: 2, intervalMax: 10, heartbeatTimeoutThreshold: 30 });
    assert.deepEqual(o, {
      exchange: 'neutron',
      urls: ['amqp://u1:p%40ss@h1:5673/nova', 'amqp://u2:p2@h2:5672/nova'],
      reconnect: { initialMs: 2000, maxMs: 10000 },
      heartbeatSeconds: 30,
    });
    const d = amqpBusOptions('rabbit://', undefined, { exchange: 'x' });
    assert.deepEqual([d.urls, d.exchange, d.reconnect, d.heartbeatSeconds], [['amqp://localhost:5672/%2F'], 'x', { initialMs: 1000, maxMs: 30000 }, 60]);
    assert.throws(() => amqpBusOptions('kafka://h:9092'), (e: unknown) => e instanceof ConfigError && e.option === 'transport_url');
  });

  it('refuses an empty URL list', () => {
    assert.throws(() => createAmqpBus({ urls: [] }), TypeError);
  });
});
