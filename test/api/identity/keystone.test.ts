// Runs against a REAL Keystone on 127.0.0.1 started by scripts/keystone-for-tests.sh.
// Enabled when NUCLEON_TEST_KEYSTONE=1 or /usr/bin/keystone-manage exists; skipped otherwise.
// NUCLEON_TEST_KEYSTONE_ENV=<file with the script's KEY=VALUE output> reuses a running one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { createKeystoneAuth, type KeystoneAuthOptions } from '../../../src/api/identity/keystone.js';
import { IdentityUnavailableError, NotAuthenticatedError, type AuthStrategy } from '../../../src/api/identity/context.js';

const script = fileURLToPath(new URL('../../../scripts/keystone-for-tests.sh', import.meta.url));
const enabled = process.env.NUCLEON_TEST_KEYSTONE === '1' || existsSync('/usr/bin/keystone-manage')
  || !!process.env.NUCLEON_TEST_KEYSTONE_ENV;
const skip = enabled ? false
  : 'no Keystone: install Debian\'s keystone package or set NUCLEON_TEST_KEYSTONE=1 (scripts/keystone-for-tests.sh)';

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

async function issueToken(url: string, user: string, password: string, project: string) {
  const res = await fetch(`${url}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: {
      identity: { methods: ['password'], password: { user: { name: user, password, domain: { name: 'Default' } } } },
      scope: { project: { name: project, domain: { name: 'Default' } } },
    } }),
  });
  assert.equal(res.status, 201, `token for ${user}`);
  const body = (await res.json()) as { token: { project: { id: string }; user: { id: string } } };
  return { token: res.headers.get('x-subject-token')!, projectId: body.token.project.id, userId: body.token.user.id };
}

/** A fetch that records "METHOD path" of every call, to count round trips to Keystone. */
function countingFetch(): { fetch: typeof fetch; calls: string[] } {
  const calls: string[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    calls.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
    return fetch(input, init);
  };
  return { fetch: wrapped, calls };
}

describe('keystone strategy against a real Keystone', { skip }, () => {
  let env: Record<string, string> = {};
  let startedHere = false;
  let base: KeystoneAuthOptions;

  before(async () => {
    if (process.env.NUCLEON_TEST_KEYSTONE_ENV) {
      env = parseEnv(readFileSync(process.env.NUCLEON_TEST_KEYSTONE_ENV, 'utf8'));
    } else {
      const { stdout } = await promisify(execFile)('bash', [script, 'start'], { timeout: 600_000 });
      env = parseEnv(stdout);
      startedHere = true;
    }
    assert.ok(env.KEYSTONE_URL, 'script printed KEYSTONE_URL');
    base = {
      authUrl: env.KEYSTONE_URL!, wwwAuthenticateUri: env.KEYSTONE_URL!,
      username: env.KEYSTONE_SERVICE_USER!, password: env.KEYSTONE_SERVICE_PASSWORD!,
      projectName: env.KEYSTONE_SERVICE_PROJECT!, userDomainName: 'Default', projectDomainName: 'Default',
    };
  });

  after(async () => {
    if (startedHere && env.KEYSTONE_DIR) await promisify(execFile)('bash', [script, 'stop', env.KEYSTONE_DIR]);
  });

  test('a valid user token gives its user, project and roles', async () => {
    const auth = createKeystoneAuth(base);
    const demo = await issueToken(env.KEYSTONE_URL!, 'demo', env.KEYSTONE_DEMO_PASSWORD!, 'demo');
    const ctx = await auth.authenticate({ 'x-auth-token': demo.token });
    assert.equal(ctx.userId, demo.userId);
    assert.equal(ctx.userName, 'demo');
    assert.equal(ctx.projectId, demo.projectId);
    assert.equal(ctx.projectName, 'demo');
    assert.equal(ctx.domainId, 'default');
    // member implies reader in Keystone's bootstrap role tree.
    assert.deepEqual([...ctx.roles].sort(), ['member', 'reader']);
    assert.equal(ctx.isAdmin, false);
    assert.equal(ctx.authToken, demo.token);

    const admin = await issueToken(env.KEYSTONE_URL!, 'admin', env.KEYSTONE_ADMIN_PASSWORD!, 'admin');
    const actx = await auth.authenticate({ 'x-auth-token': admin.token });
    assert.equal(actx.isAdmin, true);
    assert.ok(actx.roles.includes('admin'));
  });

  test('a bad or missing token is a 401 with WWW-Authenticate', async () => {
    const auth = createKeystoneAuth(base);
    assert.equal(auth.wwwAuthenticate, `Keystone uri="${env.KEYSTONE_URL}"`);
    await assert.rejects(auth.authenticate({ 'x-auth-token': 'gAAAAAnot-a-token' }), NotAuthenticatedError);
    await assert.rejects(auth.authenticate({}), NotAuthenticatedError);

    // The contract as an API server uses it: NotAuthenticatedError -> 401 + WWW-Authenticate.
    const app = Fastify();
    const strategy: AuthStrategy = auth;
    app.addHook('onRequest', async (req, reply) => {
      try {
        await strategy.authenticate(req.headers);
      } catch (err) {
        if (!(err instanceof NotAuthenticatedError)) throw err;
        if (strategy.wwwAuthenticate) reply.header('www-authenticate', strategy.wwwAuthenticate);
        return reply.code(401).send({ error: 'unauthorized' });
      }
    });
    app.get('/v2.0/networks', async () => ({ networks: [] }));
    try {
      const bad = await app.inject({ url: '/v2.0/networks', headers: { 'x-auth-token': 'bogus' } });
      assert.equal(bad.statusCode, 401);
      assert.equal(bad.headers['www-authenticate'], `Keystone uri="${env.KEYSTONE_URL}"`);
      const demo = await issueToken(env.KEYSTONE_URL!, 'demo', env.KEYSTONE_DEMO_PASSWORD!, 'demo');
      const good = await app.inject({ url: '/v2.0/networks', headers: { 'x-auth-token': demo.token } });
      assert.equal(good.statusCode, 200);
    } finally {
      await app.close();
    }
  });

  test('the cache avoids a second round trip; a zero TTL does not', async () => {
    const demo = await issueToken(env.KEYSTONE_URL!, 'demo', env.KEYSTONE_DEMO_PASSWORD!, 'demo');
    const counted = countingFetch();
    const auth = createKeystoneAuth({ ...base, fetch: counted.fetch });
    const first = await auth.authenticate({ 'x-auth-token': demo.token });
    const second = await auth.authenticate({ 'x-auth-token': demo.token });
    assert.deepEqual(second, first);
    assert.deepEqual(counted.calls, ['POST /v3/auth/tokens', 'GET /v3/auth/tokens']);
    // Invalid tokens are remembered too.
    await assert.rejects(auth.authenticate({ 'x-auth-token': 'nope' }), NotAuthenticatedError);
    await assert.rejects(auth.authenticate({ 'x-auth-token': 'nope' }), NotAuthenticatedError);
    assert.equal(counted.calls.filter((c) => c === 'GET /v3/auth/tokens').length, 2);
    // Concurrent requests with one token share one validation.
    const fresh = await issueToken(env.KEYSTONE_URL!, 'demo', env.KEYSTONE_DEMO_PASSWORD!, 'demo');
    await Promise.all([1, 2, 3].map(() => auth.authenticate({ 'x-auth-token': fresh.token })));
    assert.equal(counted.calls.filter((c) => c === 'GET /v3/auth/tokens').length, 3);

    const uncached = countingFetch();
    const noCache = createKeystoneAuth({ ...base, fetch: uncached.fetch, cacheTtlSeconds: 0, negativeCacheSeconds: 0 });
    await noCache.authenticate({ 'x-auth-token': demo.token });
    await noCache.authenticate({ 'x-auth-token': demo.token });
    assert.equal(uncached.calls.filter((c) => c === 'GET /v3/auth/tokens').length, 2);
  });

  test('the cache is bounded and entries expire after the TTL', async () => {
    let clock = Date.now();
    const counted = countingFetch();
    const auth = createKeystoneAuth({ ...base, fetch: counted.fetch, now: () => clock, maxCacheEntries: 1 });
    const a = await issueToken(env.KEYSTONE_URL!, 'demo', env.KEYSTONE_DEMO_PASSWORD!, 'demo');
    const b = await issueToken(env.KEYSTONE_URL!, 'admin', env.KEYSTONE_ADMIN_PASSWORD!, 'admin');
    const gets = () => counted.calls.filter((c) => c === 'GET /v3/auth/tokens').length;
    await auth.authenticate({ 'x-auth-token': a.token });
    await auth.authenticate({ 'x-auth-token': b.token }); // evicts a
    await auth.authenticate({ 'x-auth-token': b.token });
    assert.equal(gets(), 2);
    await auth.authenticate({ 'x-auth-token': a.token });
    assert.equal(gets(), 3);
    clock += 301_000; // past the 300 s TTL (and past the service token's renewal margin? no: 1 h tokens)
    await auth.authenticate({ 'x-auth-token': a.token });
    assert.equal(gets(), 4);
  });

  test('the service token is renewed when it expires and when Keystone rejects it', async () => {
    let clock = Date.now();
    const counted = countingFetch();
    const auth = createKeystoneAuth({ ...base, fetch: counted.fetch, now: () => clock, cacheTtlSeconds: 0 });
    const demo = await issueToken(env.KEYSTONE_URL!, 'demo', env.KEYSTONE_DEMO_PASSWORD!, 'demo');
    const posts = () => counted.calls.filter((c) => c === 'POST /v3/auth/tokens').length;
    await auth.authenticate({ 'x-auth-token': demo.token });
    await auth.authenticate({ 'x-auth-token': demo.token });
    assert.equal(posts(), 1);

    // Keystone's tokens here last one hour; the service token is renewed a minute before that.
    clock += 3_541_000;
    await auth.authenticate({ 'x-auth-token': demo.token }).catch(() => undefined);
    assert.equal(posts(), 2);
    clock = Date.now();

    // Revoke the service token behind the strategy's back: the next validation gets 401,
    // the strategy re-authenticates and retries.
    const serviceTokens: string[] = [];
    const spying = createKeystoneAuth({
      ...base, cacheTtlSeconds: 0,
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (init?.method === 'POST') serviceTokens.push(res.headers.get('x-subject-token')!);
        return res;
      },
    });
    await spying.authenticate({ 'x-auth-token': demo.token });
    const admin = await issueToken(env.KEYSTONE_URL!, 'admin', env.KEYSTONE_ADMIN_PASSWORD!, 'admin');
    const revoke = await fetch(`${env.KEYSTONE_URL}/v3/auth/tokens`, {
      method: 'DELETE', headers: { 'x-auth-token': admin.token, 'x-subject-token': serviceTokens[0]! },
    });
    assert.equal(revoke.status, 204);
    const ctx = await spying.authenticate({ 'x-auth-token': demo.token });
    assert.equal(ctx.projectId, demo.projectId);
    assert.equal(serviceTokens.length, 2);
  });

  test('an unreachable Keystone is IdentityUnavailableError, not a 401', async () => {
    const auth = createKeystoneAuth({ ...base, authUrl: 'http://127.0.0.1:9/v3', timeoutMs: 2000 });
    await assert.rejects(auth.authenticate({ 'x-auth-token': 'anything' }), IdentityUnavailableError);
    const wrongPassword = createKeystoneAuth({ ...base, password: 'wrong' });
    await assert.rejects(wrongPassword.authenticate({ 'x-auth-token': 'anything' }), IdentityUnavailableError);
  });
});
