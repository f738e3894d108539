/**
 * Floating IPs (l3, fip-port-details, expose-port-forwarding-in-fip): an address on an external
 * network held by a `network:floatingip` port, associated with an internal port through the router
 * that connects the port's subnet to that network. Status stays DOWN until the router's L3 agent
 * reports having applied the change; every write ends with the L3 scheduler's commit (host revisions).
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from './caller.js';
import type { Body, Item, ResourceService } from './service.js';
import type { FloatingIpRow, FloatingIpAssociationRow } from '../store/l3-schema.js';
import type { Tx } from '../store/db.js';
import type { HostChange } from './host-revisions.js';
import { createAll, inOrder } from './service.js';
import { NOT_SPECIFIED } from '../definitions/types.js';
import { errors, NeutronError } from './errors.js';
import { listRows } from './listing.js';
import { tagsOf, bumpRevision, now } from '../store/tables/standard.js';
import { checkQuota } from './quotas.js';
import { networkRow } from '../store/tables/networks.js';
import { portRow } from '../store/tables/ports.js';
import { ipVersionOf, canonicalIp } from '../common/ip.js';
import { badRequest, floatingIpNotFound, type L3Deps } from './l3-common.js';
import { createServicePort, deleteServicePort, fixedIpsOf, DEVICE_OWNER_FLOATINGIP, DEVICE_OWNER_ROUTER_GW, ROUTER_INTERFACE_OWNERS } from './l3-ports.js';
import type { FixedIpRequest } from './port-fixed-ips.js';
import { pfItem } from './port-forwardings.js';

const given = (v: unknown) => v !== undefined && v !== NOT_SPECIFIED && v !== null;

/**
 * Neutron's get_router_for_floatingip: a router with an interface on the subnet and its gateway on
 * the external network; the one whose interface holds the subnet's gateway IP wins.
 */
export async function routerForFloatingIp(tx: Tx, port: { id: string; network_id: string }, subnet: { id: string; gateway_ip: string | null }, externalNetworkId: string): Promise<string> {
  const rows = await tx.selectFrom('router_ports')
    .innerJoin('ports', 'ports.id', 'router_ports.port_id')
    .innerJoin('ip_allocations', 'ip_allocations.port_id', 'ports.id')
    .innerJoin('ports as gw', (j) => j.onRef('gw.device_id', '=', 'router_ports.router_id'))
    .select(['router_ports.router_id', 'ip_allocations.ip_address'])
    .where('ports.network_id', '=', port.network_id)
    .where('router_ports.port_type', 'in', ROUTER_INTERFACE_OWNERS)
    .where('ip_allocations.subnet_id', '=', subnet.id)
    .where('gw.network_id', '=', externalNetworkId)
    .where('gw.device_owner', '=', DEVICE_OWNER_ROUTER_GW)
    .orderBy('router_ports.router_id').execute();
  const best = rows.find((r) => r.ip_address === subnet.gateway_ip) ?? rows[0];
  if (best) return best.router_id;
  throw new NeutronError('ExternalGatewayForFloatingIPNotFound', `External network ${externalNetworkId} is not reachable from subnet ${subnet.id}.  Therefore, cannot associate Port ${port.id} with a Floating IP.`);
}

export type FloatingIpService = ResourceService;

export function floatingIpService(d: L3Deps): FloatingIpService {
  const { store } = d.deps;
  const lock = store.dialect !== 'sqlite';

  async function items(rows: FloatingIpRow[]): Promise<Item[]> {
    const ids = rows.map((r) => r.id);
    if (!ids.length) return [];
    const [tags, assocs, pfs] = await Promise.all([
      tagsOf(store.db, ids),
      store.db.selectFrom('floatingip_associations').selectAll().where('floatingip_id', 'in', ids).execute(),
      store.db.selectFrom('port_forwardings').selectAll().where('floatingip_id', 'in', ids).orderBy('id').execute(),
    ]);
    const portIds = assocs.map((a) => a.fixed_port_id);
    const ports = portIds.length ? await store.db.selectFrom('ports').selectAll().where('id', 'in', portIds).execute() : [];
    return rows.map((r) => {
      const a = assocs.find((x) => x.floatingip_id === r.id);
      const p = a && ports.find((x) => x.id === a.fixed_port_id);
      return {
        id: r.id, tenant_id: r.project_id, project_id: r.project_id, floating_ip_address: r.floating_ip_address,
        floating_network_id: r.floating_network_id, router_id: a?.router_id ?? r.router_id, port_id: a?.fixed_port_id ?? null,
        fixed_ip_address: a?.fixed_ip_address ?? null, status: r.status, description: r.description,
        port_details: p ? { name: p.name, network_id: p.network_id, mac_address: p.mac_address, admin_state_up: !!p.admin_state_up, status: p.status, device_id: p.device_id, device_owner: p.device_owner } : null,
        port_forwardings: pfs.filter((pf) => pf.floatingip_id === r.id).map((pf) => {
          const full = pfItem(pf);
          return { id: full.id, internal_ip_address: full.internal_ip_address, protocol: full.protocol, internal_port: full.internal_port, external_port: full.external_port, internal_port_id: full.internal_port_id };
        }),
        tags: tags.get(r.id) ?? [], created_at: r.created_at, updated_at: r.updated_at, revision_number: r.revision_number,
      };
    });
  }

  /** Neutron's _check_and_get_fip_assoc / _internal_fip_assoc_data; null = no association. */
  async function association(tx: Tx, caller: Caller, fip: Pick<FloatingIpRow, 'id' | 'project_id' | 'floating_network_id' | 'floating_ip_address'>, current: FloatingIpAssociationRow | undefined, portId: string | null, fixedIp: string | null): Promise<Omit<FloatingIpAssociationRow, 'floatingip_id'> | null> {
    if (fixedIp && !portId) throw badRequest('floatingip', 'fixed_ip_address cannot be specified without a port_id');
    if (!portId) return null;
    const port = await portRow(tx, portId, lock);
    if (!port || (!caller.isAdmin && port.project_id !== caller.projectId)) throw errors.portNotFound(portId);
    if (port.project_id !== fip.project_id && !caller.isAdmin) {
      throw badRequest('floatingip', `Cannot process floating IP association with Port ${portId}, since that port is owned by a different tenant`);
    }
    if (port.device_owner === 'network:dhcp') throw badRequest('floatingip', `Port ${portId} is unable to be assigned a floating IP`);
    const ips = (await fixedIpsOf(tx, [portId])).get(portId)!;
    let chosen;
    if (fixedIp) {
      if (ipVersionOf(fixedIp) !== 4) throw badRequest('floatingip', `Cannot process floating IP association with ${fixedIp}, since that is not an IPv4 address`);
      chosen = ips.find((f) => f.ip_address === canonicalIp(fixedIp));
      if (!chosen) throw badRequest('floatingip', `Port ${portId} does not have fixed ip ${fixedIp}`);
    } else {
      const v4 = ips.filter((f) => ipVersionOf(f.ip_address) === 4);
      if (!v4.length) throw badRequest('floatingip', `Cannot add floating IP to port ${portId} that has no fixed IPv4 addresses`);
      if (v4.length > 1) throw badRequest('floatingip', `Port ${portId} has multiple fixed IPv4 addresses.  Must provide a specific IPv4 address when assigning a floating IP`);
      chosen = v4[0];
    }
    const subnet = await tx.selectFrom('subnets').select(['id', 'gateway_ip']).where('id', '=', chosen.subnet_id).executeTakeFirstOrThrow();
    const routerId = await routerForFloatingIp(tx, port, subnet, fip.floating_network_id);
    if (current?.fixed_port_id !== portId) {
      const taken = await tx.selectFrom('floatingip_associations').innerJoin('floatingips', 'floatingips.id', 'floatingip_associations.floatingip_id')
        .select('floatingips.id').where('floatingip_associations.fixed_port_id', '=', portId)
        .where('floatingip_associations.fixed_ip_address', '=', chosen.ip_address)
        .where('floatingips.floating_network_id', '=', fip.floating_network_id).where('floatingips.id', '!=', fip.id).executeTakeFirst();
      if (taken) {
        throw new NeutronError('FloatingIPPortAlreadyAssociated', `Cannot associate floating IP ${fip.floating_ip_address} (${fip.id}) with port ${portId} using fixed IP ${chosen.ip_address}, as that fixed IP already has a floating IP on external network ${fip.floating_network_id}.`);
      }
    }
    return { fixed_port_id: portId, fixed_ip_address: chosen.ip_address, router_id: routerId };
  }

  async function writeAssociation(tx: Tx, fipId: string, a: Omit<FloatingIpAssociationRow, 'floatingip_id'> | null): Promise<void> {
    await tx.deleteFrom('floatingip_associations').where('floatingip_id', '=', fipId).execute();
    if (a) await tx.insertInto('floatingip_associations').values({ floatingip_id: fipId, ...a }).execute();
  }

  async function createOne(tx: Tx, caller: Caller, body: Body): Promise<string> {
    const netId = body.floating_network_id as string;
    const net = await networkRow(tx, netId);
    if (!net || !d.networks.canUse(caller, net)) throw errors.networkNotFound(netId);
    if (!net['router:external']) throw badRequest('floatingip', `Network ${netId} is not a valid external network`);
    const v4 = await tx.selectFrom('subnets').select('id').where('network_id', '=', netId).where('ip_version', '=', 4).limit(1).executeTakeFirst();
    if (!v4) throw badRequest('floatingip', `Network ${netId} does not contain any IPv4 subnet`);
    const projectId = String(body.project_id ?? caller.projectId ?? '');
    await checkQuota(tx, d.deps, projectId, 'floatingip', 1);
    await checkNoPortForwarding(tx, body.port_id as string | null);
    const id = randomUUID();
    const request: FixedIpRequest = {};
    if (given(body.subnet_id)) request.subnet_id = body.subnet_id as string;
    if (given(body.floating_ip_address)) request.ip_address = body.floating_ip_address as string;
    // The external port is never shown to the project: it belongs to none (Neutron).
    const port = await createServicePort(tx, d, { networkId: netId, projectId: '', deviceOwner: DEVICE_OWNER_FLOATINGIP, deviceId: id, fixedIps: Object.keys(request).length ? [request] : null });
    const address = port.fixedIps.find((f) => ipVersionOf(f.ip_address) === 4);
    if (!address) throw new NeutronError('ExternalIpAddressExhausted', `Unable to find any IP address on external network ${netId}.`);
    const ts = now();
    const row: FloatingIpRow = {
      id, project_id: projectId, name: '', description: (body.description as string) ?? '', created_at: ts, updated_at: ts, revision_number: 1,
      floating_network_id: netId, floating_ip_address: address.ip_address, floating_port_id: port.id, router_id: null, status: 'DOWN',
    };
    await tx.insertInto('floatingips').values(row).execute();
    await writeAssociation(tx, id, await association(tx, caller, row, undefined, given(body.port_id) ? body.port_id as string : null, given(body.fixed_ip_address) ? body.fixed_ip_address as string : null));
    return id;
  }

  /** A port with port forwardings can't also have a floating IP (pf_plugin, for every router type here). */
  async function checkNoPortForwarding(tx: Tx, portId: string | null | undefined): Promise<void> {
    if (!portId) return;
    const pf = await tx.selectFrom('port_forwardings').select('id').where('internal_port_id', '=', portId).limit(1).executeTakeFirst();
    if (pf) throw new NeutronError('PortHasPortForwarding', `Cannot associate floating IP to port ${portId} because it already has a Port Forwarding binding.`);
  }

  async function rowFor(tx: Tx, caller: Caller, id: string, forUpdate: boolean): Promise<FloatingIpRow> {
    let q = tx.selectFrom('floatingips').selectAll().where('id', '=', id);
    if (forUpdate) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row || (!caller.isAdmin && row.project_id !== caller.projectId)) throw floatingIpNotFound(id);
    return row;
  }

  const db = () => store.db as unknown as Tx;

  return {
    async list(caller, query) {
      const assocFilter = (column: 'fixed_port_id' | 'fixed_ip_address') => (q: any, values: unknown[]) => {
        const wanted = values.filter((x) => x !== null && x !== '');
        return q.where((eb: any) => eb.or([
          ...(wanted.length ? [eb('floatingips.id', 'in', eb.selectFrom('floatingip_associations').select('floatingip_id').where(column, 'in', wanted))] : []),
          ...(wanted.length < values.length ? [eb('floatingips.id', 'not in', eb.selectFrom('floatingip_associations').select('floatingip_id'))] : []),
        ]));
      };
      const rows = await listRows(store.db, {
        table: 'floatingips',
        columns: { id: 'id', floating_ip_address: 'floating_ip_address', floating_network_id: 'floating_network_id', status: 'status', description: 'description', created_at: 'created_at', updated_at: 'updated_at', revision_number: 'revision_number' },
        customFilters: {
          port_id: assocFilter('fixed_port_id'),
          fixed_ip_address: assocFilter('fixed_ip_address'),
          router_id: (q: any, values) => q.where((eb: any) => eb.or([
            eb('floatingips.router_id', 'in', values),
            eb('floatingips.id', 'in', eb.selectFrom('floatingip_associations').select('floatingip_id').where('router_id', 'in', values)),
          ])),
        },
      }, query, caller.isAdmin ? (q) => q : (q) => q.where('floatingips.project_id', '=', caller.projectId ?? ''));
      return items(rows as unknown as FloatingIpRow[]);
    },

    async get(caller, id) {
      return (await items([await rowFor(db(), caller, id, false)]))[0];
    },

    async create(caller, bodies) {
      let change: HostChange | undefined;
      const ids = await createAll(store, bodies, (tx, body) => createOne(tx, caller, body), async (tx, created) => {
        const routers = await tx.selectFrom('floatingip_associations').select('router_id').where('floatingip_id', 'in', created).execute();
        change = await d.scheduler.commit(tx, routers.map((r) => r.router_id), { floatingips: created });
      });
      for (const id of ids) d.deps.onCommit({ resource: 'floatingip', id, hosts: change?.hosts, revision: change?.revision });
      const rows = await store.db.selectFrom('floatingips').selectAll().where('id', 'in', ids).execute();
      return items(inOrder(rows, ids));
    },

    async update(caller, id, body, options) {
      const { routers, change } = await store.transaction(async (tx) => {
        const row = await rowFor(tx, caller, id, lock);
        if (options.ifMatch !== undefined && row.revision_number !== options.ifMatch) throw errors.revisionMismatch(options.ifMatch, row.revision_number);
        const current = await tx.selectFrom('floatingip_associations').selectAll().where('floatingip_id', '=', id).executeTakeFirst();
        if ('port_id' in body && body.port_id !== NOT_SPECIFIED) {
          const portId = (body.port_id as string | null) ?? null;
          if (portId) {
            const pf = await tx.selectFrom('port_forwardings').select('id').where('floatingip_id', '=', id).limit(1).executeTakeFirst();
            if (pf) throw new NeutronError('FipInUseByPortForwarding', `Floating IP ${id} in use by Port Forwarding resources.`);
            await checkNoPortForwarding(tx, portId);
          }
          const fixedIp = given(body.fixed_ip_address) ? body.fixed_ip_address as string : null;
          await writeAssociation(tx, id, await association(tx, caller, row, current, portId, fixedIp));
        } else if (given(body.fixed_ip_address)) {
          if (!current) throw badRequest('floatingip', 'fixed_ip_address cannot be specified without a port_id');
          await writeAssociation(tx, id, await association(tx, caller, row, current, current.fixed_port_id, body.fixed_ip_address as string));
        }
        if (given(body.description)) await tx.updateTable('floatingips').set({ description: body.description as string }).where('id', '=', id).execute();
        await bumpRevision(tx, 'floatingips', id);
        const after = await tx.selectFrom('floatingip_associations').select('router_id').where('floatingip_id', '=', id).executeTakeFirst();
        const routers = [current?.router_id, after?.router_id, row.router_id];
        return { routers, change: await d.scheduler.commit(tx, routers, { floatingips: [id] }) };
      });
      d.deps.onCommit({ resource: 'floatingip', id, hosts: change.hosts, revision: change.revision });
      for (const r of new Set(routers)) if (r) d.deps.onCommit({ resource: 'router', id: r });
      return this.get(caller, id);
    },

    async delete(caller, id, options) {
      const { router, change } = await store.transaction(async (tx) => {
        const row = await rowFor(tx, caller, id, lock);
        if (options.ifMatch !== undefined && row.revision_number !== options.ifMatch) throw errors.revisionMismatch(options.ifMatch, row.revision_number);
        const pf = await tx.selectFrom('port_forwardings').select('id').where('floatingip_id', '=', id).limit(1).executeTakeFirst();
        if (pf) throw new NeutronError('FipInUseByPortForwarding', `Floating IP ${id} in use by Port Forwarding resources.`);
        const assoc = await tx.selectFrom('floatingip_associations').select('router_id').where('floatingip_id', '=', id).executeTakeFirst();
        await tx.deleteFrom('tags').where('resource_id', '=', id).execute();
        // The floating IP row and its association go with their port (foreign keys).
        await deleteServicePort(tx, d, row.floating_port_id);
        await tx.deleteFrom('floatingips').where('id', '=', id).execute();
        const router = assoc?.router_id ?? row.router_id;
        return { router, change: await d.scheduler.commit(tx, [router]) };
      });
      d.deps.onCommit({ resource: 'floatingip', id, hosts: change.hosts, revision: change.revision });
      if (router) d.deps.onCommit({ resource: 'router', id: router });
    },
  };
}

/** Floating IP pools (floatingip-pools): every IPv4 subnet of every external network the caller may use. */
export async function floatingIpPools(d: L3Deps, caller: Caller): Promise<Item[]> {
  const rows = await d.deps.store.db.selectFrom('subnets').innerJoin('networks', 'networks.id', 'subnets.network_id')
    .select(['subnets.id', 'subnets.name', 'subnets.network_id', 'subnets.cidr', 'subnets.project_id'])
    .where('networks.router:external', '=', 1).where('subnets.ip_version', '=', 4)
    .orderBy('subnets.created_at').orderBy('subnets.id').execute();
  void caller; // external networks are usable by every project
  return rows.map((r) => ({ subnet_id: r.id, subnet_name: r.name, network_id: r.network_id, cidr: r.cidr, project_id: r.project_id }));
}
