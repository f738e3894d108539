/**
 * Built items of one resource, each valid for the row version it was built from. A version is the
 * row's `revision_number` and `updated_at`, which every change to the resource or to what hangs off
 * it moves (Neutron's standard-attr revisions: addresses, bindings, security groups, address pairs,
 * DHCP options and tags revise their port). A list reads the versions of the rows it lists and
 * builds only the items whose version it has not built yet, so API replicas on one database never
 * serve an item older than the row they just read.
 *
 * Cached items are frozen and shared between requests: callers copy, never write.
 */
import type { Item } from './service.js';

export interface RowVersion {
  id: string;
  revision_number: number;
  updated_at: string;
}

/** What a version is read from: a row, or an item built from one (both carry these two). */
export type Versioned = { revision_number?: unknown; updated_at?: unknown };

// Compared field by field: a list checks a thousand versions, and joining the two into one string
// per row would build (and flatten) a thousand strings to compare.
interface Entry { revision: number; updatedAt: string; item: Item }

export class ItemCache {
  private readonly items = new Map<string, Entry>();

  /**
   * `max` items at most, the oldest built going first (an evicted port listed again is rebuilt).
   * A port item and its JSON take ~3 KB: the default bounds the cache at ~30 MB.
   */
  constructor(private readonly max = 10_000) {}

  get(id: string, v: Versioned): Item | undefined {
    const e = this.items.get(id);
    return e !== undefined && e.revision === Number(v.revision_number) && e.updatedAt === String(v.updated_at) ? e.item : undefined;
  }

  set(id: string, v: Versioned, item: Item): Item {
    Object.freeze(item);
    this.items.delete(id);
    this.items.set(id, { revision: Number(v.revision_number), updatedAt: String(v.updated_at), item });
    if (this.items.size > this.max) this.items.delete(this.items.keys().next().value!);
    return item;
  }

  delete(id: string): void {
    this.items.delete(id);
  }

  get size(): number {
    return this.items.size;
  }
}
