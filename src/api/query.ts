/**
 * Query-string handling for every collection, derived from the resource's attribute flags:
 * filters (repeated keys = any of), `fields`, sorting, pagination and tag filters.
 */
import type { AttributeMap } from '../definitions/types.js';
import { errors } from '../core/errors.js';
import type { ListQuery } from '../core/list-query.js';

export type { ListQuery, SortKey } from '../core/list-query.js';
import { InvalidInputError, isUuid } from '../definitions/validators.js';


export type RawQuery = Record<string, string | string[] | undefined>;

const INT32_MAX = 2 ** 31 - 1;

const RESERVED = new Set(['fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse', 'tags', 'tags-any', 'not-tags', 'not-tags-any', 'verbose']);

/** Query parameters accepted as filters although no attribute declares them (resource-specific). */
export type ExtraFilters = Record<string, (values: string[]) => unknown[]>;

export function valuesOf(query: RawQuery, key: string): string[] {
  const v = query[key];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

const pyList = (items: string[]) => `[${items.map((i) => `'${i}'`).join(', ')}]`;

export function parseListQuery(query: RawQuery, attributes: AttributeMap, extra: ExtraFilters = {}, maxLimit = 0): ListQuery {
  const filters: Record<string, unknown[]> = {};
  const invalid: string[] = [];
  for (const key of Object.keys(query)) {
    if (RESERVED.has(key)) continue;
    const values = valuesOf(query, key);
    // Own keys only: `?constructor=` or `?__proto__=` must not reach Object.prototype.
    if (Object.hasOwn(extra, key)) { filters[key] = extra[key](values); continue; }
    const spec = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
    if (!spec?.isFilter) { invalid.push(key); continue; }
    try {
      // '' is converted too, as Neutron does with empty-string-filtering (`router:external=` is a 400).
      filters[key] = values.map((v) => (spec.convert ? spec.convert(v) : v));
      // Integer columns hold 32 bits (revision numbers never get near): a value beyond can only be a
      // mistake, and PostgreSQL would refuse to compare it.
      const huge = filters[key].find((v) => typeof v === 'number' && Math.abs(v) > INT32_MAX);
      if (huge !== undefined) throw errors.badRequest(`Invalid input for ${key}. Reason: '${values[filters[key].indexOf(huge)]}' is out of range.`);
    } catch (e) {
      if (e instanceof InvalidInputError) throw errors.badRequest(`Invalid input for ${key}. Reason: ${e.message}.`);
      throw e;
    }
  }
  if (invalid.length) throw errors.badRequest(`${pyList(invalid)} is invalid attribute for filtering`);

  const sortKeys = valuesOf(query, 'sort_key').filter(Boolean);
  const sortDirs = valuesOf(query, 'sort_dir').filter(Boolean);
  if (sortKeys.length !== sortDirs.length) throw errors.badRequest('The number of sort_keys and sort_dirs must be same');
  const absent = sortKeys.filter((k) => !(Object.hasOwn(attributes, k) && attributes[k].isSortKey));
  if (absent.length) throw errors.badRequest(`${pyList(absent)} is invalid attribute for sort_keys`);
  const badDirs = sortDirs.filter((d) => d !== 'asc' && d !== 'desc');
  if (badDirs.length) throw errors.badRequest(`${pyList(badDirs)} is invalid value for sort_dirs, valid value is 'asc' and 'desc'`);
  const sorts = sortKeys.map((key, i) => ({ key, ascending: (sortDirs[i] ?? 'asc') === 'asc' }));

  const limitText = valuesOf(query, 'limit')[0];
  let limit: number | null = null;
  if (limitText !== undefined) {
    if (!/^\d+$/.test(limitText.trim())) throw errors.badRequest(`Limit must be an integer 0 or greater and not '${limitText}'`);
    limit = Math.min(Number(limitText), INT32_MAX) || null; // larger limits mean "all" (and overflow SQL LIMIT)
  }
  if (maxLimit > 0 && (limit === null || limit > maxLimit)) limit = maxLimit;
  const marker = valuesOf(query, 'marker')[0] ?? null;
  if (marker !== null && !isUuid(marker)) throw errors.badRequest(`Invalid input for marker. Reason: '${marker}' is not a valid UUID.`);

  const csv = (key: string) => valuesOf(query, key).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  return {
    filters,
    fields: valuesOf(query, 'fields').flatMap((f) => f.split(',')).filter(Boolean),
    sorts,
    limit,
    marker,
    pageReverse: (valuesOf(query, 'page_reverse')[0] ?? 'false').toLowerCase() === 'true',
    tags: { all: csv('tags'), any: csv('tags-any'), notAll: csv('not-tags'), notAny: csv('not-tags-any') },
  };
}

/** Keeps the requested fields of a shown resource (all when none requested). */
export function selectFields<T extends Record<string, unknown>>(item: T, fields: string[]): Partial<T> {
  if (!fields.length) return item;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in item) out[f] = item[f];
  return out as Partial<T>;
}
