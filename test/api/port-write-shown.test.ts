/**
 * A port update (and a network create) answers with what was written, without reading it back
 * after commit: the answer must equal what a show returns next, attribute for attribute, whatever
 * the update touched — on every dialect.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, BOB, type TestApi } from '../support/api-server.js';

for (const dialect of DIALECTS) {
  describe(`written resources as shown (${dialect})`, () => {
    let api: TestApi;
    let net: any;
    let v4: any;
    before(async () => {
      api = await startTestApi(dialect);
      net = (await api.request(ALICE, 'POST', '/v2.0/networks', { network: { name: 'wn' } })).body.network;
      v4 = (await api.request(ALICE, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.7.0.0/24' } })).body.subnet;
    });
    after(async () => { await api?.close(); });

    const show = async (caller: typeof ALICE, id: string) => (await api.request(caller, 'GET', `/v2.0/ports/${id}`)).body.port;

    async function updateMatchesShow(caller: typeof ALICE, id: string, port: Record<string, unknown>, headers?: Record<string, string>) {
      const res = await api.request(caller, 'PUT', `/v2.0/ports/${id}`, { port }, headers);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.port, await show(caller, id));
      return res.body.port;
    }

    it('a plain update: new revision, updated_at, tags kept', async () => {
      const p = (await api.request(ALICE, 'POST', '/v2.0/ports', { port: { network_id: net.id, name: 'a' } })).body.port;
      // Mixed case: every dialect and read path orders tags the same way (by code unit).
      assert.equal((await api.request(ALICE, 'PUT', `/v2.0/ports/${p.id}/tags`, { tags: ['b', 'D', 'a', 'C'] })).status, 200);
      const tagged = await show(ALICE, p.id);
      assert.deepEqual(tagged.tags, ['C', 'D', 'a', 'b']);
      const list = (await api.request(ALICE, 'GET', `/v2.0/ports?id=${p.id}`)).body.ports;
      assert.deepEqual(list[0].tags, ['C', 'D', 'a', 'b']);
      const u = await updateMatchesShow(ALICE, p.id, { name: 'a2', description: 'd' });
      assert.equal(u.name, 'a2');
      assert.equal(u.revision_number, tagged.revision_number + 1);
      assert.deepEqual(u.tags, ['C', 'D', 'a', 'b']);
      assert.equal(u.created_at, p.created_at);
    });

    it('an update rewriting addresses, pairs, DHCP options and groups', async () => {
      const sg = (await api.request(ALICE, 'POST', '/v2.0/security-groups', { security_group: { name: 'w' } })).body.security_group;
      const p = (await api.request(ALICE, 'POST', '/v2.0/ports', { port: { network_id: net.id } })).body.port;
      const u = await updateMatchesShow(ALICE, p.id, {
        fixed_ips: [{ subnet_id: v4.id, ip_address: '10.7.0.77' }, { subnet_id: v4.id, ip_address: '10.7.0.9' }],
        allowed_address_pairs: [{ ip_address: '10.9.0.2' }, { ip_address: '10.9.0.1', mac_address: 'fa:16:3e:00:00:01' }],
        extra_dhcp_opts: [{ opt_name: 'tftp-server', opt_value: '10.0.0.1' }, { opt_name: 'bootfile-name', opt_value: 'pxelinux.0' }],
        security_groups: [sg.id, ...p.security_groups],
      });
      assert.deepEqual(u.fixed_ips.map((f: any) => f.ip_address), ['10.7.0.77', '10.7.0.9']);
      assert.equal(u.allowed_address_pairs.length, 2);
      assert.equal(u.extra_dhcp_opts.length, 2);
      assert.equal(u.security_groups.length, 2);
      // A null value removes one option; If-Match on the current revision passes.
      const v = await updateMatchesShow(ALICE, p.id, { extra_dhcp_opts: [{ opt_name: 'tftp-server', opt_value: null }] }, { 'if-match': `revision_number=${u.revision_number}` });
      assert.deepEqual(v.extra_dhcp_opts.map((o: any) => o.opt_name), ['bootfile-name']);
      const stale = await api.request(ALICE, 'PUT', `/v2.0/ports/${p.id}`, { port: { name: 'x' } }, { 'if-match': `revision_number=${u.revision_number}` });
      assert.equal(stale.status, 412);
      assert.equal((await show(ALICE, p.id)).name, v.name);
    });

    it('a binding update by the admin; others still get 404 for a port they cannot see', async () => {
      const p = (await api.request(ALICE, 'POST', '/v2.0/ports', { port: { network_id: net.id } })).body.port;
      const u = await updateMatchesShow(ADMIN, p.id, { 'binding:host_id': 'host-w', device_owner: 'compute:nova', device_id: 'vm-1', 'binding:profile': { a: 1 } });
      assert.equal(u['binding:host_id'], 'host-w');
      assert.equal(u['binding:vif_type'], 'binding_failed');
      assert.deepEqual(u['binding:profile'], { a: 1 });
      assert.equal(u.status, 'DOWN');
      assert.equal((await api.request(BOB, 'PUT', `/v2.0/ports/${p.id}`, { port: { name: 'x' } })).status, 404);
      assert.equal((await api.request(BOB, 'DELETE', `/v2.0/ports/${p.id}`)).status, 404);
      assert.equal((await show(ALICE, p.id)).name, p.name);
    });

    it('a bulk port create over two networks (own, shared by another project) shows each as a show does', async () => {
      const shared = (await api.request(ADMIN, 'POST', '/v2.0/networks', { network: { name: 'sh', shared: true } })).body.network;
      await api.request(ADMIN, 'POST', '/v2.0/subnets', { subnet: { network_id: shared.id, ip_version: 4, cidr: '10.17.0.0/24' } });
      const res = await api.request(ALICE, 'POST', '/v2.0/ports', { ports: [{ network_id: net.id }, { network_id: shared.id }, { network_id: net.id }] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(res.body.ports.map((p: any) => p.network_id), [net.id, shared.id, net.id]);
      for (const p of res.body.ports) assert.deepEqual(p, await show(ALICE, p.id));
      // Bob may not create on Alice's network, even in one request with a port on the shared one.
      const bob = await api.request(BOB, 'POST', '/v2.0/ports', { ports: [{ network_id: shared.id }, { network_id: net.id }] });
      assert.equal(bob.status, 404, JSON.stringify(bob.body));
    });

    it('a network create answers what a show returns', async () => {
      const res = await api.request(ALICE, 'POST', '/v2.0/networks', { network: { name: 'created', description: 'x', mtu: 1400 } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(res.body.network, (await api.request(ALICE, 'GET', `/v2.0/networks/${res.body.network.id}`)).body.network);
      const admin = await api.request(ADMIN, 'POST', '/v2.0/networks', { network: { name: 'prov', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 4242, shared: true, 'router:external': false } });
      assert.equal(admin.status, 201, JSON.stringify(admin.body));
      assert.deepEqual(admin.body.network, (await api.request(ADMIN, 'GET', `/v2.0/networks/${admin.body.network.id}`)).body.network);
      const bulk = await api.request(ALICE, 'POST', '/v2.0/networks', { networks: [{ name: 'b1' }, { name: 'b2', admin_state_up: false }] });
      assert.equal(bulk.status, 201, JSON.stringify(bulk.body));
      for (const n of bulk.body.networks) assert.deepEqual(n, (await api.request(ALICE, 'GET', `/v2.0/networks/${n.id}`)).body.network);
    });
  });
}
