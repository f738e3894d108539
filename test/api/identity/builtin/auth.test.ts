import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBuiltinAuth, initIdentityStore, issueToken } from '../../../../src/api/identity/builtin/index.js';
import { NotAuthenticatedError } from '../../../../src/api/identity/context.js';

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'nucleon-identity-auth-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const init = await initIdentityStore(dir);
  const pw = (u: string) => init.credentials.find((c) => c.username === u)!.password;
  const login = async (user: string, project: string) => (await issueToken(init.store, { auth: {
    identity: { methods: ['password'], password: { user: { name: user, domain: { id: 'default' }, password: pw(user) } } },
    scope: { project: { name: project, domain: { name: 'Default' } } },
  } })).token;
  return { dir, init, login };
}

test('admin and demo tokens map to their contexts', async (t) => {
  const { init, login } = await setup(t);
  const auth = createBuiltinAuth(init.store);
  assert.equal(auth.wwwAuthenticate, 'Keystone uri="http://127.0.0.1:9696/identity"');

  const adminToken = await login('admin', 'admin');
  const admin = await auth.authenticate({ 'x-auth-token': adminToken });
  assert.equal(admin.isAdmin, true);
  assert.deepEqual([...admin.roles].sort(), ['admin', 'member', 'reader']);
  assert.equal(admin.projectId, init.store.findProject('admin', 'default')!.id);
  assert.equal(admin.projectName, 'admin');
  assert.equal(admin.userName, 'admin');
  assert.equal(admin.domainId, 'default');
  assert.equal(admin.authToken, adminToken);

  const demo = await auth.authenticate({ 'x-auth-token': await login('demo', 'demo') });
  assert.equal(demo.isAdmin, false, 'a demo token is not admin');
  assert.deepEqual([...demo.roles].sort(), ['member', 'reader']);
  assert.equal(demo.projectId, init.store.findProject('demo', 'default')!.id);
});

test('missing, tampered, foreign and expired tokens are rejected', async (t) => {
  const { init, login } = await setup(t);
  let clock = Date.now();
  const auth = createBuiltinAuth(init.store, { now: () => clock });
  const token = await login('demo', 'demo');
  await assert.rejects(auth.authenticate({}), NotAuthenticatedError);
  await assert.rejects(auth.authenticate({ 'x-auth-token': 'garbage' }), NotAuthenticatedError);

  // Flip the project id inside the payload: the signature no longer matches.
  const [prefix, body, sig] = token.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
  payload.p = init.store.findProject('admin', 'default')!.id;
  const forged = `${prefix}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`;
  await assert.rejects(auth.authenticate({ 'x-auth-token': forged }), NotAuthenticatedError);

  // A token from another data directory (another key) is not ours.
  const other = await setup(t);
  await assert.rejects(auth.authenticate({ 'x-auth-token': await other.login('demo', 'demo') }), NotAuthenticatedError);

  assert.equal((await auth.authenticate({ 'x-auth-token': token })).userName, 'demo');
  clock += 12 * 3600_000 - 5000;
  assert.equal((await auth.authenticate({ 'x-auth-token': token })).userName, 'demo');
  clock += 10_000;
  await assert.rejects(auth.authenticate({ 'x-auth-token': token }), NotAuthenticatedError);
});

test('a replica on the same data directory accepts the token; a removed assignment invalidates it', async (t) => {
  const { dir, init, login } = await setup(t);
  const token = await login('demo', 'demo');
  const replica = await initIdentityStore(dir);
  const auth = createBuiltinAuth(replica.store);
  assert.equal((await auth.authenticate({ 'x-auth-token': token })).projectName, 'demo');

  // An operator removes demo's roles on demo; the store re-reads the changed file.
  const file = join(dir, 'identity.json');
  const data = JSON.parse(await readFile(file, 'utf8'));
  const demoUser = data.users.find((u: any) => u.name === 'demo');
  data.assignments = data.assignments.filter((a: any) => a.user_id !== demoUser.id);
  await writeFile(file, JSON.stringify(data));
  const later = new Date(Date.now() + 10_000);
  await utimes(file, later, later);
  // The running store checks the file at most every 2 s.
  await new Promise((r) => setTimeout(r, 2100));
  await assert.rejects(auth.authenticate({ 'x-auth-token': token }), NotAuthenticatedError);
  assert.equal(init.store.findUser('demo', 'default')!.id, demoUser.id);

  // A broken file keeps the last good copy.
  await writeFile(file, '{ not json');
  const evenLater = new Date(Date.now() + 20_000);
  await utimes(file, evenLater, evenLater);
  await new Promise((r) => setTimeout(r, 2100));
  const adminToken = await login('admin', 'admin');
  assert.equal((await auth.authenticate({ 'x-auth-token': adminToken })).isAdmin, true);
});
