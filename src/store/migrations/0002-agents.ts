/**
 * Agents, DHCP scheduling and host revisions (DESIGN.md §3).
 * - `agents`: one row per (agent_type, host), upserted by heartbeats.
 * - `network_dhcp_agents`: which DHCP agents serve which network.
 * - `host_state_revision`: the deployment's one change counter. A transaction that changes some host's
 *   desired state increments it last and holds its row lock until commit, so revisions commit in
 *   order: whoever reads revision R also sees every change numbered R or below.
 * - `host_revisions`: per host, the counter value of the last change that affected it (`?since=` → 304).
 * - `ports.host_revision`: the counter value of the port's last change (ACTIVE once its host's agent
 *   reports having applied a revision at or above it).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('agents')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('agent_type', 'varchar(255)', (c) => c.notNull())
    .addColumn('binary', 'varchar(255)', (c) => c.notNull())
    .addColumn('topic', 'varchar(255)', (c) => c.notNull())
    .addColumn('host', 'varchar(255)', (c) => c.notNull())
    .addColumn('availability_zone', 'varchar(255)')
    .addColumn('admin_state_up', 'integer', (c) => c.notNull())
    .addColumn('configurations', 'text', (c) => c.notNull())
    .addColumn('resource_versions', 'text')
    .addColumn('load', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('description', 'varchar(255)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('started_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('heartbeat_timestamp', 'varchar(32)', (c) => c.notNull())
    .addColumn('observed_revision', 'bigint', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('agents_type_host', ['agent_type', 'host'])
    .execute();
  await db.schema.createIndex('agents_host').on('agents').column('host').execute();

  await db.schema.createTable('network_dhcp_agents')
    .addColumn('network_id', 'varchar(36)', (c) => c.notNull().references('networks.id').onDelete('cascade'))
    .addColumn('dhcp_agent_id', 'varchar(36)', (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('network_dhcp_agents_pk', ['network_id', 'dhcp_agent_id'])
    .execute();
  await db.schema.createIndex('network_dhcp_agents_agent').on('network_dhcp_agents').column('dhcp_agent_id').execute();

  await db.schema.createTable('host_state_revision')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('host_state_revision').values({ id: 1, revision: 0 }).execute();

  await db.schema.createTable('host_revisions')
    .addColumn('host', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('ports').addColumn('host_revision', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}
