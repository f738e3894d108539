import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { passwordToken, startIdentityServer, type Running } from './helpers.js';

describe('built-in identity over HTTP', () => {
  let s: Running;
  before(async () => { s = await startIdentityServer(); });
  after(async () => { await s.close(); });

  test('version discovery at the mount point and at /v3', async () => {
    for (const path of ['/identity', '/identity/']) {
      const res = await fetch(s.url + path);
      assert.equal(res.status, 300);
      const body = (await res.json()) as any;
      assert.equal(body.versions.values[0].id, 'v3.14');
      assert.equal(body.versions.values[0].links[0].href, `${s.url}/identity/v3/`);
    }
    for (const path of ['/identity/v3', '/identity/v3/']) {
      const res = await fetch(s.url + path);
      assert.equal(res.status, 200);
      const body = (await res.json()) as any;
      assert.equal(body.version.status, 'stable');
      assert.equal(body.version.links[0].href, `${s.url}/identity/v3/`);
    }
  });

  test('password auth issues a scoped token with user, project, roles and catalog', async () => {
    const before = Date.now();
    const r = await passwordToken(s.url, 'admin', s.password('admin'), 'admin');
    assert.equal(r.status, 201);
    assert.match(r.token!, /^nk1\./);
    const t = r.body.token;
    assert.equal(t.user.name, 'admin');
    assert.deepEqual(t.user.domain, { id: 'default', name: 'Default' });
    assert.equal(t.project.name, 'admin');
    assert.deepEqual(t.roles.map((x: any) => x.name).sort(), ['admin', 'member', 'reader']);
    assert.deepEqual(t.methods, ['password']);
    const lifetime = Date.parse(t.expires_at) - Date.parse(t.issued_at);
    assert.ok(Math.abs(lifetime - 12 * 3600_000) < 1000, `12 h lifetime, got ${lifetime}`);
    assert.ok(Date.parse(t.issued_at) >= before - 1000);
    assert.match(t.expires_at, /\.\d{6}Z$/);
    const network = t.catalog.find((c: any) => c.type === 'network');
    assert.equal(network.name, 'neutron');
    assert.deepEqual(network.endpoints.map((e: any) => [e.interface, e.url, e.region_id]).sort(),
      [['admin', s.url, 'RegionOne'], ['internal', s.url, 'RegionOne'], ['public', s.url, 'RegionOne']]);
    const identity = t.catalog.find((c: any) => c.type === 'identity');
    assert.ok(identity.endpoints.every((e: any) => e.url === `${s.url}/identity/v3/`));

    const nocatalog = await fetch(`${s.url}/identity/v3/auth/tokens?nocatalog`, {
      headers: { 'x-auth-token': r.token!, 'x-subject-token': r.token! },
    });
    assert.equal(((await nocatalog.json()) as any).token.catalog, undefined);
  });

  test('bad credentials and bad requests', async () => {
    const wrong = await passwordToken(s.url, 'admin', 'not-the-password', 'admin');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 401);
    assert.equal(wrong.token, null);
    assert.equal((await passwordToken(s.url, 'nobody', 'x', 'admin')).status, 401);
    // demo has no role on admin
    assert.equal((await passwordToken(s.url, 'demo', s.password('demo'), 'admin')).status, 401);
    const malformed = await fetch(`${s.url}/identity/v3/auth/tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"auth": ',
    });
    assert.equal(malformed.status, 400);
    assert.equal(((await malformed.json()) as any).error.code, 400);
    const noDomain = await fetch(`${s.url}/identity/v3/auth/tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 'x' } } } } }),
    });
    assert.equal(noDomain.status, 400);
  });

  test('token validation: GET, HEAD, 401 without a caller token, 404 for a bad subject, 403 across users', async () => {
    const admin = await passwordToken(s.url, 'admin', s.password('admin'), 'admin');
    const demo = await passwordToken(s.url, 'demo', s.password('demo'), 'demo');
    const validate = (caller: string | null, subject: string, method = 'GET') => fetch(`${s.url}/identity/v3/auth/tokens`, {
      method, headers: { ...(caller ? { 'x-auth-token': caller } : {}), 'x-subject-token': subject },
    });

    const ok = await validate(admin.token, demo.token!);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('x-subject-token'), demo.token);
    const body = (await ok.json()) as any;
    assert.equal(body.token.project.name, 'demo');
    assert.deepEqual(body.token.roles.map((x: any) => x.name).sort(), ['member', 'reader']);

    const head = await validate(admin.token, demo.token!, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');

    const anonymous = await validate(null, demo.token!);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), `Keystone uri="${s.url}/identity/v3"`);

    assert.equal((await validate(admin.token, 'nk1.garbage.sig')).status, 404);
    assert.equal((await validate(admin.token, demo.token!.slice(0, -2) + 'AA')).status, 404);
    assert.equal((await validate(demo.token, demo.token!)).status, 200);
    assert.equal((await validate(demo.token, admin.token!)).status, 403);
  });

  test('rescoping an unscoped token with the token method', async () => {
    const unscoped = await passwordToken(s.url, 'demo', s.password('demo'));
    assert.equal(unscoped.status, 201);
    assert.equal(unscoped.body.token.project, undefined);
    assert.equal(unscoped.body.token.catalog, undefined);

    const projects = await fetch(`${s.url}/identity/v3/auth/projects`, { headers: { 'x-auth-token': unscoped.token! } });
    const list = ((await projects.json()) as any).projects;
    assert.deepEqual(list.map((p: any) => p.name), ['demo']);

    const res = await fetch(`${s.url}/identity/v3/auth/tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['token'], token: { id: unscoped.token } },
        scope: { project: { id: list[0].id } } } }),
    });
    assert.equal(res.status, 201);
    const t = ((await res.json()) as any).token;
    assert.equal(t.project.id, list[0].id);
    assert.deepEqual(t.methods, ['password', 'token']);
    assert.equal(t.expires_at, unscoped.body.token.expires_at, 'a rescoped token keeps the expiry');
    assert.equal(t.audit_ids[1], unscoped.body.token.audit_ids[0]);

    const bad = await fetch(`${s.url}/identity/v3/auth/tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['token'], token: { id: 'nk1.x.y' } } } }),
    });
    assert.equal(bad.status, 401);
  });

  test('catalog of a scoped token; none for an unscoped one', async () => {
    const scoped = await passwordToken(s.url, 'demo', s.password('demo'), 'demo');
    const res = await fetch(`${s.url}/identity/v3/auth/catalog`, { headers: { 'x-auth-token': scoped.token! } });
    assert.equal(res.status, 200);
    const catalog = ((await res.json()) as any).catalog;
    assert.deepEqual(catalog.map((c: any) => c.type).sort(), ['identity', 'network']);
    const unscoped = await passwordToken(s.url, 'demo', s.password('demo'));
    const none = await fetch(`${s.url}/identity/v3/auth/catalog`, { headers: { 'x-auth-token': unscoped.token! } });
    assert.equal(none.status, 403);
    const anon = await fetch(`${s.url}/identity/v3/auth/catalog`);
    assert.equal(anon.status, 401);
  });
});
