// Which rules a create or update must pass, as Neutron's policy._build_match_rule assembles them: the
// action's own rule, then `<action>:<attr>` for every policy-enforced attribute the request sets, then
// `<action>:<attr>:<key>` for the keys inside it (create_port:fixed_ips:ip_address,
// create_router:external_gateway_info:network_id). The route layer decides which attributes count as set
// (create: present and different from the default; update: present in the body) and enforced
// (definitions' enforcePolicy); this file only spells the rule names and checks them all.
import type { Caller } from '../../core/caller.js';
import type { PolicyEnforcer } from './index.js';

/** Rule names for `action` given the policy-enforced attributes the request sets, in check order. A list of
 *  dicts (fixed_ips, allowed_address_pairs) yields a rule per key used in any element, as Neutron does; a dict
 *  (external_gateway_info) yields rules only for keys that have one (Neutron limits them to the validator's
 *  declared keys; binding:profile's free-form keys get none). */
export function writeRuleNames(enforcer: PolicyEnforcer, action: string,
  setAttributes: Iterable<readonly [name: string, value: unknown]>): string[] {
  const names = [action];
  for (const [attr, value] of setAttributes) {
    const base = `${action}:${attr}`;
    names.push(base);
    const keys = new Set<string>();
    if (Array.isArray(value)) {
      for (const el of value) if (isDict(el)) for (const k of Object.keys(el)) keys.add(`${base}:${k}`);
    } else if (isDict(value)) {
      for (const k of Object.keys(value)) if (enforcer.hasRule(`${base}:${k}`)) keys.add(`${base}:${k}`);
    }
    names.push(...keys);
  }
  return names;
}

/** The first of writeRuleNames' rules `caller` fails on `target`, or null when all pass. */
export function firstFailingWriteRule(enforcer: PolicyEnforcer, action: string, target: Record<string, unknown>,
  caller: Caller, setAttributes: Iterable<readonly [name: string, value: unknown]>): string | null {
  for (const name of writeRuleNames(enforcer, action, setAttributes)) {
    if (!enforcer.check(name, target, caller)) return name;
  }
  return null;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
