/**
 * Which hosts a change concerns, and the revision it gets (DESIGN.md §3, migration 0002).
 *
 * `recordHostChange` runs inside the changing transaction, after its other writes (or, for deletes,
 * before the rows that name the hosts go): it increments the deployment's counter — whose row lock
 * then serialises committers, so revisions commit in order — stamps each affected host and port,
 * and returns what the caller hints after commit.
 *
 * Affected hosts of a network: every host a port of it is bound to (the DHCP ports included) and
 * every host whose DHCP agent serves it. A port change concerns all hosts of its network (its own
 * host, l2population remotes elsewhere, DHCP hosts files), plus its previous host.
 */
import { MysqlAdapter } from 'kysely';
import type { Db, Tx } from '../store/db.js';
import { prepared, preparedIn, preparedWrite } from '../store/prepared.js';

export interface HostChange {
  /** The counter value of this change (0 when no host was affected and nothing was bumped). */
  revision: number;
  hosts: string[];
}

export interface ChangeScope {
  networks?: string[];
  hosts?: string[];
  /** Ports whose desired state changed: stamped with the new revision. */
  ports?: string[];
}

export const NO_HOST_CHANGE: HostChange = { revision: 0, hosts: [] };

// Fixed shapes, compiled once per dialect (store/prepared.ts): these run in every port write.
// `> ''` rather than `!= ''` (the same rows: no string sorts before ''): a range on the
// (network_id, binding:host_id) index that seeks past the network's unbound ports instead of reading them.
const boundHostsIn = preparedIn((db, ids: string[]) => db.selectFrom('ports').select('binding:host_id as host').distinct()
  .where('network_id', 'in', ids).where('binding:host_id', '>', ''));
const dhcpHostsIn = preparedIn((db, ids: string[]) => db.selectFrom('network_dhcp_agents').innerJoin('agents', 'agents.id', 'network_dhcp_agents.dhcp_agent_id')
  .select('agents.host').distinct().where('network_dhcp_agents.network_id', 'in', ids));
const bumpCounter = preparedWrite<[]>(0, (db) => db.updateTable('host_state_revision').set((eb) => ({ revision: eb('revision', '+', 1) })).where('id', '=', 1));
const bumpCounterReturning = prepared<[], { revision: number }>(0, (db) => db.updateTable('host_state_revision')
  .set((eb) => ({ revision: eb('revision', '+', 1) })).where('id', '=', 1).returning('revision'));
const readCounter = prepared<[], { revision: number }>(0, (db) => db.selectFrom('host_state_revision').select('revision').where('id', '=', 1));

/** Hosts with a port bound on any of the networks, or a DHCP agent serving one. */
export async function hostsOfNetworks(db: Db | Tx, networkIds: string[]): Promise<string[]> {
  if (!networkIds.length) return [];
  const [bound, dhcp] = await Promise.all([boundHostsIn(db, networkIds), dhcpHostsIn(db, networkIds)]);
  return [...new Set([...bound.map((r) => r.host), ...dhcp.map((r) => r.host)])];
}

const isMysql = (tx: Tx) => tx.getExecutor().adapter instanceof MysqlAdapter;

/** The counter incremented (its row now locked until commit): one statement where UPDATE ... RETURNING exists. */
async function nextRevision(tx: Tx): Promise<number> {
  if (!isMysql(tx)) return Number((await bumpCounterReturning(tx))[0]!.revision);
  await bumpCounter(tx);
  return Number((await readCounter(tx))[0]!.revision);
}

export async function recordHostChange(tx: Tx, scope: ChangeScope): Promise<HostChange> {
  const hosts = new Set((scope.hosts ?? []).filter(Boolean));
  for (const h of await hostsOfNetworks(tx, [...new Set(scope.networks ?? [])])) hosts.add(h);
  if (!hosts.size) return NO_HOST_CHANGE;
  const r = await nextRevision(tx);
  // Sorted: concurrent writers lock the hosts' rows in one order.
  const list = [...hosts].sort();
  const rows = list.map((host) => ({ host, revision: r }));
  // One upsert rather than a select, an update and an insert.
  await (isMysql(tx)
    ? tx.insertInto('host_revisions').values(rows).onDuplicateKeyUpdate({ revision: r })
    : tx.insertInto('host_revisions').values(rows).onConflict((oc) => oc.column('host').doUpdateSet({ revision: r }))).execute();
  if (scope.ports?.length) await tx.updateTable('ports').set({ host_revision: r }).where('id', 'in', scope.ports).execute();
  return { revision: r, hosts: list };
}

/** The counter as committed now. */
export async function currentRevision(db: Db | Tx): Promise<number> {
  const row = await db.selectFrom('host_state_revision').select('revision').where('id', '=', 1).executeTakeFirst();
  return Number(row?.revision ?? 0);
}

/** The revision of the last change that affected `host` (0: none yet). */
export async function hostRevision(db: Db | Tx, host: string): Promise<number> {
  const row = await db.selectFrom('host_revisions').select('revision').where('host', '=', host).executeTakeFirst();
  return Number(row?.revision ?? 0);
}
