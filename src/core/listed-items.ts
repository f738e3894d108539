/**
 * The last lists of a resource whose items are kept per row version (item-cache.ts), per query,
 * with the row versions they were built from. Listing again, the database first answers one
 * string: every matched row's `id revision_number updated_at`, joined in the list's order
 * (SQLite's group_concat, PostgreSQL's string_agg). When it equals the kept one, nothing listed
 * has changed and the kept items are the answer. That string costs the database about what the
 * rows cost it, but spares turning a thousand rows into JavaScript objects and looking each up.
 *
 * The string only ever decides "unchanged": any difference, including an order the database
 * chose differently, lists the rows as before. MySQL is left out, because its GROUP_CONCAT cuts
 * at group_concat_max_len (1,024 bytes by default) and two cut strings could be equal.
 *
 * On SQLite a cheaper question comes first: has the database changed at all since the kept list
 * was read or last found unchanged? `total_changes()` counts every row this connection (the
 * process's only one) has written, rolled back or not, and `data_version` moves with every commit
 * of any other connection (another process on the same file). Both equal: nothing can differ.
 */
import { sql } from 'kysely';
import type { Db, DialectName } from '../store/db.js';
import { prepared } from '../store/prepared.js';
import type { AnySelect } from './listing.js';
import type { RowVersion } from './item-cache.js';
import type { Item } from './service.js';

interface Listed { vector: string; items: readonly Item[]; token: string | null }

const sqliteChangeToken = prepared<[], { t: string }>(0, (db) =>
  db.selectNoFrom(sql<string>`total_changes() || ' ' || (select data_version from pragma_data_version)`.as('t')));

/** On SQLite, what moves with any change to the database since it was read (null elsewhere). */
async function changeToken(db: Db, dialect: DialectName): Promise<string | null> {
  return dialect === 'sqlite' ? String((await sqliteChangeToken(db))[0]!.t) : null;
}

export class ListedItems {
  private readonly lists = new Map<string, Listed>();
  private items = 0;

  /**
   * `max` queries and `maxItems` items in all kept, the least recently listed going first. A kept
   * list holds its items (and what the API derived from them: ~3.5 KB a port) after the item cache
   * has let them go: bounded by count of lists alone, the lists of networks since deleted (a new
   * network's thousand ports listed, then deleted) kept ~4 MB more alive with each, up to ~100 MB.
   */
  constructor(private readonly dialect: DialectName, private readonly max = 32, private readonly maxItems = 3_000) {}

  /**
   * The items of `q` (which selects id, revision_number and updated_at, in page order): the kept
   * ones when the rows' versions are unchanged, else `build` of the rows read (reversed first
   * for page_reverse).
   */
  async list(db: Db, q: AnySelect, reverse: boolean, build: (rows: RowVersion[]) => Promise<Item[]>): Promise<Item[]> {
    const fast = this.dialect !== 'mysql';
    const compiled = q.compile();
    const key = `${compiled.sql}\0${JSON.stringify(compiled.parameters)}`;
    const kept = fast ? this.lists.get(key) : undefined;
    // Read before the rows: a write between the two moves it, and the next list checks the rows.
    const token = fast ? await changeToken(db, this.dialect) : null;
    if (kept !== undefined && ((token !== null && token === kept.token) || (await versionVector(db, this.dialect, q)) === kept.vector)) {
      kept.token = token;
      this.lists.delete(key);
      this.lists.set(key, kept);
      return kept.items as Item[];
    }
    // The query compiled for the key, run as compiled (not built and compiled again).
    const rows = (await db.executeQuery(compiled)).rows as RowVersion[];
    const items = Object.freeze(await build(reverse ? [...rows].reverse() : rows)) as Item[];
    if (fast) this.remember(key, { vector: vectorOf(rows), items, token });
    return items;
  }

  private remember(key: string, listed: Listed): void {
    this.forget(key);
    if (listed.items.length > this.maxItems) return;
    this.lists.set(key, listed);
    this.items += listed.items.length;
    while (this.lists.size > this.max || this.items > this.maxItems) this.forget(this.lists.keys().next().value!);
  }

  private forget(key: string): void {
    const listed = this.lists.get(key);
    if (listed === undefined) return;
    this.lists.delete(key);
    this.items -= listed.items.length;
  }

  /** Items held by the kept lists. */
  get itemCount(): number {
    return this.items;
  }
}

/** What versionVector answers for these rows, in their order. */
export function vectorOf(rows: readonly RowVersion[]): string {
  let out = '';
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    out += `${i ? ',' : ''}${r.id} ${r.revision_number} ${r.updated_at}`;
  }
  return out;
}

/** The versions of the rows `q` matches, joined by the database in `q`'s order (null on MySQL). */
export async function versionVector(db: Db, dialect: DialectName, q: AnySelect): Promise<string | null> {
  if (dialect === 'mysql') return null;
  const row = sql`${sql.ref('l.id')} || ' ' || ${sql.ref('l.revision_number')} || ' ' || ${sql.ref('l.updated_at')}`;
  const joined = dialect === 'postgres' ? sql<string | null>`string_agg(${row}, ',')` : sql<string | null>`group_concat(${row}, ',')`;
  const result = await db.selectFrom(q.as('l')).select(joined.as('v')).executeTakeFirst();
  return (result?.v as string | null | undefined) ?? '';
}
