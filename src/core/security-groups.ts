/**
 * Security groups: each project's `default` group (created on first need, once, under any
 * concurrency), Neutron's default egress rules on every new group, the rules shown inside their
 * group, the stateful flag, and the in-use and default-group rules on update and delete.
 * A group shared by RBAC (rbac-security-groups) is visible to its target projects with `shared`
 * true; whether they may change it is the policy's call (Neutron's defaults: owner or admin only).
 */
import { randomUUID } from 'node:crypto';
import type { CoreDeps } from './deps.js';
import type { Caller } from './caller.js';
import type { Body, Item, ResourceService, WriteOptions } from './service.js';
import type { ListQuery } from './list-query.js';
import type { SecurityGroupRow, SecurityGroupRuleRow } from '../store/schema.js';
import { insertUnlessDuplicate, type Tx } from '../store/db.js';
import { NOT_SPECIFIED } from '../definitions/types.js';
import { NeutronError, errors } from './errors.js';
import { listRows } from './listing.js';
import { checkQuota } from './quotas.js';
import { newRuleRow, toRuleItem, securityGroupRuleService, type SecurityGroupRuleService } from './security-group-rules.js';
import { securityGroupRow, rulesOfGroups, defaultGroupId, groupHasPorts, insertRules } from '../store/tables/security-groups.js';
import { tagsOf, bumpRevision, now } from '../store/tables/standard.js';
import { chunks } from '../store/tables/list.js';
import { recordHostChange } from './host-revisions.js';
import { hostsOfSecurityGroupChange } from './security-group-hosts.js';
import { ownedOrSharedScope, sharedFilter } from './rbac-policies.js';
import { sharedWith, deleteEntriesOf } from '../store/tables/rbac-policies.js';

const given = (v: unknown) => v !== undefined && v !== NOT_SPECIFIED;
const ETHERTYPES = ['IPv4', 'IPv6'] as const;
export const DEFAULT_SG_DESCRIPTION = 'Default security group';

const inUse = (id: string) => new NeutronError('SecurityGroupInUse', `Security Group ${id} in use.`);

/** Neutron's name_not_default validator: no group but the project's own default may be called so. */
function refuseDefaultName(name: unknown): void {
  if (typeof name === 'string' && name.toLowerCase() === 'default') {
    throw new NeutronError('SecurityGroupDefaultAlreadyExists', 'Default security group already exists.');
  }
}

/** Inserts a group (revision 1: adding its rules revises it, as in Neutron) with its rules. */
async function insertGroup(tx: Tx, row: SecurityGroupRow, rules: SecurityGroupRuleRow[], isDefaultOf?: string): Promise<void> {
  await tx.insertInto('security_groups').values(row).execute();
  // The default marker goes in before the rules: it is what a concurrent creator collides on.
  if (isDefaultOf !== undefined) await tx.insertInto('default_security_groups').values({ project_id: isDefaultOf, security_group_id: row.id }).execute();
  await insertRules(tx, rules);
}

function groupRow(projectId: string, name: string, description: string, stateful: boolean): SecurityGroupRow {
  const ts = now();
  return { id: randomUUID(), project_id: projectId, name, description, stateful: stateful ? 1 : 0, created_at: ts, updated_at: ts, revision_number: 1 };
}

/**
 * The id of the project's `default` group, creating it (with Neutron's default rules: egress
 * anywhere and ingress from members of the group, for IPv4 and IPv6) when absent. Runs inside the
 * caller's transaction (port create calls it there); with concurrent callers exactly one group is
 * created and the others reuse it. Checks the rule quota as Neutron does (OverQuota).
 * Callers publish their own commit hint: this function cannot know when the transaction commits.
 */
export async function ensureDefaultSecurityGroup(tx: Tx, deps: Pick<CoreDeps, 'store' | 'settings'>, projectId: string): Promise<string> {
  const locking = deps.store.dialect !== 'sqlite';
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await defaultGroupId(tx, projectId, attempt > 0 && locking);
    if (existing) return existing;
    await checkQuota(tx, deps, projectId, 'security_group_rule', 4);
    const group = groupRow(projectId, 'default', DEFAULT_SG_DESCRIPTION, true);
    const rules = ETHERTYPES.flatMap((ethertype) => [
      newRuleRow(projectId, { security_group_id: group.id, direction: 'ingress', ethertype, remote_group_id: group.id }, '', group.created_at),
      newRuleRow(projectId, { security_group_id: group.id, direction: 'egress', ethertype }, '', group.created_at),
    ]);
    // A duplicate default marker means another transaction won: ours is rolled back to the savepoint.
    if (await insertUnlessDuplicate(tx, () => insertGroup(tx, group, rules, projectId))) return group.id;
  }
  throw new Error(`default security group of project ${projectId} keeps disappearing`);
}

export function toSecurityGroupItem(row: SecurityGroupRow, rules: Item[], tags: string[], shared = false): Item {
  return {
    id: row.id,
    name: row.name,
    stateful: !!row.stateful,
    shared,
    tenant_id: row.project_id,
    project_id: row.project_id,
    description: row.description,
    security_group_rules: rules,
    tags,
    created_at: row.created_at,
    updated_at: row.updated_at,
    revision_number: row.revision_number,
  };
}

export interface SecurityGroupService extends ResourceService {
  /** See ensureDefaultSecurityGroup; in its own transaction, publishing the hint when it created one. */
  ensureDefault(projectId: string): Promise<string>;
}

export function securityGroupService(deps: CoreDeps): SecurityGroupService {
  const { store } = deps;
  const locking = store.dialect !== 'sqlite';

  /** `shared` is as the caller sees it: shared with the caller's project or with every project. */
  async function items(caller: Caller, rows: SecurityGroupRow[]): Promise<Item[]> {
    const ids = rows.map((r) => r.id);
    const [rules, shared] = await Promise.all([rulesOfGroups(store.db, ids), sharedWith(store.db, 'security_group', ids, caller.projectId)]);
    const ruleIds = [...rules.values()].flat().map((r) => r.id);
    const tags = await tagsOf(store.db, [...ids, ...ruleIds]);
    return rows.map((r) => toSecurityGroupItem(r, (rules.get(r.id) ?? []).map((rule) => toRuleItem(rule, tags.get(rule.id) ?? [])), tags.get(r.id) ?? [], shared.has(r.id)));
  }

  async function getRow(caller: Caller, id: string): Promise<SecurityGroupRow> {
    const row = await securityGroupRow(store.db, id);
    if (row && (caller.isAdmin || row.project_id === caller.projectId)) return row;
    if (row && (await sharedWith(store.db, 'security_group', [id], caller.projectId)).has(id)) return row;
    throw errors.securityGroupNotFound(id);
  }

  async function ensureDefault(projectId: string): Promise<string> {
    const existing = await defaultGroupId(store.db, projectId);
    if (existing) return existing;
    const id = await store.transaction((tx) => ensureDefaultSecurityGroup(tx, deps, projectId));
    deps.onCommit({ resource: 'security_group', id });
    return id;
  }

  async function createOne(tx: Tx, body: Body): Promise<string> {
    const projectId = String(body.project_id);
    await ensureDefaultSecurityGroup(tx, deps, projectId);
    await checkQuota(tx, deps, projectId, 'security_group', 1);
    await checkQuota(tx, deps, projectId, 'security_group_rule', ETHERTYPES.length);
    const group = groupRow(projectId, body.name as string, (body.description as string) ?? '', body.stateful !== false);
    const rules = ETHERTYPES.map((ethertype) => newRuleRow(projectId, { security_group_id: group.id, direction: 'egress', ethertype }, '', group.created_at));
    await insertGroup(tx, group, rules);
    return group.id;
  }

  return {
    ensureDefault,

    async list(caller: Caller, query: ListQuery) {
      // Listing is where a project first meets its default group (Neutron creates it here too).
      const project = String(query.filters.project_id?.[0] ?? query.filters.tenant_id?.[0] ?? caller.projectId ?? '');
      if (project && caller.projectId && (caller.isAdmin || project === caller.projectId)) await ensureDefault(project);
      const rows = await listRows(store.db, {
        table: 'security_groups',
        columns: Object.fromEntries(['id', 'name', 'stateful', 'description', 'created_at', 'updated_at', 'revision_number'].map((c) => [c, c])),
        customFilters: { shared: sharedFilter(store.db, 'security_group', caller) },
      }, query, ownedOrSharedScope(store.db, 'security_group', caller));
      return items(caller, rows);
    },

    async get(caller, id) {
      return (await items(caller, [await getRow(caller, id)]))[0];
    },

    async create(caller, bodies) {
      for (const body of bodies) refuseDefaultName(body.name);
      const ids = await store.transaction(async (tx) => {
        const out: string[] = [];
        for (const body of bodies) out.push(await createOne(tx, body));
        return out;
      });
      const rows: SecurityGroupRow[] = [];
      for (const part of chunks(ids)) rows.push(...await store.db.selectFrom('security_groups').selectAll().where('id', 'in', part).execute());
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const id of ids) deps.onCommit({ resource: 'security_group', id });
      return items(caller, ids.map((id) => byId.get(id)!));
    },

    async update(caller, id, body, options: WriteOptions) {
      if (given(body.name)) refuseDefaultName(body.name);
      await getRow(caller, id);
      const change = await store.transaction(async (tx) => {
        const row = await securityGroupRow(tx, id, locking);
        if (!row) throw errors.securityGroupNotFound(id);
        if (given(body.stateful) && !!body.stateful !== !!row.stateful && await groupHasPorts(tx, id)) throw inUse(id);
        if (row.name === 'default' && given(body.name)) {
          throw new NeutronError('SecurityGroupCannotUpdateDefault', 'Updating default security group not allowed.');
        }
        if (options.ifMatch !== undefined && row.revision_number !== options.ifMatch) throw errors.revisionMismatch(options.ifMatch, row.revision_number);
        const set: Partial<SecurityGroupRow> = {};
        if (given(body.name)) set.name = body.name as string;
        if (given(body.description)) set.description = body.description as string;
        if (given(body.stateful)) set.stateful = body.stateful ? 1 : 0;
        if (Object.keys(set).length) await tx.updateTable('security_groups').set(set).where('id', '=', id).execute();
        await bumpRevision(tx, 'security_groups', id);
        return given(body.stateful) ? recordHostChange(tx, { hosts: await hostsOfSecurityGroupChange(tx, { groups: [id] }) }) : undefined;
      });
      deps.onCommit({ resource: 'security_group', id, hosts: change?.hosts, revision: change?.revision });
      return (await items(caller, [(await securityGroupRow(store.db, id))!]))[0];
    },

    async delete(caller, id, options) {
      await getRow(caller, id);
      const touched = await store.transaction(async (tx) => {
        const row = await securityGroupRow(tx, id, locking);
        if (!row) throw errors.securityGroupNotFound(id);
        if (options.ifMatch !== undefined && row.revision_number !== options.ifMatch) throw errors.revisionMismatch(options.ifMatch, row.revision_number);
        if (await groupHasPorts(tx, id)) throw inUse(id);
        // Only an admin may remove a project's default group (it comes back on next need).
        if (row.name === 'default' && !caller.isAdmin) {
          throw new NeutronError('SecurityGroupCannotRemoveDefault', 'Insufficient rights for removing default security group.');
        }
        // Rules of this group and rules of other groups naming it as remote group go with it
        // (Neutron's foreign keys cascade; done explicitly here to clean their tags too).
        const rules = await tx.selectFrom('security_group_rules').select(['id', 'security_group_id'])
          .where((eb) => eb.or([eb('security_group_id', '=', id), eb('remote_group_id', '=', id)])).execute();
        for (const part of chunks(rules.map((r) => r.id))) {
          await tx.deleteFrom('tags').where('resource_id', 'in', part).execute();
          await tx.deleteFrom('security_group_rules').where('id', 'in', part).execute();
        }
        await tx.deleteFrom('tags').where('resource_id', '=', id).execute();
        await tx.deleteFrom('default_security_groups').where('security_group_id', '=', id).execute();
        await deleteEntriesOf(tx, 'security_group', id);
        await tx.deleteFrom('security_groups').where('id', '=', id).execute();
        const others = [...new Set(rules.map((r) => r.security_group_id))].filter((g) => g !== id);
        // Groups that lost rules naming this one as remote group: their hosts' firewalls change.
        return { others, change: await recordHostChange(tx, { hosts: await hostsOfSecurityGroupChange(tx, { groups: others }) }) };
      });
      deps.onCommit({ resource: 'security_group', id, hosts: touched.change.hosts, revision: touched.change.revision });
      for (const other of touched.others) deps.onCommit({ resource: 'security_group', id: other });
    },
  };
}

/** Both services, as the Core object holds them. */
export interface SecurityGroupCore { groups: SecurityGroupService; rules: SecurityGroupRuleService }

export function securityGroupCore(deps: CoreDeps): SecurityGroupCore {
  const groups = securityGroupService(deps);
  return { groups, rules: securityGroupRuleService(deps, groups.ensureDefault) };
}
