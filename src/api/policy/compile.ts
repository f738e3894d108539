// Rule trees → closures. Everything that can be decided at load time is (templates split, roles lowered,
// regexes built, target-key fallbacks chosen, rule references bound), so an evaluation is a few property
// reads and comparisons.
import { PolicySyntaxError, type RuleNode, type TemplatePart } from './parser.js';

/** What a rule sees of the caller: oslo.policy's credential dict as Neutron fills it, plus the roles
 *  lowered once per request for `role:` checks. */
export interface Credentials {
  /** user_id, project_id, tenant_id (= project_id), user, tenant, roles, is_admin. */
  readonly values: Readonly<Record<string, unknown>>;
  readonly rolesLower: ReadonlySet<string>;
  readonly projectId: string | null;
}

export type Target = Readonly<Record<string, unknown>>;
export type CompiledRule = (target: Target, creds: Credentials) => boolean;

const ALWAYS: CompiledRule = () => true;
const NEVER: CompiledRule = () => false;

/** Compile a whole rule set. `rule:X` for an X not in the set means the `default` rule (oslo.policy's
 *  policy_default_rule); without a `default` rule it never matches. Throws on reference cycles. */
export function compileRuleSet(nodes: ReadonlyMap<string, RuleNode>, defaultRule = 'default'): Map<string, CompiledRule> {
  const cycle = findRuleCycle(nodes, defaultRule);
  if (cycle) throw new PolicySyntaxError(`rules reference each other in a cycle: ${cycle.join(' -> ')}`);

  const cells = new Map<string, { fn: CompiledRule }>();
  const cellFor = (name: string) => {
    let cell = cells.get(name);
    if (!cell) { cell = { fn: NEVER }; cells.set(name, cell); }
    return cell;
  };
  const compiled = new Map<string, CompiledRule>();
  for (const [name, node] of nodes) compiled.set(name, compileNode(node, cellFor));
  const fallback = compiled.get(defaultRule) ?? NEVER;
  for (const [name, cell] of cells) cell.fn = compiled.get(name) ?? fallback;
  return compiled;
}

/** The first chain of `rule:` references that loops back on itself, or null. */
export function findRuleCycle(nodes: ReadonlyMap<string, RuleNode>, defaultRule = 'default'): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): string[] | null => {
    const target = nodes.has(name) ? name : nodes.has(defaultRule) ? defaultRule : null;
    if (target === null) return null;
    const s = state.get(target);
    if (s === 'done') return null;
    if (s === 'visiting') return [...path, target];
    state.set(target, 'visiting');
    for (const ref of references(nodes.get(target)!)) {
      const found = visit(ref, [...path, target]);
      if (found) return found;
    }
    state.set(target, 'done');
    return null;
  };
  for (const name of nodes.keys()) {
    const found = visit(name, []);
    if (found) return found;
  }
  return null;
}

function references(node: RuleNode): string[] {
  switch (node.kind) {
    case 'rule': return [node.name];
    case 'and': case 'or': return node.items.flatMap(references);
    case 'not': return references(node.item);
    default: return [];
  }
}

export function compileNode(node: RuleNode, cellFor: (name: string) => { fn: CompiledRule }): CompiledRule {
  switch (node.kind) {
    case 'true': return ALWAYS;
    case 'false': return NEVER;
    case 'not': {
      const inner = compileNode(node.item, cellFor);
      return (t, c) => !inner(t, c);
    }
    case 'and': {
      const items = node.items.map((n) => compileNode(n, cellFor));
      if (items.length === 2) { const [a, b] = items as [CompiledRule, CompiledRule]; return (t, c) => a(t, c) && b(t, c); }
      return (t, c) => { for (const f of items) if (!f(t, c)) return false; return true; };
    }
    case 'or': {
      const items = node.items.map((n) => compileNode(n, cellFor));
      if (items.length === 2) { const [a, b] = items as [CompiledRule, CompiledRule]; return (t, c) => a(t, c) || b(t, c); }
      return (t, c) => { for (const f of items) if (f(t, c)) return true; return false; };
    }
    case 'rule': {
      const cell = cellFor(node.name);
      return (t, c) => cell.fn(t, c);
    }
    case 'role': {
      const only = node.role.length === 1 ? node.role[0]! : null;
      if (only && 'text' in only) {
        const role = only.text.toLowerCase();
        return (_t, c) => c.rolesLower.has(role);
      }
      const render = compileTemplate(node.role);
      return (t, c) => { const r = render(t); return r !== null && c.rolesLower.has(r.toLowerCase()); };
    }
    case 'owner': {
      const get = targetGetter(node.key);
      return (t, c) => c.projectId !== null && pyStr(get(t)) === c.projectId;
    }
    case 'field': return compileField(node.resource, node.field, node.value);
    case 'generic': return compileGeneric(node.cred, node.literal, node.match);
  }
}

function compileField(resource: string, field: string, value: string): CompiledRule {
  // A port's or subnet's rules ask about its network (field:networks:shared=True): when the target has no
  // `shared`, read `network:shared` — the parent attribute the caller supplies, as for network:tenant_id.
  const parentKey = `${resource.endsWith('s') ? resource.slice(0, -1) : resource}:${field}`;
  const get = (t: Target) => { const v = t[field]; return v === undefined ? t[parentKey] : v; };
  if (value.startsWith('~')) {
    const re = new RegExp(`^(?:${value.slice(1)})`); // Python's re.match anchors at the start only
    return (t) => { const v = get(t); return typeof v === 'string' && re.test(v); };
  }
  const asBool = parseBool(value);
  const asNum = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
  return (t) => {
    const v = get(t);
    switch (typeof v) {
      case 'string': return v === value;
      case 'boolean': return v === asBool;
      case 'number': return v === asNum;
      default: return false;
    }
  };
}

function compileGeneric(cred: string[], literal: string | null, match: TemplatePart[]): CompiledRule {
  const render = compileTemplate(match);
  if (literal !== null) return (t) => render(t) === literal;
  if (cred.length === 1) {
    const key = cred[0]!;
    return (t, c) => {
      const m = render(t);
      return m !== null && matchesCred(c.values[key], m);
    };
  }
  return (t, c) => {
    const m = render(t);
    return m !== null && findInCreds(c.values, cred, 0, m);
  };
}

function findInCreds(value: unknown, path: string[], i: number, m: string): boolean {
  if (i === path.length) return pyStr(value) === m;
  if (value === null || typeof value !== 'object') return false;
  const next = (value as Record<string, unknown>)[path[i]!];
  if (Array.isArray(next)) return next.some((v) => findInCreds(v, path, i + 1, m));
  return findInCreds(next, path, i + 1, m);
}

function matchesCred(value: unknown, m: string): boolean {
  if (Array.isArray(value)) return value.some((v) => pyStr(v) === m);
  return pyStr(value) === m;
}

/** A closure rendering `%(key)s` templates against a target; null when a key is absent or null, which
 *  makes the check fail (oslo.policy: a KeyError fails the check). */
function compileTemplate(parts: TemplatePart[]): (t: Target) => string | null {
  if (parts.length === 1) {
    const p = parts[0]!;
    if ('text' in p) { const s = p.text; return () => s; }
    const get = targetGetter(p.key);
    return (t) => pyStr(get(t));
  }
  const pieces = parts.map((p) => {
    if ('text' in p) { const s = p.text; return () => s; }
    const get = targetGetter(p.key);
    return (t: Target) => pyStr(get(t));
  });
  return (t) => {
    let out = '';
    for (const piece of pieces) { const s = piece(t); if (s === null) return null; out += s; }
    return out;
  };
}

/** Reads a target key; Neutron targets carry both tenant_id and project_id, so either stands in for the
 *  other (also for parents: network:tenant_id ↔ network:project_id). */
function targetGetter(key: string): (t: Target) => unknown {
  const alt = key.endsWith('tenant_id') ? `${key.slice(0, -'tenant_id'.length)}project_id`
    : key.endsWith('project_id') ? `${key.slice(0, -'project_id'.length)}tenant_id` : null;
  const altOk = alt !== null && (alt === 'tenant_id' || alt === 'project_id' || alt.endsWith(':tenant_id') || alt.endsWith(':project_id'));
  if (!altOk) return (t) => t[key];
  return (t) => { const v = t[key]; return v === undefined ? t[alt!] : v; };
}

/** Python's str() for the scalar values targets and credentials hold; null for anything that cannot match. */
function pyStr(v: unknown): string | null {
  switch (typeof v) {
    case 'string': return v;
    case 'boolean': return v ? 'True' : 'False';
    case 'number': case 'bigint': return String(v);
    default: return null;
  }
}

/** oslo's strict bool_from_string, which Neutron's convert_to_boolean uses for field: values. */
function parseBool(s: string): boolean | undefined {
  const l = s.toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(l)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(l)) return false;
  return undefined;
}
