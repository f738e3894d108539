/**
 * The shape every resource service has: the API's generic collection handler calls these typed
 * functions (no dispatch by built-up names). Items are API dicts with Neutron's attribute names.
 */
import type { Caller } from './caller.js';
import type { ListQuery } from './list-query.js';

export type Item = Record<string, unknown>;
export type Body = Record<string, unknown>;

export interface WriteOptions {
  /** If-Match: revision_number=N */
  ifMatch?: number;
}

export interface ResourceService {
  list(caller: Caller, query: ListQuery): Promise<Item[]>;
  /** Throws the resource's NotFound when absent or outside the caller's scope. */
  get(caller: Caller, id: string): Promise<Item>;
  /** Creates all bodies in one transaction (bulk); bodies are validated, defaults filled with NOT_SPECIFIED markers kept. */
  create(caller: Caller, bodies: Body[]): Promise<Item[]>;
  update(caller: Caller, id: string, body: Body, options: WriteOptions): Promise<Item>;
  delete(caller: Caller, id: string, options: WriteOptions): Promise<void>;
  /** Extra policy target keys (e.g. `network:tenant_id` for ports) for an item or a create body. */
  policyContext?(caller: Caller, itemOrBody: Item): Promise<Item>;
}
