/**
 * Turns a ListQuery into one SQL query for resources whose filterable and sortable attributes are
 * columns: scope, column filters, tag filters, keyset pagination from the marker.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Db } from '../store/db.js';
import type { ListQuery } from './list-query.js';
import { applyFilters, applyPage, type ColumnFilter } from '../store/tables/list.js';
import { applyTagFilters, type StandardTable } from '../store/tables/standard.js';

export type AnySelect = SelectQueryBuilder<Database, any, any>;

export interface ListSpec<Table extends StandardTable> {
  table: Table;
  /** API attribute → column, for attributes that filter and sort by a plain column. */
  columns: Record<string, string>;
  /** Attributes filtered by the caller-specific hook rather than by a column. */
  customFilters?: Record<string, (q: AnySelect, values: unknown[]) => AnySelect>;
  /** Only these columns of the matching rows (default: every column). */
  select?: readonly string[];
}

export async function listRows<Table extends StandardTable>(
  db: Db,
  spec: ListSpec<Table>,
  query: ListQuery,
  scope: (q: AnySelect) => AnySelect,
): Promise<Database[Table][]> {
  const rows = (await (await listSelect(db, spec, query, scope)).execute()) as Database[Table][];
  return query.pageReverse ? rows.reverse() : rows;
}

/** The query listRows runs: in the order of the page (reversed for page_reverse), not yet run. */
export async function listSelect<Table extends StandardTable>(
  db: Db,
  spec: ListSpec<Table>,
  query: ListQuery,
  scope: (q: AnySelect) => AnySelect,
): Promise<AnySelect> {
  const t = spec.table;
  let q: AnySelect = db.selectFrom(t as 'networks');
  q = spec.select ? q.select(spec.select.map((c) => `${t}.${c}` as 'networks.id')) : q.selectAll(t as 'networks');
  q = scope(q);
  const columnFilters: ColumnFilter[] = [];
  for (const [attr, values] of Object.entries(query.filters)) {
    const custom = spec.customFilters?.[attr];
    if (custom) q = custom(q, values);
    else if (attr === 'tenant_id' || attr === 'project_id') columnFilters.push({ column: 'project_id', values });
    else if (spec.columns[attr]) columnFilters.push({ column: spec.columns[attr], values });
  }
  q = applyFilters(q, t, columnFilters);
  q = applyTagFilters(q, t, query.tags);

  const sorts = query.sorts
    .map((s) => ({ column: s.key === 'tenant_id' ? 'project_id' : spec.columns[s.key], ascending: s.ascending }))
    .filter((s) => s.column);
  if (!sorts.some((s) => s.column === 'id')) sorts.push({ column: 'id', ascending: sorts[0]?.ascending ?? true });

  let markerValues: unknown[] | null = null;
  if (query.marker) {
    const marker = await db.selectFrom(t as 'networks').selectAll().where('id', '=', query.marker).executeTakeFirst() as Record<string, unknown> | undefined;
    // Neutron ignores a marker it cannot find (the first page is returned).
    if (marker) markerValues = sorts.map((s) => marker[s.column]);
  }
  return applyPage(q, t, { sorts, limit: query.limit, markerValues, pageReverse: query.pageReverse });
}

/** Non-admins see their own project's rows, plus rows matching `orShared` (shared / external networks). */
export function ownedOr(projectId: string | null, table: string, shared: string[] = []) {
  return (q: AnySelect): AnySelect =>
    q.where((eb) => eb.or([
      eb(sql.ref(`${table}.project_id`), '=', projectId ?? ''),
      ...shared.map((col) => eb(sql.ref(`${table}.${col}`), '=', 1)),
    ]));
}
