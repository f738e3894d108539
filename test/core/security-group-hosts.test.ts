/**
 * hostsOfSecurityGroupChange on every dialect (SQLite walks hosts on the ports_host index, the
 * servers run a join): exactly the hosts with a bound member port, for groups changed directly,
 * groups named as remote group, and address groups named by rules.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, type TestApi } from '../support/api-server.js';
import { hostsOfSecurityGroupChange } from '../../src/core/security-group-hosts.js';

for (const dialect of DIALECTS) {
  describe(`security group hosts (${dialect})`, () => {
    let api: TestApi;
    const ids: Record<string, string> = {};
    const hosts = (scope: Parameters<typeof hostsOfSecurityGroupChange>[1]) =>
      api.runtime.store.transaction((tx) => hostsOfSecurityGroupChange(tx, scope)).then((h) => [...h].sort());

    before(async () => {
      api = await startTestApi(dialect);
      const ok = async (caller: typeof ALICE, method: string, url: string, body?: unknown) => {
        const r = await api.request(caller, method, url, body);
        assert.ok(r.status < 300, JSON.stringify(r.body));
        return r.body;
      };
      const net = (await ok(ALICE, 'POST', '/v2.0/networks', { network: { name: 'h' } })).network;
      await ok(ALICE, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.8.0.0/24' } });
      for (const g of ['a', 'b', 'c', 'watcher', 'agw']) ids[g] = (await ok(ALICE, 'POST', '/v2.0/security-groups', { security_group: { name: g } })).security_group.id;
      ids.ag = (await ok(ALICE, 'POST', '/v2.0/address-groups', { address_group: { name: 'ag', addresses: ['10.1.0.0/24'] } })).address_group.id;
      // watcher filters on members of a; agw on the address group.
      await ok(ALICE, 'POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: ids.watcher, direction: 'ingress', remote_group_id: ids.a } });
      await ok(ALICE, 'POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: ids.agw, direction: 'ingress', remote_address_group_id: ids.ag } });
      // Many ports of group b on h1 before one of group a (the search for a on h1 reads past them).
      const port = async (groups: string[], host: string) => {
        const p = (await ok(ALICE, 'POST', '/v2.0/ports', { port: { network_id: net.id, security_groups: groups } })).port;
        if (host) await ok(ADMIN, 'PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': host } });
      };
      for (let i = 0; i < 5; i++) await port([ids.b], 'h1');
      await port([ids.a], 'h1');
      await port([ids.a, ids.b], 'h3');
      await port([ids.c], '');
      await port([ids.watcher], 'h2');
      await port([ids.watcher], 'h0');
      await port([ids.agw], 'h4');
      await port([ids.b], 'h5');
    });
    after(async () => { await api?.close(); });

    it('rules of groups changed: hosts with a bound member', async () => {
      assert.deepEqual(await hosts({ groups: [ids.a] }), ['h1', 'h3']);
      assert.deepEqual(await hosts({ groups: [ids.b] }), ['h1', 'h3', 'h5']);
      assert.deepEqual(await hosts({ groups: [ids.a, ids.watcher] }), ['h0', 'h1', 'h2', 'h3']);
      // Members only unbound: no host.
      assert.deepEqual(await hosts({ groups: [ids.c] }), []);
      assert.deepEqual(await hosts({}), []);
    });

    it('members changed: hosts filtering on the group as remote group', async () => {
      assert.deepEqual(await hosts({ members: [ids.a] }), ['h0', 'h2']);
      assert.deepEqual(await hosts({ members: [ids.b] }), []);
    });

    it('address group changed: hosts with a port in a group naming it', async () => {
      assert.deepEqual(await hosts({ addressGroups: [ids.ag] }), ['h4']);
      assert.deepEqual(await hosts({ groups: [ids.c], members: [ids.a], addressGroups: [ids.ag] }), ['h0', 'h2', 'h4']);
    });
  });
}
