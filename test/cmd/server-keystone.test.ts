// `nucleon server` with auth_strategy = keystone against a REAL Keystone started by
// scripts/keystone-for-tests.sh (skipped without Debian's keystone package, as the keystone
// strategy's own tests). NUCLEON_TEST_KEYSTONE_ENV=<file of the script's output> reuses one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { spawnNucleon, type Child } from './process.js';

const script = fileURLToPath(new URL('../../scripts/keystone-for-tests.sh', import.meta.url));
const enabled = process.env.NUCLEON_TEST_KEYSTONE === '1' || existsSync('/usr/bin/keystone-manage') || !!process.env.NUCLEON_TEST_KEYSTONE_ENV;
const skip = enabled ? false : 'no Keystone: install Debian\'s keystone package or set NUCLEON_TEST_KEYSTONE=1';

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').map((l) => /^([A-Z_]+)=(.*)$/.exec(l.trim())).filter((m) => m).map((m) => [m![1]!, m![2]!]));
}

async function token(url: string, user: string, password: string, project: string) {
  const res = await fetch(`${url}/v3/auth/tokens?nocatalog`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: {
      identity: { methods: ['password'], password: { user: { name: user, password, domain: { name: 'Default' } } } },
      scope: { project: { name: project, domain: { name: 'Default' } } },
    } }),
  });
  assert.equal(res.status, 201);
  const body = (await res.json()) as { token: { project: { id: string } } };
  return { token: res.headers.get('x-subject-token')!, projectId: body.token.project.id };
}

describe('nucleon server with auth_strategy = keystone', { skip }, () => {
  let ks: Record<string, string> = {};
  let startedKeystone = false;
  let dir: string;
  let server: Child;
  let url: string;

  before(async () => {
    if (process.env.NUCLEON_TEST_KEYSTONE_ENV) {
      ks = parseEnv(readFileSync(process.env.NUCLEON_TEST_KEYSTONE_ENV, 'utf8'));
    } else {
      ks = parseEnv((await promisify(execFile)('bash', [script, 'start'], { timeout: 600_000 })).stdout);
      startedKeystone = true;
    }
    dir = mkdtempSync(join(tmpdir(), 'nucleon-ks-'));
    writeFileSync(join(dir, 'neutron.conf'), `[DEFAULT]
auth_strategy = keystone
api_workers = 1
bind_host = 127.0.0.1
bind_port = 0
[database]
connection = sqlite:///${join(dir, 'neutron.db')}
[keystone_authtoken]
www_authenticate_uri = ${ks.KEYSTONE_URL}
auth_url = ${ks.KEYSTONE_URL}
auth_type = password
username = ${ks.KEYSTONE_SERVICE_USER}
password = ${ks.KEYSTONE_SERVICE_PASSWORD}
project_name = ${ks.KEYSTONE_SERVICE_PROJECT}
user_domain_name = Default
project_domain_name = Default
`);
    server = spawnNucleon(['server', '--config-file', join(dir, 'neutron.conf'), '--migrate']);
    url = (await server.waitFor(/"url":"(http:\/\/[^"]+)".*"msg":"ready"/))[1]!;
  });
  after(async () => {
    try {
      if (server) assert.equal((await server.stop('SIGTERM')).code, 0, server.output());
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
      if (startedKeystone && ks.KEYSTONE_DIR) await promisify(execFile)('bash', [script, 'stop', ks.KEYSTONE_DIR]);
    }
  });

  test('no token or a bad one: 401 naming Keystone; health and metrics stay public', async () => {
    for (const headers of [{}, { 'x-auth-token': 'gAAAAA-not-a-token' }]) {
      const res = await fetch(`${url}/v2.0/networks`, { headers });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), `Keystone uri="${ks.KEYSTONE_URL}"`);
    }
    assert.equal((await fetch(`${url}/healthcheck`)).status, 200);
    assert.equal((await fetch(`${url}/metrics`)).status, 200);
  });

  test('a Keystone token acts as its project; admin sees every project', async () => {
    const demo = await token(ks.KEYSTONE_URL!, 'demo', ks.KEYSTONE_DEMO_PASSWORD!, 'demo');
    const created = await fetch(`${url}/v2.0/networks`, {
      method: 'POST', headers: { 'x-auth-token': demo.token, 'content-type': 'application/json' },
      body: JSON.stringify({ network: { name: 'from-keystone' } }),
    });
    assert.equal(created.status, 201);
    const net = ((await created.json()) as any).network;
    assert.equal(net.project_id, demo.projectId);

    const admin = await token(ks.KEYSTONE_URL!, 'admin', ks.KEYSTONE_ADMIN_PASSWORD!, 'admin');
    const list = (await (await fetch(`${url}/v2.0/networks`, { headers: { 'x-auth-token': admin.token } })).json()) as any;
    assert.deepEqual(list.networks.map((n: any) => n.id), [net.id]);
    const own = (await (await fetch(`${url}/v2.0/networks?project_id=${admin.projectId}`, { headers: { 'x-auth-token': admin.token } })).json()) as any;
    assert.deepEqual(own.networks, []);
  });
});
