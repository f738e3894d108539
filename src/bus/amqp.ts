/**
 * The bus over RabbitMQ (AMQP 0-9-1, amqplib) for a server and agents in separate processes.
 *
 * - One topic exchange (default 'neutron', Neutron's control_exchange), declared like oslo.messaging
 *   declares it (non-durable, not auto-deleted); a hint's topic is its routing key.
 * - Each subscription is its own exclusive, auto-delete, server-named queue bound to its topic and
 *   consumed without acks: at-most-once, and nothing is left on the broker when we go away.
 * - One connection with one channel. Any close or error of either ends the session; a loop then
 *   reconnects — the URLs in turn, exponential backoff with jitter between rounds — re-declares the
 *   exchange and re-binds every live subscription. While disconnected, publish drops (and counts).
 * - AMQP heartbeats (default 60 s, oslo's heartbeat_timeout_threshold) notice a dead peer on a
 *   socket that stays open.
 */
import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { redact } from '../config/urls.js';
import { checkTopic, silentLogger, toHint, type Bus, type BusLogger, type BusState, type Hint } from './bus.js';

export interface AmqpBusOptions {
  /** Broker URLs (`amqp://user:pass@host:port/vhost`), tried in turn; config's amqpUrls() makes them. */
  urls: string[];
  /** Topic exchange name; default 'neutron'. */
  exchange?: string;
  logger?: BusLogger;
  /** Delay between reconnect rounds: initialMs doubling up to maxMs, with jitter. Default 1000/30000. */
  reconnect?: { initialMs: number; maxMs: number };
  /** AMQP heartbeat timeout in seconds to negotiate; 0 disables. Default 60. */
  heartbeatSeconds?: number;
  /** Bound on TCP connect plus AMQP handshake per URL. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** connection_name shown by the broker (rabbitmqctl list_connections name ...). */
  connectionName?: string;
}

export interface AmqpBusStats {
  published: number;
  /** Hints not sent: disconnected, blocked by the broker, closed or malformed. */
  dropped: number;
  /** Hints handed to subscribers. */
  delivered: number;
  /** Sessions established (the first connection and every reconnection). */
  connects: number;
  /** Sessions lost other than by close(). */
  disconnects: number;
}

export interface AmqpBus extends Bus {
  stats(): AmqpBusStats;
  /** The broker URL in use (password hidden), or null when not connected. */
  broker(): string | null;
  /** Resolves true once connected (now or later), false after `timeoutMs` or on close. */
  waitConnected(timeoutMs: number): Promise<boolean>;
}

interface Session {
  conn: ChannelModel;
  ch: Channel;
  url: string;
  /** The exchange is declared: publish and subscribe may use the channel. */
  ready: boolean;
  /** Resolves when the connection or the channel closes, for whatever reason. */
  ended: Promise<void>;
}

interface Subscription {
  topic: string;
  onHint: (hint: Hint) => void;
  active: boolean;
  bound?: { session: Session; consumerTag: string };
}

const CLOSE_TIMEOUT_MS = 2000;

/** Base delay doubling from initialMs, capped at maxMs; "equal jitter" keeps at least half of it. */
export function backoffDelay(attempt: number, r: { initialMs: number; maxMs: number }, random = Math.random): number {
  const base = Math.min(r.maxMs, r.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + random() * (base / 2));
}

function withHeartbeat(url: string, seconds: number): string {
  try {
    const u = new URL(url);
    if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', String(seconds));
    return u.toString();
  } catch {
    return url; // amqplib reports the bad URL when connecting
  }
}

export function createAmqpBus(opts: AmqpBusOptions): AmqpBus {
  if (!opts.urls.length) throw new TypeError('createAmqpBus: no broker URL');
  const exchange = opts.exchange ?? 'neutron';
  const log = opts.logger ?? silentLogger;
  const reconnect = opts.reconnect ?? { initialMs: 1000, maxMs: 30000 };
  const heartbeat = opts.heartbeatSeconds ?? 60;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
  const urls = opts.urls.map((u) => withHeartbeat(u, heartbeat));

  const subs = new Set<Subscription>();
  const stats: AmqpBusStats = { published: 0, dropped: 0, delivered: 0, connects: 0, disconnects: 0 };
  let state: BusState = 'connecting';
  let current: Session | null = null;
  let closing = false;
  let closed: Promise<void> | null = null;
  let blocked = false;
  let dropWarned = false;
  let nextUrl = 0;
  let wakeSleep: (() => void) | null = null;
  const stateWaiters = new Set<() => void>();

  function setState(s: BusState): void {
    state = s;
    for (const w of [...stateWaiters]) w();
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeSleep = null;
        resolve();
      }
      wakeSleep = done;
    });
  }

  /** One round over the URLs, starting with the last that worked. */
  async function connectAny(): Promise<Session | null> {
    for (let i = 0; i < urls.length && !closing; i++) {
      const idx = (nextUrl + i) % urls.length;
      const url = redact(opts.urls[idx]!);
      let conn: ChannelModel | undefined;
      try {
        conn = await connect(urls[idx]!, {
          timeout: connectTimeoutMs,
          clientProperties: { connection_name: opts.connectionName ?? `nucleon-bus-${process.pid}` },
        });
        blocked = false; // a new connection starts unblocked; the broker says otherwise by event
        conn.on('error', (err: Error) => log.warn({ err, broker: url }, 'bus: broker connection error'));
        conn.on('blocked', (reason: string) => { blocked = true; log.warn({ reason, broker: url }, 'bus: broker blocked publishing; hints are dropped meanwhile'); });
        conn.on('unblocked', () => { blocked = false; log.info({ broker: url }, 'bus: broker unblocked publishing'); });
        const ch = await conn.createChannel();
        ch.on('error', (err: Error) => log.warn({ err, broker: url }, 'bus: channel error'));
        const c = conn;
        const ended = new Promise<void>((resolve) => {
          c.once('close', () => resolve());
          ch.once('close', () => resolve());
        });
        nextUrl = idx;
        return { conn, ch, url, ready: false, ended };
      } catch (err) {
        log.warn({ err, broker: url }, 'bus: cannot connect to broker');
        if (conn) await closeConn(conn);
      }
    }
    return null;
  }

  async function closeConn(conn: ChannelModel): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), CLOSE_TIMEOUT_MS); });
    // amqplib's close() never settles when the socket dies while closing; its 'close' event does fire.
    const gone = new Promise<'closed'>((r) => conn.once('close', () => r('closed')));
    const outcome = await Promise.race([conn.close().then(() => 'closed', () => 'closed'), gone, timeout]);
    clearTimeout(timer);
    // A peer that never answers Connection.Close: cut the socket ourselves.
    if (outcome === 'timeout') (conn as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }

  async function attach(sub: Subscription, s: Session): Promise<void> {
    if (sub.bound?.session === s) return;
    const q = await s.ch.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await s.ch.bindQueue(q.queue, exchange, sub.topic);
    const { consumerTag } = await s.ch.consume(q.queue, (msg) => onMessage(sub, s, msg), { noAck: true, exclusive: true });
    if (!sub.active || current !== s) {
      // Unsubscribed (or the session ended) meanwhile; cancelling auto-deletes the queue.
      await s.ch.cancel(consumerTag).catch(() => {});
      return;
    }
    sub.bound = { session: s, consumerTag };
  }

  function onMessage(sub: Subscription, s: Session, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled our consumer (queue deleted by someone): bind a new queue.
      sub.bound = undefined;
      if (sub.active && current === s && s.ready) {
        log.warn({ topic: sub.topic }, 'bus: broker cancelled a subscription; re-subscribing');
        attach(sub, s).catch((err) => log.warn({ err, topic: sub.topic }, 'bus: re-subscribing failed; next reconnect retries'));
      }
      return;
    }
    if (!sub.active) return;
    let hint: Hint | null = null;
    try {
      hint = toHint(JSON.parse(msg.content.toString('utf8')));
    } catch {
      // handled below
    }
    if (!hint) {
      log.warn({ topic: sub.topic, bytes: msg.content.length }, 'bus: ignored a message that is not a hint');
      return;
    }
    stats.delivered++;
    try {
      sub.onHint(hint);
    } catch (err) {
      log.error({ err, topic: sub.topic, hint }, 'bus subscriber failed on a hint');
    }
  }

  /** Declares the exchange and binds every live subscription on a new session. */
  async function setup(s: Session): Promise<void> {
    // Use an existing exchange as it is (Neutron's own may differ in durability, which would make
    // a declaration fail); a failed passive check only costs the probe channel.
    const probe = await s.conn.createChannel();
    probe.on('error', () => {});
    const exists = await probe.checkExchange(exchange).then(() => true, () => false);
    if (exists) await probe.close().catch(() => {});
    else await s.ch.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
    s.ready = true;
    // Subscriptions made from here on attach themselves; these are the ones made before.
    for (const sub of [...subs]) if (sub.active) await attach(sub, s);
  }

  async function run(): Promise<void> {
    let attempt = 0;
    while (!closing) {
      const s = await connectAny();
      if (!s) {
        const ms = backoffDelay(attempt++, reconnect);
        log.warn({ retryInMs: ms, brokers: opts.urls.map(redact) }, 'bus: no broker reachable; retrying');
        await sleep(ms);
        continue;
      }
      current = s;
      try {
        if (closing) throw new Error('closing');
        await setup(s);
      } catch (err) {
        current = null;
        await closeConn(s.conn);
        if (closing) break;
        const ms = backoffDelay(attempt++, reconnect);
        log.warn({ err, broker: s.url, retryInMs: ms }, 'bus: setting up the broker session failed; retrying');
        await sleep(ms);
        continue;
      }
      attempt = 0;
      dropWarned = false;
      stats.connects++;
      if (closing) break; // closed during setup: the session is closed below
      setState('connected');
      log.info({ broker: s.url, exchange, subscriptions: subs.size }, 'bus: connected');
      await s.ended;
      current = null;
      for (const sub of subs) sub.bound = undefined;
      await closeConn(s.conn); // the channel may have closed alone
      if (closing) break;
      stats.disconnects++;
      setState('connecting');
      const ms = backoffDelay(attempt++, reconnect);
      log.warn({ broker: s.url, retryInMs: ms }, 'bus: broker connection lost; reconnecting');
      await sleep(ms);
    }
    if (current) await closeConn(current.conn);
    current = null;
  }

  function drop(topic: string, hint: unknown, why: string, err?: unknown): void {
    stats.dropped++;
    const fields = { topic, hint, why, dropped: stats.dropped, ...(err ? { err } : {}) };
    // Once per outage at warn: a busy server would otherwise log every commit.
    if (!dropWarned && !closing) {
      dropWarned = true;
      log.warn(fields, 'bus: dropping hints (agents catch up at their next resync)');
    } else {
      log.debug(fields, 'bus: dropped a hint');
    }
  }

  const loop = run().catch((err) => log.error({ err }, 'bus: reconnect loop failed'));

  return {
    async publish(topic, value) {
      const hint = toHint(value);
      if (!hint) return drop(topic, value, 'malformed');
      const s = current;
      if (closing) return drop(topic, hint, 'closed');
      if (!s?.ready) return drop(topic, hint, 'disconnected');
      if (blocked) return drop(topic, hint, 'blocked');
      try {
        s.ch.publish(exchange, topic, Buffer.from(JSON.stringify(hint)), { contentType: 'application/json', deliveryMode: 1 });
        stats.published++;
      } catch (err) {
        drop(topic, hint, 'publish failed', err); // channel closing under us: the loop reconnects
      }
    },

    async subscribe(topic, onHint) {
      checkTopic(topic);
      if (closing) throw new Error('bus is closed');
      const sub: Subscription = { topic, onHint, active: true };
      subs.add(sub);
      const s = current;
      if (s?.ready) {
        try {
          await attach(sub, s);
        } catch (err) {
          // The session is going away; the reconnect binds this subscription.
          log.warn({ err, topic }, 'bus: subscribing failed; it is bound on reconnect');
        }
      }
      return async () => {
        if (!sub.active) return;
        sub.active = false;
        subs.delete(sub);
        const b = sub.bound;
        sub.bound = undefined;
        if (b && b.session === current) await b.session.ch.cancel(b.consumerTag).catch(() => {});
      };
    },

    state: () => state,

    close() {
      closed ??= (async () => {
        closing = true;
        for (const sub of subs) sub.active = false;
        subs.clear();
        setState('closed');
        wakeSleep?.();
        if (current) await closeConn(current.conn);
        await loop;
        log.info({ exchange }, 'bus: closed');
      })();
      return closed;
    },

    stats: () => ({ ...stats }),

    broker: () => (current?.ready && state === 'connected' ? current.url : null),

    waitConnected(timeoutMs) {
      if (state === 'connected') return Promise.resolve(true);
      if (state === 'closed') return Promise.resolve(false);
      return new Promise((resolve) => {
        const done = (v: boolean) => { clearTimeout(timer); stateWaiters.delete(check); resolve(v); };
        const check = () => { if (state !== 'connecting') done(state === 'connected'); };
        const timer = setTimeout(() => done(false), timeoutMs);
        stateWaiters.add(check);
      });
    },
  };
}
