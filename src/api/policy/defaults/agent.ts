// Neutron's default policies (Zed, neutron 21), taken from neutron/conf/policies/ as installed:
// agent.py, quotas.py, flavor.py, metering.py, logging.py.
// Each rule's check string and, where Neutron deprecated an older one, that older string
// (enforcer.ts ORs them unless enforce_new_defaults, as oslo.policy does).
import type { DefaultRule } from './types.js';

/** Agents and their scheduling (dhcp-networks, l3-routers), quotas, flavors, metering, logging: admin-only. */
export const AGENT_RULES: readonly DefaultRule[] = [
  // agent.py
  { name: 'get_agent', check: 'rule:admin_only' },
  { name: 'update_agent', check: 'rule:admin_only' },
  { name: 'delete_agent', check: 'rule:admin_only' },
  { name: 'create_dhcp-network', check: 'rule:admin_only' },
  { name: 'get_dhcp-networks', check: 'rule:admin_only' },
  { name: 'delete_dhcp-network', check: 'rule:admin_only' },
  { name: 'create_l3-router', check: 'rule:admin_only' },
  { name: 'get_l3-routers', check: 'rule:admin_only' },
  { name: 'delete_l3-router', check: 'rule:admin_only' },
  { name: 'get_dhcp-agents', check: 'rule:admin_only' },
  { name: 'get_l3-agents', check: 'rule:admin_only' },
  // quotas.py
  { name: 'get_quota', check: 'rule:admin_only' },
  { name: 'update_quota', check: 'rule:admin_only' },
  { name: 'delete_quota', check: 'rule:admin_only' },
  // flavor.py
  { name: 'create_flavor', check: 'rule:admin_only' },
  { name: 'get_flavor',
    check: '(rule:admin_only) or (role:reader and project_id:%(project_id)s)',
    deprecated: 'rule:regular_user' },
  { name: 'update_flavor', check: 'rule:admin_only' },
  { name: 'delete_flavor', check: 'rule:admin_only' },
  { name: 'create_service_profile', check: 'rule:admin_only' },
  { name: 'get_service_profile', check: 'rule:admin_only' },
  { name: 'update_service_profile', check: 'rule:admin_only' },
  { name: 'delete_service_profile', check: 'rule:admin_only' },
  { name: 'get_flavor_service_profile',
    check: '(rule:admin_only) or (role:reader and project_id:%(project_id)s)',
    deprecated: 'rule:regular_user' },
  { name: 'create_flavor_service_profile', check: 'rule:admin_only' },
  { name: 'delete_flavor_service_profile', check: 'rule:admin_only' },
  // metering.py
  { name: 'create_metering_label', check: 'rule:admin_only' },
  { name: 'get_metering_label',
    check: 'rule:admin_only or role:reader and project_id:%(project_id)s',
    deprecated: 'rule:admin_only' },
  { name: 'delete_metering_label', check: 'rule:admin_only' },
  { name: 'create_metering_label_rule', check: 'rule:admin_only' },
  { name: 'get_metering_label_rule',
    check: 'rule:admin_only or role:reader and project_id:%(project_id)s',
    deprecated: 'rule:admin_only' },
  { name: 'delete_metering_label_rule', check: 'rule:admin_only' },
  // logging.py
  { name: 'get_loggable_resource', check: 'rule:admin_only' },
  { name: 'create_log', check: 'rule:admin_only' },
  { name: 'get_log', check: 'rule:admin_only' },
  { name: 'update_log', check: 'rule:admin_only' },
  { name: 'delete_log', check: 'rule:admin_only' },
];
