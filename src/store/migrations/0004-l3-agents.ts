/**
 * L3 agent scheduling and floating IP realisation (DESIGN.md §3):
 * - `router_l3_agent_bindings`: which L3 agent hosts a router (Neutron's RouterL3AgentBinding; one
 *   agent per router here, as legacy routers have: the primary key is the router). Both sides
 *   cascade: a deleted router or agent takes its bindings along.
 * - `floatingips.host_revision`: the host-state revision of the floating IP's last change; it is
 *   ACTIVE once its router's L3 agent reports having applied a revision at or above it.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('router_l3_agent_bindings')
    .addColumn('router_id', 'varchar(36)', (c) => c.primaryKey().references('routers.id').onDelete('cascade'))
    .addColumn('l3_agent_id', 'varchar(36)', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('binding_index', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('router_l3_agent_bindings_agent').on('router_l3_agent_bindings').column('l3_agent_id').execute();
  await db.schema.alterTable('floatingips').addColumn('host_revision', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}
