/** Queries on security groups, their rules, port bindings and each project's default group. */
import type { Db, Tx } from '../db.js';
import type { SecurityGroupRow, SecurityGroupRuleRow } from '../schema.js';
import { chunks } from './list.js';
import { prepared, param } from '../prepared.js';

export async function securityGroupRow(db: Db | Tx, id: string, forUpdate = false): Promise<SecurityGroupRow | undefined> {
  let q = db.selectFrom('security_groups').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function securityGroupRuleRow(db: Db | Tx, id: string): Promise<SecurityGroupRuleRow | undefined> {
  return db.selectFrom('security_group_rules').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Rules of each group, oldest first (creation order, then id for a total order). */
export async function rulesOfGroups(db: Db | Tx, groupIds: string[]): Promise<Map<string, SecurityGroupRuleRow[]>> {
  const out = new Map<string, SecurityGroupRuleRow[]>();
  for (const part of chunks(groupIds)) {
    if (!part.length) continue;
    const rows = await db.selectFrom('security_group_rules').selectAll().where('security_group_id', 'in', part)
      .orderBy('created_at').orderBy('id').execute();
    for (const r of rows) (out.get(r.security_group_id) ?? out.set(r.security_group_id, []).get(r.security_group_id)!).push(r);
  }
  return out;
}

/** Owning project of each group id given (groups that do not exist are absent from the map). */
export async function groupProjects(db: Db | Tx, groupIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks([...new Set(groupIds)])) {
    if (!part.length) continue;
    const rows = await db.selectFrom('security_groups').select(['id', 'project_id']).where('id', 'in', part).execute();
    for (const r of rows) out.set(r.id, r.project_id);
  }
  return out;
}

// Read by every port create that takes the project's default group: compiled once per dialect.
const defaultOf = prepared<[string], { security_group_id: string }>(1, (db) =>
  db.selectFrom('default_security_groups').select('security_group_id').where('project_id', '=', param(0)));
const defaultOfLocked = prepared<[string], { security_group_id: string }>(1, (db) =>
  db.selectFrom('default_security_groups').select('security_group_id').where('project_id', '=', param(0)).forUpdate());

/**
 * The project's default group id. `locking` reads the latest committed row (a plain read under
 * MySQL's REPEATABLE READ would keep showing the snapshot taken before a concurrent insert won).
 */
export async function defaultGroupId(db: Db | Tx, projectId: string, locking = false): Promise<string | undefined> {
  return (await (locking ? defaultOfLocked : defaultOf)(db, projectId))[0]?.security_group_id;
}

export async function groupHasPorts(db: Db | Tx, groupId: string): Promise<boolean> {
  const row = await db.selectFrom('port_security_groups').select('port_id').where('security_group_id', '=', groupId).limit(1).executeTakeFirst();
  return !!row;
}

export async function insertRules(tx: Tx, rows: SecurityGroupRuleRow[]): Promise<void> {
  if (rows.length) await tx.insertInto('security_group_rules').values(rows).execute();
}
