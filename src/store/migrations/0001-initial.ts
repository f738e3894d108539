/** The initial schema. Migrations are forward-only; each runs once, recorded by Kysely's Migrator. */
import type { Kysely, CreateTableBuilder } from 'kysely';

type Table = CreateTableBuilder<string, never>;

const id = (t: Table) => t.addColumn('id', 'varchar(36)', (c) => c.primaryKey());
const standard = (t: Table) =>
  id(t)
    .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('revision_number', 'bigint', (c) => c.notNull().defaultTo(0));

export async function up(db: Kysely<any>): Promise<void> {
  await standard(db.schema.createTable('networks'))
    .addColumn('admin_state_up', 'integer', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('shared', 'integer', (c) => c.notNull())
    .addColumn('router:external', 'integer', (c) => c.notNull())
    .addColumn('mtu', 'integer', (c) => c.notNull())
    .addColumn('port_security_enabled', 'integer', (c) => c.notNull())
    .addColumn('availability_zone_hints', 'varchar(1024)', (c) => c.notNull())
    .addColumn('dns_domain', 'varchar(255)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('networks_project').on('networks').column('project_id').execute();

  await id(db.schema.createTable('network_segments'))
    .addColumn('network_id', 'varchar(36)', (c) => c.notNull().references('networks.id').onDelete('cascade'))
    .addColumn('network_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('physical_network', 'varchar(64)')
    .addColumn('segmentation_id', 'integer')
    .addColumn('segment_index', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('network_segments_network').on('network_segments').column('network_id').execute();

  await db.schema.createTable('segment_allocations')
    .addColumn('network_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('physical_network', 'varchar(64)', (c) => c.notNull())
    .addColumn('segmentation_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('segment_allocations_pk', ['network_type', 'physical_network', 'segmentation_id'])
    .execute();

  await db.schema.createTable('free_ranges')
    .addColumn('pool', 'varchar(100)', (c) => c.notNull())
    .addColumn('first', 'varchar(32)', (c) => c.notNull())
    .addColumn('last', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('free_ranges_pk', ['pool', 'last'])
    .execute();

  await standard(db.schema.createTable('subnets'))
    .addColumn('network_id', 'varchar(36)', (c) => c.notNull().references('networks.id'))
    .addColumn('ip_version', 'integer', (c) => c.notNull())
    .addColumn('cidr', 'varchar(64)', (c) => c.notNull())
    .addColumn('gateway_ip', 'varchar(64)')
    .addColumn('enable_dhcp', 'integer', (c) => c.notNull())
    .addColumn('ipv6_ra_mode', 'varchar(16)')
    .addColumn('ipv6_address_mode', 'varchar(16)')
    .addColumn('subnetpool_id', 'varchar(36)')
    .execute();
  await db.schema.createIndex('subnets_network').on('subnets').column('network_id').execute();

  for (const [table, cols] of [
    ['allocation_pools', [['first_ip', 'varchar(64)'], ['last_ip', 'varchar(64)']]],
    ['dns_nameservers', [['address', 'varchar(128)']]],
    ['host_routes', [['destination', 'varchar(64)'], ['nexthop', 'varchar(64)']]],
  ] as const) {
    let t = db.schema.createTable(table)
      .addColumn('subnet_id', 'varchar(36)', (c) => c.notNull().references('subnets.id').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull());
    for (const [name, type] of cols) t = t.addColumn(name, type, (c) => c.notNull());
    await t.addPrimaryKeyConstraint(`${table}_pk`, ['subnet_id', 'position']).execute();
  }

  await standard(db.schema.createTable('ports'))
    .addColumn('network_id', 'varchar(36)', (c) => c.notNull().references('networks.id'))
    .addColumn('mac_address', 'varchar(32)', (c) => c.notNull())
    .addColumn('admin_state_up', 'integer', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('device_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('device_owner', 'varchar(255)', (c) => c.notNull())
    .addColumn('port_security_enabled', 'integer', (c) => c.notNull())
    .addColumn('binding:host_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('binding:vnic_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('binding:profile', 'text', (c) => c.notNull())
    .addColumn('binding:vif_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('binding:vif_details', 'text', (c) => c.notNull())
    .addColumn('dns_name', 'varchar(255)', (c) => c.notNull())
    .addUniqueConstraint('ports_network_mac', ['network_id', 'mac_address'])
    .execute();
  await db.schema.createIndex('ports_project').on('ports').column('project_id').execute();
  await db.schema.createIndex('ports_device').on('ports').column('device_id').execute();
  await db.schema.createIndex('ports_host').on('ports').column('binding:host_id').execute();

  await db.schema.createTable('ip_allocations')
    .addColumn('port_id', 'varchar(36)', (c) => c.notNull().references('ports.id').onDelete('cascade'))
    .addColumn('network_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('subnet_id', 'varchar(36)', (c) => c.notNull().references('subnets.id'))
    .addColumn('ip_address', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('ip_allocations_pk', ['subnet_id', 'ip_address'])
    .execute();
  await db.schema.createIndex('ip_allocations_port').on('ip_allocations').column('port_id').execute();

  await db.schema.createTable('allowed_address_pairs')
    .addColumn('port_id', 'varchar(36)', (c) => c.notNull().references('ports.id').onDelete('cascade'))
    .addColumn('mac_address', 'varchar(32)', (c) => c.notNull())
    .addColumn('ip_address', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('allowed_address_pairs_pk', ['port_id', 'mac_address', 'ip_address'])
    .execute();

  await db.schema.createTable('extra_dhcp_opts')
    .addColumn('port_id', 'varchar(36)', (c) => c.notNull().references('ports.id').onDelete('cascade'))
    .addColumn('opt_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('opt_value', 'varchar(255)')
    .addColumn('ip_version', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('extra_dhcp_opts_pk', ['port_id', 'opt_name', 'ip_version'])
    .execute();

  await standard(db.schema.createTable('security_groups'))
    .addColumn('stateful', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('security_groups_project').on('security_groups').column('project_id').execute();

  await standard(db.schema.createTable('security_group_rules'))
    .addColumn('security_group_id', 'varchar(36)', (c) => c.notNull().references('security_groups.id').onDelete('cascade'))
    .addColumn('remote_group_id', 'varchar(36)', (c) => c.references('security_groups.id').onDelete('cascade'))
    .addColumn('remote_address_group_id', 'varchar(36)')
    .addColumn('direction', 'varchar(8)', (c) => c.notNull())
    .addColumn('ethertype', 'varchar(8)', (c) => c.notNull())
    .addColumn('protocol', 'varchar(40)')
    .addColumn('port_range_min', 'integer')
    .addColumn('port_range_max', 'integer')
    .addColumn('remote_ip_prefix', 'varchar(64)')
    .execute();
  await db.schema.createIndex('security_group_rules_group').on('security_group_rules').column('security_group_id').execute();

  await db.schema.createTable('port_security_groups')
    .addColumn('port_id', 'varchar(36)', (c) => c.notNull().references('ports.id').onDelete('cascade'))
    .addColumn('security_group_id', 'varchar(36)', (c) => c.notNull().references('security_groups.id'))
    .addPrimaryKeyConstraint('port_security_groups_pk', ['port_id', 'security_group_id'])
    .execute();
  await db.schema.createIndex('port_security_groups_group').on('port_security_groups').column('security_group_id').execute();

  await db.schema.createTable('default_security_groups')
    .addColumn('project_id', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('security_group_id', 'varchar(36)', (c) => c.notNull().references('security_groups.id').onDelete('cascade'))
    .execute();

  await db.schema.createTable('quotas')
    .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('resource', 'varchar(64)', (c) => c.notNull())
    .addColumn('limit', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('quotas_pk', ['project_id', 'resource'])
    .execute();

  await db.schema.createTable('tags')
    .addColumn('resource_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('tag', 'varchar(255)', (c) => c.notNull())
    .addPrimaryKeyConstraint('tags_pk', ['resource_id', 'tag'])
    .execute();
  await db.schema.createIndex('tags_tag').on('tags').column('tag').execute();
}
