// The operator's policy file ([oslo_policy] policy_file): a YAML or JSON mapping of rule name → check
// string. Entries replace the defaults of the same name, and names Neutron does not define are added (as
// helper rules other entries can reference). Read once when the enforcer is built.
import { readFileSync } from 'node:fs';
import { load as yamlLoad } from 'js-yaml';
import { parseRule, type RuleNode } from './parser.js';

export interface PolicyFileRules {
  readonly path: string;
  /** The file's entries, parsed, in file order. */
  readonly rules: ReadonlyMap<string, RuleNode>;
  /** The same entries as written, for comparisons and logs. */
  readonly texts: ReadonlyMap<string, string>;
}

/** Load and parse a policy file. A missing file is not an error (Neutron ignores a missing default
 *  policy.yaml): the result is null. An unreadable file, a document that is no mapping, a value that is not
 *  a string, or a rule that does not parse throws an Error naming the file (and the rule). */
export function loadPolicyFile(path: string): PolicyFileRules | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`policy file ${path}: cannot read: ${(e as Error).message}`);
  }
  return parsePolicyFile(text, path);
}

/** Parse a policy file's contents; `path` only names the file in errors. JSON first, then YAML, as
 *  oslo.policy does (YAML accepts JSON too, but JSON's error messages are the better ones for JSON files). */
export function parsePolicyFile(text: string, path: string): PolicyFileRules {
  let doc: unknown;
  // An empty file, or one of only comments, overrides nothing (js-yaml refuses an empty document).
  if (text.split('\n').every((line) => /^\s*(#.*)?$/.test(line))) return { path, rules: new Map(), texts: new Map() };
  try {
    doc = JSON.parse(text);
  } catch {
    try {
      doc = yamlLoad(text);
    } catch (e) {
      throw new Error(`policy file ${path}: not valid YAML or JSON: ${(e as Error).message}`);
    }
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Error(`policy file ${path}: expected a mapping of rule names to check strings`);
  }
  const rules = new Map<string, RuleNode>();
  const texts = new Map<string, string>();
  for (const [name, value] of Object.entries(doc as Record<string, unknown>)) {
    if (typeof value !== 'string') {
      throw new Error(`policy file ${path}: rule "${name}": the check must be a string, got ${JSON.stringify(value)}`);
    }
    try {
      rules.set(name, parseRule(value));
    } catch (e) {
      throw new Error(`policy file ${path}: rule "${name}": ${(e as Error).message}`);
    }
    texts.set(name, value);
  }
  return { path, rules, texts };
}
