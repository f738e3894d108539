/**
 * The network attributes Neutron's policy rules read for a port or subnet (`network:tenant_id`
 * for network_owner, `network:shared`), for a whole list at once: one query for the distinct
 * networks rather than one per listed item.
 */
import type { Db } from '../store/db.js';
import type { Item } from './service.js';
import { networkOwners } from '../store/tables/networks.js';

export async function networkPolicyContexts(db: Db, items: Item[]): Promise<Item[]> {
  const nets = await networkOwners(db, [...new Set(items.map((i) => i.network_id as string))]);
  return items.map((item) => {
    const net = nets.get(item.network_id as string);
    return net ? { 'network:tenant_id': net.project_id, 'network:project_id': net.project_id, 'network:shared': !!net.shared } : {};
  });
}
