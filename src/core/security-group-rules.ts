/**
 * Security group rules: Neutron's normalisation (legacy IPv6 ICMP names, the whole port range
 * meaning "any"), validation (port ranges per protocol, ICMP type/code, ethertype against prefix and
 * protocol, one remote), duplicate detection that treats a protocol name and its number as equal,
 * and quotas. Rules are immutable: create and delete only, each bumping the group's revision.
 */
import { randomUUID } from 'node:crypto';
import type { CoreDeps } from './deps.js';
import type { Caller } from './caller.js';
import type { Body, Item, ResourceService } from './service.js';
import type { ListQuery } from './list-query.js';
import type { SecurityGroupRuleRow } from '../store/schema.js';
import type { Tx } from '../store/db.js';
import { NeutronError, errors } from './errors.js';
import { listRows } from './listing.js';
import { checkQuota } from './quotas.js';
import { PROTOCOL_NUMBERS } from '../definitions/security-group-rule.js';
import { parseCidr, formatCidr } from '../common/ip.js';
import { securityGroupRow, securityGroupRuleRow, groupProjects, insertRules } from '../store/tables/security-groups.js';
import { tagsOf, bumpRevision, now } from '../store/tables/standard.js';
import { chunks } from '../store/tables/list.js';
import { recordHostChange, type HostChange } from './host-revisions.js';
import { hostsOfSecurityGroupChange } from './security-group-hosts.js';
import { addressGroupVisible } from './address-groups.js';
import { sharedWith } from '../store/tables/rbac-policies.js';

/** Protocols whose rules may carry a port range (neutron/common/_constants.py SG_PORT_PROTO_*). */
const PORT_PROTOCOLS = ['dccp', 'sctp', 'tcp', 'udp', 'udplite'];
const PORT_PROTOCOL_NUMBERS = PORT_PROTOCOLS.map((p) => PROTOCOL_NUMBERS[p]);
/** Protocols only meaningful with IPv6, as names and numbers. */
const IPV6_ONLY = ['ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'icmpv6', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route', '41', '44', '58', '59', '60', '43'];
/** Number → canonical name (`58` → `ipv6-icmp`, never the legacy `icmpv6`). */
const NAME_OF_NUMBER = new Map(Object.entries(PROTOCOL_NUMBERS).filter(([n]) => n !== 'icmpv6').map(([n, num]) => [String(num), n]));

const invalid = (type: string, message: string) => new NeutronError(type, message);

/** The IP protocol number of a protocol name or number text (null = any protocol). */
export function protocolNumber(protocol: string | null): number | null {
  if (protocol === null) return null;
  return protocol in PROTOCOL_NUMBERS ? PROTOCOL_NUMBERS[protocol] : Number(protocol);
}

/** `[name, number]` as Neutron compares protocols, after its IPv6 ICMP canonicalisation. */
function protocolNameAndNumber(protocol: string, ethertype: string): [string, string] {
  let p = protocol;
  if (ethertype === 'IPv6') {
    if (p === 'icmp' || p === 'icmpv6') p = 'ipv6-icmp';
    else if (p === '1') p = '58';
  }
  if (p in PROTOCOL_NUMBERS) return [p, String(PROTOCOL_NUMBERS[p])];
  const name = NAME_OF_NUMBER.get(p);
  return name ? [name, p] : [p, p];
}

/** What makes two rules the same rule (Neutron's _rule_to_key): `tcp` equals `6`, any-address equals none. */
export function ruleKey(r: Pick<SecurityGroupRuleRow, 'direction' | 'ethertype' | 'port_range_min' | 'port_range_max' | 'protocol' | 'remote_group_id' | 'remote_address_group_id' | 'remote_ip_prefix' | 'security_group_id'>): string {
  const none = '+';
  const prefix = r.remote_ip_prefix === null || r.remote_ip_prefix === '0.0.0.0/0' || r.remote_ip_prefix === '::/0' ? none : r.remote_ip_prefix;
  const protocol = r.protocol === null ? none : protocolNameAndNumber(r.protocol, r.ethertype).join(',');
  return [r.direction, r.ethertype, r.port_range_max ?? none, r.port_range_min ?? none, protocol,
    r.remote_group_id ?? none, r.remote_address_group_id ?? none, prefix, r.security_group_id].join('_');
}

export type RuleFields = Pick<SecurityGroupRuleRow, 'security_group_id' | 'direction' | 'ethertype' | 'protocol' | 'port_range_min' | 'port_range_max' | 'remote_ip_prefix' | 'remote_group_id' | 'remote_address_group_id'>;

/** Neutron's canonicalisation and validation of one rule body (converted by the definition); pure. */
export function normaliseRule(body: Body): RuleFields {
  const ethertype = body.ethertype as string;
  let protocol = body.protocol === null || body.protocol === undefined ? null : String(body.protocol);
  if (ethertype === 'IPv6' && protocol !== null) {
    if (protocol === 'icmp' || protocol === 'icmpv6') protocol = 'ipv6-icmp';
    else if (protocol === '1') protocol = '58';
  }
  let min = (body.port_range_min ?? null) as number | null;
  let max = (body.port_range_max ?? null) as number | null;
  // The entire range is stored as no range (better for every backend).
  if (min === 1 && max === 65535) min = max = null;
  checkPortRange(protocol, min, max);
  const prefix = (body.remote_ip_prefix ?? null) as string | null;
  if (prefix !== null) {
    const c = parseCidr(prefix);
    if (c && `IPv${c.version}` !== ethertype) {
      throw invalid('SecurityGroupRuleParameterConflict', `Conflicting value ethertype ${ethertype} for CIDR ${prefix}`);
    }
  }
  if (protocol !== null && IPV6_ONLY.includes(protocol) && ethertype === 'IPv4') {
    throw invalid('SecurityGroupEthertypeConflictWithProtocol', `Invalid ethertype ${ethertype} for protocol ${protocol}.`);
  }
  const remoteGroup = (body.remote_group_id ?? null) as string | null;
  const remoteAddressGroup = (body.remote_address_group_id ?? null) as string | null;
  if ([prefix, remoteGroup, remoteAddressGroup].filter((x) => x).length > 1) {
    throw invalid('SecurityGroupMultipleRemoteEntites', 'Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.');
  }
  return {
    security_group_id: body.security_group_id as string, direction: body.direction as string, ethertype, protocol,
    port_range_min: min, port_range_max: max, remote_ip_prefix: prefix, remote_group_id: remoteGroup, remote_address_group_id: remoteAddressGroup,
  };
}

function checkPortRange(protocol: string | null, min: number | null, max: number | null): void {
  if (min === null && max === null) return;
  if (protocol === null) throw invalid('SecurityGroupProtocolRequiredWithPorts', 'Must also specify protocol if port range is given.');
  const number = protocolNumber(protocol === 'icmpv6' ? 'ipv6-icmp' : protocol)!;
  if (PORT_PROTOCOL_NUMBERS.includes(number) || PORT_PROTOCOLS.includes(protocol)) {
    if (min === 0 || max === 0) throw invalid('SecurityGroupInvalidPortValue', 'Invalid value for port 0');
    if (min === null || max === null || min > max) {
      throw invalid('SecurityGroupInvalidPortRange', 'For TCP/UDP protocols, port_range_min must be <= port_range_max');
    }
  } else if (number === 1 || number === 58) {
    for (const [value, attr, field] of [[min, 'port_range_min', 'type'], [max, 'port_range_max', 'code']] as const) {
      if (value !== null && !(value >= 0 && value <= 255)) {
        throw invalid('SecurityGroupInvalidIcmpValue', `Invalid value for ICMP ${field} (${attr}) ${value}. It must be 0 to 255.`);
      }
    }
    if (min === null && max !== null) {
      throw invalid('SecurityGroupMissingIcmpType', `ICMP code (port-range-max) ${max} is provided but ICMP type (port-range-min) is missing.`);
    }
  } else {
    throw invalid('SecurityGroupInvalidProtocolForPort',
      `Ports cannot be specified for protocol ${number}. Ports are only supported for ${PORT_PROTOCOLS.map((p) => p.toUpperCase()).join(', ')}.`);
  }
}

/** `10.0.0.5/24` → `10.0.0.0/24`. */
export function normalizedCidr(prefix: string | null): string | null {
  const c = prefix ? parseCidr(prefix) : null;
  return c ? formatCidr(c) : null;
}

export function toRuleItem(row: SecurityGroupRuleRow, tags: string[]): Item {
  return {
    id: row.id,
    tenant_id: row.project_id,
    project_id: row.project_id,
    security_group_id: row.security_group_id,
    ethertype: row.ethertype,
    direction: row.direction,
    protocol: row.protocol,
    port_range_min: row.port_range_min,
    port_range_max: row.port_range_max,
    remote_ip_prefix: row.remote_ip_prefix,
    normalized_cidr: normalizedCidr(row.remote_ip_prefix),
    remote_group_id: row.remote_group_id,
    remote_address_group_id: row.remote_address_group_id,
    description: row.description,
    tags,
    created_at: row.created_at,
    updated_at: row.updated_at,
    revision_number: row.revision_number,
  };
}

/** A new rule row (revision 0, as Neutron shows a freshly created rule). */
export function newRuleRow(projectId: string, fields: Partial<RuleFields> & Pick<RuleFields, 'security_group_id' | 'direction' | 'ethertype'>, description = '', ts = now()): SecurityGroupRuleRow {
  return {
    id: randomUUID(), project_id: projectId, name: '', description, created_at: ts, updated_at: ts, revision_number: 0,
    protocol: null, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: null, remote_address_group_id: null,
    ...fields,
  };
}

/**
 * Whether a group exists for `projectId` as Neutron's _check_security_group sees it (admin: any).
 * `orShared`: a group shared with the project (rbac-security-groups) counts too — for naming it as
 * remote group. Rules go into the project's own groups only: a shared group is not the target's
 * to change, though Neutron 21 (Zed) lets a target add rules to it.
 */
async function groupVisible(tx: Tx, caller: Caller, id: string, projectId: string, orShared = false): Promise<boolean> {
  const row = await securityGroupRow(tx, id);
  if (!row) return false;
  if (caller.isAdmin || row.project_id === projectId) return true;
  return orShared && (await sharedWith(tx, 'security_group', [id], projectId)).has(id);
}

export interface SecurityGroupRuleService extends ResourceService {}

/** `ensureDefault` creates a project's default group (listing rules is a first need, as in Neutron). */
export function securityGroupRuleService(deps: CoreDeps, ensureDefault: (projectId: string) => Promise<string>): SecurityGroupRuleService {
  const { store } = deps;
  // A group's owner never changes, so its lookups for policy (`security_group:tenant_id`) can be cached.
  const owners = new Map<string, string>();

  async function items(rows: SecurityGroupRuleRow[]): Promise<Item[]> {
    const tags = await tagsOf(store.db, rows.map((r) => r.id));
    return rows.map((r) => toRuleItem(r, tags.get(r.id) ?? []));
  }

  /** Non-admins see rules they own and every rule of the groups they own. */
  function scope(caller: Caller) {
    if (caller.isAdmin) return <Q>(q: Q) => q;
    const project = caller.projectId ?? '';
    return (q: any) => q.where((eb: any) => eb.or([
      eb('security_group_rules.project_id', '=', project),
      eb('security_group_rules.security_group_id', 'in', eb.selectFrom('security_groups').select('id').where('project_id', '=', project)),
    ]));
  }

  async function getRow(caller: Caller, id: string): Promise<SecurityGroupRuleRow> {
    const row = await securityGroupRuleRow(store.db, id);
    if (!row) throw errors.securityGroupRuleNotFound(id);
    if (!caller.isAdmin && row.project_id !== caller.projectId) {
      const owner = (await groupProjects(store.db, [row.security_group_id])).get(row.security_group_id);
      if (owner !== caller.projectId) throw errors.securityGroupRuleNotFound(id);
    }
    return row;
  }

  /** Neutron's native bulk: one group, one project, validated, no duplicates, all or nothing. */
  async function createAll(tx: Tx, caller: Caller, bodies: Body[]): Promise<{ ids: string[]; change: HostChange }> {
    const groups = new Set(bodies.map((b) => b.security_group_id));
    if (groups.size > 1) throw invalid('SecurityGroupNotSingleGroupRules', 'Only allowed to update rules for one security profile at a time');
    const projects = new Set(bodies.map((b) => b.project_id));
    if (projects.size > 1) throw invalid('SecurityGroupRulesNotSingleTenant', 'Multiple tenant_ids in bulk security group rule create not allowed');
    const projectId = String(bodies[0].project_id);
    // Lock the group first (before any plain read fixes MySQL's snapshot) so that two concurrent
    // creates of the same rule cannot both pass the duplicate check.
    await securityGroupRow(tx, String(bodies[0].security_group_id), store.dialect !== 'sqlite');
    const rules: RuleFields[] = [];
    for (const body of bodies) {
      const rule = normaliseRule(body);
      if (rule.remote_group_id && !(await groupVisible(tx, caller, rule.remote_group_id, projectId, true))) throw errors.securityGroupNotFound(rule.remote_group_id);
      if (rule.remote_address_group_id && !(await addressGroupVisible(tx, caller, rule.remote_address_group_id, projectId))) {
        throw new NeutronError('AddressGroupNotFound', `Address group ${rule.remote_address_group_id} could not be found.`);
      }
      if (!(await groupVisible(tx, caller, rule.security_group_id, projectId))) throw errors.securityGroupNotFound(rule.security_group_id);
      rules.push(rule);
    }
    const groupId = rules[0].security_group_id;
    const keys = new Set<string>();
    for (const rule of rules) {
      const key = ruleKey(rule);
      if (keys.has(key)) throw invalid('DuplicateSecurityGroupRuleInPost', 'Duplicate Security Group Rule in POST.');
      keys.add(key);
    }
    const existing = await tx.selectFrom('security_group_rules').selectAll().where('security_group_id', '=', groupId).orderBy('created_at').orderBy('id').execute();
    for (const row of existing) {
      if (keys.has(ruleKey(row))) throw invalid('SecurityGroupRuleExists', `Security group rule already exists. Rule id is ${row.id}.`);
    }
    await checkQuota(tx, deps, projectId, 'security_group_rule', rules.length);
    const ts = now();
    const rows = rules.map((rule, i) => newRuleRow(projectId, rule, String(bodies[i].description ?? ''), ts));
    await insertRules(tx, rows);
    await bumpRevision(tx, 'security_groups', groupId);
    const change = await recordHostChange(tx, { hosts: await hostsOfSecurityGroupChange(tx, { groups: [groupId] }) });
    return { ids: rows.map((r) => r.id), change };
  }

  return {
    async list(caller: Caller, query: ListQuery) {
      const project = String(query.filters.project_id?.[0] ?? query.filters.tenant_id?.[0] ?? caller.projectId ?? '');
      if (project && caller.projectId && (caller.isAdmin || project === caller.projectId)) await ensureDefault(project);
      const rows = await listRows(store.db, {
        table: 'security_group_rules',
        columns: Object.fromEntries(['id', 'security_group_id', 'remote_group_id', 'remote_address_group_id', 'direction', 'protocol', 'port_range_min', 'port_range_max', 'ethertype', 'remote_ip_prefix', 'description', 'created_at', 'updated_at', 'revision_number'].map((c) => [c, c])),
      }, query, scope(caller));
      return items(rows);
    },

    async get(caller, id) {
      return (await items([await getRow(caller, id)]))[0];
    },

    async create(caller, bodies) {
      const { ids, change } = await store.transaction((tx) => createAll(tx, caller, bodies));
      const rows: SecurityGroupRuleRow[] = [];
      for (const part of chunks(ids)) rows.push(...await store.db.selectFrom('security_group_rules').selectAll().where('id', 'in', part).execute());
      const byId = new Map(rows.map((r) => [r.id, r]));
      deps.onCommit({ resource: 'security_group', id: String(bodies[0].security_group_id), hosts: change.hosts, revision: change.revision });
      return items(ids.map((id) => byId.get(id)!));
    },

    async update() {
      // Neutron has no update for rules (its plugin lacks update_security_group_rule).
      throw new NeutronError('HTTPMethodNotAllowed', 'Security group rules cannot be updated.');
    },

    async delete(caller, id, options) {
      await getRow(caller, id);
      const { groupId, change } = await store.transaction(async (tx) => {
        const row = await securityGroupRuleRow(tx, id);
        if (!row) throw errors.securityGroupRuleNotFound(id);
        if (options.ifMatch !== undefined && row.revision_number !== options.ifMatch) throw errors.revisionMismatch(options.ifMatch, row.revision_number);
        await tx.deleteFrom('tags').where('resource_id', '=', id).execute();
        await tx.deleteFrom('security_group_rules').where('id', '=', id).execute();
        await bumpRevision(tx, 'security_groups', row.security_group_id);
        const hosts = await hostsOfSecurityGroupChange(tx, { groups: [row.security_group_id] });
        return { groupId: row.security_group_id, change: await recordHostChange(tx, { hosts }) };
      });
      deps.onCommit({ resource: 'security_group', id: groupId, hosts: change.hosts, revision: change.revision });
    },

    async policyContext(_caller, item) {
      const groupId = item.security_group_id;
      if (typeof groupId !== 'string') return {};
      let owner = owners.get(groupId);
      if (owner === undefined) {
        owner = (await groupProjects(store.db, [groupId])).get(groupId);
        if (owner === undefined) return {};
        if (owners.size > 10000) owners.clear();
        owners.set(groupId, owner);
      }
      return { 'security_group:tenant_id': owner, 'security_group:project_id': owner };
    },
  };
}
