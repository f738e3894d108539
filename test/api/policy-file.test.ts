import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApi, ADMIN, ALICE, type TestApi } from '../support/api-server.js';

describe('[oslo_policy] policy_file overrides the defaults', () => {
  let api: TestApi;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nucleon-policy-'));
    const file = join(dir, 'policy.yaml');
    // Only admins may create networks; members may still read them.
    writeFileSync(file, '"create_network": "role:admin"\n"get_network:mtu": "role:admin"\n');
    api = await startTestApi('sqlite', `[oslo_policy]\npolicy_file = ${file}\n`);
  });
  after(async () => { await api?.close(); rmSync(dir, { recursive: true, force: true }); });

  it('refuses what the file forbids and keeps the other defaults', async () => {
    const denied = await api.request(ALICE, 'POST', '/v2.0/networks', { network: { name: 'x' } });
    assert.equal(denied.status, 403);
    assert.match(denied.body.NeutronError.message, /create_network/);
    const made = await api.request(ADMIN, 'POST', '/v2.0/networks', { network: { name: 'shared', shared: true } });
    assert.equal(made.status, 201);
    const seen = await api.request(ALICE, 'GET', `/v2.0/networks/${made.body.network.id}`);
    assert.equal(seen.status, 200);
    // an attribute rule from the file hides the attribute from members
    assert.equal('mtu' in seen.body.network, false);
    assert.equal(typeof made.body.network.mtu, 'number');
  });
});
