/**
 * The network attributes Neutron's policy rules read for a port or subnet (`network:tenant_id`
 * for network_owner, `network:shared`), for a whole list at once: one query for the distinct
 * networks rather than one per listed item. The contexts are shared between items: never written to.
 */
import type { Db } from '../store/db.js';
import type { Item } from './service.js';
import { networkOwners } from '../store/tables/networks.js';

/** The policy context of a port or subnet on a network with this owner and shared flag. */
export function networkContext(owner: string, shared: unknown): Item {
  return { 'network:tenant_id': owner, 'network:project_id': owner, 'network:shared': !!shared };
}

/** networkContext of the network with this id, or {} when it is gone. */
export async function networkPolicyContext(db: Db, networkId: string): Promise<Item> {
  const net = (await networkOwners(db, [networkId])).get(networkId);
  return net ? networkContext(net.project_id, net.shared) : {};
}

export async function networkPolicyContexts(db: Db, items: readonly Item[]): Promise<Item[]> {
  const runs = networkRuns(items);
  const nets = await networkOwners(db, [...new Set(runs.map((r) => r.networkId))]);
  // One context object per network, shared by its items.
  const contexts = new Map<string, Item>();
  for (const [id, net] of nets) contexts.set(id, networkContext(net.project_id, net.shared));
  const none: Item = {};
  const out = new Array<Item>(items.length);
  let i = 0;
  for (const run of runs) {
    const context = contexts.get(run.networkId) ?? none;
    for (let end = i + run.count; i < end; i++) out[i] = context;
  }
  return out;
}

interface Run { networkId: string; count: number }

// A list kept by core/listed-items.ts comes back as the same frozen array while nothing changed:
// its runs are read once. Reading every item's network_id again cost more than the rest of such a
// list's answer (a thousand objects scattered over the heap).
const runsOf = new WeakMap<readonly Item[], Run[]>();

/** The items' network ids as runs of equal ids, in order (a list is mostly one network's items). */
function networkRuns(items: readonly Item[]): Run[] {
  let runs = runsOf.get(items);
  if (runs !== undefined) return runs;
  runs = [];
  let run: Run | undefined;
  for (const item of items) {
    const id = item.network_id as string;
    if (run !== undefined && run.networkId === id) run.count++;
    else runs.push((run = { networkId: id, count: 1 }));
  }
  if (Object.isFrozen(items)) runsOf.set(items, runs);
  return runs;
}
