import type { ResourceDefinition } from './types.js';
import { NOT_SPECIFIED } from './types.js';
import { idAttribute, tenantIdAttribute } from './common.js';
import { convert, v, show, type Validator } from './validators.js';
import { canonicalIp, parseCidr } from '../common/ip.js';

/** Protocol names Neutron accepts (neutron-lib IP_PROTOCOL_MAP), with their IP protocol numbers. */
export const PROTOCOL_NUMBERS: Record<string, number> = {
  ah: 51, dccp: 33, egp: 8, esp: 50, gre: 47, hopopt: 0, icmp: 1, igmp: 2, ip: 0, ipip: 4,
  'ipv6-encap': 41, 'ipv6-frag': 44, 'ipv6-icmp': 58, icmpv6: 58, 'ipv6-nonxt': 59, 'ipv6-opts': 60,
  'ipv6-route': 43, ospf: 89, pgm: 113, rsvp: 46, sctp: 132, tcp: 6, udp: 17, udplite: 136, vrrp: 112,
};

const protocolValidator: Validator = (data) => {
  if (data === null || data === undefined) return undefined;
  if (typeof data === 'string' && data.toLowerCase() in PROTOCOL_NUMBERS) return undefined;
  if (typeof data === 'string' && /^\d+$/.test(data) && Number(data) <= 255) return undefined;
  if (typeof data === 'number' && Number.isInteger(data) && data >= 0 && data <= 255) return undefined;
  return `Security group rule protocol ${show(data)} not supported. Only protocol values [None, ${Object.keys(PROTOCOL_NUMBERS).map((p) => `'${p}'`).join(', ')}] and integer representations [0 to 255] are supported.`;
};

/** Neutron keeps numbers as strings (bug 1381379) and names in lower case. */
const convertProtocol = (x: unknown): unknown => {
  if (typeof x === 'number' && Number.isInteger(x)) return String(x);
  return typeof x === 'string' && !/^\d+$/.test(x) ? x.toLowerCase() : x;
};

/** Neutron's convert_ip_prefix_to_cidr: always with a prefix length, host bits kept (`10.0.0.5` → `10.0.0.5/32`). */
const convertIpPrefix = (x: unknown): unknown => {
  if (x === '' || x === null) return null;
  if (typeof x !== 'string' || !parseCidr(x)) return x;
  const [addr, len] = x.split('/');
  const c = parseCidr(x)!;
  return `${canonicalIp(addr)}/${len ?? (c.version === 4 ? 32 : 128)}`;
};

const portRangeValue: Validator = (data) => {
  if (data === null) return undefined;
  if (typeof data !== 'number' || !Number.isInteger(data)) return `'${show(data)}' is not an integer`;
  if (data < 0 || data > 65535) return `Invalid value for port ${data}`;
  return undefined;
};

export const securityGroupRule: ResourceDefinition = {
  resource: 'security_group_rule',
  collection: 'security_group_rules',
  path: 'security-group-rules',
  policyName: 'security_group_rule',
  standardAttributes: true,
  notFoundType: 'SecurityGroupRuleNotFound',
  displayName: 'Security group rule',
  notFoundMessage: (id) => `Security group rule ${id} does not exist`,
  allowBulk: true,
  attributes: {
    id: idAttribute,
    security_group_id: { allowPost: true, allowPut: false, validate: v.string(36), isVisible: true, isFilter: true, isSortKey: true, requiredByPolicy: true },
    remote_group_id: { allowPost: true, allowPut: false, default: null, validate: v.stringOrNone(36), isVisible: true, isFilter: true, isSortKey: true },
    direction: { allowPost: true, allowPut: false, validate: v.values(['ingress', 'egress']), isVisible: true, isFilter: true, isSortKey: true },
    protocol: { allowPost: true, allowPut: false, default: null, convert: convertProtocol, validate: protocolValidator, isVisible: true, isFilter: true, isSortKey: true },
    port_range_min: { allowPost: true, allowPut: false, default: null, convert: convert.intOrNone, validate: portRangeValue, isVisible: true, isFilter: true, isSortKey: true },
    port_range_max: { allowPost: true, allowPut: false, default: null, convert: convert.intOrNone, validate: portRangeValue, isVisible: true, isFilter: true, isSortKey: true },
    ethertype: { allowPost: true, allowPut: false, default: 'IPv4', convert: (x) => (typeof x === 'string' ? ({ ipv4: 'IPv4', ipv6: 'IPv6' } as Record<string, string>)[x.toLowerCase()] ?? x : x), validate: v.values(['IPv4', 'IPv6']), isVisible: true, isFilter: true, isSortKey: true },
    remote_ip_prefix: { allowPost: true, allowPut: false, default: null, convert: convertIpPrefix, validate: v.ipOrSubnetOrNone(), isVisible: true, isFilter: true, isSortKey: true },
    tenant_id: tenantIdAttribute,
  },
};

export { NOT_SPECIFIED };
