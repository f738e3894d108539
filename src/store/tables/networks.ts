/** Queries on networks and their segments. */
import type { Db, Tx } from '../db.js';
import type { NetworkRow, NetworkSegmentRow } from '../schema.js';
import { chunks } from './list.js';
import { prepared, preparedIn, param } from '../prepared.js';

const byId = prepared<[string], NetworkRow>(1, (db) => db.selectFrom('networks').selectAll().where('id', '=', param(0)));
const byIdForUpdate = prepared<[string], NetworkRow>(1, (db) => db.selectFrom('networks').selectAll().where('id', '=', param(0)).forUpdate());
const segmentsIn = preparedIn((db, ids: string[]) => db.selectFrom('network_segments').selectAll().where('network_id', 'in', ids).orderBy('segment_index'));
const subnetIdsIn = preparedIn((db, ids: string[]) => db.selectFrom('subnets').select(['id', 'network_id']).where('network_id', 'in', ids).orderBy('created_at').orderBy('id'));
const ownersIn = preparedIn((db, ids: string[]) => db.selectFrom('networks').select(['id', 'project_id', 'shared']).where('id', 'in', ids));

export async function networkRow(db: Db | Tx, id: string, forUpdate = false): Promise<NetworkRow | undefined> {
  return (await (forUpdate ? byIdForUpdate : byId)(db, id))[0];
}

/** Owner and shared flag of each network, by id (absent ids are left out). */
export async function networkOwners(db: Db | Tx, ids: string[]): Promise<Map<string, Pick<NetworkRow, 'id' | 'project_id' | 'shared'>>> {
  const out = new Map<string, Pick<NetworkRow, 'id' | 'project_id' | 'shared'>>();
  for (const part of chunks(ids)) {
    if (!part.length) continue;
    for (const r of await ownersIn(db, part)) out.set(r.id, r);
  }
  return out;
}

export async function segmentsOf(db: Db | Tx, networkIds: string[]): Promise<Map<string, NetworkSegmentRow[]>> {
  const out = new Map<string, NetworkSegmentRow[]>();
  for (const part of chunks(networkIds)) {
    if (!part.length) continue;
    const rows = await segmentsIn(db, part);
    for (const r of rows) (out.get(r.network_id) ?? out.set(r.network_id, []).get(r.network_id)!).push(r);
  }
  return out;
}

export async function subnetIdsOf(db: Db | Tx, networkIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const part of chunks(networkIds)) {
    if (!part.length) continue;
    const rows = await subnetIdsIn(db, part);
    for (const r of rows) (out.get(r.network_id) ?? out.set(r.network_id, []).get(r.network_id)!).push(r.id);
  }
  return out;
}
