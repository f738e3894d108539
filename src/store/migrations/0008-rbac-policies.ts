/**
 * Extension rbac-policies for the object types Nucleon shares (rbac-security-groups,
 * rbac-address-group): Neutron keeps one table per type (securitygrouprbacs, addressgrouprbacs);
 * one table with `object_type` serves both, lists and sorts across types in one query, and leaves
 * room for the next type. No foreign key can point at two tables: a group's entries are deleted
 * with the group by core. The unique key is Neutron's (target, object, action), per type.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('rbac_policies')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('object_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('object_id', 'varchar(36)', (c) => c.notNull())
    // A project id or `*` (every project); the API's name for Neutron's target_project column.
    .addColumn('target_tenant', 'varchar(255)', (c) => c.notNull())
    .addColumn('action', 'varchar(255)', (c) => c.notNull())
    .addUniqueConstraint('rbac_policies_target_object_action', ['object_type', 'object_id', 'target_tenant', 'action'])
    .execute();
  await db.schema.createIndex('rbac_policies_project').on('rbac_policies').column('project_id').execute();
  // Visibility asks "shared with P or *?" for many objects at once.
  await db.schema.createIndex('rbac_policies_target').on('rbac_policies').columns(['target_tenant', 'object_type']).execute();
}
