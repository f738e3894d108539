/**
 * Routers (l3, ext-gw-mode, extraroute, extraroute-atomic, router_availability_zone): CRUD, the
 * gateway (core/router-gateway.ts), interfaces (core/router-interfaces.ts) and extra routes
 * (core/router-routes.ts). Every change is one transaction ending with the L3 scheduler's commit
 * (scheduling, port binding, host revisions), followed by onCommit({resource: 'router', hosts, revision}).
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from './caller.js';
import type { Body, Item, ResourceService, WriteOptions } from './service.js';
import type { RouterRow } from '../store/l3-schema.js';
import type { Tx } from '../store/db.js';
import type { HostChange } from './host-revisions.js';
import { createAll, inOrder } from './service.js';
import { NOT_SPECIFIED } from '../definitions/types.js';
import { errors, NeutronError } from './errors.js';
import { listRows } from './listing.js';
import { tagsOf, bumpRevision, now } from '../store/tables/standard.js';
import { checkQuota } from './quotas.js';
import { hostRoutesValidator } from '../definitions/subnet-validators.js';
import { isPlainObject } from '../definitions/validators.js';
import { badRequest, routerFor, routerNotFound, type L3Deps } from './l3-common.js';
import { updateGateway, deleteGateway, type GatewayInfo } from './router-gateway.js';
import { addInterface, removeInterface, validateInterfaceInfo } from './router-interfaces.js';
import { routesOf, writeRoutes, validateRoutes, routerConnections, normaliseRoute, addRoutes, removeRoutes, type Route } from './router-routes.js';
import { fixedIpsOf, deleteServicePort, DEVICE_OWNER_ROUTER_INTF } from './l3-ports.js';

const given = (v: unknown) => v !== undefined && v !== NOT_SPECIFIED;

export interface RouterService extends ResourceService {
  /** PUT /routers/{id}/add_router_interface: returns Neutron's router interface info. */
  addInterface(caller: Caller, id: string, info: unknown): Promise<Item>;
  removeInterface(caller: Caller, id: string, info: unknown): Promise<Item>;
  /** PUT /routers/{id}/add_extraroutes with `{router: {routes}}`: returns the router. */
  addExtraRoutes(caller: Caller, id: string, body: unknown): Promise<Item>;
  removeExtraRoutes(caller: Caller, id: string, body: unknown): Promise<Item>;
}

export function routerService(d: L3Deps): RouterService {
  const { store } = d.deps;
  const lock = store.dialect !== 'sqlite';
  const committed = (id: string, change?: HostChange) => d.deps.onCommit({ resource: 'router', id, hosts: change?.hosts, revision: change?.revision });

  async function items(rows: RouterRow[]): Promise<Item[]> {
    const ids = rows.map((r) => r.id);
    const gwIds = rows.map((r) => r.gw_port_id).filter((x): x is string => !!x);
    const db = store.db as unknown as Tx;
    const [tags, routes, gwIps, gwPorts, agents] = await Promise.all([
      tagsOf(store.db, ids), routesOf(db, ids), fixedIpsOf(db, gwIds),
      gwIds.length ? store.db.selectFrom('ports').select(['id', 'network_id']).where('id', 'in', gwIds).execute() : [],
      d.scheduler.agentsOfRouters(store.db, ids),
    ]);
    return rows.map((r) => {
      const gw = gwPorts.find((p) => p.id === r.gw_port_id);
      return {
        id: r.id, name: r.name, tenant_id: r.project_id, project_id: r.project_id, admin_state_up: !!r.admin_state_up, status: r.status,
        external_gateway_info: gw ? { network_id: gw.network_id, enable_snat: !!r.enable_snat, external_fixed_ips: gwIps.get(gw.id) ?? [] } : null,
        routes: routes.get(r.id) ?? [], availability_zone_hints: JSON.parse(r.availability_zone_hints),
        // router_availability_zone: the zones of the L3 agents hosting it.
        availability_zones: [...new Set(agents.filter((a) => a.router_id === r.id && a.availability_zone).map((a) => a.availability_zone!))].sort(),
        ha: false, distributed: false, description: r.description, tags: tags.get(r.id) ?? [],
        created_at: r.created_at, updated_at: r.updated_at, revision_number: r.revision_number,
      };
    });
  }

  async function fetch(id: string): Promise<Item> {
    const row = await store.db.selectFrom('routers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw routerNotFound(id);
    return (await items([row]))[0];
  }

  /** HA and DVR routers do not exist here: `true` is refused, `false` accepted. */
  function refuseModes(body: Body): void {
    if (body.ha === true) throw badRequest('router', 'HA routers are not supported');
    if (body.distributed === true) throw badRequest('router', 'Distributed routers are not supported');
  }

  function gatewayInfo(body: Body): GatewayInfo | null {
    const info = body.external_gateway_info;
    return isPlainObject(info) ? (info as unknown as GatewayInfo) : null;
  }

  async function setRoutes(tx: Tx, routerId: string, routes: Route[]): Promise<void> {
    const normal = routes.map(normaliseRoute);
    validateRoutes(routerId, normal, await routerConnections(tx, routerId), d.l3.maxRoutes);
    await writeRoutes(tx, routerId, normal);
  }

  async function createOne(tx: Tx, caller: Caller, body: Body): Promise<string> {
    refuseModes(body);
    const projectId = String(body.project_id ?? caller.projectId ?? '');
    await checkQuota(tx, d.deps, projectId, 'router', 1);
    const id = randomUUID();
    const ts = now();
    const row: RouterRow = {
      id, project_id: projectId, name: body.name as string, description: (body.description as string) ?? '',
      admin_state_up: body.admin_state_up === false ? 0 : 1, status: 'ACTIVE', gw_port_id: null,
      enable_snat: d.l3.enableSnatByDefault ? 1 : 0, availability_zone_hints: JSON.stringify(body.availability_zone_hints ?? []),
      created_at: ts, updated_at: ts, revision_number: 1,
    };
    await tx.insertInto('routers').values(row).execute();
    const info = gatewayInfo(body);
    if (info) await updateGateway(tx, d, caller, row, info);
    return id;
  }

  async function withRouter<T>(caller: Caller, id: string, fn: (tx: Tx, row: RouterRow) => Promise<T>): Promise<T> {
    const { out, change } = await store.transaction(async (tx) => {
      const row = await routerFor(tx, caller, id, lock);
      const before = await d.scheduler.scopeOf(tx, [id]);
      const result = await fn(tx, row);
      await bumpRevision(tx, 'routers', id);
      return { out: result, change: await d.scheduler.commit(tx, [id], { before }) };
    });
    committed(id, change);
    return out;
  }

  function routesBody(body: unknown): Route[] {
    const inner = isPlainObject(body) && isPlainObject(body.router) ? body.router : null;
    if (!inner || !('routes' in inner)) throw errors.badRequest("Unable to find 'router' in request body");
    const reason = hostRoutesValidator(inner.routes);
    if (reason) throw errors.badRequest(`Invalid input for routes. Reason: ${reason}.`);
    return (inner.routes as Route[]).map(normaliseRoute);
  }

  return {
    async list(caller, query) {
      const rows = await listRows(store.db, {
        table: 'routers',
        columns: { id: 'id', name: 'name', admin_state_up: 'admin_state_up', status: 'status', description: 'description', created_at: 'created_at', updated_at: 'updated_at', revision_number: 'revision_number' },
      }, query, caller.isAdmin ? (q) => q : (q) => q.where('routers.project_id', '=', caller.projectId ?? ''));
      return items(rows as unknown as RouterRow[]);
    },

    async get(caller, id) {
      const item = await fetch(id);
      if (!caller.isAdmin && item.project_id !== caller.projectId) throw routerNotFound(id);
      return item;
    },

    async create(caller, bodies) {
      let change: HostChange | undefined;
      const ids = await createAll(store, bodies, (tx, body) => createOne(tx, caller, body), async (tx, created) => { change = await d.scheduler.commit(tx, created); });
      for (const id of ids) committed(id, change);
      const rows = await store.db.selectFrom('routers').selectAll().where('id', 'in', ids).execute();
      return items(inOrder(rows, ids));
    },

    async update(caller, id, body, options: WriteOptions) {
      refuseModes(body);
      await withRouter(caller, id, async (tx, row) => {
        if (options.ifMatch !== undefined && row.revision_number !== options.ifMatch) throw errors.revisionMismatch(options.ifMatch, row.revision_number);
        // extraroute validates the new routes against the current interfaces first, as Neutron does.
        if (given(body.routes)) await setRoutes(tx, id, body.routes as Route[]);
        if (given(body.external_gateway_info)) await updateGateway(tx, d, caller, (await routerFor(tx, caller, id, false)), gatewayInfo(body));
        const set: Partial<RouterRow> = {};
        if (given(body.name)) set.name = body.name as string;
        if (given(body.description)) set.description = body.description as string;
        if (given(body.admin_state_up)) set.admin_state_up = body.admin_state_up ? 1 : 0;
        if (Object.keys(set).length) await tx.updateTable('routers').set(set).where('id', '=', id).execute();
      });
      return fetch(id);
    },

    async delete(caller, id, options) {
      const change = await store.transaction(async (tx) => {
        const row = await routerFor(tx, caller, id, lock);
        const before = await d.scheduler.scopeOf(tx, [id]);
        if (options.ifMatch !== undefined && row.revision_number !== options.ifMatch) throw errors.revisionMismatch(options.ifMatch, row.revision_number);
        const attached = await tx.selectFrom('router_ports').select('port_id').where('router_id', '=', id).where('port_type', '=', DEVICE_OWNER_ROUTER_INTF).execute();
        if (attached.length) {
          throw new NeutronError('RouterInUse', `Router ${id} has ports still attached: ${attached.map((p) => p.port_id).join(', ')}`);
        }
        await deleteGateway(tx, d, row);
        for (const p of await tx.selectFrom('router_ports').select('port_id').where('router_id', '=', id).execute()) await deleteServicePort(tx, d, p.port_id);
        await tx.deleteFrom('tags').where('resource_id', '=', id).execute();
        await tx.deleteFrom('routers').where('id', '=', id).execute();
        return d.scheduler.finish(tx, [before]);
      });
      committed(id, change);
    },

    async addInterface(caller, id, raw) {
      const info = validateInterfaceInfo(raw, false);
      return withRouter(caller, id, (tx, row) => addInterface(tx, d, caller, row, info));
    },

    async removeInterface(caller, id, raw) {
      const info = validateInterfaceInfo(raw, true);
      return withRouter(caller, id, (tx, row) => removeInterface(tx, d, caller, row, info));
    },

    async addExtraRoutes(caller, id, body) {
      const add = routesBody(body);
      await withRouter(caller, id, async (tx) => setRoutes(tx, id, addRoutes((await routesOf(tx, [id])).get(id)!, add)));
      return fetch(id);
    },

    async removeExtraRoutes(caller, id, body) {
      const remove = routesBody(body);
      await withRouter(caller, id, async (tx) => setRoutes(tx, id, removeRoutes((await routesOf(tx, [id])).get(id)!, remove)));
      return fetch(id);
    },
  };
}
