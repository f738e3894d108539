// The authorization engine: Neutron's default policies in oslo.policy's rule language, overridable by
// [oslo_policy] policy_file.
//
// Target keys the default rules read (all optional; an absent key makes that check fail):
//   the resource's own attributes, by Neutron's names: project_id / tenant_id (either stands in for the
//     other), shared, router:external, device_owner, ...; for creates, the request body with defaults applied
//   network:tenant_id   project owning the parent network of a port or subnet (rule:network_owner,
//                       admin_or_network_owner); network:project_id is accepted as well
//   network:shared      the parent network's `shared`, read by rule:shared (field:networks:shared=True) when the
//                       target has no `shared` of its own — subnets and ports
//   security_group:tenant_id  project owning a security group rule's group (rule:sg_owner)
//   ext_parent:tenant_id      project owning the parent of a sub-resource, e.g. a port forwarding's floating IP
// Credentials come from the Caller: user_id, project_id (also as tenant_id), roles, is_admin.
import type { Caller } from '../../core/caller.js';
import { NEUTRON_DEFAULT_RULES } from './defaults/index.js';
import { buildEnforcer } from './enforcer.js';
import { loadPolicyFile } from './file.js';

export interface PolicyEnforcer {
  /** True when `caller` may perform `action` (e.g. 'create_network', 'get_network', 'get_network:provider:network_type',
   *  'update_port:binding:host_id', 'create_network:shared', 'delete_security_group', 'get_quota', 'update_quota',
   *  'get_agent', ...) on `target`: the resource as a flat dict with Neutron's attribute names (project_id, tenant_id,
   *  shared, router:external, network_id, device_owner, ... ; for creates, the request body with defaults applied).
   *  Parent keys read: network:tenant_id, network:shared, security_group:tenant_id, ext_parent:tenant_id (above).
   *  An action without a rule is judged by the `default` rule (admin or owner), as in oslo.policy; with
   *  enforce_new_defaults off, a caller with isAdmin passes every check, as in Neutron. */
  check(action: string, target: Record<string, unknown>, caller: Caller): boolean;
  /** Whether an action name has a rule at all (attribute rules like get_port:binding:host_id exist only for some attributes). */
  hasRule(action: string): boolean;
}

/** Build the enforcer: Neutron's defaults, the policy file's entries over them. `policyFile` is the resolved
 *  path of [oslo_policy] policy_file; a missing file is ignored. Throws an Error naming the file and the rule
 *  when the file is malformed. `enforceNewDefaults` is [oslo_policy] enforce_new_defaults (default False). */
export function createPolicyEnforcer(options: { policyFile?: string | null; enforceNewDefaults?: boolean }): PolicyEnforcer {
  return buildEnforcer({
    defaults: NEUTRON_DEFAULT_RULES,
    file: options.policyFile ? loadPolicyFile(options.policyFile) : null,
    enforceNewDefaults: options.enforceNewDefaults ?? false,
  });
}

export { NEUTRON_DEFAULT_RULES } from './defaults/index.js';
export type { DefaultRule } from './defaults/types.js';
export { loadPolicyFile, parsePolicyFile, type PolicyFileRules } from './file.js';
export { parseRule, formatRule, PolicySyntaxError, type RuleNode } from './parser.js';
export { attributeWriteRules, type AttributeRules } from './write-rules.js';
