// The keystone strategy's handling of Keystone's answers, with a scripted fetch (always runs;
// keystone.test.ts covers the same code against a real Keystone when one is available).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKeystoneAuth, identityV3Url } from '../../../src/api/identity/keystone.js';
import { IdentityUnavailableError, NotAuthenticatedError } from '../../../src/api/identity/context.js';

type Handler = (method: string, path: string, headers: Headers) => Response;

function scripted(handler: Handler) {
  const calls: string[] = [];
  const f: typeof fetch = async (input, init) => {
    const method = init?.method ?? 'GET';
    const path = new URL(String(input)).pathname;
    calls.push(`${method} ${path}`);
    return handler(method, path, new Headers(init?.headers));
  };
  return { fetch: f, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function keystone(expiresUser: () => string, validate?: (svc: string) => Response | undefined) {
  let issued = 0;
  return (method: string, _path: string, h: Headers): Response => {
    if (method === 'POST') {
      issued += 1;
      return json(201, { token: { expires_at: new Date(Date.now() + 3600_000).toISOString() } }, { 'x-subject-token': `svc${issued}` });
    }
    const override = validate?.(h.get('x-auth-token')!);
    if (override) return override;
    if (h.get('x-subject-token') !== 'good') return json(404, { error: { code: 404 } });
    return json(200, { token: {
      expires_at: expiresUser(), user: { id: 'u1', name: 'alice' },
      project: { id: 'p1', name: 'proj', domain: { id: 'd1' } }, roles: [{ name: 'Admin' }, { name: 'reader' }],
    } });
  };
}

const base = { authUrl: 'http://keystone.invalid:5000/', username: 'neutron', password: 'pw', projectName: 'service' };

test('auth_url gets /v3 appended once', () => {
  assert.equal(identityV3Url('http://k:5000'), 'http://k:5000/v3');
  assert.equal(identityV3Url('http://k:5000/v3/'), 'http://k:5000/v3');
  assert.equal(identityV3Url('http://k/identity'), 'http://k/identity/v3');
});

test('maps a token and lower-cases its roles; WWW-Authenticate defaults to auth_url', async () => {
  const s = scripted(keystone(() => new Date(Date.now() + 3600_000).toISOString()));
  const auth = createKeystoneAuth({ ...base, fetch: s.fetch });
  assert.equal(auth.wwwAuthenticate, 'Keystone uri="http://keystone.invalid:5000/"');
  const ctx = await auth.authenticate({ 'x-auth-token': 'good' });
  assert.deepEqual(ctx, { userId: 'u1', userName: 'alice', projectId: 'p1', projectName: 'proj', domainId: 'd1',
    roles: ['admin', 'reader'], isAdmin: true, authToken: 'good' });
});

test('a cached token is dropped at its own expiry even when the TTL is longer', async () => {
  let clock = Date.now();
  const expiry = clock + 10_000;
  const s = scripted(keystone(() => new Date(expiry).toISOString()));
  const auth = createKeystoneAuth({ ...base, fetch: s.fetch, now: () => clock });
  await auth.authenticate({ 'x-auth-token': 'good' });
  clock += 9_000;
  await auth.authenticate({ 'x-auth-token': 'good' });
  assert.equal(s.calls.filter((c) => c.startsWith('GET')).length, 1);
  clock += 2_000; // past the token's expiry: asks again, and Keystone's answer is itself expired now
  await assert.rejects(auth.authenticate({ 'x-auth-token': 'good' }), NotAuthenticatedError);
  assert.equal(s.calls.filter((c) => c.startsWith('GET')).length, 2);
});

test('401 with a fresh service token, 5xx and garbage are IdentityUnavailableError', async () => {
  const always401 = scripted(keystone(() => '', () => json(401, {})));
  const a = createKeystoneAuth({ ...base, fetch: always401.fetch });
  await assert.rejects(a.authenticate({ 'x-auth-token': 'good' }), IdentityUnavailableError);
  assert.deepEqual(always401.calls, ['POST /v3/auth/tokens', 'GET /v3/auth/tokens', 'POST /v3/auth/tokens', 'GET /v3/auth/tokens']);

  const down = scripted(keystone(() => '', () => json(503, {})));
  await assert.rejects(createKeystoneAuth({ ...base, fetch: down.fetch }).authenticate({ 'x-auth-token': 'x' }), IdentityUnavailableError);

  const garbage = scripted(keystone(() => '', () => new Response('<html>', { status: 200 })));
  await assert.rejects(createKeystoneAuth({ ...base, fetch: garbage.fetch }).authenticate({ 'x-auth-token': 'x' }), IdentityUnavailableError);

  // An outage is not remembered as an invalid token: the next request asks again.
  let up = false;
  const flaky = scripted(keystone(() => new Date(Date.now() + 3600_000).toISOString(), () => (up ? undefined : json(502, {}))));
  const f = createKeystoneAuth({ ...base, fetch: flaky.fetch });
  await assert.rejects(f.authenticate({ 'x-auth-token': 'good' }), IdentityUnavailableError);
  up = true;
  assert.equal((await f.authenticate({ 'x-auth-token': 'good' })).userId, 'u1');
});

test('only the service token is renewed on 401, and the retry succeeds', async () => {
  const s = scripted(keystone(() => new Date(Date.now() + 3600_000).toISOString(), (svc) => (svc === 'svc1' ? json(401, {}) : undefined)));
  const auth = createKeystoneAuth({ ...base, fetch: s.fetch });
  assert.equal((await auth.authenticate({ 'x-auth-token': 'good' })).projectId, 'p1');
  assert.deepEqual(s.calls, ['POST /v3/auth/tokens', 'GET /v3/auth/tokens', 'POST /v3/auth/tokens', 'GET /v3/auth/tokens']);
});
