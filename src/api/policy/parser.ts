// oslo.policy's rule language, parsed into a small tree once at load time (compile.ts turns the tree into
// closures). Grammar and precedence as oslo.policy's shift-reduce parser: `not` > `and` > `or`, parentheses,
// keywords case-insensitive, tokens split on whitespace with leading '(' / trailing ')' split off a token.
//
//   ""  or whitespace  always true          @  always true        !  always false
//   rule:NAME          another rule          role:NAME             caller has that role (case-insensitive)
//   field:RES:ATTR=VAL target[ATTR] equals VAL (VAL '~regex' matches from the start)   — Neutron's FieldCheck
//   tenant_id:%(KEY)s  caller's project owns target[KEY] (KEY may name a parent: network:tenant_id) — Neutron's OwnerCheck
//   CRED:MATCH         generic: caller credential CRED (project_id, user_id, roles, is_admin, ...) equals MATCH
//                      after substituting %(target_key)s; a Python literal on the left (True, 'x', 1) is compared as is
//
// Where oslo.policy logs and quietly turns an unparsable rule into "never", we throw: an operator's typo
// should stop the server with a message naming the rule, not silently lock everyone out.

/** A piece of `%(key)s` template text: literal text or a target key to substitute. */
export type TemplatePart = { text: string } | { key: string };

export type RuleNode =
  | { kind: 'true' }
  | { kind: 'false' }
  | { kind: 'and'; items: RuleNode[] }
  | { kind: 'or'; items: RuleNode[] }
  | { kind: 'not'; item: RuleNode }
  | { kind: 'rule'; name: string }
  | { kind: 'role'; role: TemplatePart[] }
  | { kind: 'field'; resource: string; field: string; value: string }
  | { kind: 'owner'; key: string }
  | { kind: 'generic'; cred: string[]; literal: string | null; match: TemplatePart[] };

export class PolicySyntaxError extends Error {
  override name = 'PolicySyntaxError';
}

const KEYWORDS = new Set(['and', 'or', 'not']);

type Token = { t: '(' | ')' | 'and' | 'or' | 'not' } | { t: 'check'; node: RuleNode };

/** Parse one rule string. An empty or blank string is "always" (oslo.policy's TrueCheck). */
export function parseRule(text: string): RuleNode {
  const tokens = tokenize(text);
  if (tokens.length === 0) return { kind: 'true' };
  let pos = 0;
  const peek = (): Token['t'] | undefined => tokens[pos]?.t;

  const parseOr = (): RuleNode => {
    const items = [parseAnd()];
    while (peek() === 'or') { pos++; items.push(parseAnd()); }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  };
  const parseAnd = (): RuleNode => {
    const items = [parseNot()];
    while (peek() === 'and') { pos++; items.push(parseNot()); }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  };
  const parseNot = (): RuleNode => {
    if (peek() === 'not') { pos++; return { kind: 'not', item: parseNot() }; }
    return parseAtom();
  };
  const parseAtom = (): RuleNode => {
    const tok = tokens[pos];
    if (!tok) throw new PolicySyntaxError(`unexpected end of rule ${JSON.stringify(text)}`);
    pos++;
    if (tok.t === 'check') return tok.node;
    if (tok.t === '(') {
      const inner = parseOr();
      if (peek() !== ')') throw new PolicySyntaxError(`missing ')' in rule ${JSON.stringify(text)}`);
      pos++;
      return inner;
    }
    throw new PolicySyntaxError(`unexpected '${tok.t}' in rule ${JSON.stringify(text)}`);
  };

  const node = parseOr();
  if (pos !== tokens.length) {
    throw new PolicySyntaxError(`unexpected '${tokens[pos]!.t}' in rule ${JSON.stringify(text)}`);
  }
  return node;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const raw of text.split(/\s+/)) {
    if (raw === '') continue;
    let tok = raw;
    while (tok.startsWith('(')) { out.push({ t: '(' }); tok = tok.slice(1); }
    let trailing = 0;
    while (tok.endsWith(')')) { trailing++; tok = tok.slice(0, -1); }
    if (tok !== '') {
      const lowered = tok.toLowerCase();
      if (KEYWORDS.has(lowered)) out.push({ t: lowered as 'and' | 'or' | 'not' });
      else out.push({ t: 'check', node: parseCheck(tok) });
    }
    for (let i = 0; i < trailing; i++) out.push({ t: ')' });
  }
  return out;
}

function parseCheck(tok: string): RuleNode {
  if (tok === '@') return { kind: 'true' };
  if (tok === '!') return { kind: 'false' };
  const colon = tok.indexOf(':');
  if (colon < 0) throw new PolicySyntaxError(`cannot understand check ${JSON.stringify(tok)} (expected kind:match)`);
  const kind = tok.slice(0, colon);
  const match = tok.slice(colon + 1);
  switch (kind) {
    case 'rule':
      if (match === '') throw new PolicySyntaxError(`empty rule name in ${JSON.stringify(tok)}`);
      return { kind: 'rule', name: match };
    case 'role':
      return { kind: 'role', role: parseTemplate(match) };
    case 'field':
      return parseField(tok, match);
    case 'tenant_id': {
      // Neutron registers its OwnerCheck under 'tenant_id': the match must be exactly one %(key)s.
      const m = /^%\(([^)]+)\)s$/.exec(match);
      if (!m) throw new PolicySyntaxError(`${JSON.stringify(tok)}: tenant_id checks must match %(<target key>)s`);
      return { kind: 'owner', key: m[1]! };
    }
    case 'http':
    case 'https':
      throw new PolicySyntaxError(`${JSON.stringify(tok)}: remote ${kind} checks are not supported`);
    default:
      return { kind: 'generic', cred: kind.split('.'), literal: pythonLiteral(kind), match: parseTemplate(match) };
  }
}

function parseField(tok: string, match: string): RuleNode {
  const colon = match.indexOf(':');
  const eq = match.indexOf('=', colon + 1);
  if (colon <= 0 || eq < 0 || eq === colon + 1) {
    throw new PolicySyntaxError(`${JSON.stringify(tok)}: field checks look like field:<resource>:<attribute>=<value>`);
  }
  const value = match.slice(eq + 1);
  if (value.startsWith('~')) {
    try { new RegExp(value.slice(1)); } catch (e) {
      throw new PolicySyntaxError(`${JSON.stringify(tok)}: bad regular expression: ${(e as Error).message}`);
    }
  }
  return { kind: 'field', resource: match.slice(0, colon), field: match.slice(colon + 1, eq), value };
}

/** Python `%`-formatting with a dict, restricted to what policy strings use: `%(key)s` and `%%`. */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let lit = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== '%') { lit += ch; continue; }
    if (text[i + 1] === '%') { lit += '%'; i++; continue; }
    const m = /^%\(([^)]*)\)s/.exec(text.slice(i));
    if (!m) throw new PolicySyntaxError(`bad substitution in ${JSON.stringify(text)} (use %(<target key>)s)`);
    if (lit) { parts.push({ text: lit }); lit = ''; }
    parts.push({ key: m[1]! });
    i += m[0].length - 1;
  }
  if (lit || parts.length === 0) parts.push({ text: lit });
  return parts;
}

/** The string Python's str() gives a literal on the left of a generic check, or null if it is no literal
 *  (then the left side names a credential). Covers what oslo.policy's ast.literal_eval accepts in practice. */
function pythonLiteral(kind: string): string | null {
  if (kind === 'True' || kind === 'False' || kind === 'None') return kind;
  if (/^-?\d+$/.test(kind)) return String(Number.parseInt(kind, 10));
  const q = /^'([^']*)'$|^"([^"]*)"$/.exec(kind);
  if (q) return q[1] ?? q[2]!;
  return null;
}

/** Back to oslo.policy's text form (fully parenthesised), for logs and tests. */
export function formatRule(node: RuleNode): string {
  const tpl = (parts: TemplatePart[]) =>
    parts.map((p) => ('key' in p ? `%(${p.key})s` : p.text.replace(/%/g, '%%'))).join('');
  switch (node.kind) {
    case 'true': return '@';
    case 'false': return '!';
    case 'and': return `(${node.items.map(formatRule).join(' and ')})`;
    case 'or': return `(${node.items.map(formatRule).join(' or ')})`;
    case 'not': return `not ${formatRule(node.item)}`;
    case 'rule': return `rule:${node.name}`;
    case 'role': return `role:${tpl(node.role)}`;
    case 'field': return `field:${node.resource}:${node.field}=${node.value}`;
    case 'owner': return `tenant_id:%(${node.key})s`;
    case 'generic': return `${node.cred.join('.')}:${tpl(node.match)}`;
  }
}
