// Neutron's default policies (Zed, neutron 21), taken from neutron/conf/policies/ as installed:
// base.py.
// Each rule's check string and, where Neutron deprecated an older one, that older string
// (enforcer.ts ORs them unless enforce_new_defaults, as oslo.policy does).
import type { DefaultRule } from './types.js';

/** Rule building blocks every resource refers to (owner, admin_only, shared, ...). */
export const BASE_RULES: readonly DefaultRule[] = [
  // base.py
  { name: 'context_is_admin', check: 'role:admin' },
  { name: 'owner', check: 'tenant_id:%(tenant_id)s' },
  { name: 'admin_or_owner', check: 'rule:context_is_admin or rule:owner' },
  { name: 'context_is_advsvc', check: 'role:advsvc' },
  { name: 'admin_or_network_owner', check: 'rule:context_is_admin or tenant_id:%(network:tenant_id)s' },
  { name: 'admin_owner_or_network_owner', check: 'rule:owner or rule:admin_or_network_owner' },
  { name: 'network_owner', check: 'tenant_id:%(network:tenant_id)s' },
  { name: 'admin_only', check: 'rule:context_is_admin' },
  { name: 'regular_user', check: '' },
  { name: 'shared', check: 'field:networks:shared=True' },
  { name: 'default', check: 'rule:admin_or_owner' },
  { name: 'admin_or_ext_parent_owner', check: 'rule:context_is_admin or tenant_id:%(ext_parent:tenant_id)s' },
  { name: 'ext_parent_owner', check: 'tenant_id:%(ext_parent:tenant_id)s' },
  { name: 'sg_owner', check: 'tenant_id:%(security_group:tenant_id)s' },
];
