/**
 * RBAC policies (extension rbac-policies; Neutron's db/rbac_db_mixin.py and objects/rbac_db.py) for
 * security groups and address groups: an access_as_shared entry makes its object visible to and
 * usable by the target project (or every project, `*`), never writable by it (policy decides that).
 * Removing or retargeting an entry is refused while the target still depends on the object
 * (RbacPolicyInUse): for a security group, ports of that project using it; for an address group,
 * that project's security group rules naming it. Sharing changes no host's firewall: a port's
 * groups and rules do not depend on who owns them.
 */
import { randomUUID } from 'node:crypto';
import { sql, type SelectQueryBuilder } from 'kysely';
import type { CoreDeps } from './deps.js';
import type { Caller } from './caller.js';
import type { Body, Item, ResourceService } from './service.js';
import type { ListQuery } from './list-query.js';
import type { Database, RbacPolicyRow } from '../store/schema.js';
import { insertUnlessDuplicate, type Db, type Tx } from '../store/db.js';
import { NOT_SPECIFIED } from '../definitions/types.js';
import type { RbacObjectType } from '../definitions/rbac-policy.js';
import { NeutronError, errors } from './errors.js';
import { listRows } from './listing.js';
import { ACCESS_SHARED, sharedIdsQuery, sharedTargets } from '../store/tables/rbac-policies.js';

type AnySelect = SelectQueryBuilder<Database, any, any>;

/** What RBAC needs of each shareable object type. */
interface ObjectKind {
  table: 'security_groups' | 'address_groups';
  /** The object's not-found error (admins naming a missing object). */
  notFound(id: string): NeutronError;
  /** Projects that depend on the object (Neutron's get_bound_project_ids). */
  boundProjects(db: Db | Tx, id: string): Promise<Set<string>>;
}

const KINDS: Record<RbacObjectType, ObjectKind> = {
  security_group: {
    table: 'security_groups',
    notFound: errors.securityGroupNotFound,
    // Every project with a port in the group — the owner's own ports too, as in Neutron.
    async boundProjects(db, id) {
      const rows = await db.selectFrom('port_security_groups').innerJoin('ports', 'ports.id', 'port_security_groups.port_id')
        .select('ports.project_id').distinct().where('port_security_groups.security_group_id', '=', id).execute();
      return new Set(rows.map((r) => r.project_id));
    },
  },
  address_group: {
    table: 'address_groups',
    notFound: (id) => new NeutronError('AddressGroupNotFound', `Address group ${id} could not be found.`),
    async boundProjects(db, id) {
      const rows = await db.selectFrom('security_group_rules').select('project_id').distinct().where('remote_address_group_id', '=', id).execute();
      return new Set(rows.map((r) => r.project_id));
    },
  },
};

const notFound = (id: string) => new NeutronError('RbacPolicyNotFound', `RBAC policy of type unknown with ID ${id} not found`);
const duplicate = () => new NeutronError('DuplicateRbacPolicy', 'An RBAC policy already exists with those values.');
const inUse = (objectId: string, details: string) =>
  new NeutronError('RbacPolicyInUse', `RBAC policy on object ${objectId} cannot be removed because other objects depend on it.\nDetails: ${details}`);
const NOT_OWNER = 'Only admins can manipulate policies on objects they do not own';

/**
 * A list scope for a shareable table: admins see every row; others their project's rows and rows
 * shared with their project or `*`.
 */
export function ownedOrSharedScope(db: Db, objectType: RbacObjectType, caller: Caller) {
  const table = KINDS[objectType].table;
  if (caller.isAdmin) return (q: AnySelect) => q;
  return (q: AnySelect): AnySelect => q.where((eb) => eb.or([
    eb(sql.ref(`${table}.project_id`), '=', caller.projectId ?? ''),
    eb(sql.ref(`${table}.id`), 'in', sharedIdsQuery(db, objectType, caller.projectId)),
  ]));
}

/** The `shared` filter (security-groups-shared-filtering): shared with the caller's project or `*`, or not. */
export function sharedFilter(db: Db, objectType: RbacObjectType, caller: Caller) {
  const table = KINDS[objectType].table;
  return (q: AnySelect, values: unknown[]): AnySelect => {
    const want = new Set(values.map(Boolean));
    if (want.size !== 1) return want.size ? q : q.where(sql.lit(false));
    const ids = sharedIdsQuery(db, objectType, caller.projectId);
    return q.where(sql.ref(`${table}.id`), want.has(true) ? 'in' : 'not in', ids);
  };
}

function toItem(row: RbacPolicyRow): Item {
  return {
    id: row.id, project_id: row.project_id, tenant_id: row.project_id, object_type: row.object_type,
    object_id: row.object_id, target_tenant: row.target_tenant, action: row.action,
  };
}

export function rbacPolicyService(deps: CoreDeps): ResourceService {
  const { store } = deps;
  const locking = store.dialect !== 'sqlite';

  async function getRow(db: Db | Tx, caller: Caller, id: string, forUpdate = false): Promise<RbacPolicyRow> {
    let q = db.selectFrom('rbac_policies').selectAll().where('id', '=', id);
    if (forUpdate) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row || !(caller.isAdmin || row.project_id === caller.projectId)) throw notFound(id);
    return row;
  }

  async function objectOwner(tx: Tx, type: RbacObjectType, id: string): Promise<string | undefined> {
    const row = await tx.selectFrom(KINDS[type].table).select('project_id').where('id', '=', id).executeTakeFirst();
    return row?.project_id;
  }

  /**
   * Neutron's _validate_rbac_policy_delete: the entry may go unless its target loses access it
   * depends on. Another `*` entry keeps every project's access; removing `*` needs each dependent
   * project to keep an entry of its own.
   */
  async function checkRemovable(tx: Tx, row: RbacPolicyRow): Promise<void> {
    if (row.action !== ACCESS_SHARED) return;
    const kind = KINDS[row.object_type as RbacObjectType];
    const owner = await objectOwner(tx, row.object_type as RbacObjectType, row.object_id);
    if (owner === undefined || owner === row.target_tenant) return;
    const bound = await kind.boundProjects(tx, row.object_id);
    const targets = await sharedTargets(tx, row.object_type, row.object_id);
    const refuse = () => { throw inUse(row.object_id, `project_id=${row.target_tenant}`); };
    if (row.target_tenant !== '*') {
      if (targets.includes('*')) return;
      if (bound.has(row.target_tenant)) refuse();
      return;
    }
    const others = new Set(targets.filter((t) => t !== '*'));
    for (const project of bound) if (!others.has(project)) refuse();
  }

  async function createOne(tx: Tx, caller: Caller, body: Body): Promise<RbacPolicyRow> {
    const type = body.object_type as RbacObjectType;
    const objectId = body.object_id as string;
    const owner = await objectOwner(tx, type, objectId);
    // A non-admin learns nothing about objects of other projects, present or not.
    if (!caller.isAdmin && owner !== caller.projectId) throw errors.invalidInput(NOT_OWNER);
    if (owner === undefined) throw KINDS[type].notFound(objectId);
    if (body.action !== ACCESS_SHARED) {
      throw new NeutronError('InvalidActionForType', `Invalid action '${String(body.action)}' for object type '${type}'. Valid actions: ('${ACCESS_SHARED}',)`);
    }
    const row: RbacPolicyRow = {
      id: randomUUID(), project_id: String(body.project_id), object_type: type, object_id: objectId,
      target_tenant: body.target_tenant as string, action: ACCESS_SHARED,
    };
    if (!(await insertUnlessDuplicate(tx, () => tx.insertInto('rbac_policies').values(row).execute()))) throw duplicate();
    return row;
  }

  return {
    async list(caller: Caller, query: ListQuery) {
      const rows = await listRows(store.db, {
        table: 'rbac_policies' as any,
        columns: Object.fromEntries(['id', 'object_type', 'object_id', 'target_tenant', 'action'].map((c) => [c, c])),
      }, query, caller.isAdmin ? (q) => q : (q) => q.where('rbac_policies.project_id' as any, '=', caller.projectId ?? ''));
      return (rows as unknown as RbacPolicyRow[]).map(toItem);
    },

    async get(caller, id) {
      return toItem(await getRow(store.db, caller, id));
    },

    async create(caller, bodies) {
      const rows = await store.transaction(async (tx) => {
        const out: RbacPolicyRow[] = [];
        for (const body of bodies) out.push(await createOne(tx, caller, body));
        return out;
      });
      return rows.map(toItem);
    },

    async update(caller, id, body) {
      await getRow(store.db, caller, id);
      const target = body.target_tenant;
      const row = await store.transaction(async (tx) => {
        // The entry is locked first: a port create reading it (for share) waits for this change.
        const row = await getRow(tx, caller, id, locking);
        if (target === undefined || target === NOT_SPECIFIED || target === row.target_tenant) return row;
        const owner = await objectOwner(tx, row.object_type as RbacObjectType, row.object_id);
        // Neutron's update wraps its callbacks' refusals in RbacPolicyInUse.
        if (!caller.isAdmin && owner !== caller.projectId) throw inUse(row.object_id, NOT_OWNER);
        if (target !== '*') await checkRemovable(tx, row);
        const changed = { ...row, target_tenant: target as string };
        const done = await insertUnlessDuplicate(tx, () => tx.updateTable('rbac_policies').set({ target_tenant: changed.target_tenant }).where('id', '=', id).execute());
        if (!done) throw duplicate();
        return changed;
      });
      return toItem(row);
    },

    async delete(caller, id) {
      await getRow(store.db, caller, id);
      await store.transaction(async (tx) => {
        const row = await getRow(tx, caller, id, locking);
        await checkRemovable(tx, row);
        await tx.deleteFrom('rbac_policies').where('id', '=', id).execute();
      });
    },
  };
}
