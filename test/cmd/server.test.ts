// `nucleon server` with api_workers = 2 on PostgreSQL: node:cluster workers sharing one port.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { spawnNucleon, type Child } from './process.js';

const skip = DIALECTS.includes('postgres') ? false : 'PostgreSQL not among NUCLEON_TEST_DIALECTS';
const MEMBER = { 'x-project-id': 'project-a', 'x-roles': 'member,reader', 'content-type': 'application/json' };

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

function workerPids(output: string): number[] {
  return [...output.matchAll(/"worker":(\d+),"msg":"worker listening"/g)].map((m) => Number(m[1]));
}

describe('nucleon server, api_workers = 2, PostgreSQL', { skip }, () => {
  let db: TestDatabase;
  let dir: string;
  let server: Child;
  let url: string;

  before(async () => {
    db = await createTestDatabase('postgres');
    dir = mkdtempSync(join(tmpdir(), 'nucleon-server-'));
    writeFileSync(join(dir, 'neutron.conf'), `[DEFAULT]\nauth_strategy = noauth\napi_workers = 2\nbind_host = 127.0.0.1\nbind_port = 0\n[database]\nconnection = ${db.url}\n`);
    writeFileSync(join(dir, 'ml2_conf.ini'), '[ml2]\ntype_drivers = local,vxlan\ntenant_network_types = vxlan\n[ml2_type_vxlan]\nvni_ranges = 100:199\n');
    server = spawnNucleon(['server', '--config-file', join(dir, 'neutron.conf'), '--config-file', join(dir, 'ml2_conf.ini'), '--migrate']);
    url = (await server.waitFor(/"url":"(http:\/\/[^"]+)","workers":2,"msg":"ready"/))[1]!;
  });
  after(async () => {
    await server?.stop('SIGKILL');
    for (const pid of workerPids(server?.output() ?? '')) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  test('--migrate applied the schema; two worker processes listen', () => {
    assert.match(server.output(), /"applied":\["0001-initial"[,\]]/);
    const pids = workerPids(server.output());
    assert.equal(new Set(pids).size, 2, server.output());
    assert.ok(pids.every(alive));
    assert.ok(!pids.includes(server.proc.pid!));
  });

  test('concurrent creates through both workers: all succeed, distinct VNIs', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      fetch(`${url}/v2.0/networks`, { method: 'POST', headers: MEMBER, body: JSON.stringify({ network: { name: `n${i}` } }) })
        .then(async (r) => ({ status: r.status, body: await r.json() as any }))));
    assert.deepEqual(results.map((r) => r.status), Array(20).fill(201), JSON.stringify(results.find((r) => r.status !== 201)));
    const list = await (await fetch(`${url}/v2.0/networks`, { headers: MEMBER })).json() as { networks: unknown[] };
    assert.equal(list.networks.length, 20);
    const admin = await (await fetch(`${url}/v2.0/networks?fields=provider:segmentation_id`, { headers: { 'x-roles': 'admin' } })).json() as { networks: Array<Record<string, number>> };
    const vnis = admin.networks.map((n) => n['provider:segmentation_id']);
    assert.equal(new Set(vnis).size, 20, `VNIs: ${vnis}`);
  });

  test('/metrics sums over the workers', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await fetch(`${url}/healthcheck`)).status, 200);
    const text = await (await fetch(`${url}/metrics`)).text();
    const m = /^nucleon_http_requests_total\{method="GET",route="\/healthcheck",status_code="200"\} (\d+)$/m.exec(text);
    assert.ok(m, text);
    assert.equal(Number(m[1]), 10);
    assert.match(text, /^nucleon_http_requests_total\{method="POST",route="\/v2.0\/networks",status_code="201"\} 20$/m);
  });

  test('a worker that dies is replaced; the server keeps answering', async () => {
    const [victim] = workerPids(server.output());
    process.kill(victim!, 'SIGKILL');
    // (Connections the dead worker held die with it; clients retry on a new one.)
    await server.waitFor(new RegExp(`"worker":${victim},"code":null,"signal":"SIGKILL","msg":"worker exited"`));
    for (let i = 0; i < 5; i++) assert.equal((await fetch(`${url}/healthcheck`)).status, 200);
    await server.waitFor(/"worker":\d+,"msg":"worker listening"[\s\S]*"worker":\d+,"msg":"worker listening"[\s\S]*"worker":\d+,"msg":"worker listening"/, 20_000);
    const pids = workerPids(server.output());
    assert.equal(pids.length, 3);
    assert.ok(alive(pids[2]!));
  });

  test('SIGTERM stops every worker and the primary exits 0', async () => {
    const pids = workerPids(server.output());
    const exit = await server.stop('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null }, server.output());
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(pids.filter(alive), []);
  });
});
