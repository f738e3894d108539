/**
 * The shape every resource service has: the API's generic collection handler calls these typed
 * functions (no dispatch by built-up names). Items are API dicts with Neutron's attribute names.
 */
import type { Caller } from './caller.js';
import type { ListQuery } from './list-query.js';
import type { Store, Tx } from '../store/db.js';

export type Item = Record<string, unknown>;
export type Body = Record<string, unknown>;

/** The API's policy check of one create body, given the body's policy context (policyContext). */
export type CreateAuthorizer = (body: Body, context: Item) => void;

export interface WriteOptions {
  /** If-Match: revision_number=N */
  ifMatch?: number;
}

export interface ResourceService {
  list(caller: Caller, query: ListQuery): Promise<Item[]>;
  /** Throws the resource's NotFound when absent or outside the caller's scope. */
  get(caller: Caller, id: string): Promise<Item>;
  /**
   * Creates all bodies in one transaction (bulk); bodies are validated, defaults filled with
   * NOT_SPECIFIED markers kept. A service with `authorizesCreates` calls `authorize` for each body
   * in that transaction, with the policy context it reads there, before anything else it checks
   * or writes for the body.
   */
  create(caller: Caller, bodies: Body[], authorize?: CreateAuthorizer): Promise<Item[]>;
  /**
   * create reads each body's policy context in its transaction anyway (a port its network) and
   * hands it to `authorize` there: the API does not read it first.
   */
  authorizesCreates?: boolean;
  update(caller: Caller, id: string, body: Body, options: WriteOptions): Promise<Item>;
  delete(caller: Caller, id: string, options: WriteOptions): Promise<void>;
  /** Extra policy target keys (e.g. `network:tenant_id` for ports) for an item or a create body. */
  policyContext?(caller: Caller, itemOrBody: Item): Promise<Item>;
  /**
   * What policyContext depends on (ports: their network id): within one request, items with the
   * same key share one lookup (a create's body and the created port, a bulk create's ports).
   */
  policyContextKey?(itemOrBody: Item): string | undefined;
  /**
   * get and policyContext in one read where the service can (a port and its network's owner): what
   * a show, an update and a delete look up first. Throws as get does.
   */
  getWithContext?(caller: Caller, id: string): Promise<{ item: Item; context: Item }>;
  /** policyContext of every item of a list, in order, in one query rather than one per item. */
  policyContexts?(caller: Caller, items: Item[]): Promise<Item[]>;
  /**
   * list/get answer shared, frozen items that stay the same object while the resource is unchanged
   * (core/item-cache.ts): the API may keep what it derives from them, keyed by the object.
   */
  sharedItems?: boolean;
}

/** Bulk create: every body in one transaction (all or nothing), ids in request order. */
export async function createAll(
  store: Pick<Store, 'transaction'>,
  bodies: Body[],
  createOne: (tx: Tx, body: Body) => Promise<string>,
  /** Runs last in the same transaction (host revisions, DHCP scheduling). */
  finish?: (tx: Tx, ids: string[]) => Promise<void>,
  /** Runs at the start of each attempt: a retried transaction must forget what the failed one built. */
  reset?: () => void,
): Promise<string[]> {
  return store.transaction(async (tx) => {
    reset?.();
    const ids: string[] = [];
    for (const body of bodies) ids.push(await createOne(tx, body));
    if (finish) await finish(tx, ids);
    return ids;
  });
}

/** Rows fetched by id, put back in the order of `ids`. */
export function inOrder<R extends { id: string }>(rows: R[], ids: string[]): R[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)!);
}
