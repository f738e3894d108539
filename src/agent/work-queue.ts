/**
 * Per-key work queue: adding a key that is already queued coalesces into one run; a key that failed
 * is retried after an exponential backoff (base · 2^(failures-1), capped), and new work on it does not
 * skip that wait unless `urgent` (the desired value changed).
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export class WorkQueue<K> {
  private readonly due = new Map<K, number>();
  private readonly failures = new Map<K, number>();

  constructor(private readonly backoff: BackoffOptions = { baseMs: 1000, maxMs: 60_000 }, private readonly now = () => Date.now()) {}

  /** Queue `key` now; a pending backoff is kept unless `urgent`. */
  add(key: K, urgent = false): void {
    const t = this.now();
    const existing = this.due.get(key);
    if (existing === undefined || urgent) this.due.set(key, Math.min(existing ?? t, t));
  }

  /** Removes and returns the keys that are due. */
  takeDue(): K[] {
    const t = this.now();
    const out: K[] = [];
    for (const [k, at] of this.due) if (at <= t) out.push(k);
    for (const k of out) this.due.delete(k);
    return out;
  }

  succeeded(key: K): void {
    this.failures.delete(key);
  }

  /** Records a failure and requeues the key after its backoff; returns the delay. */
  failed(key: K): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const delay = Math.min(this.backoff.baseMs * 2 ** (n - 1), this.backoff.maxMs);
    this.due.set(key, this.now() + delay);
    return delay;
  }

  /** Milliseconds until the next key is due (undefined when empty). */
  nextDueIn(): number | undefined {
    if (this.due.size === 0) return undefined;
    return Math.max(0, Math.min(...this.due.values()) - this.now());
  }

  get size(): number {
    return this.due.size;
  }
}
