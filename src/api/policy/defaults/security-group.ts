// Neutron's default policies (Zed, neutron 21), taken from neutron/conf/policies/ as installed:
// security_group.py, address_group.py.
// Each rule's check string and, where Neutron deprecated an older one, that older string
// (enforcer.ts ORs them unless enforce_new_defaults, as oslo.policy does).
import type { DefaultRule } from './types.js';

/** Security groups, their rules, address groups. */
export const SECURITY_GROUP_RULES: readonly DefaultRule[] = [
  // security_group.py
  { name: 'admin_or_sg_owner', check: 'rule:context_is_admin or tenant_id:%(security_group:tenant_id)s' },
  { name: 'admin_owner_or_sg_owner', check: 'rule:owner or rule:admin_or_sg_owner' },
  { name: 'create_security_group',
    check: 'role:member and project_id:%(project_id)s',
    deprecated: 'rule:admin_or_owner' },
  { name: 'get_security_group',
    // Later Neutron's fix for rbac-security-groups (its rule shared_security_group, inlined to keep Zed's
    // rule names): a group shared with the caller's project is readable under the new defaults too;
    // Zed's new default hid it, only its deprecated '@' let the target see it.
    check: 'role:reader and project_id:%(project_id)s or field:security_groups:shared=True',
    deprecated: 'rule:regular_user' },
  { name: 'update_security_group',
    check: 'role:member and project_id:%(project_id)s',
    deprecated: 'rule:admin_or_owner' },
  { name: 'delete_security_group',
    check: 'role:member and project_id:%(project_id)s',
    deprecated: 'rule:admin_or_owner' },
  { name: 'create_security_group_rule',
    check: 'role:member and project_id:%(project_id)s',
    deprecated: 'rule:admin_or_owner' },
  { name: 'get_security_group_rule',
    check: 'role:reader and project_id:%(project_id)s or rule:sg_owner',
    deprecated: 'rule:admin_owner_or_sg_owner' },
  { name: 'delete_security_group_rule',
    check: 'role:member and project_id:%(project_id)s',
    deprecated: 'rule:admin_or_owner' },
  // address_group.py
  { name: 'shared_address_groups', check: 'field:address_groups:shared=True' },
  { name: 'get_address_group',
    check: 'role:reader and project_id:%(project_id)s or rule:shared_address_groups',
    deprecated: 'rule:admin_or_owner or rule:shared_address_groups' },
];
