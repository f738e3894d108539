import type { ResourceDefinition } from './types.js';
import { idAttribute, tenantIdAttribute } from './common.js';
import { convert, v } from './validators.js';

export const floatingip: ResourceDefinition = {
  resource: 'floatingip',
  collection: 'floatingips',
  path: 'floatingips',
  policyName: 'floatingip',
  standardAttributes: true,
  notFoundType: 'FloatingIPNotFound',
  displayName: 'Floating IP',
  notFoundMessage: (id) => `Floating IP ${id} could not be found`,
  allowBulk: true,
  attributes: {
    id: idAttribute,
    floating_ip_address: { allowPost: true, allowPut: false, default: null, convert: convert.canonicalIp, validate: v.ipOrNone(), enforcePolicy: true, isVisible: true, isFilter: true, isSortKey: true },
    subnet_id: { allowPost: true, allowPut: false, default: null, validate: v.uuidOrNone(), isVisible: false },
    floating_network_id: { allowPost: true, allowPut: false, validate: v.uuid(), isVisible: true, isFilter: true, isSortKey: true },
    router_id: { allowPost: false, allowPut: false, default: null, validate: v.uuidOrNone(), isVisible: true, isFilter: true, isSortKey: true },
    port_id: { allowPost: true, allowPut: true, default: null, validate: v.uuidOrNone(), requiredByPolicy: true, isVisible: true, isFilter: true },
    fixed_ip_address: { allowPost: true, allowPut: true, default: null, convert: convert.canonicalIp, validate: v.ipOrNone(), isVisible: true, isFilter: true, isSortKey: true },
    tenant_id: tenantIdAttribute,
    status: { allowPost: false, allowPut: false, isVisible: true, isFilter: true, isSortKey: true },
  },
};
