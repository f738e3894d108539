/** A parsed list request: what api/query.ts makes of a query string, and what core lists by. */
export interface SortKey { key: string; ascending: boolean }

export interface ListQuery {
  /** Attribute name → accepted values (any of); values already converted by the definitions. */
  filters: Record<string, unknown[]>;
  fields: string[];
  sorts: SortKey[];
  limit: number | null;
  marker: string | null;
  pageReverse: boolean;
  tags: { all: string[]; any: string[]; notAll: string[]; notAny: string[] };
}
