/**
 * Ports: addresses (core/port-fixed-ips.ts), MAC addresses, security groups and port security,
 * allowed address pairs, extra DHCP options, binding attributes and DNS assignment.
 */
import { randomUUID } from 'node:crypto';
import type { CoreDeps } from './deps.js';
import type { Caller } from './caller.js';
import { createAll } from './service.js';
import type { Body, CreateAuthorizer, Item, ResourceService } from './service.js';
import type { PortRow } from '../store/schema.js';
import type { Db, Tx } from '../store/db.js';
import type { NetworkService } from './networks.js';
import type { SubnetService } from './subnets.js';
import { insertOneUnlessDuplicate } from '../store/db.js';
import { NOT_SPECIFIED } from '../definitions/types.js';
import { errors, NeutronError } from './errors.js';
import { listSelect } from './listing.js';
import { ListedItems } from './listed-items.js';
import { networkRow } from '../store/tables/networks.js';
import { networkContext, networkPolicyContext, networkPolicyContexts } from './network-context.js';
import { portHead, portRow, portRows, portChildren, onePortDetails, insertPortRow, insertPortGroups, byVersionThenAddress, type PortChildren } from '../store/tables/ports.js';
import { tagsOf, now } from '../store/tables/standard.js';
import { checkQuota } from './quotas.js';
import { recordHostChange, NO_HOST_CHANGE, type HostChange } from './host-revisions.js';
import { hostsOfSecurityGroupChange } from './security-group-hosts.js';
import { bindingFor } from './port-binding.js';
import { randomMac } from './mac.js';
import { allocateFixedIps, recordAllocations, type FixedIpRequest, type FixedIp } from './port-fixed-ips.js';
import type { Ipam } from './ipam.js';
import { ensureDefaultSecurityGroup } from './security-groups.js';
import { sharedWith } from '../store/tables/rbac-policies.js';
import { checkL3PortDeletion } from './l3-ports.js';
import { canonicalIp, parseCidr, formatCidr } from '../common/ip.js';
import { ItemCache, type RowVersion } from './item-cache.js';

const given = (v: unknown) => v !== undefined && v !== NOT_SPECIFIED;
const MAC_GENERATION_RETRIES = 16;
const MAX_ALLOWED_ADDRESS_PAIRS = 10;

type Pair = { ip_address: string; mac_address?: string };
type DhcpOpt = { opt_name: string; opt_value: string | null; ip_version?: number | string };

export function dnsAssignment(row: Pick<PortRow, 'dns_name'>, fixedIps: FixedIp[], dnsDomain: string): Item[] {
  const domain = dnsDomain.replace(/\.$/, '');
  return fixedIps.map((f) => {
    const hostname = row.dns_name || `host-${f.ip_address.replace(/[.:]/g, '-')}`;
    return { hostname, ip_address: f.ip_address, fqdn: `${hostname}.${domain}.` };
  });
}

/** Most ports carry an empty binding profile and vif_details: a literal is cheaper than a parse (a list parses two per port). */
const parseObject = (text: string): unknown => (text === '{}' ? {} : JSON.parse(text));

export function toPortItem(row: PortRow, c: PortChildren, tags: string[], dnsDomain: string): Item {
  return {
    id: row.id, name: row.name, network_id: row.network_id, tenant_id: row.project_id, project_id: row.project_id,
    mac_address: row.mac_address, admin_state_up: !!row.admin_state_up, status: row.status, device_id: row.device_id,
    device_owner: row.device_owner, fixed_ips: c.fixedIps, allowed_address_pairs: c.pairs,
    extra_dhcp_opts: c.dhcpOpts, security_groups: c.securityGroups, description: row.description,
    'binding:vnic_type': row['binding:vnic_type'], 'binding:profile': parseObject(row['binding:profile']),
    'binding:host_id': row['binding:host_id'], 'binding:vif_type': row['binding:vif_type'],
    'binding:vif_details': parseObject(row['binding:vif_details']), port_security_enabled: !!row.port_security_enabled,
    dns_name: row.dns_name, dns_assignment: dnsAssignment(row, c.fixedIps, dnsDomain),
    tags, created_at: row.created_at, updated_at: row.updated_at, revision_number: row.revision_number,
  };
}

export function portService(deps: CoreDeps, networks: NetworkService, subnets: SubnetService, ipam: Ipam): ResourceService {
  const { store } = deps;
  const lock = store.dialect !== 'sqlite';

  async function items(rows: PortRow[]): Promise<Item[]> {
    const ids = rows.map((r) => r.id);
    const [children, tags] = await Promise.all([portChildren(store.db, ids), tagsOf(store.db, ids)]);
    return rows.map((r) => toPortItem(r, children.get(r.id)!, tags.get(r.id) ?? [], deps.settings.dnsDomain));
  }

  // A list of 1,000 ports is mostly reading rows and children and building items: built once per
  // port version and kept (core/item-cache.ts), a list reads three columns and builds what changed.
  const cache = new ItemCache();
  // And a list that matches the same rows at the same versions again is answered as before.
  const listed = new ListedItems(store.dialect);

  /** The listed ports, in the order of `versions`: cached where built for that version, else built. */
  async function cachedItems(versions: RowVersion[]): Promise<Item[]> {
    const out: (Item | undefined)[] = versions.map((v) => cache.get(v.id, v));
    const missing = versions.filter((_, i) => out[i] === undefined).map((v) => v.id);
    if (!missing.length) return out as Item[];
    const built = new Map<string, Item>();
    // Keyed by the version of the row it was built from (a concurrent change may be newer than the listed one).
    for (const item of await items(await portRows(store.db, missing))) built.set(item.id as string, cache.set(item.id as string, item, item));
    const result: Item[] = [];
    for (let i = 0; i < versions.length; i++) {
      const item = out[i] ?? built.get(versions[i]!.id);
      // Gone between the two reads: deleted meanwhile.
      if (item !== undefined) result.push(item);
    }
    return result;
  }

  async function checkSecurityGroups(tx: Tx, caller: Caller, projectId: string, ids: string[]): Promise<void> {
    if (!ids.length) return;
    const rows = await tx.selectFrom('security_groups').select(['id', 'project_id', 'stateful']).where('id', 'in', ids).execute();
    // Other projects' groups shared with the port's project (rbac-security-groups) are usable too.
    const others = caller.isAdmin ? [] : rows.filter((r) => r.project_id !== projectId).map((r) => r.id);
    const shared = others.length ? await sharedWith(tx, 'security_group', others, projectId, lock) : new Set<string>();
    for (const id of ids) {
      const row = rows.find((r) => r.id === id);
      if (!row || (!caller.isAdmin && row.project_id !== projectId && !shared.has(id))) throw errors.securityGroupNotFound(id);
    }
    if (new Set(rows.map((r) => r.stateful)).size > 1) {
      throw new NeutronError('SecurityGroupConflict', 'Error Cannot apply both stateful and stateless security groups on the same port at the same time while attempting the operation.');
    }
  }

  function normalisePairs(pairs: Pair[], mac: string): { ip_address: string; mac_address: string }[] {
    if (pairs.length > MAX_ALLOWED_ADDRESS_PAIRS) throw new NeutronError('AllowedAddressPairExhausted', `The number of allowed address pair exceeds the maximum ${MAX_ALLOWED_ADDRESS_PAIRS}.`);
    const out = pairs.map((p) => {
      const c = p.ip_address.includes('/') ? parseCidr(p.ip_address) : null;
      const ip = c ? (c.prefixLength === (c.version === 4 ? 32 : 128) ? canonicalIp(p.ip_address.split('/')[0])! : formatCidr(c)) : canonicalIp(p.ip_address)!;
      return { ip_address: ip, mac_address: (p.mac_address ?? mac).toLowerCase() };
    });
    const keys = out.map((p) => `${p.mac_address}|${p.ip_address}`);
    if (new Set(keys).size !== keys.length) throw new NeutronError('DuplicateAddressPairInRequest', `Request contains duplicate address pair: mac_address ${out[0].mac_address} ip_address ${out[0].ip_address}.`);
    return out;
  }

  async function writePairs(tx: Tx, portId: string, pairs: { ip_address: string; mac_address: string }[]) {
    await tx.deleteFrom('allowed_address_pairs').where('port_id', '=', portId).execute();
    if (pairs.length) await tx.insertInto('allowed_address_pairs').values(pairs.map((p) => ({ port_id: portId, ...p }))).execute();
  }

  async function writeDhcpOpts(tx: Tx, portId: string, opts: DhcpOpt[], replace: boolean) {
    if (replace) await tx.deleteFrom('extra_dhcp_opts').where('port_id', '=', portId).execute();
    for (const o of opts) {
      const ipVersion = Number(o.ip_version ?? 4);
      await tx.deleteFrom('extra_dhcp_opts').where('port_id', '=', portId).where('opt_name', '=', o.opt_name).where('ip_version', '=', ipVersion).execute();
      // Neutron removes an option given with a null value on update.
      if (o.opt_value !== null) await tx.insertInto('extra_dhcp_opts').values({ port_id: portId, opt_name: o.opt_name, opt_value: o.opt_value, ip_version: ipVersion }).execute();
    }
  }

  async function writeSecurityGroups(tx: Tx, portId: string, ids: string[]) {
    await tx.deleteFrom('port_security_groups').where('port_id', '=', portId).execute();
    await insertPortGroups(tx, portId, [...new Set(ids)]);
  }

  /** Inserts the port row with `mac` or, when none was asked for, with a fresh MAC unique on the network. */
  async function insertPort(tx: Tx, row: PortRow, macRequested: boolean): Promise<void> {
    for (let attempt = 0; attempt < MAC_GENERATION_RETRIES; attempt++) {
      if (await insertOneUnlessDuplicate(tx, () => insertPortRow(tx, row))) return;
      if (macRequested) throw new NeutronError('MacAddressInUse', `Unable to complete operation for network ${row.network_id}. The mac address ${row.mac_address} is in use.`);
      row.mac_address = randomMac(deps.settings.baseMac);
    }
    throw new NeutronError('MacAddressGenerationFailure', `Unable to generate unique mac on network ${row.network_id}.`);
  }

  /** A port just written: enough to show it without reading it back. */
  interface Created { row: PortRow; children: PortChildren }

  async function createOne(tx: Tx, caller: Caller, body: Body, created: Map<string, Created>, authorize?: CreateAuthorizer): Promise<string> {
    const networkId = body.network_id as string;
    const network = await networkRow(tx, networkId);
    // The policy check first, as when the API read the context before the transaction.
    authorize?.(body, network ? networkContext(network.project_id, network.shared) : {});
    if (!network || !networks.canUse(caller, network)) throw errors.networkNotFound(networkId);
    const projectId = String(body.project_id ?? caller.projectId ?? '');
    await checkQuota(tx, deps, projectId, 'port', 1);
    const deviceOwner = body.device_owner as string;
    const portSecurity = given(body.port_security_enabled) ? !!body.port_security_enabled : !!network.port_security_enabled;

    let sgs: string[];
    if (given(body.security_groups)) {
      sgs = body.security_groups as string[];
      if (sgs.length && !portSecurity) throw new NeutronError('PortSecurityAndIPRequiredForSecurityGroups', 'Port security must be enabled and port must have an IP address in order to use security groups.');
      await checkSecurityGroups(tx, caller, projectId, sgs);
    } else {
      sgs = portSecurity && !deviceOwner.startsWith('network:') ? [await ensureDefaultSecurityGroup(tx, deps, projectId)] : [];
    }
    const pairs = given(body.allowed_address_pairs) ? (body.allowed_address_pairs as Pair[]) : [];
    if (pairs.length && !portSecurity) throw new NeutronError('AddressPairAndPortSecurityRequired', 'Port Security must be enabled in order to have allowed address pairs on a port.');

    const id = randomUUID();
    const macRequested = given(body.mac_address) && body.mac_address !== null;
    const ts = now();
    const row: PortRow = {
      id, project_id: projectId, name: body.name as string, description: (body.description as string) ?? '', network_id: networkId,
      mac_address: macRequested ? (body.mac_address as string) : randomMac(deps.settings.baseMac),
      admin_state_up: body.admin_state_up ? 1 : 0, status: 'DOWN', device_id: body.device_id as string, device_owner: deviceOwner,
      port_security_enabled: portSecurity ? 1 : 0,
      'binding:host_id': given(body['binding:host_id']) ? (body['binding:host_id'] as string) : '',
      'binding:vnic_type': (body['binding:vnic_type'] as string) ?? 'normal',
      'binding:profile': JSON.stringify(given(body['binding:profile']) && body['binding:profile'] ? body['binding:profile'] : {}),
      'binding:vif_type': 'unbound', 'binding:vif_details': '{}', dns_name: (body.dns_name as string) ?? '',
      created_at: ts, updated_at: ts, revision_number: 1,
    };
    if (row['binding:host_id']) Object.assign(row, await bindingFor(tx, deps, row));
    await insertPort(tx, row, macRequested);
    const shapes = await subnets.poolsOfNetwork(tx, networkId);
    const requests = given(body.fixed_ips) ? (body.fixed_ips as FixedIpRequest[]) : null;
    const ips = await allocateFixedIps(tx, ipam, { networkId, subnets: shapes, mac: row.mac_address, deviceOwner, maxFixedIps: deps.settings.maxFixedIpsPerPort }, requests);
    await recordAllocations(tx, id, networkId, ips);
    // A new port has no rows to replace: insert only.
    const groups = [...new Set(sgs)];
    await insertPortGroups(tx, id, groups);
    const normalisedPairs = normalisePairs(pairs, row.mac_address);
    if (normalisedPairs.length) await tx.insertInto('allowed_address_pairs').values(normalisedPairs.map((p) => ({ port_id: id, ...p }))).execute();
    const opts = given(body.extra_dhcp_opts) && body.extra_dhcp_opts ? (body.extra_dhcp_opts as DhcpOpt[]) : [];
    if (opts.length) await writeDhcpOpts(tx, id, opts, false);
    created.set(id, {
      row,
      children: {
        fixedIps: ips.map((f) => ({ subnet_id: f.subnet_id, ip_address: f.ip_address })).sort(byVersionThenAddress),
        pairs: normalisedPairs,
        dhcpOpts: opts.filter((o) => o.opt_value !== null).map((o) => ({ opt_name: o.opt_name, opt_value: o.opt_value, ip_version: Number(o.ip_version ?? 4) })),
        securityGroups: groups.sort(),
      },
    });
    return id;
  }

  const visibleTo = (caller: Caller, row: Pick<PortRow, 'project_id'>, networkOwner?: string) =>
    caller.isAdmin || row.project_id === caller.projectId || (networkOwner !== undefined && networkOwner === caller.projectId);

  /** The port's row (locked with `forUpdate` on servers), or PortNotFound when absent or not the caller's to see. */
  async function getRow(db: Db | Tx, caller: Caller, id: string, forUpdate = false): Promise<PortRow> {
    const row = await portRow(db, id, forUpdate);
    if (!row) throw errors.portNotFound(id);
    if (!visibleTo(caller, row)) {
      const net = await networkRow(db, row.network_id);
      if (!visibleTo(caller, row, net?.project_id)) throw errors.portNotFound(id);
    }
    return row;
  }

  async function releaseAll(tx: Tx, portId: string, networkId: string, which?: FixedIp[]) {
    const held = which ?? (await tx.selectFrom('ip_allocations').select(['subnet_id', 'ip_address']).where('port_id', '=', portId).execute());
    if (!held.length) return;
    const shapes = await subnets.shapesOfNetwork(tx, networkId);
    for (const f of held) {
      await tx.deleteFrom('ip_allocations').where('subnet_id', '=', f.subnet_id).where('ip_address', '=', f.ip_address).execute();
      const s = shapes.find((x) => x.id === f.subnet_id);
      if (s) await ipam.release(tx, s, f.ip_address);
    }
  }

  // A kept port costs one read of its version and its network's owner; a port changed since (or
  // never read) its row and children too.
  async function getWithContext(caller: Caller, id: string): Promise<{ item: Item; context: Item }> {
    const head = await portHead(store.db, id);
    if (!head || !visibleTo(caller, head, head.network_owner ?? undefined)) throw errors.portNotFound(id);
    const context = head.network_owner === null ? {} : networkContext(head.network_owner, head.network_shared);
    const hit = cache.get(id, head);
    if (hit) return { item: hit, context };
    const row = await portRow(store.db, id);
    if (!row) throw errors.portNotFound(id);
    const { children, tags } = await onePortDetails(store.db, id);
    return { item: cache.set(id, row, toPortItem(row, children, tags, deps.settings.dnsDomain)), context };
  }

  const COLUMNS = ['id', 'name', 'network_id', 'mac_address', 'admin_state_up', 'status', 'device_id', 'device_owner', 'description', 'port_security_enabled', 'binding:host_id', 'binding:vnic_type', 'dns_name', 'created_at', 'updated_at', 'revision_number'];

  return {
    async list(caller, query) {
      const q = await listSelect(store.db, {
        table: 'ports',
        select: ['id', 'revision_number', 'updated_at'],
        columns: Object.fromEntries(COLUMNS.map((c) => [c, c])),
        customFilters: {
          fixed_ips: (q, values) => {
            const want: Record<string, string[]> = {};
            for (const v of values as string[]) {
              const [k, ...rest] = String(v).split('=');
              if (!['ip_address', 'subnet_id', 'ip_address_substr'].includes(k) || !rest.length) throw errors.badRequest(`Invalid input for fixed_ips. Reason: '${v}' is not of the form <key>=[value].`);
              (want[k] ??= []).push(rest.join('='));
            }
            return q.where('ports.id', 'in', (eb: any) => {
              let sub = eb.selectFrom('ip_allocations').select('port_id');
              if (want.ip_address) sub = sub.where('ip_address', 'in', want.ip_address.map((ip) => canonicalIp(ip) ?? ip));
              if (want.subnet_id) sub = sub.where('subnet_id', 'in', want.subnet_id);
              for (const s of want.ip_address_substr ?? []) sub = sub.where('ip_address', 'like', `%${s.replace(/[%_\\]/g, '')}%`);
              return sub;
            });
          },
          security_groups: (q, values) => q.where('ports.id', 'in', (eb: any) => eb.selectFrom('port_security_groups').select('port_id').where('security_group_id', 'in', values)),
        },
      }, query, caller.isAdmin ? (q) => q : (q) => q.where((eb) => eb.or([
        eb('ports.project_id', '=', caller.projectId ?? ''),
        eb('ports.network_id', 'in', eb.selectFrom('networks').select('id').where('project_id', '=', caller.projectId ?? '')),
      ])));
      return listed.list(store.db, q, query.pageReverse, cachedItems);
    },

    get: async (caller, id) => (await getWithContext(caller, id)).item,
    getWithContext,

    async create(caller, bodies, authorize) {
      let change: HostChange = NO_HOST_CHANGE;
      const created = new Map<string, Created>();
      const ids = await createAll(store, bodies, (tx, body) => createOne(tx, caller, body, created, authorize), async (tx, ids) => {
        const nets = [...new Set(ids.map((id) => created.get(id)!.row.network_id))];
        // New members: hosts filtering on their groups as remote groups learn their addresses.
        const hosts = await hostsOfSecurityGroupChange(tx, { members: ids.flatMap((id) => created.get(id)!.children.securityGroups) });
        change = await recordHostChange(tx, { networks: nets, hosts, ports: ids });
      }, () => created.clear());
      for (const id of ids) deps.onCommit({ resource: 'port', id, hosts: change.hosts, revision: change.revision });
      // Shown from what was written (a new port has no tags), without reading it back, and kept
      // for lists and shows as if read: unless its address pairs or DHCP options are several,
      // whose order a read takes from the database.
      return ids.map((id) => {
        const { row, children } = created.get(id)!;
        const item = toPortItem(row, children, [], deps.settings.dnsDomain);
        return children.pairs.length <= 1 && children.dhcpOpts.length <= 1 ? cache.set(id, row, item) : item;
      });
    },

    async update(caller, id, body, options) {
      let shown: Item | undefined;
      const change = await store.transaction(async (tx) => {
        shown = undefined;
        const row = await getRow(tx, caller, id, lock);
        if (options.ifMatch !== undefined && row.revision_number !== options.ifMatch) throw errors.revisionMismatch(options.ifMatch, row.revision_number);
        const { children: current, tags } = await onePortDetails(tx, id);
        // The revision bump goes with the other columns: one statement; the row is locked (servers)
        // or the only writer's (SQLite), so the new number is known.
        const set: Partial<PortRow> = { revision_number: row.revision_number + 1, updated_at: now() };
        for (const key of ['name', 'description', 'device_id', 'device_owner', 'dns_name', 'binding:host_id', 'binding:vnic_type'] as const) {
          if (given(body[key])) set[key] = body[key] as string;
        }
        if (given(body.admin_state_up)) set.admin_state_up = body.admin_state_up ? 1 : 0;
        if (given(body['binding:profile'])) set['binding:profile'] = JSON.stringify(body['binding:profile'] ?? {});
        if (given(body.mac_address)) {
          const bound = !['unbound', 'binding_failed'].includes(row['binding:vif_type']);
          const mac = body.mac_address === null ? randomMac(deps.settings.baseMac) : (body.mac_address as string);
          if (bound && mac !== row.mac_address) throw new NeutronError('PortBound', `Unable to complete operation on port ${id}, port is already bound, port type: ${row['binding:vif_type']}, old_mac ${row.mac_address}, new_mac ${mac}.`);
          set.mac_address = mac;
        }
        const portSecurity = given(body.port_security_enabled) ? !!body.port_security_enabled : !!row.port_security_enabled;
        set.port_security_enabled = portSecurity ? 1 : 0;
        const sgs = given(body.security_groups) ? (body.security_groups as string[]) : current.securityGroups;
        const pairs = given(body.allowed_address_pairs) ? (body.allowed_address_pairs as Pair[]) : current.pairs;
        if (!portSecurity) {
          if (sgs.length) throw new NeutronError(given(body.security_groups) ? 'PortSecurityAndIPRequiredForSecurityGroups' : 'PortSecurityPortHasSecurityGroup',
            given(body.security_groups) ? 'Port security must be enabled and port must have an IP address in order to use security groups.' : 'Port has security group associated. Cannot disable port security or ip address until security group is removed');
          if (pairs.length) throw new NeutronError('AddressPairAndPortSecurityRequired', 'Port Security must be enabled in order to have allowed address pairs on a port.');
        }
        if (given(body['binding:host_id']) || given(body['binding:vnic_type'])) {
          // (Re)bind on the host asked for; a port moving host is DOWN until its new agent reports.
          Object.assign(set, await bindingFor(tx, deps, { ...row, ...set }));
          if ((set['binding:host_id'] ?? row['binding:host_id']) !== row['binding:host_id']) set.status = 'DOWN';
        }
        const ok = await insertOneUnlessDuplicate(tx, () => tx.updateTable('ports').set(set).where('id', '=', id).execute());
        if (!ok) throw new NeutronError('MacAddressInUse', `Unable to complete operation for network ${row.network_id}. The mac address ${set.mac_address} is in use.`);
        if (given(body.fixed_ips)) {
          const requests = body.fixed_ips as FixedIpRequest[];
          const shapes = await subnets.shapesOfNetwork(tx, row.network_id);
          // Entries naming an address (or only a subnet) the port already holds keep it.
          const keep: FixedIp[] = [];
          for (const r of requests) {
            const match = current.fixedIps.find((f) => !keep.includes(f) && (r.ip_address ? canonicalIp(r.ip_address) === f.ip_address && (!r.subnet_id || r.subnet_id === f.subnet_id) : r.subnet_id === f.subnet_id));
            if (match) keep.push(match);
          }
          const autoKept = current.fixedIps.filter((f) => !keep.includes(f) && shapes.some((s) => s.id === f.subnet_id && s.ip_version === 6 && (s.ipv6_address_mode === 'slaac' || s.ipv6_address_mode === 'dhcpv6-stateless')));
          const released = current.fixedIps.filter((f) => !keep.includes(f) && !autoKept.includes(f));
          await releaseAll(tx, id, row.network_id, released);
          const fresh = await allocateFixedIps(tx, ipam, { networkId: row.network_id, subnets: shapes, mac: set.mac_address ?? row.mac_address, deviceOwner: set.device_owner ?? row.device_owner, maxFixedIps: deps.settings.maxFixedIpsPerPort }, requests, [...keep, ...autoKept]);
          await recordAllocations(tx, id, row.network_id, fresh);
        }
        if (given(body.security_groups)) {
          await checkSecurityGroups(tx, caller, row.project_id, sgs);
          await writeSecurityGroups(tx, id, sgs);
        }
        if (given(body.allowed_address_pairs)) await writePairs(tx, id, normalisePairs(pairs, set.mac_address ?? row.mac_address));
        if (given(body.extra_dhcp_opts)) await writeDhcpOpts(tx, id, (body.extra_dhcp_opts as DhcpOpt[] | null) ?? [], body.extra_dhcp_opts === null);
        // Shown from what was written, without reading the port back after commit; children that
        // were rewritten are read again (their stored order is the database's).
        const rewritten = given(body.fixed_ips) || given(body.security_groups) || given(body.allowed_address_pairs) || given(body.extra_dhcp_opts);
        const children = rewritten ? (await onePortDetails(tx, id)).children : current;
        shown = toPortItem({ ...row, ...set }, children, tags, deps.settings.dnsDomain);
        // Old and new groups: their member addresses change with the groups, addresses, pairs or
        // port security (what firewall-state-query reads of a member), not with a new name.
        const membership = given(body.security_groups) || given(body.fixed_ips) || given(body.allowed_address_pairs) || given(body.port_security_enabled);
        const members = membership ? await hostsOfSecurityGroupChange(tx, { members: [...current.securityGroups, ...(given(body.security_groups) ? sgs : [])] }) : [];
        return recordHostChange(tx, { networks: [row.network_id], hosts: [row['binding:host_id'], ...members], ports: [id] });
      });
      deps.onCommit({ resource: 'port', id, hosts: change.hosts, revision: change.revision });
      // What a read would build at the new version (its children were read in the transaction).
      return cache.set(id, shown!, shown!);
    },

    async delete(caller, id, options) {
      const change = await store.transaction(async (tx) => {
        const row = await getRow(tx, caller, id, lock);
        if (options.ifMatch !== undefined && row.revision_number !== options.ifMatch) throw errors.revisionMismatch(options.ifMatch, row.revision_number);
        // Router and floating IP ports go with their router interface / floating IP, not directly.
        await checkL3PortDeletion(tx, row);
        const groups = (await tx.selectFrom('port_security_groups').select('security_group_id').where('port_id', '=', id).execute()).map((r) => r.security_group_id);
        const members = await hostsOfSecurityGroupChange(tx, { members: groups });
        await releaseAll(tx, id, row.network_id);
        await tx.deleteFrom('tags').where('resource_id', '=', id).execute();
        await tx.deleteFrom('ports').where('id', '=', id).execute();
        return recordHostChange(tx, { networks: [row.network_id], hosts: [row['binding:host_id'], ...members] });
      });
      cache.delete(id);
      deps.onCommit({ resource: 'port', id, hosts: change.hosts, revision: change.revision });
    },

    policyContext: (_caller, item) => networkPolicyContext(store.db, item.network_id as string),

    // The context is the port's network's: keyed by network id (a port never changes network).
    policyContextKey: (item) => (typeof item.network_id === 'string' ? item.network_id : undefined),
    policyContexts: (_caller, items) => networkPolicyContexts(store.db, items),
    sharedItems: true,
    // createOne reads the network in its transaction: the context comes from that read.
    authorizesCreates: true,
  };
}
