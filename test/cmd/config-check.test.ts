// `nucleon config check` on the real seed configurations and on broken files.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNucleon, SEED_CONFIGS } from './process.js';

const folders = readdirSync(SEED_CONFIGS).filter((f) => statSync(join(SEED_CONFIGS, f)).isDirectory()).sort();

describe('nucleon config check', () => {
  test('the seed configurations exist', () => {
    assert.ok(folders.length >= 4, `folders in ${SEED_CONFIGS}: ${folders.join(', ')}`);
  });

  for (const folder of folders) {
    test(`seed-configs/${folder}: every file together is usable (exit 0)`, async () => {
      const dir = join(SEED_CONFIGS, folder);
      const files = readdirSync(dir).filter((f) => /\.(conf|ini)$/.test(f)).sort();
      // neutron.conf first, as an operator passes it.
      files.sort((a, b) => Number(b === 'neutron.conf') - Number(a === 'neutron.conf'));
      const r = await runNucleon(['config', 'check', ...files.flatMap((f) => ['--config-file', join(dir, f)])]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`^Read ${files.length} file\\(s\\)`));
      assert.match(r.stdout, /OK: configuration is usable\.$/m);
    });
  }

  test('a bad file: exit 1, every error named by file, section and option', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-check-'));
    const file = join(dir, 'neutron.conf');
    writeFileSync(file, '[DEFAULT]\nbind_port = ninety\napi_workers = 2\n[ml2]\npath_mtu = -x\n');
    try {
      const r = await runNucleon(['config', 'check', '--config-file', file]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /Errors \(2\):/);
      assert.ok(r.stdout.includes(`${file}:2: [DEFAULT] bind_port: `), r.stdout);
      assert.ok(r.stdout.includes(`${file}:5: [ml2] path_mtu: `), r.stdout);
      assert.match(r.stdout, /FAILED: 2 error\(s\)\.$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--config-dir reads its *.conf files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-check-'));
    writeFileSync(join(dir, '10-a.conf'), '[DEFAULT]\ndebug = true\n');
    writeFileSync(join(dir, '20-b.conf'), '[DEFAULT]\ndebug = maybe\n');
    try {
      const r = await runNucleon(['config', 'check', '--config-dir', dir]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /Read 2 file\(s\)/);
      assert.ok(r.stdout.includes(`${join(dir, '20-b.conf')}:2: [DEFAULT] debug: `), r.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('no file given, or an unknown action: a usage error (exit 2)', async () => {
    const none = await runNucleon(['config', 'check']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give at least one --config-file or --config-dir/);
    const other = await runNucleon(['config', 'show']);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /unknown action 'config show'/);
  });
});

describe('nucleon (top level)', () => {
  test('--help lists the commands; an unknown command exits 2', async () => {
    const help = await runNucleon(['--help']);
    assert.equal(help.code, 0);
    for (const c of ['up', 'server', 'db', 'config', 'status']) assert.match(help.stdout, new RegExp(`^  ${c} `, 'm'));
    const unknown = await runNucleon(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^nucleon: unknown command 'frobnicate'/);
  });

  test('every command has --help', async () => {
    for (const c of [['up'], ['server'], ['db', 'upgrade'], ['config', 'check'], ['status']]) {
      const r = await runNucleon([...c, '--help']);
      assert.equal(r.code, 0, `${c.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: nucleon ${c.join(' ')}`), c.join(' '));
    }
  });
});
