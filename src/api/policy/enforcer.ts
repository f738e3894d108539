// Builds the effective rule set — Neutron's defaults, combined with their deprecated forms the way
// oslo.policy does, overridden by the policy file — compiles it once, and answers checks from closures.
import type { Caller } from '../../core/caller.js';
import { compileRuleSet, type CompiledRule, type Credentials } from './compile.js';
import type { DefaultRule } from './defaults/types.js';
import type { PolicyFileRules } from './file.js';
import { parseRule as defaultParse, type RuleNode } from './parser.js';
import type { PolicyEnforcer } from './index.js';

export interface EnforcerSources {
  defaults: readonly DefaultRule[];
  file: PolicyFileRules | null;
  /** [oslo_policy] enforce_new_defaults (False in Zed). */
  enforceNewDefaults: boolean;
  /** Parser for the defaults' check strings; a seam for tests that count parses. */
  parse?: (text: string) => RuleNode;
}

/** The rule trees in force: per rule, the file's entry if it has one, else the default — OR'ed with its
 *  deprecated check string unless enforce_new_defaults (oslo.policy's _handle_deprecated_rule). */
export function effectiveRules(src: EnforcerSources): Map<string, RuleNode> {
  const parse = src.parse ?? defaultParse;
  const out = new Map<string, RuleNode>();
  for (const d of src.defaults) {
    const overridden = src.file?.rules.get(d.name);
    if (overridden) { out.set(d.name, overridden); continue; }
    const current = parseOrThrow(parse, d.check, d.name);
    if (!src.enforceNewDefaults && d.deprecated !== undefined && d.deprecated !== d.check) {
      out.set(d.name, { kind: 'or', items: [current, parseOrThrow(parse, d.deprecated, d.name)] });
    } else {
      out.set(d.name, current);
    }
  }
  for (const [name, node] of src.file?.rules ?? []) if (!out.has(name)) out.set(name, node);
  return out;
}

function parseOrThrow(parse: (text: string) => RuleNode, text: string, name: string): RuleNode {
  try {
    return parse(text);
  } catch (e) {
    throw new Error(`built-in policy default "${name}": ${(e as Error).message}`);
  }
}

export function buildEnforcer(src: EnforcerSources): PolicyEnforcer {
  let compiled: Map<string, CompiledRule>;
  try {
    compiled = compileRuleSet(effectiveRules(src));
  } catch (e) {
    throw new Error(src.file ? `policy file ${src.file.path}: ${(e as Error).message}` : (e as Error).message);
  }
  const fallback: CompiledRule = compiled.get('default') ?? (() => false);
  const adminShortcut = !src.enforceNewDefaults;
  return {
    check(action, target, caller) {
      // Neutron's policy.check: with the old defaults in force an admin context is let through unchecked.
      if (adminShortcut && caller.isAdmin) return true;
      // An action without a rule falls to the `default` rule, as oslo.policy's policy_default_rule.
      return (compiled.get(action) ?? fallback)(target, credentialsOf(caller));
    },
    hasRule(action) {
      return compiled.has(action);
    },
  };
}

// A check runs several times per request with the same caller (the action, then its attribute rules), so
// the credential view is built once per Caller object. Callers are not mutated after authentication.
const credsCache = new WeakMap<Caller, Credentials>();

/** oslo.policy's credential dict as Neutron's context.to_policy_values fills it. */
export function credentialsOf(caller: Caller): Credentials {
  let creds = credsCache.get(caller);
  if (!creds) {
    creds = {
      values: {
        user_id: caller.userId, project_id: caller.projectId, tenant_id: caller.projectId,
        user: caller.userId, tenant: caller.projectId, roles: caller.roles, is_admin: caller.isAdmin,
      },
      rolesLower: new Set(caller.roles.map((r) => r.toLowerCase())),
      projectId: caller.projectId,
    };
    credsCache.set(caller, creds);
  }
  return creds;
}
