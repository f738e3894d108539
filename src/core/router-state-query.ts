/**
 * Loads the rows `renderRouters` needs (core/render-routers.ts): those of `loadRouterL3Rows` plus the
 * compute ports on each router's attached subnets, for the metadata proxy's instance map.
 */
import type { Db, Tx } from '../store/db.js';
import { loadRouterL3Rows } from './l3-state.js';
import type { RouterRenderRows } from './render-routers.js';
import { DEVICE_OWNER_ROUTER_GW } from './l3-ports.js';

export async function loadRouterRenderRows(db: Db | Tx, routerIds: string[]): Promise<RouterRenderRows[]> {
  const l3 = await loadRouterL3Rows(db, routerIds);
  const subnetsOf = new Map(l3.map((r) => {
    const interfaces = new Set(r.ports.filter((p) => p.port_type !== DEVICE_OWNER_ROUTER_GW).map((p) => p.id));
    return [r.router.id, new Set(r.allocations.filter((a) => interfaces.has(a.port_id)).map((a) => a.subnet_id))];
  }));
  const subnetIds = [...new Set([...subnetsOf.values()].flatMap((s) => [...s]))];
  const compute = subnetIds.length
    ? await db.selectFrom('ip_allocations').innerJoin('ports', 'ports.id', 'ip_allocations.port_id')
      .select(['ip_allocations.subnet_id', 'ip_allocations.ip_address', 'ports.device_id', 'ports.project_id'])
      .where('ip_allocations.subnet_id', 'in', subnetIds).where('ports.device_owner', 'like', 'compute:%').execute()
    : [];
  return l3.map((rows) => {
    const mine = subnetsOf.get(rows.router.id)!;
    return {
      ...rows,
      metadata: compute.filter((c) => mine.has(c.subnet_id)).map((c) => ({ ip_address: c.ip_address, device_id: c.device_id, project_id: c.project_id })),
    };
  });
}
