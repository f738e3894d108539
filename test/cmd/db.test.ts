// `nucleon db upgrade` on each dialect, and `nucleon server` refusing an old schema.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, DIALECTS } from '../support/databases.js';
import { runNucleon, spawnNucleon } from './process.js';

function configFile(text: string): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-conf-'));
  const file = join(dir, 'neutron.conf');
  writeFileSync(file, text);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

for (const dialect of DIALECTS) {
  describe(`nucleon db upgrade (${dialect})`, () => {
    test('applies the migrations once; a second run applies nothing; server then starts', async () => {
      const db = await createTestDatabase(dialect);
      const conf = configFile(`[DEFAULT]\nauth_strategy = noauth\napi_workers = 1\nbind_host = 127.0.0.1\nbind_port = 0\n[database]\nconnection = ${db.url}\n`);
      try {
        // Before: the server refuses to start and says what to run.
        const refused = await runNucleon(['server', '--config-file', conf.file]);
        assert.equal(refused.code, 2, refused.stderr);
        assert.match(refused.stderr, /schema is not current .*pending: 0001-initial.*run `nucleon db upgrade --config-file /);

        const first = await runNucleon(['db', 'upgrade', '--config-file', conf.file]);
        assert.equal(first.code, 0, first.stderr);
        assert.match(first.stdout, /^Applied 0001-initial$/m);
        const second = await runNucleon(['db', 'upgrade', '--config-file', conf.file]);
        assert.equal(second.code, 0, second.stderr);
        assert.doesNotMatch(second.stdout, /Applied/);
        assert.match(second.stdout, /Nothing to apply/);

        const server = spawnNucleon(['server', '--config-file', conf.file]);
        try {
          const url = (await server.waitFor(/"url":"(http:\/\/[^"]+)".*"msg":"ready"/))[1]!;
          const res = await fetch(`${url}/v2.0/networks`, { headers: { 'x-project-id': 'p1', 'x-roles': 'member' } });
          assert.equal(res.status, 200);
        } finally {
          assert.equal((await server.stop('SIGTERM')).code, 0, server.output());
        }
      } finally {
        conf.remove();
        await db.drop();
      }
    });
  });
}

describe('nucleon db upgrade: usage', () => {
  test('without [database] connection it names the option; --data-dir upgrades the all-in-one database', async () => {
    const missing = await runNucleon(['db', 'upgrade']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^nucleon db: \[database\] connection is not set/);
    const parent = mkdtempSync(join(tmpdir(), 'nucleon-data-'));
    const dir = join(parent, 'not-yet-there');
    try {
      const r = await runNucleon(['db', 'upgrade', '--data-dir', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Applied 0001-initial$/m);
      assert.match(r.stdout, new RegExp(`${join(dir, 'nucleon.db')}: \\d+ migration`));
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  test('an unknown action is a usage error', async () => {
    const r = await runNucleon(['db', 'downgrade']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown action 'db downgrade'/);
  });
});

describe('nucleon server: configuration errors', () => {
  test('no [database] connection: one line naming it, exit 2', async () => {
    const conf = configFile('[DEFAULT]\nauth_strategy = noauth\n');
    try {
      const r = await runNucleon(['server', '--config-file', conf.file]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^nucleon server: \[database\] connection is not set/);
    } finally {
      conf.remove();
    }
  });

  test('keystone without its service user names [keystone_authtoken] and the option', async () => {
    const conf = configFile('[DEFAULT]\nauth_strategy = keystone\n[database]\nconnection = sqlite:////tmp/unused.db\n[keystone_authtoken]\nauth_url = http://127.0.0.1:5000\n');
    try {
      const r = await runNucleon(['server', '--config-file', conf.file]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^nucleon server: \[keystone_authtoken\] username: must be set when auth_strategy = keystone$/m);
    } finally {
      conf.remove();
    }
  });

  test('a bad value names file, section and option', async () => {
    const conf = configFile('[DEFAULT]\nbind_port = lots\n');
    try {
      const r = await runNucleon(['server', '--config-file', conf.file]);
      assert.equal(r.code, 2);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.ok(r.stderr.includes(`${conf.file}:2: [DEFAULT] bind_port: `), r.stderr);
    } finally {
      conf.remove();
    }
  });
});
