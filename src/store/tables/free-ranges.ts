/**
 * Pools of free integers (IP addresses, segment ids) kept as ranges of fixed-width hex keys.
 * Allocation locks and shrinks the first range: constant time, and two transactions can never take
 * the same key because both must lock that row. Callers keep a unique constraint on what they
 * allocate as the final guard.
 */
import type { Tx } from '../db.js';
import { insertUnlessDuplicate } from '../db.js';
import { prepared, preparedWrite, param } from '../prepared.js';

export interface KeyRange { first: bigint; last: bigint }

const width = (key: string) => key.length;
const hex = (value: bigint, w: number) => value.toString(16).padStart(w, '0');

export interface FreeRanges {
  /** Takes the lowest key of the first free range; null when the pool is empty. */
  allocate(tx: Tx, pool: string, keyWidth: number): Promise<bigint | null>;
  /** Takes a specific key; false when it is not free. */
  reserve(tx: Tx, pool: string, key: bigint, keyWidth: number): Promise<boolean>;
  /** Returns a key to the pool (a single-key range; ranges are not merged). */
  release(tx: Tx, pool: string, key: bigint, keyWidth: number): Promise<void>;
  /** Replaces the pool's ranges (pool created, resized, or rebuilt minus keys in use). */
  replace(tx: Tx, pool: string, ranges: KeyRange[], keyWidth: number): Promise<void>;
  drop(tx: Tx, pool: string): Promise<void>;
  /**
   * Locks the pool until commit before it is rebuilt from what is in use: no other rebuild and no
   * allocation can interleave (no-op on SQLite, whose writers are serialised).
   */
  lock(tx: Tx, pool: string): Promise<void>;
}

// The statements of every allocation (an address per port, a segment per network), compiled once.
const firstRange = prepared<[string], { first: string; last: string }>(1, (db) =>
  db.selectFrom('free_ranges').select(['first', 'last']).where('pool', '=', param(0)).orderBy('last').limit(1));
const firstRangeLocked = prepared<[string], { first: string; last: string }>(1, (db) =>
  db.selectFrom('free_ranges').select(['first', 'last']).where('pool', '=', param(0)).orderBy('last').limit(1).forUpdate());
const takeWholeRange = preparedWrite<[string, string, string]>(3, (db) =>
  db.deleteFrom('free_ranges').where('pool', '=', param(0)).where('last', '=', param(1)).where('first', '=', param(2)));
const shrinkRange = preparedWrite<[string, string, string, string]>(4, (db) =>
  db.updateTable('free_ranges').set({ first: param(0) }).where('pool', '=', param(1)).where('last', '=', param(2)).where('first', '=', param(3)));
const insertRange = preparedWrite<[string, string, string]>(3, (db) =>
  db.insertInto('free_ranges').values({ pool: param(0), first: param(1), last: param(2) }));

export function freeRanges(lockRows: boolean): FreeRanges {
  return {
    async allocate(tx, pool, keyWidth) {
      // A row we waited for may have been deleted by the transaction holding it: look again.
      for (let attempt = 0; attempt < 5; attempt++) {
        const row = (await (lockRows ? firstRangeLocked : firstRange)(tx, pool))[0];
        if (!row) {
          const again = await tx.selectFrom('free_ranges').select('last').where('pool', '=', pool).limit(1).executeTakeFirst();
          if (!again) return null;
          continue;
        }
        const first = BigInt('0x' + row.first);
        if (row.first === row.last) {
          if ((await takeWholeRange(tx, pool, row.last, row.first)) === 0) continue;
        } else {
          if ((await shrinkRange(tx, hex(first + 1n, keyWidth), pool, row.last, row.first)) === 0) continue;
        }
        return first;
      }
      return null;
    },

    async reserve(tx, pool, key, keyWidth) {
      const k = hex(key, keyWidth);
      let q = tx.selectFrom('free_ranges').select(['first', 'last']).where('pool', '=', pool).where('first', '<=', k).where('last', '>=', k).limit(1);
      if (lockRows) q = q.forUpdate();
      const row = await q.executeTakeFirst();
      if (!row) return false;
      const first = BigInt('0x' + row.first);
      const last = BigInt('0x' + row.last);
      // Keep the row keyed by `last` for the upper part; add a row for the lower part.
      if (key === last) {
        if (first === last) await tx.deleteFrom('free_ranges').where('pool', '=', pool).where('last', '=', row.last).execute();
        else {
          await tx.deleteFrom('free_ranges').where('pool', '=', pool).where('last', '=', row.last).execute();
          await tx.insertInto('free_ranges').values({ pool, first: row.first, last: hex(key - 1n, keyWidth) }).execute();
        }
      } else {
        await tx.updateTable('free_ranges').set({ first: hex(key + 1n, keyWidth) }).where('pool', '=', pool).where('last', '=', row.last).execute();
        if (key > first) await tx.insertInto('free_ranges').values({ pool, first: row.first, last: hex(key - 1n, keyWidth) }).execute();
      }
      return true;
    },

    async release(tx, pool, key, keyWidth) {
      const k = hex(key, keyWidth);
      await insertRange(tx, pool, k, k);
    },

    async replace(tx, pool, ranges, keyWidth) {
      await tx.deleteFrom('free_ranges').where('pool', '=', pool).execute();
      const rows = ranges.filter((r) => r.first <= r.last).map((r) => ({ pool, first: hex(r.first, keyWidth), last: hex(r.last, keyWidth) }));
      for (let i = 0; i < rows.length; i += 500) await tx.insertInto('free_ranges').values(rows.slice(i, i + 500)).execute();
    },

    async drop(tx, pool) {
      await tx.deleteFrom('free_ranges').where('pool', 'in', [pool, `lock:${pool}`]).execute();
    },

    async lock(tx, pool) {
      if (!lockRows) return;
      // A sentinel row serialises rebuilds of one pool even while it has no ranges yet; locking
      // the ranges then makes allocations in flight commit first (or wait for us).
      const sentinel = `lock:${pool}`;
      await insertUnlessDuplicate(tx, () => tx.insertInto('free_ranges').values({ pool: sentinel, first: '', last: '' }).execute());
      await tx.selectFrom('free_ranges').select('last').where('pool', '=', sentinel).forUpdate().execute();
      await tx.selectFrom('free_ranges').select('last').where('pool', '=', pool).forUpdate().execute();
    },
  };
}

/** Subtracts sorted, distinct keys in use from ranges: what stays free after a pool is rebuilt. */
export function subtractKeys(ranges: KeyRange[], used: bigint[]): KeyRange[] {
  const sorted = [...used].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: KeyRange[] = [];
  for (const range of ranges) {
    let start = range.first;
    for (const u of sorted) {
      if (u < start || u > range.last) continue;
      if (u > start) out.push({ first: start, last: u - 1n });
      start = u + 1n;
    }
    if (start <= range.last) out.push({ first: start, last: range.last });
  }
  return out;
}

export { width as keyWidthOf };
