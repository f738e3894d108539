import type { Caller } from '../../../src/core/caller.js';
import { compileRuleSet } from '../../../src/api/policy/compile.js';
import { credentialsOf } from '../../../src/api/policy/enforcer.js';
import { parseRule } from '../../../src/api/policy/parser.js';

export function caller(projectId: string | null, roles: string[], opts: { userId?: string; isAdmin?: boolean } = {}): Caller {
  return { userId: opts.userId ?? 'u-' + (projectId ?? 'none'), projectId, roles, isAdmin: opts.isAdmin ?? false };
}

/** Evaluate one rule string (with optional helper rules it references) against a target and caller. */
export function evaluate(text: string, target: Record<string, unknown>, who: Caller, helpers: Record<string, string> = {}): boolean {
  const nodes = new Map(Object.entries(helpers).map(([k, v]) => [k, parseRule(v)] as const));
  nodes.set('__under_test__', parseRule(text));
  return compileRuleSet(nodes).get('__under_test__')!(target, credentialsOf(who));
}
