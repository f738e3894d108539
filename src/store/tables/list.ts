/**
 * Filters, sorting and keyset pagination applied to a table query, for any resource whose listable
 * attributes are columns. Values arrive already converted by the attribute definitions.
 */
import { sql, type SelectQueryBuilder, type Expression, type SqlBool, type ExpressionBuilder } from 'kysely';
import type { Database } from '../schema.js';

export interface ColumnFilter { column: string; values: unknown[] }
export interface ColumnSort { column: string; ascending: boolean }

export interface Page {
  sorts: ColumnSort[];
  limit: number | null;
  /** Sort-column values of the marker row, in `sorts` order (id last). */
  markerValues: unknown[] | null;
  pageReverse: boolean;
}

/** Column values as stored: booleans become 0/1. */
export const toDb = (v: unknown): unknown => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

type AnySelect = SelectQueryBuilder<Database, any, any>;

export function applyFilters<Q extends AnySelect>(q: Q, table: string, filters: ColumnFilter[]): Q {
  for (const f of filters) {
    const ref = sql.ref(`${table}.${f.column}`);
    const values = f.values.map(toDb);
    const nonNull = values.filter((v) => v !== null);
    const hasNull = values.length !== nonNull.length;
    q = q.where((eb: ExpressionBuilder<any, any>) => {
      const parts: Expression<SqlBool>[] = [];
      if (nonNull.length) parts.push(eb(ref, 'in', nonNull));
      if (hasNull) parts.push(eb(ref, 'is', null));
      return parts.length ? eb.or(parts) : eb.val(false);
    }) as Q;
  }
  return q;
}

/**
 * Orders by the sort keys plus `id` (always last, to make the order total) and, with a marker,
 * keeps rows strictly after it: (k1 > m1) or (k1 = m1 and k2 > m2) ... (reversed for desc / page_reverse).
 */
export function applyPage<Q extends AnySelect>(q: Q, table: string, page: Page): Q {
  const sorts = page.sorts;
  if (page.markerValues) {
    const marker = page.markerValues;
    q = q.where((eb: ExpressionBuilder<any, any>) => {
      const ors: Expression<SqlBool>[] = [];
      for (let i = 0; i < sorts.length; i++) {
        const ands: Expression<SqlBool>[] = [];
        for (let j = 0; j < i; j++) ands.push(eb(sql.ref(`${table}.${sorts[j].column}`), '=', marker[j]));
        const forward = sorts[i].ascending !== page.pageReverse;
        ands.push(eb(sql.ref(`${table}.${sorts[i].column}`), forward ? '>' : '<', marker[i]));
        ors.push(eb.and(ands));
      }
      return eb.or(ors);
    }) as Q;
  }
  for (const s of sorts) {
    const forward = s.ascending !== page.pageReverse;
    q = q.orderBy(sql.ref(`${table}.${s.column}`), forward ? 'asc' : 'desc') as Q;
  }
  if (page.limit) q = q.limit(page.limit) as Q;
  return q;
}

/** Splits a long id list so IN (...) stays within every dialect's parameter limits. */
export function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
