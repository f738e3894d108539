/** What the L3 services share: dependencies, settings, Neutron's BadRequest, row lookups. */
import type { Tx } from '../store/db.js';
import type { RouterRow } from '../store/l3-schema.js';
import type { Caller } from './caller.js';
import type { NetworkService } from './networks.js';
import type { L3PortDeps } from './l3-ports.js';
import type { L3Scheduler } from './l3-scheduling.js';
import { NeutronError } from './errors.js';

export interface L3Settings {
  /** [DEFAULT] enable_snat_by_default */
  enableSnatByDefault: boolean;
  /** [DEFAULT] max_routes */
  maxRoutes: number;
}

export const DEFAULT_L3_SETTINGS: L3Settings = { enableSnatByDefault: true, maxRoutes: 30 };

export interface L3Deps extends L3PortDeps {
  networks: NetworkService;
  l3: L3Settings;
  /** Scheduling and host revisions: `scheduler.commit` runs last in every L3 transaction. */
  scheduler: L3Scheduler;
}

/** neutron-lib BadRequest: `Bad <resource> request: <msg>.` */
export const badRequest = (resource: string, msg: string) => new NeutronError('BadRequest', `Bad ${resource} request: ${msg}.`);

export const routerNotFound = (id: string) => new NeutronError('RouterNotFound', `Router ${id} could not be found`);
export const floatingIpNotFound = (id: string) => new NeutronError('FloatingIPNotFound', `Floating IP ${id} could not be found`);

/** A router as the caller may see it (own project or admin), locked for update outside SQLite. */
export async function routerFor(tx: Tx, caller: Caller, id: string, lock: boolean): Promise<RouterRow> {
  let q = tx.selectFrom('routers').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row || (!caller.isAdmin && row.project_id !== caller.projectId)) throw routerNotFound(id);
  return row;
}

/** Python's repr of a list of routes, as Neutron's InvalidRoutes message shows it. */
export function routesRepr(routes: { destination: string; nexthop: string }[]): string {
  return `[${routes.map((r) => `{'destination': '${r.destination}', 'nexthop': '${r.nexthop}'}`).join(', ')}]`;
}
