/**
 * Networks: ML2 segments (provider or allocated from the project pools), MTU, sharing and
 * external flags, and the in-use rule on delete.
 */
import { randomUUID } from 'node:crypto';
import type { CoreDeps } from './deps.js';
import type { Caller } from './caller.js';
import { createAll } from './service.js';
import type { Body, Item, ResourceService, WriteOptions } from './service.js';
import type { ListQuery } from './list-query.js';
import type { Segment, SegmentRequest } from '../ml2/driver-api.js';
import type { NetworkRow, NetworkSegmentRow } from '../store/schema.js';
import type { Tx } from '../store/db.js';
import { NOT_SPECIFIED } from '../definitions/types.js';
import { errors, NeutronError } from './errors.js';
import { listRows, ownedOr } from './listing.js';
import { networkRow, segmentsOf, subnetIdsOf } from '../store/tables/networks.js';
import { tagsOf, bumpRevision, now } from '../store/tables/standard.js';
import { checkQuota } from './quotas.js';
import { recordHostChange } from './host-revisions.js';

const PROVIDER_KEYS = ['provider:network_type', 'provider:physical_network', 'provider:segmentation_id'] as const;
const given = (v: unknown) => v !== undefined && v !== NOT_SPECIFIED;

/** Device owners whose ports go away with their network (Neutron's AUTO_DELETE_PORT_OWNERS). */
export const AUTO_DELETE_PORT_OWNERS = ['network:dhcp', 'network:distributed', 'network:floatingip_agent_gateway'];

export function toNetworkItem(row: NetworkRow, segments: NetworkSegmentRow[], subnets: string[], tags: string[]): Item {
  const item: Item = {
    id: row.id,
    name: row.name,
    tenant_id: row.project_id,
    project_id: row.project_id,
    admin_state_up: !!row.admin_state_up,
    mtu: row.mtu,
    status: row.status,
    subnets,
    shared: !!row.shared,
    availability_zone_hints: JSON.parse(row.availability_zone_hints),
    availability_zones: [],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    'router:external': !!row['router:external'],
    description: row.description,
    port_security_enabled: !!row.port_security_enabled,
    dns_domain: row.dns_domain,
    tags,
    created_at: row.created_at,
    updated_at: row.updated_at,
    revision_number: row.revision_number,
  };
  // One segment shows as provider:*; several as `segments` (multi-provider).
  if (segments.length === 1) {
    const s = segments[0];
    item['provider:network_type'] = s.network_type;
    item['provider:physical_network'] = s.physical_network;
    item['provider:segmentation_id'] = s.segmentation_id;
  } else if (segments.length > 1) {
    item.segments = segments.map((s) => ({
      'provider:network_type': s.network_type, 'provider:physical_network': s.physical_network, 'provider:segmentation_id': s.segmentation_id,
    }));
  }
  return item;
}

export interface NetworkService extends ResourceService {
  /** The network as its owner sees it, inside a transaction; null when absent. */
  load(tx: Tx, id: string): Promise<NetworkRow | undefined>;
  /** Whether `caller` may use the network (own, shared, or admin). */
  canUse(caller: Caller, row: NetworkRow): boolean;
}

export function networkService(deps: CoreDeps): NetworkService {
  const { store, typeDrivers } = deps;

  async function items(rows: NetworkRow[]): Promise<Item[]> {
    const ids = rows.map((r) => r.id);
    const [segs, subs, tags] = await Promise.all([segmentsOf(store.db, ids), subnetIdsOf(store.db, ids), tagsOf(store.db, ids)]);
    return rows.map((r) => toNetworkItem(r, segs.get(r.id) ?? [], subs.get(r.id) ?? [], tags.get(r.id) ?? []));
  }

  function segmentRequests(body: Body): SegmentRequest[] | null {
    const hasProvider = PROVIDER_KEYS.some((k) => given(body[k]));
    if (given(body.segments)) {
      if (hasProvider) throw new NeutronError('InvalidInput', 'Invalid input for operation: Segments and provider values cannot both be set.');
      const segments = body.segments as Record<string, unknown>[];
      if (!segments.length) return null;
      return segments.map((s) => segmentRequest(s));
    }
    return hasProvider ? [segmentRequest(body)] : null;
  }

  function segmentRequest(src: Record<string, unknown>): SegmentRequest {
    const type = src['provider:network_type'];
    if (!given(type) || type === null || type === '') throw errors.invalidInput('network_type required');
    const id = src['provider:segmentation_id'];
    const physnet = src['provider:physical_network'];
    if (given(id) && id !== null && (typeof id !== 'number' || !Number.isInteger(id))) {
      throw errors.badRequest(`Invalid input for provider:segmentation_id. Reason: '${String(id)}' is not an integer.`);
    }
    return {
      network_type: String(type),
      physical_network: given(physnet) ? (physnet as string | null) : undefined,
      segmentation_id: given(id) ? (id as number | null) : undefined,
    };
  }

  function driverFor(type: string) {
    const driver = typeDrivers.get(type);
    if (!driver) throw errors.invalidInput(`network_type value '${type}' not supported`);
    return driver;
  }

  async function reserveSegments(tx: Tx, requests: SegmentRequest[] | null): Promise<Segment[]> {
    if (requests) {
      for (const r of requests) driverFor(r.network_type).validateProviderSegment(r);
      const out: Segment[] = [];
      for (const r of requests) out.push(await driverFor(r.network_type).reserveProviderSegment(tx, r));
      return out;
    }
    for (const type of deps.ml2.tenantNetworkTypes) {
      const seg = await driverFor(type).allocateProjectSegment(tx);
      if (seg) return [seg];
    }
    throw new NeutronError('NoNetworkAvailable', 'Unable to create the network. No tenant network is available for allocation.');
  }

  function maxMtu(segments: Pick<Segment, 'network_type' | 'physical_network'>[]): number {
    const mtus = segments.map((s) => driverFor(s.network_type).mtu(s.physical_network)).filter((m) => m > 0);
    return mtus.length ? Math.min(...mtus) : 1500;
  }

  /** Creates one network; what was written goes into `created` to be shown without a read-back. */
  async function createOne(tx: Tx, caller: Caller, body: Body, created: Map<string, Item>): Promise<string> {
    const projectId = String(body.project_id ?? body.tenant_id ?? caller.projectId ?? '');
    await checkQuota(tx, deps, projectId, 'network', 1);
    const segments = await reserveSegments(tx, segmentRequests(body));
    const limit = maxMtu(segments);
    let mtu = limit;
    if (given(body.mtu)) {
      if ((body.mtu as number) > limit) throw errors.invalidInput(`Requested MTU is too big, maximum is ${limit}`);
      mtu = body.mtu as number;
    }
    const id = randomUUID();
    const ts = now();
    const row: NetworkRow = {
      id, project_id: projectId, name: body.name as string, description: (body.description as string) ?? '',
      admin_state_up: body.admin_state_up ? 1 : 0, status: 'ACTIVE', shared: body.shared ? 1 : 0,
      'router:external': given(body['router:external']) && body['router:external'] ? 1 : 0, mtu,
      port_security_enabled: body.port_security_enabled === false ? 0 : 1,
      availability_zone_hints: JSON.stringify(body.availability_zone_hints ?? []),
      dns_domain: (body.dns_domain as string) ?? '', created_at: ts, updated_at: ts, revision_number: 1,
    };
    await tx.insertInto('networks').values(row).execute();
    const segmentRows: NetworkSegmentRow[] = segments.map((s, i) => ({
      id: randomUUID(), network_id: id, network_type: s.network_type, physical_network: s.physical_network ?? null, segmentation_id: s.segmentation_id ?? null, segment_index: i,
    }));
    if (segmentRows.length) await tx.insertInto('network_segments').values(segmentRows).execute();
    // A new network has no subnets and no tags yet.
    created.set(id, toNetworkItem(row, segmentRows, [], []));
    return id;
  }

  async function getRow(caller: Caller, id: string): Promise<NetworkRow> {
    const row = await networkRow(store.db, id);
    if (!row || !visible(caller, row)) throw errors.networkNotFound(id);
    return row;
  }

  const visible = (caller: Caller, row: NetworkRow) =>
    caller.isAdmin || row.project_id === caller.projectId || !!row.shared || !!row['router:external'];

  return {
    canUse: visible,
    load: (tx, id) => networkRow(tx, id),

    async list(caller: Caller, query: ListQuery) {
      const rows = await listRows(store.db, {
        table: 'networks',
        columns: { id: 'id', name: 'name', admin_state_up: 'admin_state_up', status: 'status', shared: 'shared', 'router:external': 'router:external', mtu: 'mtu', description: 'description', port_security_enabled: 'port_security_enabled', dns_domain: 'dns_domain', created_at: 'created_at', updated_at: 'updated_at', revision_number: 'revision_number' },
        customFilters: Object.fromEntries(PROVIDER_KEYS.map((key) => [key, (q, values) => q.where('networks.id', 'in', (eb: any) => {
          const column = key.slice('provider:'.length);
          return eb.selectFrom('network_segments').select('network_id').where(column, 'in', values);
        })])),
      }, query, caller.isAdmin ? (q) => q : ownedOr(caller.projectId, 'networks', ['shared', 'router:external']));
      return items(rows);
    },

    async get(caller, id) {
      return (await items([await getRow(caller, id)]))[0];
    },

    async create(caller, bodies) {
      const created = new Map<string, Item>();
      const ids = await createAll(store, bodies, (tx, body) => createOne(tx, caller, body, created), undefined, () => created.clear());
      return ids.map((id) => created.get(id)!);
    },

    async update(caller, id, body, options: WriteOptions) {
      await getRow(caller, id);
      const change = await store.transaction(async (tx) => {
        const row = await networkRow(tx, id, store.dialect !== 'sqlite');
        if (!row) throw errors.networkNotFound(id);
        if (options.ifMatch !== undefined && row.revision_number !== options.ifMatch) throw errors.revisionMismatch(options.ifMatch, row.revision_number);
        if (PROVIDER_KEYS.some((k) => given(body[k])) || given(body.segments)) {
          const segs = (await segmentsOf(tx, [id])).get(id) ?? [];
          const same = segs.length === 1 && PROVIDER_KEYS.every((k) => !given(body[k]) || body[k] === (segs[0] as unknown as Record<string, unknown>)[k.slice(9)]);
          if (!same || given(body.segments)) throw errors.invalidInput('Plugin does not support updating provider attributes');
        }
        const set: Partial<NetworkRow> = {};
        for (const key of ['name', 'description', 'dns_domain'] as const) if (given(body[key])) set[key] = body[key] as string;
        for (const key of ['admin_state_up', 'shared', 'router:external', 'port_security_enabled'] as const) if (given(body[key])) set[key] = body[key] ? 1 : 0;
        if (given(body.mtu)) {
          const segs = (await segmentsOf(tx, [id])).get(id) ?? [];
          const limit = maxMtu(segs);
          if ((body.mtu as number) > limit) throw errors.invalidInput(`Requested MTU is too big, maximum is ${limit}`);
          set.mtu = body.mtu as number;
        }
        if (body['router:external'] === false && row['router:external']) {
          const gateway = await tx.selectFrom('ports').select('id').where('network_id', '=', id).where('device_owner', '=', 'network:router_gateway').limit(1).executeTakeFirst();
          if (gateway) throw errors.conflict('ExternalNetworkInUse', `External network ${id} cannot be updated to be made non-external, since it has existing gateway ports.`);
        }
        if (body.shared === false && row.shared) {
          const foreign = await tx.selectFrom('ports').select('id').where('network_id', '=', id).where('project_id', '!=', row.project_id)
            .where('device_owner', 'not in', AUTO_DELETE_PORT_OWNERS).limit(1).executeTakeFirst();
          if (foreign) throw errors.conflict('InvalidSharedSetting', `Unable to reconfigure sharing settings for network ${id}. Multiple tenants are using it.`);
        }
        if (Object.keys(set).length) await tx.updateTable('networks').set(set).where('id', '=', id).execute();
        await bumpRevision(tx, 'networks', id);
        return recordHostChange(tx, { networks: [id] });
      });
      deps.onCommit({ resource: 'network', id, hosts: change.hosts, revision: change.revision });
      return (await items([(await networkRow(store.db, id))!]))[0];
    },

    async delete(caller, id, options) {
      await getRow(caller, id);
      const change = await store.transaction(async (tx) => {
        const row = await networkRow(tx, id, store.dialect !== 'sqlite');
        if (!row) throw errors.networkNotFound(id);
        if (options.ifMatch !== undefined && row.revision_number !== options.ifMatch) throw errors.revisionMismatch(options.ifMatch, row.revision_number);
        // Neutron's external_net_db._process_l3_delete: floating IPs with neither a port nor a router
        // (of any project) go with their network. Neutron deletes them before its in-use check, each
        // on its own; here they go in this transaction, so a delete refused as in use keeps them.
        const loose = await tx.selectFrom('floatingips').select(['id', 'floating_port_id'])
          .where('floating_network_id', '=', id).where('router_id', 'is', null)
          .where('id', 'not in', (eb) => eb.selectFrom('floatingip_associations').select('floatingip_id'))
          .execute();
        let inUseQuery = tx.selectFrom('ports').select('id').where('network_id', '=', id)
          .where('device_owner', 'not in', AUTO_DELETE_PORT_OWNERS);
        if (loose.length) inUseQuery = inUseQuery.where('id', 'not in', loose.map((f) => f.floating_port_id));
        if (await inUseQuery.limit(1).executeTakeFirst()) throw errors.networkInUse(id);
        if (loose.length) {
          const fipIds = loose.map((f) => f.id);
          await tx.deleteFrom('tags').where('resource_id', 'in', fipIds).execute();
          await tx.deleteFrom('floatingips').where('id', 'in', fipIds).execute();
        }
        // Stamped while its DHCP ports and agents still name the hosts that lose the network.
        const change = await recordHostChange(tx, { networks: [id] });
        await tx.deleteFrom('ports').where('network_id', '=', id).execute();
        const subnets = await tx.selectFrom('subnets').select('id').where('network_id', '=', id).execute();
        for (const s of subnets) await tx.deleteFrom('free_ranges').where('pool', 'in', [`ip:${s.id}`, `lock:ip:${s.id}`]).execute();
        if (subnets.length) {
          await tx.deleteFrom('ip_allocations').where('network_id', '=', id).execute();
          await tx.deleteFrom('tags').where('resource_id', 'in', subnets.map((s) => s.id)).execute();
          await tx.deleteFrom('subnets').where('network_id', '=', id).execute();
        }
        const segs = (await segmentsOf(tx, [id])).get(id) ?? [];
        for (const s of segs) await driverFor(s.network_type).releaseSegment(tx, s);
        await tx.deleteFrom('tags').where('resource_id', '=', id).execute();
        await tx.deleteFrom('network_dhcp_agents').where('network_id', '=', id).execute();
        await tx.deleteFrom('networks').where('id', '=', id).execute();
        return { ...change, floatingips: loose.map((f) => f.id) };
      });
      for (const fipId of change.floatingips) deps.onCommit({ resource: 'floatingip', id: fipId });
      deps.onCommit({ resource: 'network', id, hosts: change.hosts, revision: change.revision });
    },
  };
}

