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

    it('a port with two IPv4 addresses: fixed_ip_address required (400), chooses which, must be the port\'s', async () => {
      const p = await port(a.net, { fixed_ips: [{ ip_address: '10.10.0.20' }, { ip_address: '10.10.0.21' }] });
      const multiple = `Bad floatingip request: Port ${p.id} has multiple fixed IPv4 addresses.  Must provide a specific IPv4 address when assigning a floating IP.`;
      const ambiguous = await fip({ port_id: p.id });
      assert.equal(ambiguous.status, 400);
      assert.equal(ambiguous.body.NeutronError.type, 'BadRequest');
      assert.equal(ambiguous.body.NeutronError.message, multiple);
      assert.equal((await ok(api.request(ALICE, 'GET', '/v2.0/floatingips'))).floatingips.length, 0, 'the refused create left nothing');
      const second = (await ok(fip({ port_id: p.id, fixed_ip_address: '10.10.0.21' }), 201)).floatingip;
      assert.equal(second.port_id, p.id);
      assert.equal(second.fixed_ip_address, '10.10.0.21');
      assert.equal(second.router_id, router.id);
      // the other address may have a floating IP of its own
      const first = (await ok(fip({ port_id: p.id, fixed_ip_address: '10.10.0.20' }), 201)).floatingip;
      assert.equal(first.fixed_ip_address, '10.10.0.20');
      const notOurs = await fip({ port_id: p.id, fixed_ip_address: '10.10.0.22' });
      assert.equal(notOurs.status, 400);
      assert.equal(notOurs.body.NeutronError.type, 'BadRequest');
      assert.equal(notOurs.body.NeutronError.message, `Bad floatingip request: Port ${p.id} does not have fixed ip 10.10.0.22.`);
      // the same rules on update
      const spare = (await ok(fip({}), 201)).floatingip;
      const putAmbiguous = await api.request(ALICE, 'PUT', `/v2.0/floatingips/${spare.id}`, { floatingip: { port_id: p.id } });
      assert.equal(putAmbiguous.status, 400);
      assert.equal(putAmbiguous.body.NeutronError.message, multiple);
      const putNotOurs = await api.request(ALICE, 'PUT', `/v2.0/floatingips/${second.id}`, { floatingip: { port_id: p.id, fixed_ip_address: '10.10.0.22' } });
      assert.equal(putNotOurs.status, 400);
      assert.equal(putNotOurs.body.NeutronError.message, `Bad floatingip request: Port ${p.id} does not have fixed ip 10.10.0.22.`);
      const kept = (await ok(api.request(ALICE, 'GET', `/v2.0/floatingips/${second.id}`))).floatingip;
      assert.equal(kept.fixed_ip_address, '10.10.0.21', 'a refused update keeps the association');
      assert.equal((await ok(api.request(ALICE, 'GET', `/v2.0/floatingips/${spare.id}`))).floatingip.port_id, null);
      for (const f of [first, second, spare]) await ok(api.request(ALICE, 'DELETE', `/v2.0/floatingips/${f.id}`), 204);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/ports/${p.id}`), 204);
    });

    it('a floating IP\'s own port refuses DELETE /v2.0/ports: 409 ServicePortInUse', async () => {
      const f = (await ok(fip({}), 201)).floatingip;
      const held = (await ok(api.request(ADMIN, 'GET', `/v2.0/ports?device_id=${f.id}&device_owner=network:floatingip`))).ports[0];
      // it belongs to no project: the floating IP's owner doesn't see it
      const member = await api.request(ALICE, 'DELETE', `/v2.0/ports/${held.id}`);
      assert.equal(member.status, 404);
      assert.equal(member.body.NeutronError.type, 'PortNotFound');
      const res = await api.request(ADMIN, 'DELETE', `/v2.0/ports/${held.id}`);
      assert.equal(res.status, 409);
      assert.equal(res.body.NeutronError.type, 'ServicePortInUse');
      assert.equal(res.body.NeutronError.message, `Port ${held.id} cannot be deleted directly via the port API: has device owner network:floatingip.`);
      const still = (await ok(api.request(ALICE, 'GET', `/v2.0/floatingips/${f.id}`))).floatingip;
      assert.equal(still.floating_ip_address, f.floating_ip_address);
      await ok(api.request(ADMIN, 'GET', `/v2.0/ports/${held.id}`));
      await ok(api.request(ALICE, 'DELETE', `/v2.0/floatingips/${f.id}`), 204);
      assert.equal((await api.request(ADMIN, 'GET', `/v2.0/ports/${held.id}`)).status, 404);
    });

    it('deleting an external network with unassociated floating IPs (no router gateway) deletes them with it', async () => {
      // Neutron: the network's BEFORE_DELETE callback (external_net_db._process_l3_delete) deletes
      // the floating IPs with neither port nor router, of every project, before the in-use check.
      const { ext: other } = await externalNetwork(api, '198.51.100.0/24', 'other');
      const mine = (await ok(api.request(ALICE, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: other.id } }), 201)).floatingip;
      const bobs = (await ok(api.request(BOB, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: other.id } }), 201)).floatingip;
      await ok(api.request(ALICE, 'PUT', `/v2.0/floatingips/${mine.id}/tags/keep`, undefined), 201);
      const holders = (await ok(api.request(ADMIN, 'GET', `/v2.0/ports?network_id=${other.id}`))).ports;
      assert.equal(holders.length, 2);
      assert.ok(holders.every((h: any) => h.device_owner === 'network:floatingip'));
      await ok(api.request(ADMIN, 'DELETE', `/v2.0/networks/${other.id}`), 204);
      assert.equal((await api.request(ADMIN, 'GET', `/v2.0/networks/${other.id}`)).status, 404);
      for (const f of [mine, bobs]) {
        const gone = await api.request(ADMIN, 'GET', `/v2.0/floatingips/${f.id}`);
        assert.equal(gone.status, 404);
        assert.equal(gone.body.NeutronError.type, 'FloatingIPNotFound');
      }
      for (const h of holders) assert.equal((await api.request(ADMIN, 'GET', `/v2.0/ports/${h.id}`)).status, 404);
      assert.equal((await ok(api.request(ALICE, 'GET', '/v2.0/floatingips'))).floatingips.length, 0);
    });

    it('an external network whose floating IP is associated is in use: 409 NetworkInUse, nothing deleted', async () => {
      // An associated floating IP needs a router gateway on its network; that port keeps the
      // network in use, and the associated floating IP is not one the delete removes.
      const p = await port();
      const f = (await ok(fip({ port_id: p.id }), 201)).floatingip;
      const free = (await ok(fip({}), 201)).floatingip;
      const res = await api.request(ADMIN, 'DELETE', `/v2.0/networks/${ext.id}`);
      assert.equal(res.status, 409);
      assert.equal(res.body.NeutronError.type, 'NetworkInUse');
      assert.match(res.body.NeutronError.message, new RegExp(`^Unable to complete operation on network ${ext.id}\\. There are one or more ports still in use on the network`));
      assert.equal((await ok(api.request(ALICE, 'GET', `/v2.0/floatingips/${f.id}`))).floatingip.port_id, p.id);
      await ok(api.request(ALICE, 'GET', `/v2.0/floatingips/${free.id}`));
      for (const x of [f, free]) await ok(api.request(ALICE, 'DELETE', `/v2.0/floatingips/${x.id}`), 204);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/ports/${p.id}`), 204);
    });
  });
}
