/** Queries shared by every resource with standard attributes: tags, revisions, timestamps. */
import { sql, type SelectQueryBuilder, type ExpressionBuilder } from 'kysely';
import type { Database } from '../schema.js';
import type { Db, Tx } from '../db.js';
import { chunks } from './list.js';
import { preparedIn } from '../prepared.js';

export type StandardTable = 'networks' | 'subnets' | 'ports' | 'security_groups' | 'security_group_rules' | 'routers' | 'floatingips';

let lastSecond = -1;
let lastStamp = '';

/** Neutron's timestamp format: UTC, seconds precision, `Z`; formatted once per second, not per row. */
export function now(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastStamp = new Date(second * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  }
  return lastStamp;
}

const tagsIn = preparedIn((db, ids: string[]) => db.selectFrom('tags').select(['resource_id', 'tag']).where('resource_id', 'in', ids));

/**
 * Each resource's tags, sorted by code unit in JS rather than by the database's collation (MySQL's
 * is case-insensitive), so every dialect and every read path (tables/ports.ts onePortDetails) agree.
 */
export async function tagsOf(db: Db | Tx, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const part of chunks(ids)) {
    if (!part.length) continue;
    const rows = await tagsIn(db, part);
    for (const r of rows) {
      const list = out.get(r.resource_id);
      if (list) list.push(r.tag); else out.set(r.resource_id, [r.tag]);
    }
  }
  for (const list of out.values()) list.sort();
  return out;
}

export async function replaceTags(tx: Tx, id: string, tags: string[]): Promise<void> {
  await tx.deleteFrom('tags').where('resource_id', '=', id).execute();
  const unique = [...new Set(tags)];
  if (unique.length) await tx.insertInto('tags').values(unique.map((tag) => ({ resource_id: id, tag }))).execute();
}

export async function addTag(tx: Tx, id: string, tag: string): Promise<void> {
  const exists = await tx.selectFrom('tags').select('tag').where('resource_id', '=', id).where('tag', '=', tag).executeTakeFirst();
  if (!exists) await tx.insertInto('tags').values({ resource_id: id, tag }).execute();
}

export async function removeTag(tx: Tx, id: string, tag: string): Promise<boolean> {
  const res = await tx.deleteFrom('tags').where('resource_id', '=', id).where('tag', '=', tag).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export interface TagQuery { all: string[]; any: string[]; notAll: string[]; notAny: string[] }

type AnySelect = SelectQueryBuilder<Database, any, any>;

/** Neutron's tag filters: tags (all of), tags-any, not-tags (not all of), not-tags-any (none of). */
export function applyTagFilters<Q extends AnySelect>(q: Q, table: StandardTable, t: TagQuery): Q {
  const idRef = sql.ref(`${table}.id`);
  const matching = (eb: ExpressionBuilder<any, any>, tags: string[]) =>
    eb.selectFrom('tags').select(eb.fn.countAll().as('n')).whereRef('tags.resource_id', '=', idRef as any).where('tags.tag', 'in', tags);
  if (t.all.length) q = q.where((eb: ExpressionBuilder<any, any>) => eb(matching(eb, t.all), '=', t.all.length)) as Q;
  if (t.any.length) q = q.where((eb: ExpressionBuilder<any, any>) => eb(matching(eb, t.any), '>', 0)) as Q;
  if (t.notAll.length) q = q.where((eb: ExpressionBuilder<any, any>) => eb(matching(eb, t.notAll), '<', t.notAll.length)) as Q;
  if (t.notAny.length) q = q.where((eb: ExpressionBuilder<any, any>) => eb(matching(eb, t.notAny), '=', 0)) as Q;
  return q;
}

/**
 * Bumps revision_number and updated_at of one row (or of several, in one statement); with
 * `expected`, only if the row is at that revision (If-Match). Returns false when no row matched.
 */
export async function bumpRevision(tx: Tx, table: StandardTable, id: string | string[], expected?: number): Promise<boolean> {
  if (Array.isArray(id) && !id.length) return false;
  let q = tx.updateTable(table as 'networks')
    .set((eb) => ({ revision_number: eb('revision_number', '+', 1), updated_at: now() }))
    .where('id', Array.isArray(id) ? 'in' : '=', id);
  if (expected !== undefined) q = q.where('revision_number', '=', expected);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
