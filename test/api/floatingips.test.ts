import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, BOB, type TestApi } from '../support/api-server.js';
import { ok, externalNetwork, projectNetwork } from './l3-fixtures.js';

for (const dialect of DIALECTS) {
  describe(`floating IPs (${dialect})`, () => {
    let api: TestApi;
    let ext: any;
    let extSubnet: any;
    let router: any;
    let a: any;
    before(async () => {
      api = await startTestApi(dialect, '[quotas]\nquota_floatingip = 5\n');
      ({ ext, extSubnet } = await externalNetwork(api, '203.0.113.0/24'));
      router = (await ok(api.request(ALICE, 'POST', '/v2.0/routers', { router: { name: 'r', external_gateway_info: { network_id: ext.id } } }), 201)).router;
      a = await projectNetwork(api, '10.10.0.0/24');
      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: a.subnet.id }));
    });
    after(async () => { await api?.close(); });

    const port = async (net = a.net, body: Record<string, unknown> = {}) => (await ok(api.request(ALICE, 'POST', '/v2.0/ports', { port: { network_id: net.id, ...body } }), 201)).port;
    const fip = (body: Record<string, unknown>, caller = ALICE) => api.request(caller, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, ...body } });

    it('allocates an address on the external network, DOWN, held by a network:floatingip port', async () => {
      const f = (await ok(fip({}), 201)).floatingip;
      assert.equal(f.status, 'DOWN');
      assert.equal(f.port_id, null);
      assert.equal(f.router_id, null);
      assert.equal(f.port_details, null);
      assert.deepEqual(f.port_forwardings, []);
      assert.ok(f.floating_ip_address.startsWith('203.0.113.'));
      const holders = (await ok(api.request(ADMIN, 'GET', `/v2.0/ports?device_owner=network:floatingip&device_id=${f.id}`))).ports;
      assert.equal(holders.length, 1);
      assert.equal(holders[0].fixed_ips[0].ip_address, f.floating_ip_address);
      // a chosen address is admin-only by policy; taken addresses are 409
      assert.equal((await fip({ floating_ip_address: '203.0.113.50' })).status, 403);
      const chosen = (await ok(fip({ floating_ip_address: '203.0.113.50' }, ADMIN), 201)).floatingip;
      assert.equal(chosen.floating_ip_address, '203.0.113.50');
      assert.equal((await fip({ floating_ip_address: '203.0.113.50' }, ADMIN)).body.NeutronError.type, 'IpAddressAlreadyAllocated');
      await ok(api.request(ADMIN, 'DELETE', `/v2.0/floatingips/${chosen.id}`), 204);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/floatingips/${f.id}`), 204);
      assert.equal((await ok(api.request(ADMIN, 'GET', `/v2.0/ports?device_id=${f.id}`))).ports.length, 0);
    });

    it('refuses non-external networks and unknown ones', async () => {
      const bad = await api.request(ALICE, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: a.net.id } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.NeutronError.message, `Bad floatingip request: Network ${a.net.id} is not a valid external network.`);
      assert.equal((await api.request(ALICE, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: '00000000-0000-0000-0000-00000000000f' } })).status, 404);
      assert.equal((await api.request(ALICE, 'POST', '/v2.0/floatingips', { floatingip: {} })).status, 400);
    });

    it('associates through the router, shows port_details, re-associates, disassociates', async () => {
      const p1 = await port();
      const p2 = await port();
      const f = (await ok(fip({ port_id: p1.id }), 201)).floatingip;
      assert.equal(f.router_id, router.id);
      assert.equal(f.port_id, p1.id);
      assert.equal(f.fixed_ip_address, p1.fixed_ips[0].ip_address);
      assert.equal(f.port_details.mac_address, p1.mac_address);
      assert.equal(f.port_details.network_id, a.net.id);
      const dup = await fip({ port_id: p1.id });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.NeutronError.type, 'FloatingIPPortAlreadyAssociated');
      const moved = (await ok(api.request(ALICE, 'PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: p2.id } }))).floatingip;
      assert.equal(moved.port_id, p2.id);
      assert.equal(moved.revision_number, f.revision_number + 1);
      assert.equal((await ok(api.request(ALICE, 'GET', `/v2.0/floatingips?port_id=${p2.id}`))).floatingips.length, 1);
      assert.equal((await ok(api.request(ALICE, 'GET', `/v2.0/floatingips?router_id=${router.id}`))).floatingips.length, 1);
      // the interface is needed by the floating IP
      const inUse = await api.request(ALICE, 'PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: a.subnet.id });
      assert.equal(inUse.status, 409);
      assert.equal(inUse.body.NeutronError.type, 'RouterInterfaceInUseByFloatingIP');
      const gwInUse = await api.request(ALICE, 'PUT', `/v2.0/routers/${router.id}`, { router: { external_gateway_info: null } });
      assert.equal(gwInUse.status, 409);
      assert.equal(gwInUse.body.NeutronError.type, 'RouterExternalGatewayInUseByFloatingIp');
      const off = (await ok(api.request(ALICE, 'PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: null } }))).floatingip;
      assert.equal(off.port_id, null);
      assert.equal(off.router_id, null);
      assert.equal(off.fixed_ip_address, null);
      // deleting an associated port disassociates
      await ok(api.request(ALICE, 'PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: p1.id, fixed_ip_address: p1.fixed_ips[0].ip_address } }));
      await ok(api.request(ALICE, 'DELETE', `/v2.0/ports/${p1.id}`), 204);
      const after = (await ok(api.request(ALICE, 'GET', `/v2.0/floatingips/${f.id}`))).floatingip;
      assert.equal(after.port_id, null);
      assert.equal(after.router_id, null);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/floatingips/${f.id}`), 204);
    });

    it('refuses unreachable ports, foreign ports, wrong fixed IPs', async () => {
      const island = await projectNetwork(api, '10.11.0.0/24');
      const lonely = await port(island.net);
      const unreachable = await fip({ port_id: lonely.id });
      assert.equal(unreachable.status, 404);
      assert.equal(unreachable.body.NeutronError.type, 'ExternalGatewayForFloatingIPNotFound');
      assert.equal(unreachable.body.NeutronError.message, `External network ${ext.id} is not reachable from subnet ${island.subnet.id}.  Therefore, cannot associate Port ${lonely.id} with a Floating IP.`);
      const p = await port();
      const wrong = await fip({ port_id: p.id, fixed_ip_address: '10.10.0.250' });
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.NeutronError.message, `Bad floatingip request: Port ${p.id} does not have fixed ip 10.10.0.250.`);
      assert.equal((await fip({ fixed_ip_address: '10.10.0.250' })).body.NeutronError.message, 'Bad floatingip request: fixed_ip_address cannot be specified without a port_id.');
      assert.equal((await fip({ port_id: p.id }, BOB)).status, 404);
      // nothing was left behind by the failed creates
      assert.equal((await ok(api.request(ALICE, 'GET', '/v2.0/floatingips'))).floatingips.length, 0);
    });

    it('quota, pools, visibility and the external network in use', async () => {
      const made = [];
      for (let i = 0; i < 5; i++) made.push((await ok(fip({}), 201)).floatingip);
      const over = await fip({});
      assert.equal(over.status, 409);
      assert.equal(over.body.NeutronError.type, 'OverQuota');
      assert.equal((await ok(api.request(BOB, 'GET', '/v2.0/floatingips'))).floatingips.length, 0);
      assert.equal((await api.request(BOB, 'GET', `/v2.0/floatingips/${made[0].id}`)).status, 404);
      const pools = (await ok(api.request(BOB, 'GET', '/v2.0/floatingip_pools'))).floatingip_pools;
      assert.deepEqual(pools, [{ subnet_id: extSubnet.id, subnet_name: '', network_id: ext.id, cidr: '203.0.113.0/24', project_id: extSubnet.project_id }]);
      const delExt = await api.request(ADMIN, 'DELETE', `/v2.0/networks/${ext.id}`);
      assert.equal(delExt.status, 409);
      for (const f of made) await ok(api.request(ALICE, 'DELETE', `/v2.0/floatingips/${f.id}`), 204);
      const guarded = await api.request(ADMIN, 'DELETE', `/v2.0/floatingips/00000000-0000-0000-0000-000000000009`);
      assert.equal(guarded.status, 404);
      assert.equal(guarded.body.NeutronError.type, 'FloatingIPNotFound');
    });
  });
}
