import type { ResourceDefinition } from './types.js';
import { idAttribute, nameAttribute, tenantIdAttribute } from './common.js';
import { convert } from './validators.js';

export const network: ResourceDefinition = {
  resource: 'network',
  collection: 'networks',
  path: 'networks',
  policyName: 'network',
  standardAttributes: true,
  notFoundType: 'NetworkNotFound',
  displayName: 'Network',
  allowBulk: true,
  attributes: {
    id: idAttribute,
    name: nameAttribute,
    subnets: { allowPost: false, allowPut: false, default: [], isVisible: true },
    admin_state_up: { allowPost: true, allowPut: true, default: true, convert: convert.boolean, isVisible: true, isFilter: true, isSortKey: true },
    status: { allowPost: false, allowPut: false, isVisible: true, isFilter: true, isSortKey: true },
    tenant_id: tenantIdAttribute,
    shared: { allowPost: true, allowPut: true, default: false, convert: convert.boolean, isVisible: true, isFilter: true, requiredByPolicy: true, enforcePolicy: true },
  },
};
