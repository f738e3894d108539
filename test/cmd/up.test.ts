// `nucleon up` as a user runs it: a child process on a temp data dir and a free port.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { statSync, readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load as yamlLoad } from 'js-yaml';
import { runNucleon, startUp, type Up } from './process.js';

describe('nucleon up', () => {
  let up: Up;
  before(async () => { up = await startUp(); });
  after(async () => { await up?.child.stop('SIGKILL'); });

  test('prints how to use it', () => {
    const out = up.child.output();
    assert.ok(out.includes(`export OS_CLIENT_CONFIG_FILE=${join(up.dataDir, 'clouds.yaml')} OS_CLOUD=nucleon`), out);
    assert.ok(out.includes(`source ${join(up.dataDir, 'openrc')}`), out);
    assert.match(up.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('writes identity, clouds.yaml and openrc (mode 0600) pointing at the bound port, and the SQLite database', () => {
    for (const f of ['identity.json', 'clouds.yaml', 'openrc']) {
      assert.equal(statSync(join(up.dataDir, f)).mode & 0o777, 0o600, f);
    }
    assert.ok(statSync(join(up.dataDir, 'nucleon.db')).isFile());
    const clouds = (yamlLoad(readFileSync(join(up.dataDir, 'clouds.yaml'), 'utf8')) as any).clouds;
    assert.deepEqual(Object.keys(clouds).sort(), ['nucleon', 'nucleon-demo']);
    assert.equal(clouds.nucleon.auth.auth_url, `${up.url}/identity/v3`);
    assert.match(readFileSync(join(up.dataDir, 'openrc'), 'utf8'), new RegExp(`export OS_AUTH_URL='${up.url}/identity/v3'`));
  });

  test('/healthcheck answers without a token; the API wants one', async () => {
    const res = await fetch(`${up.url}/healthcheck`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', database: 'ok' });
    const api = await fetch(`${up.url}/v2.0/networks`);
    assert.equal(api.status, 401);
    assert.match(api.headers.get('www-authenticate') ?? '', new RegExp(`Keystone uri="${up.url}/identity"`));
  });

  test('/metrics: process metrics and requests by method, route pattern and status', async () => {
    await fetch(`${up.url}/v2.0/networks/some-id`);
    const res = await fetch(`${up.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    assert.match(text, /^process_cpu_user_seconds_total /m);
    assert.match(text, /^nucleon_http_requests_total\{method="GET",route="\/healthcheck",status_code="200"\} [1-9]/m);
    // The route pattern, not the URL: ids do not become label values.
    assert.match(text, /^nucleon_http_requests_total\{method="GET",route="\/v2.0\/networks\/:id",status_code="401"\} 1$/m);
    assert.doesNotMatch(text, /some-id/);
    assert.match(text, /^nucleon_http_request_duration_seconds_bucket\{le="0.1",method="GET",route="\/healthcheck",status_code="200"\} /m);
  });

  test('nucleon status reports a healthy server, and failure for an unreachable one', async () => {
    const ok = await runNucleon(['status', '--url', up.url]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /healthy/);
    assert.match(ok.stdout, /database: ok/);
    assert.match(ok.stdout, /v2\.0 CURRENT/);
    const down = await runNucleon(['status', '--url', 'http://127.0.0.1:9', '--timeout', '2']);
    assert.equal(down.code, 1);
    assert.match(down.stdout, /unreachable/);
  });
});

/** Starts a POST whose body is still being sent; `finish` sends the rest and gives the response. */
function slowRequest(url: string, path: string, body: string) {
  const u = new URL(url);
  const req = request({ host: u.hostname, port: u.port, method: 'POST', path, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, 10));
  return { response, finish: () => { req.end(body.slice(10)); return response; } };
}

describe('nucleon up: stopping', () => {
  test('SIGTERM lets a request in flight finish, refuses new connections, and exits 0', async () => {
    const up = await startUp();
    try {
      const clouds = (yamlLoad(readFileSync(join(up.dataDir, 'clouds.yaml'), 'utf8')) as any).clouds;
      const password = clouds.nucleon.auth.password as string;
      const body = JSON.stringify({ auth: {
        identity: { methods: ['password'], password: { user: { name: 'admin', domain: { name: 'Default' }, password } } },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      } });
      const inFlight = slowRequest(up.url, '/identity/v3/auth/tokens', body);
      // Let the server receive the headers (the request has begun) before the signal.
      await new Promise((r) => setTimeout(r, 300));
      up.child.proc.kill('SIGTERM');
      await up.child.waitFor(/"msg":"stopping/);
      await assert.rejects(fetch(`${up.url}/healthcheck`), 'a new connection is refused while stopping');
      const res = await inFlight.finish();
      assert.equal(res.status, 201, res.body);
      assert.ok(JSON.parse(res.body).token.project.name === 'admin');
      const exit = await up.child.exited;
      assert.deepEqual(exit, { code: 0, signal: null }, up.child.output());
      assert.match(up.child.output(), /"msg":"stopped"/);
    } finally {
      await up.close();
    }
  });

  test('a second signal exits at once, without waiting for the request in flight', async () => {
    const up = await startUp();
    try {
      const inFlight = slowRequest(up.url, '/identity/v3/auth/tokens', JSON.stringify({ auth: {} }));
      inFlight.response.catch(() => {}); // the server goes away under it
      await new Promise((r) => setTimeout(r, 300));
      up.child.proc.kill('SIGTERM');
      await up.child.waitFor(/"msg":"stopping/);
      up.child.proc.kill('SIGINT');
      const exit = await up.child.exited;
      assert.equal(exit.code, 130, up.child.output());
      assert.match(up.child.output(), /second signal/);
    } finally {
      await up.close();
    }
  });

  test('a second start reuses the identity and the database', async () => {
    const first = await startUp();
    const dataDir = first.dataDir;
    const clouds = readFileSync(join(dataDir, 'clouds.yaml'), 'utf8');
    await first.child.stop('SIGTERM');
    const { spawnNucleon } = await import('./process.js');
    const again = spawnNucleon(['up', '--data-dir', dataDir, '--port', '0']);
    try {
      const url = (await again.waitFor(/Nucleon is up at (http:\/\/\S+)/))[1]!;
      const passwords = (text: string) => Object.values((yamlLoad(text) as any).clouds).map((c: any) => c.auth.password);
      assert.deepEqual(passwords(readFileSync(join(dataDir, 'clouds.yaml'), 'utf8')), passwords(clouds));
      assert.equal((yamlLoad(readFileSync(join(dataDir, 'clouds.yaml'), 'utf8')) as any).clouds.nucleon.auth.auth_url, `${url}/identity/v3`);
      assert.equal((await fetch(`${url}/healthcheck`)).status, 200);
    } finally {
      assert.equal((await again.stop('SIGTERM')).code, 0);
      await first.close();
    }
  });
});

describe('nucleon up: options', () => {
  test('auth_strategy = noauth in a config file replaces the built-in identity', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-conf-'));
    writeFileSync(join(dir, 'neutron.conf'), '[DEFAULT]\nauth_strategy = noauth\n');
    const up = await startUp(['--config-file', join(dir, 'neutron.conf')]);
    try {
      const res = await fetch(`${up.url}/v2.0/networks`, { headers: { 'x-project-id': 'p1', 'x-roles': 'member' } });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { networks: [] });
      assert.match(up.child.output(), /noauth/);
      assert.equal((await fetch(`${up.url}/identity/v3`)).status, 404);
    } finally {
      await up.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--agents checks the agent config against the host before serving (and wants root)', async () => {
    // Never the machine's own namespace: the check runs in a namespace this test creates.
    const root = process.getuid?.() === 0 && process.platform === 'linux';
    const ns = `nfup${process.pid}`;
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-up-agents-'));
    writeFileSync(join(dir, 'lb.ini'), '[linux_bridge]\nphysical_interface_mappings = provider:nosuchif0\n');
    if (root) execFileSync('ip', ['netns', 'add', ns]);
    try {
      const r = await runNucleon(['up', '--agents', '--port', '0', '--data-dir', join(dir, 'data'), '--config-file', join(dir, 'lb.ini'), '--host-netns', `/run/netns/${ns}`]);
      assert.equal(r.code, 2, r.stderr);
      if (root) assert.match(r.stderr, /lb\.ini:2: \[linux_bridge\] physical_interface_mappings: interface 'nosuchif0' .*does not exist/);
      else assert.match(r.stderr, /--agents .*run as root on Linux/);
    } finally {
      if (root) execFileSync('ip', ['netns', 'delete', ns]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bad option or value: one line naming it, exit 2', async () => {
    const bad = await runNucleon(['up', '--port', 'x']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /--port must be a port number/);
    const unknown = await runNucleon(['up', '--prot', '1']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--prot'/);
  });
});
