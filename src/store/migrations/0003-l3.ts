/**
 * L3: routers, router ports, extra routes, floating IPs and port forwardings.
 * Foreign keys do what Neutron's do: a router's ports, routes go with it; a floating IP goes with
 * its external port; deleting an associated internal port deletes its association (the floating IP
 * is then disassociated, as Neutron's port delete does) and its port forwardings.
 */
import type { Kysely, CreateTableBuilder } from 'kysely';

type Table = CreateTableBuilder<string, never>;

const standard = (t: Table) =>
  t.addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('revision_number', 'bigint', (c) => c.notNull().defaultTo(0));

export async function up(db: Kysely<any>): Promise<void> {
  await standard(db.schema.createTable('routers'))
    .addColumn('admin_state_up', 'integer', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('gw_port_id', 'varchar(36)', (c) => c.references('ports.id').onDelete('set null'))
    .addColumn('enable_snat', 'integer', (c) => c.notNull())
    .addColumn('availability_zone_hints', 'varchar(1024)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('routers_project').on('routers').column('project_id').execute();

  await db.schema.createTable('router_ports')
    .addColumn('router_id', 'varchar(36)', (c) => c.notNull().references('routers.id').onDelete('cascade'))
    .addColumn('port_id', 'varchar(36)', (c) => c.primaryKey().references('ports.id').onDelete('cascade'))
    .addColumn('port_type', 'varchar(255)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('router_ports_router').on('router_ports').column('router_id').execute();

  await db.schema.createTable('router_routes')
    .addColumn('router_id', 'varchar(36)', (c) => c.notNull().references('routers.id').onDelete('cascade'))
    .addColumn('destination', 'varchar(64)', (c) => c.notNull())
    .addColumn('nexthop', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('router_routes_pk', ['router_id', 'destination', 'nexthop'])
    .execute();

  await standard(db.schema.createTable('floatingips'))
    .addColumn('floating_network_id', 'varchar(36)', (c) => c.notNull().references('networks.id'))
    .addColumn('floating_ip_address', 'varchar(64)', (c) => c.notNull())
    .addColumn('floating_port_id', 'varchar(36)', (c) => c.notNull().references('ports.id').onDelete('cascade'))
    .addColumn('router_id', 'varchar(36)', (c) => c.references('routers.id'))
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addUniqueConstraint('floatingips_network_address', ['floating_network_id', 'floating_ip_address'])
    .execute();
  await db.schema.createIndex('floatingips_project').on('floatingips').column('project_id').execute();
  await db.schema.createIndex('floatingips_router').on('floatingips').column('router_id').execute();

  await db.schema.createTable('floatingip_associations')
    .addColumn('floatingip_id', 'varchar(36)', (c) => c.primaryKey().references('floatingips.id').onDelete('cascade'))
    .addColumn('fixed_port_id', 'varchar(36)', (c) => c.notNull().references('ports.id').onDelete('cascade'))
    .addColumn('fixed_ip_address', 'varchar(64)', (c) => c.notNull())
    .addColumn('router_id', 'varchar(36)', (c) => c.notNull().references('routers.id'))
    .execute();
  await db.schema.createIndex('floatingip_associations_port').on('floatingip_associations').column('fixed_port_id').execute();
  await db.schema.createIndex('floatingip_associations_router').on('floatingip_associations').column('router_id').execute();

  await db.schema.createTable('port_forwardings')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('floatingip_id', 'varchar(36)', (c) => c.notNull().references('floatingips.id').onDelete('cascade'))
    .addColumn('internal_port_id', 'varchar(36)', (c) => c.notNull().references('ports.id').onDelete('cascade'))
    .addColumn('protocol', 'varchar(40)', (c) => c.notNull())
    .addColumn('internal_ip_address', 'varchar(64)', (c) => c.notNull())
    .addColumn('internal_port_start', 'integer', (c) => c.notNull())
    .addColumn('internal_port_end', 'integer', (c) => c.notNull())
    .addColumn('external_port_start', 'integer', (c) => c.notNull())
    .addColumn('external_port_end', 'integer', (c) => c.notNull())
    .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('port_forwardings_fip').on('port_forwardings').column('floatingip_id').execute();
  await db.schema.createIndex('port_forwardings_port').on('port_forwardings').column('internal_port_id').execute();
}
