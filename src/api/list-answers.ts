/**
 * The last joined answers of a collection's list, per caller and request URL, for resources whose
 * items are shared between requests (core/item-cache.ts). While no listed row has changed, the item
 * cache hands a list the very same frozen item objects; with the same credentials and the same
 * policy contexts (the parent networks' owner and `shared`), every policy check of the list gives
 * the same answer, so the answer is the same bytes and is sent again without being rebuilt.
 *
 * Nothing is served that the list did not just read: the database is read on every list, and an
 * entry is used only when each item is the one the item cache gave for the version just read.
 */
import type { Caller } from '../core/caller.js';
import type { Item } from '../core/service.js';

interface Answer {
  items: Item[];
  contexts: Item[] | null;
  tail: string;
  body: Buffer;
}

/**
 * Per request URL and credentials; the least recently used go first beyond `maxBytes` of answers
 * or `maxItems` items in all. An answer holds its items, and with them their JSON, after the item
 * cache has let them go: bounded by bytes alone, the answers of lists since deleted (a new
 * network's ports listed once) kept ~4 MB more alive with each, up to ~40 MB.
 */
export class ListAnswers {
  private readonly answers = new Map<string, Answer>();
  private bytes = 0;
  private items = 0;

  constructor(private readonly maxBytes = 8 * 1024 * 1024, private readonly maxItems = 3_000) {}

  /** The key of a list request: who asks (everything policy reads of a caller) and what. */
  static keyOf(caller: Caller, url: string): string {
    return `${caller.userId ?? ''}\0${caller.projectId ?? ''}\0${caller.isAdmin ? 1 : 0}\0${caller.roles.join(',')}\0${url}`;
  }

  /** The kept answer, when it was built from exactly these items, contexts and pagination tail. */
  get(key: string, items: Item[], contexts: Item[] | null, tail: string): Buffer | undefined {
    const a = this.answers.get(key);
    if (a === undefined || a.tail !== tail || !sameItems(a.items, items) || !sameContexts(a.contexts, contexts)) return undefined;
    this.answers.delete(key);
    this.answers.set(key, a);
    return a.body;
  }

  set(key: string, items: Item[], contexts: Item[] | null, tail: string, body: Buffer): void {
    this.delete(key);
    if (body.length > this.maxBytes || items.length > this.maxItems) return;
    this.answers.set(key, { items, contexts, tail, body });
    this.bytes += body.length;
    this.items += items.length;
    while (this.bytes > this.maxBytes || this.items > this.maxItems) this.delete(this.answers.keys().next().value!);
  }

  private delete(key: string): void {
    const a = this.answers.get(key);
    if (a === undefined) return;
    this.answers.delete(key);
    this.bytes -= a.body.length;
    this.items -= a.items.length;
  }

  get size(): number {
    return this.answers.size;
  }
}

function sameItems(a: Item[], b: Item[]): boolean {
  if (a === b) return true; // the service's own kept list (core/listed-items.ts)
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Equal contexts, item by item (a run of items sharing one context object is compared once). */
function sameContexts(a: Item[] | null, b: Item[] | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (i > 0 && a[i] === a[i - 1] && b[i] === b[i - 1]) continue;
    if (!shallowEqual(a[i]!, b[i]!)) return false;
  }
  return true;
}

function shallowEqual(x: Item, y: Item): boolean {
  if (x === y) return true;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  for (const k of keys) if (x[k] !== y[k]) return false;
  return true;
}
