// The real `openstack` CLI (Debian python3-openstackclient) against the built-in identity.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeClientConfig } from '../../../../src/api/identity/builtin/index.js';
import { startIdentityServer, type Running } from './helpers.js';

// By full path: pyenv shims may precede /usr/bin on PATH.
const OPENSTACK = '/usr/bin/openstack';
const skip = existsSync(OPENSTACK) ? false : `${OPENSTACK} missing (install python3-openstackclient)`;

interface CliResult { code: number; stdout: string; stderr: string }

describe('openstack CLI against the built-in identity', { skip }, () => {
  let s: Running;
  let cloudsYaml: string;

  function openstack(args: string[]): Promise<CliResult> {
    // A clean environment: no OS_* variables of the caller leak in.
    const env = { PATH: '/usr/bin:/bin', HOME: s.dir, OS_CLIENT_CONFIG_FILE: cloudsYaml, LANG: 'C.UTF-8' };
    return new Promise((resolve) => {
      execFile(OPENSTACK, args, { env, timeout: 120_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  before(async () => {
    s = await startIdentityServer();
    // Point the generated clouds.yaml at the ephemeral port.
    cloudsYaml = (await writeClientConfig(s.dir, s.identity.credentials, `${s.url}/identity/v3`)).cloudsYaml;
    assert.equal(cloudsYaml, join(s.dir, 'clouds.yaml'));
  });
  after(async () => { await s.close(); });

  test('token issue as admin', async () => {
    const r = await openstack(['--os-cloud', 'nucleon', 'token', 'issue', '-f', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const t = JSON.parse(r.stdout) as Record<string, string>;
    assert.match(t.id!, /^nk1\./);
    const admin = s.identity.store.findProject('admin', 'default')!;
    assert.equal(t.project_id, admin.id);
    assert.equal(t.user_id, s.identity.store.findUser('admin', 'default')!.id);
    const hours = (Date.parse(t.expires!) - Date.now()) / 3600_000;
    assert.ok(hours > 11.9 && hours <= 12, `expires in 12 h, got ${hours}`);

    // The issued token is accepted by the server it came from.
    const check = await fetch(`${s.url}/identity/v3/auth/tokens`, { headers: { 'x-auth-token': t.id!, 'x-subject-token': t.id! } });
    assert.equal(check.status, 200);
  });

  test('catalog list shows neutron and keystone', async () => {
    const r = await openstack(['--os-cloud', 'nucleon', 'catalog', 'list', '-f', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<{ Name: string; Type: string; Endpoints: unknown }>;
    const byType = Object.fromEntries(rows.map((x) => [x.Type, x]));
    assert.equal(byType.network?.Name, 'neutron');
    assert.equal(byType.identity?.Name, 'keystone');
    const endpoints = byType.network?.Endpoints as Array<{ interface: string; url: string; region: string }>;
    assert.deepEqual(endpoints.map((e) => `${e.interface} ${e.url} ${e.region}`).sort(),
      ['admin', 'internal', 'public'].map((i) => `${i} ${s.url} RegionOne`));
    const identity = byType.identity?.Endpoints as Array<{ url: string }>;
    assert.ok(identity.every((e) => e.url === `${s.url}/identity/v3/`));
  });

  test('the demo cloud gets a demo-scoped token', async () => {
    const r = await openstack(['--os-cloud', 'nucleon-demo', 'token', 'issue', '-f', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const t = JSON.parse(r.stdout) as Record<string, string>;
    assert.equal(t.project_id, s.identity.store.findProject('demo', 'default')!.id);
  });

  test('a wrong password fails with 401', async () => {
    const r = await openstack(['--os-cloud', 'nucleon', '--os-password', 'wrong-password', 'token', 'issue', '-f', 'json']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /HTTP 401/);
  });
});
