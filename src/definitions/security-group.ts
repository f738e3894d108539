import type { ResourceDefinition } from './types.js';
import { idAttribute, tenantIdAttribute, NAME_FIELD_SIZE } from './common.js';
import { v } from './validators.js';

export const securityGroup: ResourceDefinition = {
  resource: 'security_group',
  collection: 'security_groups',
  path: 'security-groups',
  policyName: 'security_group',
  standardAttributes: true,
  notFoundType: 'SecurityGroupNotFound',
  displayName: 'Security group',
  notFoundMessage: (id) => `Security group ${id} does not exist`,
  allowBulk: true,
  attributes: {
    id: idAttribute,
    name: { allowPost: true, allowPut: true, default: '', validate: v.string(NAME_FIELD_SIZE), isVisible: true, isFilter: true, isSortKey: true },
    tenant_id: tenantIdAttribute,
    security_group_rules: { allowPost: false, allowPut: false, isVisible: true },
  },
};
