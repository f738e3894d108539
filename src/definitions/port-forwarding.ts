/**
 * Port forwardings, a sub-resource of floating IPs (`/floatingips/{id}/port_forwardings`), with the
 * attributes of floating-ip-port-forwarding, -description and -port-ranges folded in.
 */
import type { ResourceDefinition } from './types.js';
import { idAttribute, PROJECT_ID_FIELD_SIZE } from './common.js';
import { convert, v, show, type Validator } from './validators.js';

/** neutron-lib IPTABLES_PROTOCOL_MAP's names: what the API accepts as a protocol. */
export const PF_PROTOCOLS = ['dccp', 'icmp', 'ipv6-icmp', 'sctp', 'tcp', 'udp'];
export const LONG_DESCRIPTION_FIELD_SIZE = 1024;

/** type:port_range [1, 65535] or None: `N` or `N:M`. */
export const portRangeValidator: Validator = (data) => {
  if (data === null || data === undefined) return undefined;
  const ports = String(data).split(':');
  if (ports.length > 2 || ports.some((p) => p.length === 0)) return 'Port range must be two integers separated by a colon';
  for (const p of ports) {
    if (!/^\d+$/.test(p) || Number(p) > 65535) return `Invalid port: ${p}`;
    if (Number(p) < 1) return `Invalid port: ${p}, the port must be in the range [1, 65535]`;
  }
  if (ports.length === 2 && Number(ports[0]) > Number(ports[1])) return `First port in a port range must be lower than the second port`;
  return undefined;
};

const portOrNone: Validator = (data) => (data === null ? undefined : v.range(1, 65535)(data));
const intOrNone = (x: unknown) => (x === null || x === undefined ? null : convert.int(x));
const protocolValidator: Validator = (data) => (typeof data === 'string' && PF_PROTOCOLS.includes(data) ? undefined : `${show(data)} is not in [${PF_PROTOCOLS.map((p) => `'${p}'`).join(', ')}]`);

export const portForwarding: ResourceDefinition = {
  resource: 'port_forwarding',
  collection: 'port_forwardings',
  path: 'floatingips/:floatingip_id/port_forwardings',
  policyName: 'floatingip_port_forwarding',
  standardAttributes: false,
  notFoundType: 'PortForwardingNotFound',
  displayName: 'Port Forwarding',
  notFoundMessage: (id) => `Port Forwarding ${id} could not be found.`,
  allowBulk: true,
  attributes: {
    id: idAttribute,
    project_id: { allowPost: true, allowPut: false, validate: v.string(PROJECT_ID_FIELD_SIZE), requiredByPolicy: true, isVisible: false },
    // The API layer fills tenant_id beside project_id (both are accepted); neither is shown.
    tenant_id: { allowPost: true, allowPut: false, validate: v.string(PROJECT_ID_FIELD_SIZE), requiredByPolicy: true, isVisible: false },
    external_port: { allowPost: true, allowPut: true, default: null, convert: intOrNone, validate: portOrNone, isVisible: true, isSortKey: true, isFilter: true },
    internal_port: { allowPost: true, allowPut: true, default: null, convert: intOrNone, validate: portOrNone, isVisible: true },
    external_port_range: { allowPost: true, allowPut: true, default: null, validate: portRangeValidator, isVisible: true, isSortKey: true, isFilter: true },
    internal_port_range: { allowPost: true, allowPut: true, default: null, validate: portRangeValidator, isVisible: true },
    internal_ip_address: { allowPost: true, allowPut: true, convert: convert.canonicalIp, validate: v.ip(), isVisible: true },
    protocol: { allowPost: true, allowPut: true, validate: protocolValidator, isVisible: true, isSortKey: true, isFilter: true },
    internal_port_id: { allowPost: true, allowPut: true, validate: v.uuid(), isVisible: true, isSortKey: true, isFilter: true },
    description: { allowPost: true, allowPut: true, default: '', validate: v.string(LONG_DESCRIPTION_FIELD_SIZE), isVisible: true, isFilter: true },
  },
};
