/**
 * The network attributes Neutron's policy rules read for a port or subnet (`network:tenant_id`
 * for network_owner, `network:shared`), for a whole list at once: one query for the distinct
 * networks rather than one per listed item. The contexts are shared between items: never written to.
 */
import type { Db } from '../store/db.js';
import type { Item } from './service.js';
import { networkOwners } from '../store/tables/networks.js';

export async function networkPolicyContexts(db: Db, items: Item[]): Promise<Item[]> {
  const ids = new Set<string>();
  for (const item of items) ids.add(item.network_id as string);
  const nets = await networkOwners(db, [...ids]);
  // One context object per network, shared by its items (a list is mostly one network's ports).
  const contexts = new Map<string, Item>();
  for (const [id, net] of nets) contexts.set(id, { 'network:tenant_id': net.project_id, 'network:project_id': net.project_id, 'network:shared': !!net.shared });
  const none: Item = {};
  return items.map((item) => contexts.get(item.network_id as string) ?? none);
}
