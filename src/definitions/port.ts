import type { ResourceDefinition } from './types.js';
import { NOT_SPECIFIED } from './types.js';
import { idAttribute, nameAttribute, tenantIdAttribute } from './common.js';
import { convert, v, isPlainObject, show, isUuid, type Validator } from './validators.js';
import { ipVersionOf } from '../common/ip.js';

export const DEVICE_ID_FIELD_SIZE = 255;
export const DEVICE_OWNER_FIELD_SIZE = 255;

/** type:fixed_ips — a list of {subnet_id?, ip_address?}. */
export const fixedIpsValidator: Validator = (data) => {
  if (!Array.isArray(data)) return `Invalid data format for fixed IP: '${show(data)}'`;
  const ips = new Set<string>();
  for (const fixedIp of data) {
    if (!isPlainObject(fixedIp)) return `Invalid data format for fixed IP: '${show(fixedIp)}'`;
    for (const key of Object.keys(fixedIp)) {
      if (key !== 'subnet_id' && key !== 'ip_address') return `Invalid data format for fixed IP: '${show(fixedIp)}'`;
    }
    if ('ip_address' in fixedIp) {
      const ip = fixedIp.ip_address;
      if (typeof ip !== 'string' || !ipVersionOf(ip)) return `'${show(ip)}' is not a valid IP address`;
      if (ips.has(ip)) return `Duplicate IP address '${ip}'`;
      ips.add(ip);
    }
    if ('subnet_id' in fixedIp && !isUuid(fixedIp.subnet_id)) return `'${show(fixedIp.subnet_id)}' is not a valid UUID`;
  }
  return undefined;
};

export const port: ResourceDefinition = {
  resource: 'port',
  collection: 'ports',
  path: 'ports',
  policyName: 'port',
  standardAttributes: true,
  notFoundType: 'PortNotFound',
  displayName: 'Port',
  allowBulk: true,
  // mac_address null regenerates the MAC (port-mac-address-regenerate).
  attributes: {
    id: idAttribute,
    name: nameAttribute,
    network_id: { allowPost: true, allowPut: false, requiredByPolicy: true, validate: v.uuid(), isVisible: true, isFilter: true, isSortKey: true },
    admin_state_up: { allowPost: true, allowPut: true, default: true, convert: convert.boolean, isVisible: true, isFilter: true, isSortKey: true },
    mac_address: { allowPost: true, allowPut: true, default: NOT_SPECIFIED, convert: convert.lowerMac, validate: (m) => (m === null ? undefined : v.mac()(m)), enforcePolicy: true, isVisible: true, isFilter: true, isSortKey: true },
    fixed_ips: { allowPost: true, allowPut: true, default: NOT_SPECIFIED, validate: fixedIpsValidator, enforcePolicy: true, isVisible: true, isFilter: true },
    device_id: { allowPost: true, allowPut: true, default: '', validate: v.string(DEVICE_ID_FIELD_SIZE), isVisible: true, isFilter: true, isSortKey: true },
    device_owner: { allowPost: true, allowPut: true, default: '', validate: v.string(DEVICE_OWNER_FIELD_SIZE), enforcePolicy: true, isVisible: true, isFilter: true, isSortKey: true },
    tenant_id: tenantIdAttribute,
    status: { allowPost: false, allowPut: false, isVisible: true, isFilter: true, isSortKey: true },
  },
};
