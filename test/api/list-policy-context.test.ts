import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, BOB, type TestApi } from '../support/api-server.js';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Lists read the network policy context of all their ports/subnets in one query; what a caller
// sees in a list must be exactly what it may show one by one (per-item context).
// A policy file making the network owner the only non-admin reader of ports (shared networks
// aside): lists must then take `network:tenant_id` and `network:shared` from each port's network.
const POLICY = JSON.stringify({
  get_port: 'rule:admin_only or tenant_id:%(network:tenant_id)s or field:networks:shared=True',
  get_subnet: 'rule:admin_only or tenant_id:%(network:tenant_id)s',
});

for (const [dialect, policyFile] of DIALECTS.flatMap((d) => [[d, false], [d, true]] as const)) {
  describe(`list policy context agrees with show (${dialect}${policyFile ? ', network-owner policy file' : ''})`, () => {
    let api: TestApi;
    let dir = '';
    const ports: Record<string, string> = {};
    let aliceNet = '';
    let sharedNet = '';

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'nucleon-policy-'));
      writeFileSync(join(dir, 'policy.json'), POLICY);
      api = await startTestApi(dialect, policyFile ? `[oslo_policy]\npolicy_file = ${join(dir, 'policy.json')}\n` : '');
      aliceNet = (await api.request(ALICE, 'POST', '/v2.0/networks', { network: { name: 'alice-net' } })).body.network.id;
      sharedNet = (await api.request(ADMIN, 'POST', '/v2.0/networks', { network: { name: 'shared-net', shared: true } })).body.network.id;
      for (const [net, cidr] of [[aliceNet, '10.61.0.0/24'], [sharedNet, '10.62.0.0/24']]) {
        const res = await api.request(ADMIN, 'POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr, project_id: net === aliceNet ? 'project-alice' : 'admin-project' } });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      }
      const port = async (name: string, caller: typeof ALICE, body: Record<string, unknown>) => {
        const res = await api.request(caller, 'POST', '/v2.0/ports', { port: { name, ...body } });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        ports[name] = res.body.port.id;
      };
      await port('alice-own', ALICE, { network_id: aliceNet });
      // Bob's port on Alice's network (made by the admin): Alice, the network owner, may see it.
      await port('bob-on-alice-net', ADMIN, { network_id: aliceNet, project_id: 'project-bob' });
      await port('bob-on-shared', BOB, { network_id: sharedNet });
      await port('admin-on-shared', ADMIN, { network_id: sharedNet });
    });
    after(async () => { await api?.close(); rmSync(dir, { recursive: true, force: true }); });

    for (const [who, caller] of [['alice', ALICE], ['bob', BOB], ['admin', ADMIN]] as const) {
      it(`${who}: the port list holds exactly the ports ${who} may show`, async () => {
        const listed = (await api.request(caller, 'GET', '/v2.0/ports')).body.ports.map((p: { id: string }) => p.id).sort();
        const showable: string[] = [];
        for (const id of Object.values(ports)) {
          const res = await api.request(caller, 'GET', `/v2.0/ports/${id}`);
          if (res.status === 200) showable.push(id);
          else assert.equal(res.status, 404);
        }
        assert.deepEqual(listed, showable.sort());
        assert.ok(listed.length > 0);
      });
    }

    if (policyFile) {
      it('with the network-owner policy, alice lists every port on her network and none elsewhere', async () => {
        const alice = (await api.request(ALICE, 'GET', '/v2.0/ports')).body.ports.map((p: { id: string }) => p.id).sort();
        assert.deepEqual(alice, [ports['alice-own'], ports['bob-on-alice-net']].sort());
      });
    }

    it('subnet lists agree with subnet show', async () => {
      for (const caller of [ALICE, BOB]) {
        const listed = (await api.request(caller, 'GET', '/v2.0/subnets')).body.subnets.map((s: { id: string }) => s.id).sort();
        const all = (await api.request(ADMIN, 'GET', '/v2.0/subnets')).body.subnets.map((s: { id: string }) => s.id);
        const showable: string[] = [];
        for (const id of all) if ((await api.request(caller, 'GET', `/v2.0/subnets/${id}`)).status === 200) showable.push(id);
        assert.deepEqual(listed, showable.sort());
        // Alice owns a network with a subnet: whichever policy, she sees it.
        if (caller === ALICE) assert.ok(listed.length > 0);
      }
    });
  });
}
