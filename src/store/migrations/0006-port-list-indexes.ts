/**
 * Indexes for the hottest port queries (bench/README.md, "Hot spots"):
 * - `ports(network_id, id)`: a network's ports in id order — the default list order — straight
 *   from the index, without sorting a network's ports in a temporary B-tree on every list.
 * - `ports(network_id, binding:host_id)`: the hosts a network's ports are bound to, which every port
 *   write asks (core/host-revisions.ts), answered from the index alone instead of the port rows.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('ports_network_id').on('ports').columns(['network_id', 'id']).execute();
  await db.schema.createIndex('ports_network_host').on('ports').columns(['network_id', 'binding:host_id']).execute();
}
