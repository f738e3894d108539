// bin/nucleon chooses dist/cmd/main.js when it is at least as new as src/, else the sources via tsx.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NUCLEON } from './process.js';

describe('bin/nucleon', () => {
  let root: string;
  const run = (env: NodeJS.ProcessEnv = {}) =>
    execFileSync(process.execPath, [join(root, 'bin', 'nucleon'), 'a', 'b'], { env: { ...process.env, ...env }, encoding: 'utf8' }).trim();
  const setTime = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

  before(() => {
    // A miniature checkout: the real launcher, stand-in entry points, the real node_modules (tsx).
    root = mkdtempSync(join(tmpdir(), 'nucleon-bin-'));
    for (const d of ['bin', 'dist/cmd', 'src/cmd', 'src/deeper']) mkdirSync(join(root, d), { recursive: true });
    copyFileSync(NUCLEON, join(root, 'bin', 'nucleon'));
    writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
    symlinkSync(fileURLToPath(new URL('../../node_modules', import.meta.url)), join(root, 'node_modules'));
    writeFileSync(join(root, 'dist/cmd/main.js'), 'console.log("dist", process.argv.slice(2).join(" "));\n');
    writeFileSync(join(root, 'src/cmd/main.ts'), 'const from: string = "src";\nconsole.log(from, process.argv.slice(2).join(" "));\n');
    writeFileSync(join(root, 'src/deeper/x.ts'), 'export {};\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('dist when it is newer than every source file', () => {
    setTime(join(root, 'src/cmd/main.ts'), 1_000);
    setTime(join(root, 'src/deeper/x.ts'), 1_000);
    setTime(join(root, 'dist/cmd/main.js'), 2_000);
    assert.equal(run(), 'dist a b');
  });

  test('the TypeScript sources when any source file (at any depth) is newer', () => {
    setTime(join(root, 'src/deeper/x.ts'), 3_000);
    assert.equal(run(), 'src a b');
  });

  test('NUCLEON_USE_TSX=1 forces the sources', () => {
    setTime(join(root, 'src/deeper/x.ts'), 1_000);
    assert.equal(run(), 'dist a b');
    assert.equal(run({ NUCLEON_USE_TSX: '1' }), 'src a b');
  });

  test('the sources when there is no dist', () => {
    rmSync(join(root, 'dist'), { recursive: true });
    assert.equal(run(), 'src a b');
  });
});
