/**
 * The bus for one process (`nucleon up`): topic → subscribers, nothing on the wire. Delivery is
 * deferred with setImmediate so a publisher never runs subscriber code, as with a real broker;
 * setImmediate callbacks run in order, so hints from one publisher keep their order.
 */
import { checkTopic, silentLogger, toHint, type Bus, type BusLogger, type BusState, type Hint } from './bus.js';

interface Subscription {
  onHint: (hint: Hint) => void;
  active: boolean;
}

export interface InProcessBus extends Bus {
  /** Hints published (accepted) and dropped (after close or malformed) so far. */
  stats(): { published: number; dropped: number };
}

export function createInProcessBus(opts: { logger?: BusLogger } = {}): InProcessBus {
  const log = opts.logger ?? silentLogger;
  const topics = new Map<string, Set<Subscription>>();
  let closed = false;
  let published = 0;
  let dropped = 0;

  function deliver(topic: string, hint: Hint, subs: Subscription[]): void {
    for (const sub of subs) {
      if (!sub.active) continue; // unsubscribed (or closed) after the publish
      try {
        sub.onHint({ ...hint }); // a copy each: no subscriber sees another's mutations
      } catch (err) {
        log.error({ err, topic, hint }, 'bus subscriber failed on a hint');
      }
    }
  }

  return {
    async publish(topic, value) {
      const hint = toHint(value);
      if (closed || hint === null) {
        dropped++;
        if (hint === null) log.warn({ topic, hint: value }, 'bus: dropped a malformed hint');
        return;
      }
      published++;
      const subs = [...(topics.get(topic) ?? [])];
      if (subs.length) setImmediate(deliver, topic, hint, subs);
    },

    async subscribe(topic, onHint) {
      checkTopic(topic);
      if (closed) throw new Error('bus is closed');
      const sub: Subscription = { onHint, active: true };
      let set = topics.get(topic);
      if (!set) topics.set(topic, (set = new Set()));
      set.add(sub);
      return async () => {
        sub.active = false;
        const s = topics.get(topic);
        if (s?.delete(sub) && s.size === 0) topics.delete(topic);
      };
    },

    state(): BusState {
      return closed ? 'closed' : 'connected';
    },

    async close() {
      closed = true;
      for (const set of topics.values()) for (const sub of set) sub.active = false;
      topics.clear();
    },

    stats: () => ({ published, dropped }),
  };
}
