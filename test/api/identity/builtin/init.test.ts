import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { initIdentityStore } from '../../../../src/api/identity/builtin/index.js';
import { verifyPassword } from '../../../../src/api/identity/builtin/passwords.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'nucleon-identity-init-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('first init creates identity.json, clouds.yaml and openrc with random passwords', async (t) => {
  const dir = await tempDir(t);
  const init = await initIdentityStore(join(dir, 'data'));
  assert.equal(init.created, true);
  assert.equal(init.authUrl, 'http://127.0.0.1:9696/identity/v3');
  assert.deepEqual(init.credentials.map((c) => [c.cloud, c.username, c.projectName]),
    [['nucleon', 'admin', 'admin'], ['nucleon-demo', 'demo', 'demo']]);
  const [admin, demo] = init.credentials;
  assert.notEqual(admin!.password, demo!.password);
  assert.ok(admin!.password.length >= 20);

  for (const f of [init.files.identity, init.files.cloudsYaml, init.files.openrc, join(dir, 'data', 'identity-token-key')]) {
    assert.equal((await stat(f)).mode & 0o777, 0o600, f);
  }

  const identityText = await readFile(init.files.identity, 'utf8');
  assert.ok(!identityText.includes(admin!.password), 'no plaintext password in identity.json');
  const data = JSON.parse(identityText);
  const adminUser = data.users.find((u: any) => u.name === 'admin');
  assert.match(adminUser.password_hash, /^scrypt\$/);
  assert.equal(await verifyPassword(admin!.password, adminUser.password_hash), true);
  assert.equal(await verifyPassword(demo!.password, adminUser.password_hash), false);

  const store = init.store;
  const adminProject = store.findProject('admin', 'default')!;
  const demoProject = store.findProject('demo', 'default')!;
  assert.match(adminProject.id, /^[0-9a-f]{32}$/);
  assert.deepEqual(store.rolesOn(store.findUser('admin', 'default')!.id, adminProject.id).map((r) => r.name).sort(),
    ['admin', 'member', 'reader']);
  assert.deepEqual(store.rolesOn(store.findUser('demo', 'default')!.id, demoProject.id).map((r) => r.name).sort(),
    ['member', 'reader']);
  assert.deepEqual(store.rolesOn(store.findUser('demo', 'default')!.id, adminProject.id), []);

  const clouds = (load(await readFile(init.files.cloudsYaml, 'utf8')) as any).clouds;
  assert.deepEqual(clouds.nucleon, {
    auth: { auth_url: 'http://127.0.0.1:9696/identity/v3', username: 'admin', password: admin!.password,
      project_name: 'admin', user_domain_name: 'Default', project_domain_name: 'Default' },
    region_name: 'RegionOne', interface: 'public', identity_api_version: 3,
  });
  assert.equal(clouds['nucleon-demo'].auth.username, 'demo');

  const openrc = await readFile(init.files.openrc, 'utf8');
  assert.match(openrc, /^export OS_AUTH_URL='http:\/\/127\.0\.0\.1:9696\/identity\/v3'$/m);
  assert.match(openrc, /^export OS_USERNAME='admin'$/m);
  assert.ok(openrc.includes(`export OS_PASSWORD='${admin!.password}'`));
  assert.match(openrc, /^export OS_IDENTITY_API_VERSION='3'$/m);
});

test('a second init keeps users, passwords and key, and follows a new public URL', async (t) => {
  const dir = await tempDir(t);
  const first = await initIdentityStore(dir);
  const again = await initIdentityStore(dir, { publicUrl: 'http://10.0.0.5:9696/', prefix: '/keystone' });
  assert.equal(again.created, false);
  assert.deepEqual(again.credentials, first.credentials);
  assert.equal(again.store.findProject('admin', 'default')!.id, first.store.findProject('admin', 'default')!.id);
  assert.deepEqual(again.store.tokenKey, first.store.tokenKey);
  assert.equal(again.authUrl, 'http://10.0.0.5:9696/keystone/v3');
  const clouds = (load(await readFile(again.files.cloudsYaml, 'utf8')) as any).clouds;
  assert.equal(clouds.nucleon.auth.auth_url, 'http://10.0.0.5:9696/keystone/v3');
});

test('concurrent first inits on one directory agree on one identity', async (t) => {
  const dir = await tempDir(t);
  const results = await Promise.all([initIdentityStore(dir), initIdentityStore(dir), initIdentityStore(dir)]);
  assert.equal(results.filter((r) => r.created).length, 1);
  const ids = new Set(results.map((r) => r.store.findUser('admin', 'default')!.id));
  assert.equal(ids.size, 1);
  const keys = new Set(results.map((r) => r.store.tokenKey.toString('hex')));
  assert.equal(keys.size, 1);
});
