/**
 * Port forwardings of a floating IP (floating-ip-port-forwarding, -description, -port-ranges): the
 * address is bound to the router reaching the internal port; a floating IP with forwardings can't be
 * associated with a port, and a port with a floating IP can't be a forwarding's target.
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from './caller.js';
import type { Body, Item } from './service.js';
import type { ListQuery } from './list-query.js';
import type { FloatingIpRow, PortForwardingRow } from '../store/l3-schema.js';
import type { Tx } from '../store/db.js';
import type { HostChange } from './host-revisions.js';
import { NOT_SPECIFIED } from '../definitions/types.js';
import { errors, NeutronError } from './errors.js';
import { portRow } from '../store/tables/ports.js';
import { ipVersionOf } from '../common/ip.js';
import { bumpRevision } from '../store/tables/standard.js';
import { badRequest, floatingIpNotFound, type L3Deps } from './l3-common.js';
import { fixedIpsOf } from './l3-ports.js';
import { routerForFloatingIp } from './floatingips.js';

const given = (v: unknown) => v !== undefined && v !== NOT_SPECIFIED && v !== null;
const bad = (msg: string) => badRequest('port_forwarding', msg);

export function pfItem(r: PortForwardingRow): Item {
  const single = (a: number, b: number) => (a === b ? a : null);
  return {
    id: r.id, external_port: single(r.external_port_start, r.external_port_end), internal_port: single(r.internal_port_start, r.internal_port_end),
    internal_ip_address: r.internal_ip_address, protocol: r.protocol, internal_port_id: r.internal_port_id, description: r.description,
    external_port_range: `${r.external_port_start}:${r.external_port_end}`, internal_port_range: `${r.internal_port_start}:${r.internal_port_end}`,
  };
}

export interface PortForwardingService {
  /** The parent floating IP as the caller may see it (404 FloatingIPNotFound otherwise). */
  parent(caller: Caller, fipId: string): Promise<FloatingIpRow>;
  list(caller: Caller, fipId: string, query: ListQuery): Promise<Item[]>;
  get(caller: Caller, fipId: string, id: string): Promise<Item>;
  create(caller: Caller, fipId: string, bodies: Body[]): Promise<Item[]>;
  update(caller: Caller, fipId: string, id: string, body: Body): Promise<Item>;
  delete(caller: Caller, fipId: string, id: string): Promise<void>;
}

type Range = [number, number];

/** `N`, `N:M` or a single port number → [start, end]. */
const toRange = (single: unknown, range: unknown): Range | null => {
  if (given(range)) { const [a, b] = String(range).split(':').map(Number); return [a, b ?? a]; }
  if (given(single)) return [Number(single), Number(single)];
  return null;
};
const fmt = (r: Range) => `${r[0]}:${r[1]}`;
const collides = (a: Range, b: Range) => Math.max(a[0], b[0]) <= Math.min(a[1], b[1]);

/** Neutron's _validate_ranges: internal and external ranges are N-N or 1-N. */
function validateRanges(internal: Range, external: Range): void {
  const di = internal[1] - internal[0];
  if (di > 0 && di !== external[1] - external[0]) {
    throw bad('Invalid ranges of internal and/or external ports. The relation between internal and external ports must be N-N or 1-N');
  }
}

export function portForwardingService(d: L3Deps): PortForwardingService {
  const { store } = d.deps;
  const lock = store.dialect !== 'sqlite';

  async function fipFor(tx: Tx, caller: Caller, id: string, forUpdate: boolean): Promise<FloatingIpRow> {
    let q = tx.selectFrom('floatingips').selectAll().where('id', '=', id);
    if (forUpdate) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row || (!caller.isAdmin && row.project_id !== caller.projectId)) throw floatingIpNotFound(id);
    return row;
  }

  async function pfFor(tx: Tx, fipId: string, id: string): Promise<PortForwardingRow> {
    const row = await tx.selectFrom('port_forwardings').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.floatingip_id !== fipId) throw new NeutronError('PortForwardingNotFound', `Port Forwarding ${id} could not be found.`);
    return row;
  }

  /** The internal address (first IPv4 when not given) and the router reaching it from the floating IP's network. */
  async function target(tx: Tx, caller: Caller, fip: FloatingIpRow, portId: string, requestedIp: string | null): Promise<{ ip: string; routerId: string }> {
    const port = await portRow(tx, portId, lock);
    if (!port || (!caller.isAdmin && port.project_id !== caller.projectId)) throw errors.portNotFound(portId);
    const v4 = (await fixedIpsOf(tx, [portId])).get(portId)!.filter((f) => ipVersionOf(f.ip_address) === 4);
    if (!v4.length) throw bad(`Requested internal port ${portId} must allocate an IPv4 address at least`);
    const chosen = requestedIp ? v4.find((f) => f.ip_address === requestedIp) : v4[0];
    if (!chosen) {
      const shown = `[${v4.map((f) => `{'subnet_id': '${f.subnet_id}', 'ip_address': '${f.ip_address}'}`).join(', ')}]`;
      throw bad(`Requested internal IP address ${requestedIp} is not suitable for internal neutron port ${portId}, as its fixed_ips are ${shown}`);
    }
    const subnet = await tx.selectFrom('subnets').select(['id', 'gateway_ip']).where('id', '=', chosen.subnet_id).executeTakeFirstOrThrow();
    try {
      return { ip: chosen.ip_address, routerId: await routerForFloatingIp(tx, port, subnet, fip.floating_network_id) };
    } catch (e) {
      if (!(e instanceof NeutronError) || e.type !== 'ExternalGatewayForFloatingIPNotFound') throw e;
      throw bad(`External network ${fip.floating_network_id} is not reachable from subnet ${subnet.id}. Cannot set Port forwarding for port ${portId} with Floating IP ${fip.id}`);
    }
  }

  /** `fixedIp`: the address named in the error; null: the port's first IPv4 (looked up only when refusing). */
  async function checkPortHasNoFloatingIp(tx: Tx, portId: string, fixedIp: string | null): Promise<void> {
    const bound = await tx.selectFrom('floatingip_associations').innerJoin('floatingips', 'floatingips.id', 'floatingip_associations.floatingip_id')
      .select(['floatingips.id', 'floatingips.floating_ip_address']).where('floatingip_associations.fixed_port_id', '=', portId).executeTakeFirst();
    if (bound) {
      const ip = fixedIp ?? (await fixedIpsOf(tx, [portId])).get(portId)!.find((f) => ipVersionOf(f.ip_address) === 4)?.ip_address ?? '';
      throw new NeutronError('PortHasBindingFloatingIP', `Cannot create port forwarding to floating IP ${bound.floating_ip_address} (${bound.id}) with port ${portId} using fixed IP ${ip}, as that port already has a binding floating IP.`);
    }
  }

  /** Collisions of the external range on the floating IP and of the internal range on the internal socket. */
  async function checkCollisions(tx: Tx, fipId: string, pf: Omit<PortForwardingRow, 'description'>): Promise<void> {
    const internal: Range = [pf.internal_port_start, pf.internal_port_end];
    const external: Range = [pf.external_port_start, pf.external_port_end];
    validateRanges(internal, external);
    const sameSocket = await tx.selectFrom('port_forwardings').selectAll().where('internal_port_id', '=', pf.internal_port_id)
      .where('protocol', '=', pf.protocol).where('internal_ip_address', '=', pf.internal_ip_address).where('id', '!=', pf.id).execute();
    for (const o of sameSocket) {
      const r: Range = [o.internal_port_start, o.internal_port_end];
      if (collides(r, internal)) throw bad(`There is a port collision with the internal_port_range. The following ranges collides: ${fmt(r)} and ${fmt(internal)}`);
    }
    const sameFip = await tx.selectFrom('port_forwardings').selectAll().where('floatingip_id', '=', fipId).where('protocol', '=', pf.protocol).where('id', '!=', pf.id).execute();
    for (const o of sameFip) {
      const r: Range = [o.external_port_start, o.external_port_end];
      if (collides(r, external)) throw bad(`There is a port collision with the external_port_range. The following ranges collides: ${fmt(r)} and ${fmt(external)}`);
    }
  }

  /** The floating IP's router must be the one reaching the new internal port (Neutron's _check_router_match). */
  function checkRouterMatch(fip: FloatingIpRow, routerId: string, portId: string): void {
    if (fip.router_id && fip.router_id !== routerId) {
      throw bad(`The Floating IP ${fip.id} had been set on router ${fip.router_id}, the internal Neutron port ${portId} can not reach it`);
    }
  }

  function ranges(body: Body, current?: PortForwardingRow): { internal: Range; external: Range } {
    if (given(body.external_port) && given(body.external_port_range)) throw bad('You cannot specify both external_port and external_port_range');
    if (given(body.internal_port) && given(body.internal_port_range)) throw bad('You cannot specify both internal_port and internal_port_range');
    const external = toRange(body.external_port, body.external_port_range) ?? (current ? [current.external_port_start, current.external_port_end] as Range : null);
    const internal = toRange(body.internal_port, body.internal_port_range) ?? (current ? [current.internal_port_start, current.internal_port_end] as Range : null);
    if (!external) throw bad('external_port or external_port_range must be specified');
    if (!internal) throw bad('internal_port or internal_port_range must be specified');
    return { internal, external };
  }

  /** Last in each transaction: the router's L3 agent host gets the change (and the floating IP its stamp). */
  const hostChange = (tx: Tx, fipId: string, routerIds: (string | null | undefined)[]) => d.scheduler.commit(tx, routerIds, { floatingips: [fipId] });
  const committed = (fipId: string, routerIds: (string | null | undefined)[], change?: HostChange) => {
    d.deps.onCommit({ resource: 'floatingip', id: fipId, hosts: change?.hosts, revision: change?.revision });
    for (const r of new Set(routerIds)) if (r) d.deps.onCommit({ resource: 'router', id: r });
  };

  return {
    parent: (caller, fipId) => fipFor(store.db as unknown as Tx, caller, fipId, false),

    async list(caller, fipId, query) {
      await fipFor(store.db as unknown as Tx, caller, fipId, false);
      for (const key of ['internal_ip_address', 'internal_port']) {
        if (key in query.filters) throw new NeutronError('PortForwardingNotSupportFilterField', `Port Forwarding filter ${key} is not supported.`);
      }
      let q = store.db.selectFrom('port_forwardings').selectAll().where('floatingip_id', '=', fipId);
      const f = query.filters;
      if (f.id) q = q.where('id', 'in', f.id as string[]);
      if (f.protocol) q = q.where('protocol', 'in', f.protocol as string[]);
      if (f.internal_port_id) q = q.where('internal_port_id', 'in', f.internal_port_id as string[]);
      if (f.description) q = q.where('description', 'in', f.description as string[]);
      if (f.external_port) q = q.where('external_port_start', 'in', f.external_port as number[]);
      const rows = await q.orderBy('id').execute();
      let out = rows.map(pfItem);
      if (f.external_port_range) out = out.filter((x) => (f.external_port_range as string[]).includes(String(x.external_port_range)));
      return out;
    },

    async get(caller, fipId, id) {
      const db = store.db as unknown as Tx;
      await fipFor(db, caller, fipId, false);
      return pfItem(await pfFor(db, fipId, id));
    },

    async create(caller, fipId, bodies) {
      let routerId: string | null = null;
      let change: HostChange | undefined;
      const ids = await store.transaction(async (tx) => {
        const out: string[] = [];
        for (const body of bodies) {
          const fip = await fipFor(tx, caller, fipId, lock);
          const { internal, external } = ranges(body);
          const portId = body.internal_port_id as string;
          const requestedIp = given(body.internal_ip_address) ? body.internal_ip_address as string : null;
          // Neutron's order: a port that has a floating IP of its own first, then a floating IP already associated.
          await checkPortHasNoFloatingIp(tx, portId, requestedIp);
          const assoc = await tx.selectFrom('floatingip_associations').select('floatingip_id').where('floatingip_id', '=', fipId).executeTakeFirst();
          if (assoc) {
            throw new NeutronError('FloatingIPPortAlreadyAssociated', `Cannot associate floating IP ${fip.floating_ip_address} (${fip.id}) with port ${portId} using fixed IP ${requestedIp}, as that fixed IP already has a floating IP on external network ${fip.floating_network_id}.`);
          }
          const t = await target(tx, caller, fip, portId, requestedIp);
          checkRouterMatch(fip, t.routerId, portId);
          const row: PortForwardingRow = {
            id: randomUUID(), floatingip_id: fipId, internal_port_id: portId, protocol: body.protocol as string, internal_ip_address: t.ip,
            internal_port_start: internal[0], internal_port_end: internal[1], external_port_start: external[0], external_port_end: external[1],
            description: (body.description as string) ?? '',
          };
          await checkCollisions(tx, fipId, row);
          if (!fip.router_id) await tx.updateTable('floatingips').set({ router_id: t.routerId }).where('id', '=', fipId).execute();
          await tx.insertInto('port_forwardings').values(row).execute();
          await bumpRevision(tx, 'floatingips', fipId);
          routerId = t.routerId;
          out.push(row.id);
        }
        change = await hostChange(tx, fipId, [routerId]);
        return out;
      });
      committed(fipId, [routerId], change);
      const rows = await store.db.selectFrom('port_forwardings').selectAll().where('id', 'in', ids).execute();
      return ids.map((id) => pfItem(rows.find((r) => r.id === id)!));
    },

    async update(caller, fipId, id, body) {
      let routerId: string | null = null;
      const change = await store.transaction(async (tx) => {
        const fip = await fipFor(tx, caller, fipId, lock);
        const current = await pfFor(tx, fipId, id);
        const portId = given(body.internal_port_id) ? body.internal_port_id as string : current.internal_port_id;
        const requestedIp = given(body.internal_ip_address) ? body.internal_ip_address as string : (portId === current.internal_port_id ? current.internal_ip_address : null);
        const t = await target(tx, caller, fip, portId, requestedIp);
        if (portId !== current.internal_port_id) {
          await checkPortHasNoFloatingIp(tx, portId, t.ip);
          checkRouterMatch(fip, t.routerId, portId);
        }
        const { internal, external } = ranges(body, current);
        const row: PortForwardingRow = {
          ...current, internal_port_id: portId, internal_ip_address: t.ip, protocol: given(body.protocol) ? body.protocol as string : current.protocol,
          internal_port_start: internal[0], internal_port_end: internal[1], external_port_start: external[0], external_port_end: external[1],
          description: given(body.description) ? body.description as string : current.description,
        };
        await checkCollisions(tx, fipId, row);
        await tx.updateTable('port_forwardings').set(row).where('id', '=', id).execute();
        await bumpRevision(tx, 'floatingips', fipId);
        routerId = fip.router_id;
        return hostChange(tx, fipId, [routerId]);
      });
      committed(fipId, [routerId], change);
      return this.get(caller, fipId, id);
    },

    async delete(caller, fipId, id) {
      let routerId: string | null = null;
      const change = await store.transaction(async (tx) => {
        const fip = await fipFor(tx, caller, fipId, lock);
        await pfFor(tx, fipId, id);
        const count = await tx.selectFrom('port_forwardings').select('id').where('floatingip_id', '=', fipId).execute();
        // The last forwarding releases the floating IP from its router.
        if (count.length === 1) await tx.updateTable('floatingips').set({ router_id: null }).where('id', '=', fipId).execute();
        await tx.deleteFrom('port_forwardings').where('id', '=', id).execute();
        await bumpRevision(tx, 'floatingips', fipId);
        routerId = fip.router_id;
        return hostChange(tx, fipId, [routerId]);
      });
      committed(fipId, [routerId], change);
    },
  };
}
