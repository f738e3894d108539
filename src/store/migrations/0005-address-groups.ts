/**
 * Extension address-group (Neutron's address_groups / address_associations): a project's named
 * list of CIDRs, referenced by security group rules' remote_address_group_id. Addresses are stored
 * normalised (`10.0.0.0/24`, host bits cleared) and unique per group; they go with their group.
 * Rules keep a plain column (0001): a group in use cannot be deleted (AddressGroupInUse).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('address_groups')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('revision_number', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('address_groups_project').on('address_groups').column('project_id').execute();
  await db.schema.createTable('address_group_addresses')
    .addColumn('address_group_id', 'varchar(36)', (c) => c.notNull().references('address_groups.id').onDelete('cascade'))
    .addColumn('address', 'varchar(64)', (c) => c.notNull())
    .addPrimaryKeyConstraint('address_group_addresses_pk', ['address_group_id', 'address'])
    .execute();
  await db.schema.createIndex('security_group_rules_remote_ag').on('security_group_rules').column('remote_address_group_id').execute();
  await db.schema.createIndex('security_group_rules_remote_group').on('security_group_rules').column('remote_group_id').execute();
}
