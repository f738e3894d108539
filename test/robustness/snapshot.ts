/**
 * A cheap fingerprint of the whole database: the row count of every table (found by
 * introspection, so tables added later are covered) and the sum of revision numbers where there is
 * one (an in-place update bumps it). Read in one query through the server's own Kysely instance.
 */
import { sql } from 'kysely';
import type { Store } from '../../src/store/db.js';

export type Snapshot = Record<string, number>;

export async function snapshotter(store: Store): Promise<() => Promise<Snapshot>> {
  const tables = (await store.db.introspection.getTables())
    .filter((t) => !t.name.startsWith('nucleon_migrations'));
  const parts = tables.flatMap((t) => {
    const out = [sql`(select count(*) from ${sql.table(t.name)}) as ${sql.ref(`${t.name}_rows`)}`];
    if (t.columns.some((c) => c.name === 'revision_number')) {
      out.push(sql`(select coalesce(sum(revision_number), 0) from ${sql.table(t.name)}) as ${sql.ref(`${t.name}_revisions`)}`);
    }
    return out;
  });
  if (!parts.length) throw new Error('no tables found');
  const query = sql<Record<string, unknown>>`select ${sql.join(parts)}`;
  return async () => {
    const { rows } = await query.execute(store.db);
    return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]));
  };
}
