/**
 * Subnets: CIDR, gateway and allocation-pool rules as Neutron applies them, IPv6 modes, overlap
 * checks, and the IPAM pool each subnet owns.
 */
import { randomUUID } from 'node:crypto';
import type { CoreDeps } from './deps.js';
import type { Caller } from './caller.js';
import { createAll, inOrder } from './service.js';
import type { Body, Item, ResourceService } from './service.js';
import type { SubnetRow } from '../store/schema.js';
import type { Tx } from '../store/db.js';
import type { NetworkService } from './networks.js';
import { NOT_SPECIFIED } from '../definitions/types.js';
import { errors, NeutronError } from './errors.js';
import { listRows, ownedOr } from './listing.js';
import { networkRow } from '../store/tables/networks.js';
import { networkPolicyContext, networkPolicyContexts } from './network-context.js';
import { subnetRows, subnetsOfNetwork, poolsOfSubnets, subnetChildren, writeSubnetChildren, type SubnetChildren } from '../store/tables/subnets.js';
import { tagsOf, bumpRevision, now } from '../store/tables/standard.js';
import { checkQuota } from './quotas.js';
import { parseCidr, parseIp, cidrsOverlap, cidrLast, canonicalIp, formatCidr, formatIp, ipVersionOf } from '../common/ip.js';
import { defaultPools, validatePools, isAutoAddressSubnet, type Ipam, type SubnetShape } from './ipam.js';
import { AUTO_DELETE_PORT_OWNERS } from './networks.js';
import type { DhcpScheduler } from './dhcp-scheduling.js';
import { mergeScopes } from './dhcp-scheduling.js';
import { recordHostChange, NO_HOST_CHANGE, type ChangeScope, type HostChange } from './host-revisions.js';

const given = (v: unknown) => v !== undefined && v !== NOT_SPECIFIED;
const MAX_DNS_NAMESERVERS = 5;
const MAX_HOST_ROUTES = 20;

export function toSubnetItem(row: SubnetRow, c: SubnetChildren, tags: string[], shared: boolean): Item {
  return {
    id: row.id, name: row.name, tenant_id: row.project_id, project_id: row.project_id, network_id: row.network_id,
    ip_version: row.ip_version, subnetpool_id: row.subnetpool_id, enable_dhcp: !!row.enable_dhcp,
    ipv6_ra_mode: row.ipv6_ra_mode, ipv6_address_mode: row.ipv6_address_mode, gateway_ip: row.gateway_ip, cidr: row.cidr,
    allocation_pools: c.pools, host_routes: c.routes, dns_nameservers: c.dns, description: row.description,
    service_types: [], tags, created_at: row.created_at, updated_at: row.updated_at, revision_number: row.revision_number,
    segment_id: null, shared,
  };
}

export function subnetShape(row: SubnetRow, c: SubnetChildren): SubnetShape {
  return { id: row.id, cidr: row.cidr, ip_version: row.ip_version, gateway_ip: row.gateway_ip, ipv6_address_mode: row.ipv6_address_mode, ipv6_ra_mode: row.ipv6_ra_mode, pools: c.pools };
}

export interface SubnetService extends ResourceService {
  /** Subnets of a network with their pools, for IPAM inside a transaction. */
  shapesOfNetwork(tx: Tx, networkId: string): Promise<SubnetShape[]>;
  /** The same, without name servers and host routes: what IPAM needs (the hot path of port create). */
  poolsOfNetwork(tx: Tx, networkId: string): Promise<SubnetShape[]>;
}

export function subnetService(deps: CoreDeps, networks: NetworkService, ipam: Ipam, dhcp?: DhcpScheduler): SubnetService {
  const { store } = deps;

  /** Inside the transaction, last: DHCP scheduling and ports follow the subnets; hosts are stamped. */
  async function networksChanged(tx: Tx, networkIds: string[]): Promise<HostChange> {
    const scopes: ChangeScope[] = [{ networks: networkIds }];
    if (dhcp) for (const id of [...new Set(networkIds)]) scopes.push(await dhcp.syncNetwork(tx, id));
    return recordHostChange(tx, mergeScopes(scopes));
  }
  const hint = (id: string, c: HostChange) => deps.onCommit({ resource: 'network', id, hosts: c.hosts, revision: c.revision });

  async function items(rows: SubnetRow[]): Promise<Item[]> {
    const ids = rows.map((r) => r.id);
    const netIds = [...new Set(rows.map((r) => r.network_id))];
    const [children, tags, nets] = await Promise.all([
      subnetChildren(store.db, ids), tagsOf(store.db, ids),
      netIds.length ? store.db.selectFrom('networks').select(['id', 'shared']).where('id', 'in', netIds).execute() : [],
    ]);
    const shared = new Map(nets.map((n) => [n.id, !!n.shared]));
    return rows.map((r) => toSubnetItem(r, children.get(r.id)!, tags.get(r.id) ?? [], shared.get(r.network_id) ?? false));
  }

  function validateRoutes(version: number, routes: { destination: string; nexthop: string }[], id: string) {
    if (routes.length > MAX_HOST_ROUTES) throw new NeutronError('HostRoutesExhausted', `Unable to complete operation for ${id}. The number of host routes exceeds the limit ${MAX_HOST_ROUTES}.`);
    for (const r of routes) {
      if (parseCidr(r.destination)?.version !== version || ipVersionOf(r.nexthop) !== version) {
        throw errors.invalidInput(`Invalid route: ${JSON.stringify(r)}`);
      }
    }
    return routes.map((r) => ({ destination: formatCidr(parseCidr(r.destination)!), nexthop: canonicalIp(r.nexthop)! }));
  }

  function validateDns(version: number, dns: string[], id: string) {
    if (dns.length > MAX_DNS_NAMESERVERS) throw new NeutronError('DNSNameServersExhausted', `Unable to complete operation for ${id}. The number of DNS nameservers exceeds the limit ${MAX_DNS_NAMESERVERS}.`);
    void version;
    return dns.map((d) => canonicalIp(d)!);
  }

  function validateGateway(cidr: string, version: number, gateway: string) {
    if (ipVersionOf(gateway) !== version) throw errors.invalidInput(`gateway_ip '${gateway}' does not match the ip_version '${version}'`);
    const c = parseCidr(cidr)!;
    const g = parseIp(gateway)!.value;
    // Neutron refuses the network and broadcast addresses as gateway (IPv4, /30 and larger).
    if (version === 4 && c.prefixLength < 31 && (g === c.network || g === cidrLast(c))) throw errors.invalidInput('Gateway is not valid on subnet');
    if (version === 6 && g === c.network) throw errors.invalidInput('Gateway is not valid on subnet');
  }

  function validateIpv6(body: Body, version: number, cidr: string, enableDhcp: boolean) {
    const ra = given(body.ipv6_ra_mode) ? (body.ipv6_ra_mode as string | null) : null;
    const addr = given(body.ipv6_address_mode) ? (body.ipv6_address_mode as string | null) : null;
    if (version === 4) {
      if (ra) throw errors.invalidInput('ipv6_ra_mode is not valid when ip_version is 4');
      if (addr) throw errors.invalidInput('ipv6_address_mode is not valid when ip_version is 4');
      return;
    }
    if (ra && addr && ra !== addr) throw errors.invalidInput(`ipv6_ra_mode set to '${ra}' with ipv6_address_mode set to '${addr}' is not valid. If both attributes are set, they must be the same value`);
    if ((ra || addr) && !enableDhcp) throw errors.invalidInput('ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False');
    if (isAutoAddressSubnet({ ip_version: 6, ipv6_address_mode: addr, ipv6_ra_mode: ra }) && parseCidr(cidr)!.prefixLength !== 64) {
      throw errors.invalidInput(`Invalid CIDR ${cidr} for IPv6 address mode. OpenStack uses the EUI-64 address format, which requires the prefix to be /64`);
    }
  }

  async function createOne(tx: Tx, caller: Caller, body: Body): Promise<string> {
    const networkId = body.network_id as string;
    const network = await networkRow(tx, networkId, store.dialect !== 'sqlite');
    if (!network || !networks.canUse(caller, network)) throw errors.networkNotFound(networkId);
    if (given(body.subnetpool_id) && body.subnetpool_id !== null) throw new NeutronError('SubnetPoolNotFound', `Subnet pool ${body.subnetpool_id} could not be found.`);
    if (!given(body.cidr) || body.cidr === null) {
      throw new NeutronError('BadRequest', 'Bad subnets request: a subnetpool must be specified in the absence of a cidr.');
    }
    const cidr = body.cidr as string;
    const c = parseCidr(cidr)!;
    const version = body.ip_version as number;
    if (c.version !== version) throw errors.invalidInput(`cidr '${cidr}' does not match the ip_version '${version}'`);
    if (c.prefixLength === 0) throw errors.invalidInput('0 is not allowed as CIDR prefix length');
    const enableDhcp = body.enable_dhcp !== false;
    if (enableDhcp && ((version === 4 && c.prefixLength > 30) || (version === 6 && c.prefixLength > 126))) {
      throw errors.invalidInput('Subnet has a prefix length that is incompatible with DHCP service enabled');
    }
    validateIpv6(body, version, cidr, enableDhcp);
    const projectId = String(body.project_id ?? caller.projectId ?? '');
    await checkQuota(tx, deps, projectId, 'subnet', 1);

    // Overlap: always within the network; across all networks when overlapping IPs are off.
    let others = tx.selectFrom('subnets').select(['cidr']).where('ip_version', '=', version);
    if (deps.settings.allowOverlappingIps) others = others.where('network_id', '=', networkId);
    for (const o of await others.execute()) {
      if (cidrsOverlap(parseCidr(o.cidr)!, c)) throw errors.invalidInput(`Requested subnet with cidr: ${cidr} for network: ${networkId} overlaps with another subnet`);
    }

    let gateway: string | null;
    if (!given(body.gateway_ip)) gateway = c.prefixLength >= (version === 4 ? 31 : 127) ? null : formatIp(version as 4 | 6, c.network + 1n);
    else gateway = body.gateway_ip as string | null;
    if (gateway) validateGateway(cidr, version, gateway);

    const id = randomUUID();
    let pools = given(body.allocation_pools) ? (body.allocation_pools as { start: string; end: string }[]) : defaultPools(cidr, gateway);
    if (given(body.allocation_pools)) {
      validatePools(cidr, pools, gateway);
      pools = pools.map((p) => ({ start: canonicalIp(p.start)!, end: canonicalIp(p.end)! }));
    }
    const dns = validateDns(version, given(body.dns_nameservers) ? (body.dns_nameservers as string[]) : [], id);
    const routes = validateRoutes(version, given(body.host_routes) ? (body.host_routes as { destination: string; nexthop: string }[]) : [], id);
    const ts = now();
    const row: SubnetRow = {
      id, project_id: projectId, name: body.name as string, description: (body.description as string) ?? '', network_id: networkId,
      ip_version: version, cidr: formatCidr(c), gateway_ip: gateway, enable_dhcp: enableDhcp ? 1 : 0,
      ipv6_ra_mode: given(body.ipv6_ra_mode) ? (body.ipv6_ra_mode as string | null) : null,
      ipv6_address_mode: given(body.ipv6_address_mode) ? (body.ipv6_address_mode as string | null) : null,
      subnetpool_id: null, created_at: ts, updated_at: ts, revision_number: 1,
    };
    if (formatCidr(c) !== cidr) throw errors.badRequest(`Invalid input for cidr. Reason: '${cidr}' isn't a recognized IP subnet cidr, '${formatCidr(c)}' is recommended.`);
    await tx.insertInto('subnets').values(row).execute();
    await writeSubnetChildren(tx, id, { pools, dns, routes });
    if (!isAutoAddressSubnet(row)) await ipam.rebuild(tx, subnetShape(row, { pools, dns, routes }), []);
    await bumpRevision(tx, 'networks', networkId);
    return id;
  }

  const visible = (caller: Caller, row: SubnetRow, network: { project_id: string; shared: number; 'router:external': number } | undefined) =>
    caller.isAdmin || row.project_id === caller.projectId || !!network?.shared || !!network?.['router:external'];

  async function getRow(caller: Caller, id: string): Promise<SubnetRow> {
    const [row] = await subnetRows(store.db, [id]);
    if (!row) throw errors.subnetNotFound(id);
    if (!caller.isAdmin && row.project_id !== caller.projectId) {
      const net = await networkRow(store.db, row.network_id);
      if (!visible(caller, row, net)) throw errors.subnetNotFound(id);
    }
    return row;
  }

  return {
    async poolsOfNetwork(tx, networkId) {
      const rows = await subnetsOfNetwork(tx, networkId);
      const pools = await poolsOfSubnets(tx, rows.map((r) => r.id));
      return rows.map((r) => subnetShape(r, { pools: pools.get(r.id) ?? [], dns: [], routes: [] }));
    },

    async shapesOfNetwork(tx, networkId) {
      const rows = await subnetsOfNetwork(tx, networkId);
      const children = await subnetChildren(tx, rows.map((r) => r.id));
      return rows.map((r) => subnetShape(r, children.get(r.id)!));
    },

    async list(caller, query) {
      const rows = await listRows(store.db, {
        table: 'subnets',
        columns: { id: 'id', name: 'name', ip_version: 'ip_version', network_id: 'network_id', subnetpool_id: 'subnetpool_id', cidr: 'cidr', gateway_ip: 'gateway_ip', enable_dhcp: 'enable_dhcp', ipv6_ra_mode: 'ipv6_ra_mode', ipv6_address_mode: 'ipv6_address_mode', description: 'description', created_at: 'created_at', updated_at: 'updated_at', revision_number: 'revision_number' },
        customFilters: {
          shared: (q, values) => q.where('subnets.network_id', 'in', (eb: any) => eb.selectFrom('networks').select('id').where('shared', 'in', values.map((v) => (v ? 1 : 0)))),
        },
      }, query, caller.isAdmin ? (q) => q : (q) => q.where((eb) => eb.or([
        eb('subnets.project_id', '=', caller.projectId ?? ''),
        eb('subnets.network_id', 'in', eb.selectFrom('networks').select('id').where((e) => e.or([e('shared', '=', 1), e('router:external', '=', 1)]))),
      ])));
      return items(rows);
    },

    async get(caller, id) {
      return (await items([await getRow(caller, id)]))[0];
    },

    async create(caller, bodies) {
      let change = NO_HOST_CHANGE;
      const ids = await createAll(store, bodies, (tx, body) => createOne(tx, caller, body), async (tx) => {
        change = await networksChanged(tx, bodies.map((b) => b.network_id as string));
      });
      for (const b of new Set(bodies.map((x) => x.network_id as string))) hint(b, change);
      return items(inOrder(await subnetRows(store.db, ids), ids));
    },

    async update(caller, id, body, options) {
      const before = await getRow(caller, id);
      const change = await store.transaction(async (tx) => {
        const [row] = await subnetRows(tx, [id]);
        if (!row) throw errors.subnetNotFound(id);
        if (options.ifMatch !== undefined && row.revision_number !== options.ifMatch) throw errors.revisionMismatch(options.ifMatch, row.revision_number);
        const current = (await subnetChildren(tx, [id])).get(id)!;
        const set: Partial<SubnetRow> = {};
        if (given(body.name)) set.name = body.name as string;
        if (given(body.description)) set.description = body.description as string;
        let gateway = row.gateway_ip;
        if (given(body.gateway_ip)) {
          gateway = body.gateway_ip as string | null;
          if (gateway) {
            validateGateway(row.cidr, row.ip_version, gateway);
            const used = await tx.selectFrom('ip_allocations').innerJoin('ports', 'ports.id', 'ip_allocations.port_id').select('ports.device_owner')
              .where('ip_allocations.subnet_id', '=', id).where('ip_allocations.ip_address', '=', gateway).executeTakeFirst();
            if (used && used.device_owner !== 'network:router_interface') throw new NeutronError('GatewayIpInUse', `Current gateway ip ${gateway} already in use by port ${id}. Unable to update.`);
          }
          set.gateway_ip = gateway;
        }
        if (given(body.enable_dhcp)) {
          if (!body.enable_dhcp && row.ip_version === 6 && (row.ipv6_address_mode || row.ipv6_ra_mode)) throw errors.invalidInput('Cannot disable enable_dhcp with ipv6 attributes set');
          set.enable_dhcp = body.enable_dhcp ? 1 : 0;
        }
        const children: Partial<SubnetChildren> = {};
        if (given(body.dns_nameservers)) children.dns = validateDns(row.ip_version, body.dns_nameservers as string[], id);
        if (given(body.host_routes)) children.routes = validateRoutes(row.ip_version, body.host_routes as { destination: string; nexthop: string }[], id);
        const pools = given(body.allocation_pools) ? (body.allocation_pools as { start: string; end: string }[]).map((p) => ({ start: canonicalIp(p.start) ?? p.start, end: canonicalIp(p.end) ?? p.end })) : current.pools;
        if (given(body.allocation_pools) || given(body.gateway_ip)) {
          validatePools(row.cidr, pools, gateway);
          if (given(body.allocation_pools)) children.pools = pools;
        }
        if (Object.keys(set).length) await tx.updateTable('subnets').set(set).where('id', '=', id).execute();
        await writeSubnetChildren(tx, id, children);
        if (children.pools && !isAutoAddressSubnet(row)) {
          await ipam.lock(tx, id);
          const used = await tx.selectFrom('ip_allocations').select('ip_address').where('subnet_id', '=', id).execute();
          await ipam.rebuild(tx, subnetShape({ ...row, ...set } as SubnetRow, { ...current, pools }), used.map((u) => u.ip_address));
        }
        await bumpRevision(tx, 'subnets', id);
        return networksChanged(tx, [row.network_id]);
      });
      hint(before.network_id, change);
      return this.get(caller, id);
    },

    async delete(caller, id, options) {
      const row0 = await getRow(caller, id);
      const change = await store.transaction(async (tx) => {
        const [row] = await subnetRows(tx, [id]);
        if (!row) throw errors.subnetNotFound(id);
        if (options.ifMatch !== undefined && row.revision_number !== options.ifMatch) throw errors.revisionMismatch(options.ifMatch, row.revision_number);
        const inUse = await tx.selectFrom('ip_allocations').innerJoin('ports', 'ports.id', 'ip_allocations.port_id').select('ports.id')
          .where('ip_allocations.subnet_id', '=', id).where('ports.device_owner', 'not in', AUTO_DELETE_PORT_OWNERS).limit(1).executeTakeFirst();
        if (inUse) throw errors.subnetInUse(id);
        // The network's own ports (DHCP) that lose their address here change: their revisions move.
        const holders = await tx.selectFrom('ip_allocations').select('port_id').distinct().where('subnet_id', '=', id).execute();
        await tx.deleteFrom('ip_allocations').where('subnet_id', '=', id).execute();
        await bumpRevision(tx, 'ports', holders.map((h) => h.port_id));
        await ipam.drop(tx, id);
        await tx.deleteFrom('tags').where('resource_id', '=', id).execute();
        await tx.deleteFrom('subnets').where('id', '=', id).execute();
        await bumpRevision(tx, 'networks', row.network_id);
        return networksChanged(tx, [row.network_id]);
      });
      hint(row0.network_id, change);
    },

    policyContext: (_caller, item) => networkPolicyContext(store.db, item.network_id as string),

    policyContexts: (_caller, items) => networkPolicyContexts(store.db, items),
  };
}

