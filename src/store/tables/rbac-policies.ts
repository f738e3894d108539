/** Queries on RBAC policies (extension rbac-policies): which objects are shared with whom. */
import { MysqlAdapter, sql } from 'kysely';
import type { Db, Tx } from '../db.js';
import { chunks } from './list.js';

/** The only action of the shared object types (Neutron's rbac_db_models.ACCESS_SHARED). */
export const ACCESS_SHARED = 'access_as_shared';

/** Targets that share an object with `projectId`: `*` and the project itself. */
export const targetsOf = (projectId: string | null): string[] => (projectId ? ['*', projectId] : ['*']);

/**
 * The object ids of `objectType` shared with `projectId` (an access_as_shared entry targeting it
 * or `*`): Neutron's is_shared_with_project, for many objects in one query per chunk.
 * `forShare` (servers only) holds the entries until commit: a writer relying on the sharing (a port
 * taking a shared group) and one removing it (which locks the entry first) then run one after the other.
 */
export async function sharedWith(db: Db | Tx, objectType: string, objectIds: string[], projectId: string | null, forShare = false): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks([...new Set(objectIds)])) {
    if (!part.length) continue;
    let q = db.selectFrom('rbac_policies').select('object_id')
      .where('object_type', '=', objectType).where('action', '=', ACCESS_SHARED)
      .where('target_tenant', 'in', targetsOf(projectId)).where('object_id', 'in', part);
    // MariaDB knows no FOR SHARE; LOCK IN SHARE MODE is the same lock on MySQL and MariaDB.
    if (forShare) q = db.getExecutor().adapter instanceof MysqlAdapter ? q.modifyEnd(sql`lock in share mode`) : q.forShare();
    const rows = await q.execute();
    for (const r of rows) out.add(r.object_id);
  }
  return out;
}

/** A sub-select of the object ids of `objectType` shared with `projectId`, for list scopes and filters. */
export function sharedIdsQuery(db: Db, objectType: string, projectId: string | null) {
  return db.selectFrom('rbac_policies').select('rbac_policies.object_id')
    .where('rbac_policies.object_type', '=', objectType).where('rbac_policies.action', '=', ACCESS_SHARED)
    .where('rbac_policies.target_tenant', 'in', targetsOf(projectId));
}

/** Every access_as_shared target of one object (`*` included). */
export async function sharedTargets(db: Db | Tx, objectType: string, objectId: string): Promise<string[]> {
  const rows = await db.selectFrom('rbac_policies').select('target_tenant')
    .where('object_type', '=', objectType).where('object_id', '=', objectId).where('action', '=', ACCESS_SHARED).execute();
  return rows.map((r) => r.target_tenant);
}

/** Removes an object's entries (Neutron's foreign keys cascade on the object's deletion). */
export async function deleteEntriesOf(tx: Tx, objectType: string, objectId: string): Promise<void> {
  await tx.deleteFrom('rbac_policies').where('object_type', '=', objectType).where('object_id', '=', objectId).execute();
}
