// Which rules a create or update must pass, as Neutron's policy._build_match_rule assembles them: the
// action's own rule, then `<action>:<attr>` for every policy-enforced attribute the request sets, then
// `<action>:<attr>:<key>` for the keys inside it (create_port:fixed_ips:ip_address,
// create_router:external_gateway_info:network_id). The route layer decides which attributes count as set
// (create: present and different from the default; update: present in the body) and enforced
// (definitions' enforcePolicy); this file spells the rule names and the refusal's text.
import type { PolicyEnforcer } from './index.js';

/** The rules one set attribute adds, and how Neutron's refusal names them. */
export interface AttributeRules {
  names: string[];
  /** `rule:A:attr`, or `(rule:A:attr and (rule:A:attr:k1 and ...))` with sub-attribute rules. */
  text: string;
}

/**
 * The rules of each set attribute that has any, in the order given. Only rules the policy defines
 * count (an attribute without `<action>:<attr>` adds nothing). A list of dicts (fixed_ips,
 * allowed_address_pairs) adds a rule per key used in any element, a dict (external_gateway_info) per
 * key; binding:profile's free-form keys have no rules, so add none.
 */
export function attributeWriteRules(enforcer: PolicyEnforcer, action: string,
  setAttributes: Iterable<readonly [name: string, value: unknown]>): AttributeRules[] {
  const out: AttributeRules[] = [];
  for (const [attr, value] of setAttributes) {
    const base = `${action}:${attr}`;
    const keys = new Set<string>();
    if (Array.isArray(value)) {
      for (const el of value) if (isDict(el)) for (const k of Object.keys(el)) keys.add(`${base}:${k}`);
    } else if (isDict(value)) {
      for (const k of Object.keys(value)) keys.add(`${base}:${k}`);
    }
    const subRules = [...keys].filter((name) => enforcer.hasRule(name));
    const names = enforcer.hasRule(base) ? [base] : [];
    if (!names.length && !subRules.length) continue;
    const sub = subRules.length ? `(${subRules.map((n) => `rule:${n}`).join(' and ')})` : '';
    out.push({
      names: [...names, ...subRules],
      text: names.length && sub ? `(rule:${base} and ${sub})` : names.length ? `rule:${base}` : sub,
    });
  }
  return out;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
