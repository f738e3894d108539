/**
 * Address groups (extension address-group; Neutron's db/address_group_db.py): CRUD, the
 * add_addresses / remove_addresses actions with addresses normalised to `network/prefixlen`, and
 * deletion refused while a security group rule names the group. Address changes reach every host
 * with a port in a group whose rules name the address group (core/security-group-hosts.ts).
 * A group shared by RBAC (rbac-address-group) is visible to its targets, which may name it in
 * their rules; its hidden `shared` attribute is what the policy rule shared_address_groups reads.
 */
import { randomUUID } from 'node:crypto';
import type { CoreDeps } from './deps.js';
import type { Caller } from './caller.js';
import type { Body, Item, ResourceService, WriteOptions } from './service.js';
import type { ListQuery } from './list-query.js';
import type { AddressGroupRow } from '../store/schema.js';
import type { Db, Tx } from '../store/db.js';
import { NOT_SPECIFIED } from '../definitions/types.js';
import { subnetList } from '../definitions/address-group.js';
import { isPlainObject } from '../definitions/validators.js';
import { NeutronError, errors } from './errors.js';
import { listRows } from './listing.js';
import { bumpRevision, now } from '../store/tables/standard.js';
import { chunks } from '../store/tables/list.js';
import { parseCidr, formatCidr } from '../common/ip.js';
import { recordHostChange, type HostChange } from './host-revisions.js';
import { hostsOfSecurityGroupChange } from './security-group-hosts.js';
import { ownedOrSharedScope } from './rbac-policies.js';
import { sharedWith, deleteEntriesOf } from '../store/tables/rbac-policies.js';

const given = (v: unknown) => v !== undefined && v !== NOT_SPECIFIED;
const notFound = (id: string) => new NeutronError('AddressGroupNotFound', `Address group ${id} could not be found.`);
/** Neutron shows the address lists of these messages as Python lists. */
const pyList = (a: string[]) => `[${a.map((x) => `'${x}'`).join(', ')}]`;

/** `10.0.0.5/24` → `10.0.0.0/24` (Neutron: "%s/%s" % (net.network, net.prefixlen)). */
export function normaliseAddress(cidr: string): string {
  return formatCidr(parseCidr(cidr)!);
}

export interface AddressGroupService extends ResourceService {
  addAddresses(caller: Caller, id: string, body: unknown): Promise<Item>;
  removeAddresses(caller: Caller, id: string, body: unknown): Promise<Item>;
}

async function addressesOf(db: Db | Tx, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const part of chunks(ids)) {
    if (!part.length) continue;
    const rows = await db.selectFrom('address_group_addresses').select(['address_group_id', 'address']).where('address_group_id', 'in', part).execute();
    for (const r of rows) out.get(r.address_group_id)?.push(r.address);
  }
  for (const list of out.values()) list.sort();
  return out;
}

/** Whether the address group exists for `projectId` (admin: any; shared with it), as Neutron's check_address_group. */
export async function addressGroupVisible(db: Db | Tx, caller: Caller, id: string, projectId: string): Promise<boolean> {
  const row = await db.selectFrom('address_groups').select('project_id').where('id', '=', id).executeTakeFirst();
  if (!row) return false;
  return caller.isAdmin || row.project_id === projectId || (await sharedWith(db, 'address_group', [id], projectId)).has(id);
}

export function addressGroupService(deps: CoreDeps): AddressGroupService {
  const { store } = deps;
  const locking = store.dialect !== 'sqlite';

  function toItem(row: AddressGroupRow, addresses: string[], shared = false): Item {
    return {
      id: row.id, name: row.name, description: row.description, project_id: row.project_id, tenant_id: row.project_id,
      addresses, shared, created_at: row.created_at, updated_at: row.updated_at, revision_number: Number(row.revision_number),
    };
  }

  async function items(caller: Caller, rows: AddressGroupRow[]): Promise<Item[]> {
    const ids = rows.map((r) => r.id);
    const [addrs, shared] = await Promise.all([addressesOf(store.db, ids), sharedWith(store.db, 'address_group', ids, caller.projectId)]);
    return rows.map((r) => toItem(r, addrs.get(r.id) ?? [], shared.has(r.id)));
  }

  async function getRow(db: Db | Tx, caller: Caller, id: string, forUpdate = false): Promise<AddressGroupRow> {
    let q = db.selectFrom('address_groups').selectAll().where('id', '=', id);
    if (forUpdate) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (row && (caller.isAdmin || row.project_id === caller.projectId)) return row;
    if (row && (await sharedWith(db, 'address_group', [id], caller.projectId)).has(id)) return row;
    throw notFound(id);
  }

  /** The body of an action: `{"addresses": [CIDR, ...]}`, normalised and deduplicated. */
  function requested(body: unknown): string[] {
    if (!isPlainObject(body) || !('addresses' in body)) throw errors.badRequest('Invalid input: the body must be {"addresses": [...]}.');
    const why = subnetList(body.addresses);
    if (why) throw errors.badRequest(`Invalid input for addresses. Reason: ${why}.`);
    return [...new Set((body.addresses as string[]).map(normaliseAddress))];
  }

  /** Adds or removes addresses in one transaction; hosts filtering on the group are told. */
  async function change(caller: Caller, id: string, body: unknown, add: boolean): Promise<Item> {
    const want = requested(body);
    await getRow(store.db, caller, id);
    const hosts: HostChange = await store.transaction(async (tx) => {
      await getRow(tx, caller, id, locking);
      const have = new Set((await addressesOf(tx, [id])).get(id));
      if (add) {
        const present = want.filter((a) => have.has(a));
        if (present.length) throw new NeutronError('AddressesAlreadyExist', `Addresses ${pyList(present)} already exist in the address group ${id}.`);
        if (want.length) await tx.insertInto('address_group_addresses').values(want.map((address) => ({ address_group_id: id, address }))).execute();
      } else {
        const missing = want.filter((a) => !have.has(a));
        if (missing.length) throw new NeutronError('AddressesNotFound', `Addresses ${pyList(missing)} not found in the address group ${id}.`);
        for (const part of chunks(want)) if (part.length) await tx.deleteFrom('address_group_addresses').where('address_group_id', '=', id).where('address', 'in', part).execute();
      }
      await bumpRevision(tx, 'address_groups' as any, id);
      return recordHostChange(tx, { hosts: await hostsOfSecurityGroupChange(tx, { addressGroups: [id] }) });
    });
    deps.onCommit({ resource: 'address_group', id, hosts: hosts.hosts, revision: hosts.revision });
    return { address_group: (await items(caller, [await getRow(store.db, caller, id)]))[0] };
  }

  return {
    async list(caller: Caller, query: ListQuery) {
      const rows = await listRows(store.db, {
        table: 'address_groups' as any,
        columns: Object.fromEntries(['id', 'name', 'description', 'created_at', 'updated_at', 'revision_number'].map((c) => [c, c])),
      }, query, ownedOrSharedScope(store.db, 'address_group', caller));
      return items(caller, rows as unknown as AddressGroupRow[]);
    },

    async get(caller, id) {
      return (await items(caller, [await getRow(store.db, caller, id)]))[0];
    },

    async create(_caller, bodies: Body[]) {
      const ts = now();
      const made = bodies.map((b) => ({
        row: { id: randomUUID(), project_id: String(b.project_id), name: (b.name as string) ?? '', description: (b.description as string) ?? '', created_at: ts, updated_at: ts, revision_number: 0 } as AddressGroupRow,
        addresses: given(b.addresses) ? [...new Set((b.addresses as string[]).map(normaliseAddress))].sort() : [],
      }));
      await store.transaction(async (tx) => {
        for (const m of made) {
          await tx.insertInto('address_groups').values(m.row).execute();
          if (m.addresses.length) await tx.insertInto('address_group_addresses').values(m.addresses.map((address) => ({ address_group_id: m.row.id, address }))).execute();
        }
      });
      for (const m of made) deps.onCommit({ resource: 'address_group', id: m.row.id });
      return made.map((m) => toItem(m.row, m.addresses));
    },

    async update(caller, id, body, options: WriteOptions) {
      await getRow(store.db, caller, id);
      await store.transaction(async (tx) => {
        const row = await getRow(tx, caller, id, locking);
        if (options.ifMatch !== undefined && Number(row.revision_number) !== options.ifMatch) throw errors.revisionMismatch(options.ifMatch, Number(row.revision_number));
        const set: Partial<AddressGroupRow> = {};
        if (given(body.name)) set.name = body.name as string;
        if (given(body.description)) set.description = body.description as string;
        if (Object.keys(set).length) await tx.updateTable('address_groups').set(set).where('id', '=', id).execute();
        await bumpRevision(tx, 'address_groups' as any, id);
      });
      deps.onCommit({ resource: 'address_group', id });
      return this.get(caller, id);
    },

    async delete(caller, id, options) {
      await getRow(store.db, caller, id);
      await store.transaction(async (tx) => {
        const row = await getRow(tx, caller, id, locking);
        if (options.ifMatch !== undefined && Number(row.revision_number) !== options.ifMatch) throw errors.revisionMismatch(options.ifMatch, Number(row.revision_number));
        const used = await tx.selectFrom('security_group_rules').select('id').where('remote_address_group_id', '=', id).executeTakeFirst();
        if (used) throw new NeutronError('AddressGroupInUse', `Address group ${id} is in use on one or more security group rules.`);
        await tx.deleteFrom('address_group_addresses').where('address_group_id', '=', id).execute();
        await deleteEntriesOf(tx, 'address_group', id);
        await tx.deleteFrom('address_groups').where('id', '=', id).execute();
      });
      deps.onCommit({ resource: 'address_group', id });
    },

    addAddresses: (caller, id, body) => change(caller, id, body, true),
    removeAddresses: (caller, id, body) => change(caller, id, body, false),
  };
}
