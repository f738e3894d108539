import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, BOB, READER, type TestApi } from '../support/api-server.js';

for (const dialect of DIALECTS) {
  describe(`networks (${dialect})`, () => {
    let api: TestApi;
    before(async () => { api = await startTestApi(dialect); });
    after(async () => { await api?.close(); });

    it('creates a project network on a vxlan segment from the pool with the overlay MTU', async () => {
      const res = await api.request(ALICE, 'POST', '/v2.0/networks', { network: { name: 'net1' } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const net = res.body.network;
      assert.equal(net.name, 'net1');
      assert.equal(net.project_id, ALICE.project);
      assert.equal(net.tenant_id, ALICE.project);
      assert.equal(net.status, 'ACTIVE');
      assert.equal(net.admin_state_up, true);
      assert.equal(net.mtu, 1450);
      assert.equal(net.shared, false);
      assert.equal(net['router:external'], false);
      assert.equal(net.revision_number, 1);
      assert.deepEqual(net.subnets, []);
      assert.match(net.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      // provider attributes are admin-only: hidden from the owner
      assert.equal('provider:network_type' in net, false);
      const asAdmin = await api.request(ADMIN, 'GET', `/v2.0/networks/${net.id}`);
      assert.equal(asAdmin.body.network['provider:network_type'], 'vxlan');
      assert.ok(asAdmin.body.network['provider:segmentation_id'] >= 1);
    });

    it('gives distinct VNIs to concurrently created networks', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => api.request(ADMIN, 'POST', '/v2.0/networks', { network: { name: `c${i}` } })));
      const vnis = results.map((r) => { assert.equal(r.status, 201); return r.body.network['provider:segmentation_id']; });
      assert.equal(new Set(vnis).size, 20);
    });

    it('reserves provider segments and refuses a second network on the same VNI', async () => {
      const a = await api.request(ADMIN, 'POST', '/v2.0/networks', { network: { name: 'p77', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 77 } });
      assert.equal(a.status, 201, JSON.stringify(a.body));
      assert.equal(a.body.network['provider:segmentation_id'], 77);
      const b = await api.request(ADMIN, 'POST', '/v2.0/networks', { network: { name: 'p77b', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 77 } });
      assert.equal(b.status, 409);
      assert.equal(b.body.NeutronError.type, 'TunnelIdInUse');
      // deleting releases it
      assert.equal((await api.request(ADMIN, 'DELETE', `/v2.0/networks/${a.body.network.id}`)).status, 204);
      const c = await api.request(ADMIN, 'POST', '/v2.0/networks', { network: { name: 'p77c', 'provider:network_type': 'vxlan', 'provider:segmentation_id': 77 } });
      assert.equal(c.status, 201);
    });

    it('validates flat and vlan provider segments against the configuration', async () => {
      const flat = await api.request(ADMIN, 'POST', '/v2.0/networks', { network: { 'provider:network_type': 'flat', 'provider:physical_network': 'physnet2' } });
      assert.equal(flat.status, 201);
      assert.equal(flat.body.network.mtu, 1500);
      const again = await api.request(ADMIN, 'POST', '/v2.0/networks', { network: { 'provider:network_type': 'flat', 'provider:physical_network': 'physnet2' } });
      assert.equal(again.body.NeutronError.type, 'FlatNetworkInUse');
      const unknown = await api.request(ADMIN, 'POST', '/v2.0/networks', { network: { 'provider:network_type': 'flat', 'provider:physical_network': 'nope' } });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.NeutronError.message, /physical_network 'nope' unknown for flat provider network/);
      const vlan = await api.request(ADMIN, 'POST', '/v2.0/networks', { network: { 'provider:network_type': 'vlan', 'provider:physical_network': 'physnet1', 'provider:segmentation_id': 5000 } });
      assert.equal(vlan.status, 400);
      const badType = await api.request(ADMIN, 'POST', '/v2.0/networks', { network: { 'provider:network_type': 'bogus' } });
      assert.equal(badType.status, 400);
      assert.match(badType.body.NeutronError.message, /network_type value 'bogus' not supported/);
    });

    it('refuses provider attributes from a non-admin with 403', async () => {
      const res = await api.request(ALICE, 'POST', '/v2.0/networks', { network: { 'provider:network_type': 'vxlan' } });
      assert.equal(res.status, 403);
      assert.equal(res.body.NeutronError.type, 'PolicyNotAuthorized');
    });

    it('hides other projects’ networks and shows shared ones', async () => {
      const priv = (await api.request(BOB, 'POST', '/v2.0/networks', { network: { name: 'bob-private' } })).body.network;
      const shared = (await api.request(ADMIN, 'POST', '/v2.0/networks', { network: { name: 'public', shared: true } })).body.network;
      assert.equal((await api.request(ALICE, 'GET', `/v2.0/networks/${priv.id}`)).status, 404);
      assert.equal((await api.request(ALICE, 'GET', `/v2.0/networks/${shared.id}`)).status, 200);
      const list = (await api.request(ALICE, 'GET', '/v2.0/networks')).body.networks.map((n: any) => n.id);
      assert.ok(list.includes(shared.id));
      assert.ok(!list.includes(priv.id));
      assert.equal((await api.request(ALICE, 'PUT', `/v2.0/networks/${priv.id}`, { network: { name: 'x' } })).status, 404);
      assert.equal((await api.request(ALICE, 'DELETE', `/v2.0/networks/${priv.id}`)).status, 404);
      assert.equal((await api.request(ALICE, 'DELETE', `/v2.0/networks/${shared.id}`)).status, 403);
    });

    it('lets a reader read but not write', async () => {
      assert.equal((await api.request(READER, 'GET', '/v2.0/networks')).status, 200);
      assert.equal((await api.request(READER, 'POST', '/v2.0/networks', { network: { name: 'r' } })).status, 403);
    });

    it('updates with revision numbers and If-Match', async () => {
      const net = (await api.request(ALICE, 'POST', '/v2.0/networks', { network: { name: 'rev' } })).body.network;
      const up = await api.request(ALICE, 'PUT', `/v2.0/networks/${net.id}`, { network: { name: 'rev2', mtu: 1400 } });
      assert.equal(up.status, 200);
      assert.equal(up.body.network.name, 'rev2');
      assert.equal(up.body.network.mtu, 1400);
      assert.equal(up.body.network.revision_number, net.revision_number + 1);
      const stale = await api.request(ALICE, 'PUT', `/v2.0/networks/${net.id}`, { network: { name: 'x' } }, { 'if-match': `revision_number=${net.revision_number}` });
      assert.equal(stale.status, 412);
      const fresh = await api.request(ALICE, 'PUT', `/v2.0/networks/${net.id}`, { network: { name: 'ok' } }, { 'if-match': `revision_number=${up.body.network.revision_number}` });
      assert.equal(fresh.status, 200);
      const tooBig = await api.request(ALICE, 'PUT', `/v2.0/networks/${net.id}`, { network: { mtu: 9000 } });
      assert.equal(tooBig.status, 400);
      const readOnly = await api.request(ALICE, 'PUT', `/v2.0/networks/${net.id}`, { network: { status: 'DOWN' } });
      assert.equal(readOnly.status, 400);
      assert.match(readOnly.body.NeutronError.message, /Cannot update read-only attribute status/);
    });

    it('rejects bad input with 400 naming the attribute', async () => {
      const cases: [unknown, RegExp][] = [
        [{ network: { name: 'x'.repeat(256) } }, /Invalid input for name/],
        [{ network: { admin_state_up: 'maybe' } }, /Invalid input for admin_state_up. Reason: 'maybe' cannot be converted to boolean/],
        [{ network: { foo: 1 } }, /Unrecognized attribute\(s\) 'foo'/],
        [{ network: { id: 'x' } }, /Attribute 'id' not allowed in POST/],
        [{ net: {} }, /Unable to find 'network' in request body/],
        ['{not json', /Malformed request body/],
      ];
      for (const [body, re] of cases) {
        const res = await api.request(ALICE, 'POST', '/v2.0/networks', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(typeof res.body.NeutronError.type, 'string');
        assert.match(res.body.NeutronError.message, re);
      }
    });

    it('answers 404 for unknown resources and 405 for wrong methods', async () => {
      assert.equal((await api.request(ALICE, 'GET', '/v2.0/nothing')).status, 404);
      assert.equal((await api.request(ALICE, 'PATCH', '/v2.0/networks')).status, 405);
      const missing = await api.request(ALICE, 'GET', '/v2.0/networks/5f1b8a1e-2b9f-4e2c-9d3b-0a6c1c2e9f00');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.NeutronError.type, 'NetworkNotFound');
    });

    it('bulk-creates atomically and enforces the quota', async () => {
      const project = { project: 'project-quota', roles: ['member', 'reader'] };
      assert.equal((await api.request(ADMIN, 'PUT', '/v2.0/quotas/project-quota', { quota: { network: 3 } })).status, 200);
      const ok = await api.request(project, 'POST', '/v2.0/networks', { networks: [{ name: 'a' }, { name: 'b' }] });
      assert.equal(ok.status, 201);
      assert.equal(ok.body.networks.length, 2);
      const over = await api.request(project, 'POST', '/v2.0/networks', { networks: [{ name: 'c' }, { name: 'd' }] });
      assert.equal(over.status, 409);
      assert.equal(over.body.NeutronError.type, 'OverQuota');
      const mine = (await api.request(project, 'GET', '/v2.0/networks?fields=name&project_id=project-quota')).body.networks;
      assert.deepEqual(mine.map((n: any) => n.name).sort(), ['a', 'b']);
      const details = (await api.request(ADMIN, 'GET', '/v2.0/quotas/project-quota/details')).body.quota;
      assert.deepEqual(details.network, { limit: 3, used: 2, reserved: 0 });
    });

    it('filters, sorts, paginates and filters by tags', async () => {
      const p = { project: 'project-list', roles: ['member', 'reader'] };
      const ids: string[] = [];
      for (const name of ['n3', 'n1', 'n2', 'n5', 'n4']) ids.push((await api.request(p, 'POST', '/v2.0/networks', { network: { name, admin_state_up: name !== 'n4' } })).body.network.id);
      const sorted = (await api.request(p, 'GET', '/v2.0/networks?project_id=project-list&sort_key=name&sort_dir=desc')).body.networks.map((n: any) => n.name);
      assert.deepEqual(sorted, ['n5', 'n4', 'n3', 'n2', 'n1']);
      const any = (await api.request(p, 'GET', '/v2.0/networks?name=n1&name=n2&sort_key=name&sort_dir=asc')).body.networks.map((n: any) => n.name);
      assert.deepEqual(any, ['n1', 'n2']);
      const down = (await api.request(p, 'GET', '/v2.0/networks?project_id=project-list&admin_state_up=False')).body.networks.map((n: any) => n.name);
      assert.deepEqual(down, ['n4']);
      const page1 = (await api.request(p, 'GET', '/v2.0/networks?project_id=project-list&sort_key=name&sort_dir=asc&limit=2')).body;
      assert.deepEqual(page1.networks.map((n: any) => n.name), ['n1', 'n2']);
      const next = page1.networks_links.find((l: any) => l.rel === 'next');
      const page2 = (await api.request(p, 'GET', next.href.replace(/^https?:\/\/[^/]+/, ''))).body;
      assert.deepEqual(page2.networks.map((n: any) => n.name), ['n3', 'n4']);
      const bad = await api.request(p, 'GET', '/v2.0/networks?bogus=1');
      assert.equal(bad.status, 400);
      assert.match(bad.body.NeutronError.message, /\['bogus'\] is invalid attribute for filtering/);
      assert.equal((await api.request(p, 'GET', '/v2.0/networks?sort_key=subnets&sort_dir=asc')).status, 400);
      // tags
      assert.equal((await api.request(p, 'PUT', `/v2.0/networks/${ids[0]}/tags`, { tags: ['red', 'blue'] })).status, 200);
      assert.equal((await api.request(p, 'PUT', `/v2.0/networks/${ids[1]}/tags/red`)).status, 201);
      const red = (await api.request(p, 'GET', '/v2.0/networks?tags=red&sort_key=name&sort_dir=asc')).body.networks.map((n: any) => n.name);
      assert.deepEqual(red, ['n1', 'n3']);
      const both = (await api.request(p, 'GET', '/v2.0/networks?tags=red,blue')).body.networks.map((n: any) => n.name);
      assert.deepEqual(both, ['n3']);
      const notRed = (await api.request(p, 'GET', '/v2.0/networks?project_id=project-list&not-tags-any=red&sort_key=name&sort_dir=asc')).body.networks.map((n: any) => n.name);
      assert.deepEqual(notRed, ['n2', 'n4', 'n5']);
      const shown = (await api.request(p, 'GET', `/v2.0/networks/${ids[0]}`)).body.network;
      assert.deepEqual(shown.tags, ['blue', 'red']);
      assert.equal((await api.request(p, 'DELETE', `/v2.0/networks/${ids[0]}/tags/green`)).status, 404);
    });

    it('lists the implemented extensions with Neutron’s names', async () => {
      const res = await api.request(ALICE, 'GET', '/v2.0/extensions');
      const byAlias = new Map(res.body.extensions.map((e: any) => [e.alias, e]));
      assert.equal((byAlias.get('security-group') as any).name, 'security-group');
      assert.equal((byAlias.get('provider') as any).name, 'Provider Network');
      const one = await api.request(ALICE, 'GET', '/v2.0/extensions/net-mtu');
      assert.equal(one.body.extension.updated, '2015-03-25T10:00:00-00:00');
      assert.equal((await api.request(ALICE, 'GET', '/v2.0/extensions/nope')).status, 404);
    });
  });
}
