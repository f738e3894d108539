/**
 * The hint bus between the API server and its host agents (DESIGN.md §3).
 *
 * It carries only hints — "host H's desired state changed; it is now at revision R" — never resource
 * bodies. Agents are level-triggered: on a hint they pull their whole state over HTTP, and they also
 * resync periodically. A lost, duplicated or reordered hint therefore only delays convergence, so
 * delivery is at-most-once and the transports favour staying up (reconnecting) over guarantees.
 *
 * Topics are exact names, not patterns: `host.<name>` for one host, `hosts` for every host.
 */

export interface Hint {
  host: string;
  revision: number;
}

export type BusState = 'connected' | 'connecting' | 'closed';

export interface Bus {
  /**
   * Publishes a hint on a topic (e.g. 'host.<name>' or 'hosts' for all). Never throws on a broker
   * outage or after close: the hint is logged, counted and dropped (agents resync). Resolves once the
   * hint is handed to the transport; it never waits for delivery. Subscriber code never runs inside
   * this call (delivery is always asynchronous).
   */
  publish(topic: string, hint: Hint): Promise<void>;
  /**
   * Subscribes `onHint` to one exact topic; returns an idempotent unsubscribe function. When the bus
   * is connected, hints published after the returned promise resolves are delivered; when it is
   * not, the subscription is registered and bound on (re)connect. Subscriptions survive reconnects.
   * Hints from one publisher on one topic arrive in publish order. `onHint` may throw: the error is
   * logged and other subscribers still get the hint. Rejects after close() and for a topic that is
   * not a plain name (empty, '*' or '#', over 255 bytes).
   */
  subscribe(topic: string, onHint: (hint: Hint) => void): Promise<() => Promise<void>>;
  /** Connection state for `nucleon status` and metrics. */
  state(): BusState;
  /** Stops delivery and releases connections and timers. Idempotent; never throws. */
  close(): Promise<void>;
}

/** The subset of pino's Logger the bus uses (a pino Logger fits). */
export interface BusLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const silentLogger: BusLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Throws a TypeError unless `topic` is a plain name both transports route exactly. */
export function checkTopic(topic: string): void {
  if (typeof topic !== 'string' || topic === '' || /[*#]/.test(topic) || Buffer.byteLength(topic) > 255) {
    throw new TypeError(`bad bus topic ${JSON.stringify(topic)}: want a non-empty name without '*' or '#', at most 255 bytes`);
  }
}

/** A fresh hint holding only the two fields, or null when `value` is not a hint. */
export function toHint(value: unknown): Hint | null {
  if (typeof value !== 'object' || value === null) return null;
  const { host, revision } = value as Record<string, unknown>;
  if (typeof host !== 'string' || typeof revision !== 'number' || !Number.isFinite(revision)) return null;
  return { host, revision };
}
