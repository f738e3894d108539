// The dependency rule of DESIGN.md §4, checked on every import in src/:
// api → core, definitions; core → ml2, store, bus, definitions; server code and agent meet only
// in src/hoststate (the shared contract); only cmd sees both sides.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Top-level folder → folders it may import from (besides itself, common and hoststate). */
const ALLOWED: Record<string, string[]> = {
  cmd: ['*'],
  api: ['core', 'definitions'],
  core: ['ml2', 'store', 'bus', 'definitions'],
  ml2: ['store', 'definitions'],
  store: [],
  bus: ['config'],
  definitions: [],
  config: [],
  agent: ['config'],
  hoststate: [],
  common: [],
  ui: ['api', 'definitions'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('architecture', () => {
  it('follows the dependency rule between top-level folders', () => {
    const violations: string[] = [];
    for (const file of files(SRC)) {
      const from = relative(SRC, file).split('/')[0];
      const allowed = ALLOWED[from];
      assert.ok(allowed, `src/${from} is not described in the dependency rule (test/architecture.test.ts)`);
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
        const target = relative(SRC, resolve(dirname(file), m[1])).split('/')[0];
        if (target === from || target === 'common' || target === 'hoststate' || target.startsWith('..')) continue;
        if (allowed.includes('*') || allowed.includes(target)) continue;
        violations.push(`${relative(SRC, file)} imports src/${target} (${m[1]})`);
      }
    }
    assert.deepEqual(violations, []);
  });
});
