/**
 * Issue 4's "Bad input" cases not already in routers.test.ts / floatingips.test.ts, with Neutron's
 * error types and messages (neutron/db/l3_db.py: _get_router_for_floatingip,
 * _check_for_dup_router_subnets, _validate_gw_info): a floating IP whose port no router connects to
 * the floating network (no router, a router without gateway, a gateway on another external network;
 * on create and on update), an interface on a subnet the router already has (by port, and the
 * gateway's own subnet), a gateway update to a non-external network. Failed requests change nothing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, BOB, type TestApi } from '../support/api-server.js';
import { ok, externalNetwork, projectNetwork } from './l3-fixtures.js';

for (const dialect of DIALECTS) {
  describe(`L3 bad input (${dialect})`, () => {
    let api: TestApi;
    let ext: any;
    let extSubnet: any;
    let other: any;
    before(async () => {
      api = await startTestApi(dialect);
      ({ ext, extSubnet } = await externalNetwork(api, '203.0.113.0/24'));
      ({ ext: other } = await externalNetwork(api, '198.51.100.0/24', 'other'));
    });
    after(async () => { await api?.close(); });

    const router = async (body: Record<string, unknown> = {}) => (await ok(api.request(ALICE, 'POST', '/v2.0/routers', { router: { name: 'r', ...body } }), 201)).router;
    const put = (id: string, action: string, body: unknown, caller = ALICE) => api.request(caller, 'PUT', `/v2.0/routers/${id}/${action}`, body);
    const port = async (net: any) => (await ok(api.request(ALICE, 'POST', '/v2.0/ports', { port: { network_id: net.id } }), 201)).port;
    const fip = (body: Record<string, unknown>) => api.request(ALICE, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, ...body } });
    const unreachable = (subnetId: string, portId: string) =>
      `External network ${ext.id} is not reachable from subnet ${subnetId}.  Therefore, cannot associate Port ${portId} with a Floating IP.`;
    const fipCount = async () => (await ok(api.request(ALICE, 'GET', '/v2.0/floatingips'))).floatingips.length;

    it('floating IP on a port no router connects to the floating network: 404 ExternalGatewayForFloatingIPNotFound, nothing left behind', async () => {
      const a = await projectNetwork(api, '10.20.0.0/24');
      const p = await port(a.net);
      const before = await fipCount();
      // 1. a router on the subnet but without a gateway
      const r = await router();
      await ok(put(r.id, 'add_router_interface', { subnet_id: a.subnet.id }));
      const noGw = await fip({ port_id: p.id });
      assert.equal(noGw.status, 404);
      assert.equal(noGw.body.NeutronError.type, 'ExternalGatewayForFloatingIPNotFound');
      assert.equal(noGw.body.NeutronError.message, unreachable(a.subnet.id, p.id));
      // 2. its gateway on another external network
      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: other.id } } }));
      const otherGw = await fip({ port_id: p.id });
      assert.equal(otherGw.status, 404);
      assert.equal(otherGw.body.NeutronError.type, 'ExternalGatewayForFloatingIPNotFound');
      assert.equal(await fipCount(), before, 'no floating IP created by the refused requests');
      assert.equal((await ok(api.request(ADMIN, 'GET', `/v2.0/ports?network_id=${ext.id}&device_owner=network:floatingip`))).ports.length, 0, 'no address held');
      // the gateway on the floating network: the same request now succeeds
      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: ext.id } } }));
      const made = (await ok(fip({ port_id: p.id }), 201)).floatingip;
      assert.equal(made.router_id, r.id);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/floatingips/${made.id}`), 204);
    });

    it('associating (PUT) an existing floating IP to an unreachable port: 404, the floating IP keeps its association', async () => {
      const a = await projectNetwork(api, '10.21.0.0/24');
      const island = await projectNetwork(api, '10.22.0.0/24');
      const r = await router({ external_gateway_info: { network_id: ext.id } });
      await ok(put(r.id, 'add_router_interface', { subnet_id: a.subnet.id }));
      const reachable = await port(a.net);
      const lonely = await port(island.net);
      const f = (await ok(fip({}), 201)).floatingip;
      const res = await api.request(ALICE, 'PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: lonely.id } });
      assert.equal(res.status, 404);
      assert.equal(res.body.NeutronError.type, 'ExternalGatewayForFloatingIPNotFound');
      assert.equal(res.body.NeutronError.message, unreachable(island.subnet.id, lonely.id));
      let shown = (await ok(api.request(ALICE, 'GET', `/v2.0/floatingips/${f.id}`))).floatingip;
      assert.equal(shown.port_id, null);
      assert.equal(shown.router_id, null);
      assert.equal(shown.status, 'DOWN');
      // moving an associated floating IP to an unreachable port: refused, stays where it was
      await ok(api.request(ALICE, 'PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: reachable.id } }));
      const move = await api.request(ALICE, 'PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: lonely.id } });
      assert.equal(move.status, 404);
      assert.equal(move.body.NeutronError.type, 'ExternalGatewayForFloatingIPNotFound');
      shown = (await ok(api.request(ALICE, 'GET', `/v2.0/floatingips/${f.id}`))).floatingip;
      assert.equal(shown.port_id, reachable.id);
      assert.equal(shown.router_id, r.id);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/floatingips/${f.id}`), 204);
    });

    it('router interface on a subnet the router already has: by port 400 (port left unowned), its gateway subnet 400; another router by its own port is allowed', async () => {
      const a = await projectNetwork(api, '10.23.0.0/24');
      const r = await router({ external_gateway_info: { network_id: ext.id } });
      await ok(put(r.id, 'add_router_interface', { subnet_id: a.subnet.id }));
      const p = await port(a.net);
      const byPort = await put(r.id, 'add_router_interface', { port_id: p.id });
      assert.equal(byPort.status, 400);
      assert.equal(byPort.body.NeutronError.type, 'BadRequest');
      assert.equal(byPort.body.NeutronError.message, `Bad router request: Router already has a port on subnet ${a.subnet.id}.`);
      const after = (await ok(api.request(ALICE, 'GET', `/v2.0/ports/${p.id}`))).port;
      assert.equal(after.device_owner, '', 'the refused port is not left owned by the router');
      assert.equal(after.device_id, '');
      // the external subnet the gateway port is on (admin: the subnet is not the project's)
      const gwSubnet = await put(r.id, 'add_router_interface', { subnet_id: extSubnet.id }, ADMIN);
      assert.equal(gwSubnet.status, 400);
      assert.equal(gwSubnet.body.NeutronError.message, `Bad router request: Router already has a port on subnet ${extSubnet.id}.`);
      // a member may not attach a subnet of another project (the external one) at all
      const foreign = await put(r.id, 'add_router_interface', { subnet_id: extSubnet.id });
      assert.equal(foreign.status, 400);
      assert.equal(foreign.body.NeutronError.message, `Bad router request: Cannot add interface to router because subnet ${extSubnet.id} is not owned by project making the request.`);
      assert.equal((await ok(api.request(ALICE, 'GET', `/v2.0/ports?device_id=${r.id}&device_owner=network:router_interface`))).ports.length, 1);
      // Neutron only refuses duplicates on the same router: another router attaches by a port of its own.
      const r2 = await router();
      const viaPort = await ok(put(r2.id, 'add_router_interface', { port_id: p.id }));
      assert.deepEqual(viaPort.subnet_ids, [a.subnet.id]);
    });

    it('router:external from a project member: 403 on create and on update (admin-only policy), the network unchanged', async () => {
      // neutron/conf/policies/network.py: create_network:router:external and
      // update_network:router:external are ADMIN; an explicitly given value counts, false included.
      const created = await api.request(ALICE, 'POST', '/v2.0/networks', { network: { name: 'wannabe', 'router:external': true } });
      assert.equal(created.status, 403);
      assert.equal(created.body.NeutronError.type, 'PolicyNotAuthorized');
      assert.equal(created.body.NeutronError.message, '(rule:create_network and rule:create_network:router:external) is disallowed by policy');
      const createdFalse = await api.request(ALICE, 'POST', '/v2.0/networks', { network: { name: 'internal', 'router:external': false } });
      assert.equal(createdFalse.status, 403);
      assert.equal(createdFalse.body.NeutronError.message, '(rule:create_network and rule:create_network:router:external) is disallowed by policy');
      assert.equal((await ok(api.request(ALICE, 'GET', '/v2.0/networks?name=wannabe'))).networks.length, 0);
      const { net: made } = await projectNetwork(api, '10.25.0.0/24');
      const net = (await ok(api.request(ALICE, 'GET', `/v2.0/networks/${made.id}`))).network;
      const updated = await api.request(ALICE, 'PUT', `/v2.0/networks/${net.id}`, { network: { 'router:external': true } });
      assert.equal(updated.status, 403);
      assert.equal(updated.body.NeutronError.type, 'PolicyNotAuthorized');
      assert.equal(updated.body.NeutronError.message, '(rule:update_network and rule:update_network:router:external) is disallowed by policy');
      const updatedFalse = await api.request(ALICE, 'PUT', `/v2.0/networks/${net.id}`, { network: { 'router:external': false } });
      assert.equal(updatedFalse.status, 403);
      const shown = (await ok(api.request(ALICE, 'GET', `/v2.0/networks/${net.id}`))).network;
      assert.equal(shown['router:external'], false);
      assert.equal(shown.revision_number, net.revision_number);
      // another project's network: not found rather than forbidden
      assert.equal((await api.request(BOB, 'PUT', `/v2.0/networks/${net.id}`, { network: { 'router:external': true } })).status, 404);
      // the admin may
      const madeExternal = (await ok(api.request(ADMIN, 'PUT', `/v2.0/networks/${net.id}`, { network: { 'router:external': true } }))).network;
      assert.equal(madeExternal['router:external'], true);
    });

    it('gateway update to a non-external network: 400 BadRequest, the gateway stays', async () => {
      const a = await projectNetwork(api, '10.24.0.0/24');
      const r = await router({ external_gateway_info: { network_id: ext.id } });
      const res = await api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: a.net.id } } });
      assert.equal(res.status, 400);
      assert.equal(res.body.NeutronError.type, 'BadRequest');
      assert.equal(res.body.NeutronError.message, `Bad router request: Network ${a.net.id} is not an external network.`);
      const shown = (await ok(api.request(ALICE, 'GET', `/v2.0/routers/${r.id}`))).router;
      assert.equal(shown.external_gateway_info.network_id, ext.id);
      assert.deepEqual(shown.external_gateway_info.external_fixed_ips, r.external_gateway_info.external_fixed_ips);
      assert.equal((await ok(api.request(ADMIN, 'GET', `/v2.0/ports?device_id=${r.id}&device_owner=network:router_gateway`))).ports.length, 1);
    });
  });
}
