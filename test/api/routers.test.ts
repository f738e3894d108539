import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, BOB, type TestApi } from '../support/api-server.js';
import { ok, externalNetwork, projectNetwork } from './l3-fixtures.js';

for (const dialect of DIALECTS) {
  describe(`routers (${dialect})`, () => {
    let api: TestApi;
    let ext: any;
    before(async () => {
      api = await startTestApi(dialect, '[quotas]\nquota_router = 4\n');
      ({ ext } = await externalNetwork(api, '198.51.100.0/24'));
    });
    after(async () => { await api?.close(); });

    const router = async (body: Record<string, unknown> = {}, caller = ALICE) => (await ok(api.request(caller, 'POST', '/v2.0/routers', { router: { name: 'r', ...body } }), 201)).router;
    const put = (id: string, action: string, body: unknown, caller = ALICE) => api.request(caller, 'PUT', `/v2.0/routers/${id}/${action}`, body);

    it('creates a router with a gateway: gateway port owned by no project, SNAT on by default, ha/distributed refused', async () => {
      const r = await router({ external_gateway_info: { network_id: ext.id } });
      assert.equal(r.status, 'ACTIVE');
      assert.equal(r.external_gateway_info.network_id, ext.id);
      assert.equal(r.external_gateway_info.enable_snat, true);
      assert.equal(r.external_gateway_info.external_fixed_ips.length, 1);
      assert.deepEqual(r.routes, []);
      assert.equal('ha' in r, false); // get_router:ha is admin-only
      const asAdmin = (await ok(api.request(ADMIN, 'GET', `/v2.0/routers/${r.id}`))).router;
      assert.equal(asAdmin.ha, false);
      assert.equal(asAdmin.distributed, false);
      const gw = (await ok(api.request(ADMIN, 'GET', `/v2.0/ports?device_id=${r.id}&device_owner=network:router_gateway`))).ports;
      assert.equal(gw.length, 1);
      assert.equal(gw[0].project_id, '');
      assert.equal(gw[0].fixed_ips[0].ip_address, r.external_gateway_info.external_fixed_ips[0].ip_address);
      const ha = await api.request(ADMIN, 'POST', '/v2.0/routers', { router: { name: 'x', ha: true } });
      assert.equal(ha.status, 400);
      const dvr = await api.request(ADMIN, 'PUT', `/v2.0/routers/${r.id}`, { router: { distributed: true } });
      assert.equal(dvr.status, 400);
      // BOB can't see ALICE's router
      assert.equal((await api.request(BOB, 'GET', `/v2.0/routers/${r.id}`)).status, 404);
      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: null } }));
      assert.equal((await ok(api.request(ADMIN, 'GET', `/v2.0/ports?device_id=${r.id}`))).ports.length, 0);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/routers/${r.id}`), 204);
    });

    it('refuses a gateway on a non-external network, enable_snat for non-admins, and bad gateway info', async () => {
      const { net } = await projectNetwork(api, '10.90.0.0/24');
      const res = await api.request(ALICE, 'POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: net.id } } });
      assert.equal(res.status, 400);
      assert.equal(res.body.NeutronError.type, 'BadRequest');
      assert.equal(res.body.NeutronError.message, `Bad router request: Network ${net.id} is not an external network.`);
      const snat = await api.request(ALICE, 'POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: ext.id, enable_snat: false } } });
      assert.equal(snat.status, 403);
      // Neutron's sub-attribute match names every key's rule.
      assert.equal(snat.body.NeutronError.message, '(rule:create_router and (rule:create_router:external_gateway_info and '
        + '(rule:create_router:external_gateway_info:network_id and rule:create_router:external_gateway_info:enable_snat))) is disallowed by policy');
      const admin = await router({ external_gateway_info: { network_id: ext.id, enable_snat: false } }, ADMIN);
      assert.equal(admin.external_gateway_info.enable_snat, false);
      const own = await router({ external_gateway_info: { network_id: ext.id } });
      const snatOff = await api.request(ALICE, 'PUT', `/v2.0/routers/${own.id}`, { router: { external_gateway_info: { network_id: ext.id, enable_snat: false } } });
      assert.equal(snatOff.status, 403);
      assert.equal(snatOff.body.NeutronError.type, 'PolicyNotAuthorized');
      assert.equal((await ok(api.request(ALICE, 'GET', `/v2.0/routers/${own.id}`))).router.external_gateway_info.enable_snat, true);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/routers/${own.id}`), 204);
      const missing = await api.request(ALICE, 'POST', '/v2.0/routers', { router: { external_gateway_info: { enable_snat: true } } });
      assert.equal(missing.status, 400);
      const unknown = await api.request(ALICE, 'POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: ext.id, foo: 1 } } });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.NeutronError.message, /Unexpected keys supplied: foo/);
      const nonet = await api.request(ALICE, 'POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: '00000000-0000-0000-0000-000000000001' } } });
      assert.equal(nonet.status, 404);
      const fixed = await router({ external_gateway_info: { network_id: ext.id, external_fixed_ips: [{ ip_address: '198.51.100.77' }] } }, ADMIN);
      assert.equal(fixed.external_gateway_info.external_fixed_ips[0].ip_address, '198.51.100.77');
      const gwIp = await api.request(ADMIN, 'POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: ext.id, external_fixed_ips: [{ ip_address: '198.51.100.1' }] } } });
      assert.equal(gwIp.status, 400);
      assert.match(gwIp.body.NeutronError.message, /External IP 198.51.100.1 is the same as the gateway IP/);
      for (const r of [admin, fixed]) await ok(api.request(ADMIN, 'DELETE', `/v2.0/routers/${r.id}`), 204);
    });

    it('attaches subnets by subnet (gateway IP) and by port, with Neutron conflicts; in-use rules', async () => {
      const r = await router({ external_gateway_info: { network_id: ext.id } });
      const a = await projectNetwork(api, '10.1.0.0/24');
      const info = await ok(put(r.id, 'add_router_interface', { subnet_id: a.subnet.id }));
      assert.equal(info.id, r.id);
      assert.equal(info.subnet_id, a.subnet.id);
      assert.deepEqual(info.subnet_ids, [a.subnet.id]);
      const port = (await ok(api.request(ALICE, 'GET', `/v2.0/ports/${info.port_id}`))).port;
      assert.equal(port.device_owner, 'network:router_interface');
      assert.equal(port.device_id, r.id);
      assert.deepEqual(port.fixed_ips, [{ subnet_id: a.subnet.id, ip_address: '10.1.0.1' }]);
      // the same subnet again: 400; another router on the same gateway IP: 409
      const again = await put(r.id, 'add_router_interface', { subnet_id: a.subnet.id });
      assert.equal(again.status, 400);
      assert.equal(again.body.NeutronError.message, `Bad router request: Router already has a port on subnet ${a.subnet.id}.`);
      const r2 = await router();
      const other = await put(r2.id, 'add_router_interface', { subnet_id: a.subnet.id });
      assert.equal(other.status, 409);
      assert.equal(other.body.NeutronError.type, 'IpAddressAlreadyAllocated');
      // by port
      const b = await projectNetwork(api, '10.2.0.0/24');
      const bport = (await ok(api.request(ALICE, 'POST', '/v2.0/ports', { port: { network_id: b.net.id } }), 201)).port;
      const byPort = await ok(put(r.id, 'add_router_interface', { port_id: bport.id }));
      assert.equal(byPort.port_id, bport.id);
      const inUse = await put(r2.id, 'add_router_interface', { port_id: bport.id });
      assert.equal(inUse.status, 409);
      assert.equal(inUse.body.NeutronError.type, 'PortInUse');
      // overlapping CIDR on another network
      const c = await projectNetwork(api, '10.1.0.0/25');
      const overlap = await put(r.id, 'add_router_interface', { subnet_id: c.subnet.id });
      assert.equal(overlap.status, 400);
      assert.match(overlap.body.NeutronError.message, /overlaps with cidr 10.1.0.0\/24/);
      // bad bodies
      assert.equal((await put(r.id, 'add_router_interface', {})).body.NeutronError.message, 'Bad router request: Either subnet_id or port_id must be specified.');
      assert.equal((await put(r.id, 'add_router_interface', { subnet_id: a.subnet.id, port_id: bport.id })).body.NeutronError.message, 'Bad router request: Cannot specify both subnet-id and port-id.');
      assert.equal((await put(r.id, 'add_router_interface', { subnet_id: 'nope' })).status, 400);
      assert.equal((await put(r.id, 'add_router_interface', { subnet_id: a.subnet.id }, BOB)).status, 404);
      // in use: subnet with an interface, router with interfaces, router-owned port
      const delSubnet = await api.request(ALICE, 'DELETE', `/v2.0/subnets/${a.subnet.id}`);
      assert.equal(delSubnet.status, 409);
      assert.equal(delSubnet.body.NeutronError.type, 'SubnetInUse');
      const delRouter = await api.request(ALICE, 'DELETE', `/v2.0/routers/${r.id}`);
      assert.equal(delRouter.status, 409);
      assert.equal(delRouter.body.NeutronError.type, 'RouterInUse');
      const delExt = await api.request(ADMIN, 'DELETE', `/v2.0/networks/${ext.id}`);
      assert.equal(delExt.status, 409);
      assert.equal(delExt.body.NeutronError.type, 'NetworkInUse');
      // removal by subnet and by port; unknown interface
      const removed = await ok(put(r.id, 'remove_router_interface', { subnet_id: a.subnet.id }));
      assert.equal(removed.port_id, info.port_id);
      assert.equal((await api.request(ALICE, 'GET', `/v2.0/ports/${info.port_id}`)).status, 404);
      const notThere = await put(r.id, 'remove_router_interface', { subnet_id: a.subnet.id });
      assert.equal(notThere.status, 404);
      assert.equal(notThere.body.NeutronError.type, 'RouterInterfaceNotFoundForSubnet');
      const mismatch = await put(r.id, 'remove_router_interface', { port_id: bport.id, subnet_id: a.subnet.id });
      assert.equal(mismatch.body.NeutronError.type, 'SubnetMismatchForPort');
      await ok(put(r.id, 'remove_router_interface', { port_id: bport.id }));
      assert.equal((await put(r.id, 'remove_router_interface', { port_id: bport.id })).body.NeutronError.type, 'RouterInterfaceNotFound');
      await ok(api.request(ALICE, 'DELETE', `/v2.0/subnets/${a.subnet.id}`), 204);
      for (const x of [r, r2]) await ok(api.request(ALICE, 'DELETE', `/v2.0/routers/${x.id}`), 204);
    });

    it('router gateway and interface ports refuse DELETE /v2.0/ports: 409 ServicePortInUse (prevent_l3_port_deletion)', async () => {
      const r = await router({ external_gateway_info: { network_id: ext.id } });
      const a = await projectNetwork(api, '10.4.0.0/24');
      const info = await ok(put(r.id, 'add_router_interface', { subnet_id: a.subnet.id }));
      const gw = (await ok(api.request(ADMIN, 'GET', `/v2.0/ports?device_id=${r.id}&device_owner=network:router_gateway`))).ports[0];
      // the interface port is the router owner's: the owner gets the 409
      const intf = await api.request(ALICE, 'DELETE', `/v2.0/ports/${info.port_id}`);
      assert.equal(intf.status, 409);
      assert.equal(intf.body.NeutronError.type, 'ServicePortInUse');
      assert.equal(intf.body.NeutronError.message, `Port ${info.port_id} cannot be deleted directly via the port API: has device owner network:router_interface.`);
      // so does an admin (the check is not a policy one)
      const intfAdmin = await api.request(ADMIN, 'DELETE', `/v2.0/ports/${info.port_id}`);
      assert.equal(intfAdmin.status, 409);
      assert.equal(intfAdmin.body.NeutronError.type, 'ServicePortInUse');
      // the gateway port belongs to no project: invisible to the member (404), 409 for an admin
      assert.equal((await api.request(ALICE, 'DELETE', `/v2.0/ports/${gw.id}`)).body.NeutronError.type, 'PortNotFound');
      const gwDel = await api.request(ADMIN, 'DELETE', `/v2.0/ports/${gw.id}`);
      assert.equal(gwDel.status, 409);
      assert.equal(gwDel.body.NeutronError.type, 'ServicePortInUse');
      assert.equal(gwDel.body.NeutronError.message, `Port ${gw.id} cannot be deleted directly via the port API: has device owner network:router_gateway.`);
      // nothing changed: both ports are still the router's
      const shown = (await ok(api.request(ALICE, 'GET', `/v2.0/routers/${r.id}`))).router;
      assert.equal(shown.external_gateway_info.network_id, ext.id);
      assert.equal((await ok(api.request(ADMIN, 'GET', `/v2.0/ports?device_id=${r.id}`))).ports.length, 2);
      // the router API removes them
      await ok(put(r.id, 'remove_router_interface', { subnet_id: a.subnet.id }));
      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: null } }));
      assert.equal((await ok(api.request(ADMIN, 'GET', `/v2.0/ports?device_id=${r.id}`))).ports.length, 0);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/routers/${r.id}`), 204);
    });

    it('extra routes: nexthop on an attached subnet, atomic add/remove, in use by a route', async () => {
      const r = await router();
      const a = await projectNetwork(api, '10.3.0.0/24');
      await ok(put(r.id, 'add_router_interface', { subnet_id: a.subnet.id }));
      const far = await api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}`, { router: { routes: [{ destination: '172.16.0.0/16', nexthop: '10.9.0.5' }] } });
      assert.equal(far.status, 400);
      assert.equal(far.body.NeutronError.type, 'InvalidRoutes');
      assert.equal(far.body.NeutronError.message, "Invalid format for routes: [{'destination': '172.16.0.0/16', 'nexthop': '10.9.0.5'}], the nexthop is not connected with router");
      const own = await api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}`, { router: { routes: [{ destination: '172.16.0.0/16', nexthop: '10.3.0.1' }] } });
      assert.match(own.body.NeutronError.message, /the nexthop is used by router/);
      const set = (await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}`, { router: { routes: [{ destination: '172.16.0.0/16', nexthop: '10.3.0.5' }] } }))).router;
      assert.deepEqual(set.routes, [{ destination: '172.16.0.0/16', nexthop: '10.3.0.5' }]);
      const added = (await ok(put(r.id, 'add_extraroutes', { router: { routes: [{ destination: '172.16.0.0/16', nexthop: '10.3.0.5' }, { destination: '172.17.0.0/16', nexthop: '10.3.0.6' }] } }))).router;
      assert.equal(added.routes.length, 2);
      const inUse = await put(r.id, 'remove_router_interface', { subnet_id: a.subnet.id });
      assert.equal(inUse.status, 409);
      assert.equal(inUse.body.NeutronError.type, 'RouterInterfaceInUseByRoute');
      const left = (await ok(put(r.id, 'remove_extraroutes', { router: { routes: [{ destination: '172.16.0.0/16', nexthop: '10.3.0.5' }, { destination: '1.0.0.0/8', nexthop: '10.3.0.9' }] } }))).router;
      assert.deepEqual(left.routes, [{ destination: '172.17.0.0/16', nexthop: '10.3.0.6' }]);
      assert.equal((await put(r.id, 'add_extraroutes', { router: { routes: [{ destination: 'x', nexthop: '10.3.0.6' }] } })).status, 400);
      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}`, { router: { routes: null } }));
      await ok(put(r.id, 'remove_router_interface', { subnet_id: a.subnet.id }));
      await ok(api.request(ALICE, 'DELETE', `/v2.0/routers/${r.id}`), 204);
    });

    it('router quota, AZ hints, filters and the extensions list', async () => {
      const r = await router({ availability_zone_hints: ['nova'] });
      assert.deepEqual(r.availability_zone_hints, ['nova']);
      assert.deepEqual(r.availability_zones, []);
      const made = [r];
      for (let i = 0; i < 3; i++) made.push(await router({ name: `q${i}` }));
      const over = await api.request(ALICE, 'POST', '/v2.0/routers', { router: { name: 'over' } });
      assert.equal(over.status, 409);
      assert.equal(over.body.NeutronError.type, 'OverQuota');
      const listed = (await ok(api.request(ALICE, 'GET', '/v2.0/routers?name=q1'))).routers;
      assert.equal(listed.length, 1);
      assert.equal((await ok(api.request(BOB, 'GET', '/v2.0/routers'))).routers.length, 0);
      for (const x of made) await ok(api.request(ALICE, 'DELETE', `/v2.0/routers/${x.id}`), 204);
      const aliases = (await ok(api.request(ALICE, 'GET', '/v2.0/extensions'))).extensions.map((e: any) => e.alias);
      for (const a of ['router', 'ext-gw-mode', 'extraroute', 'extraroute-atomic', 'router_availability_zone', 'fip-port-details', 'floatingip-pools', 'floating-ip-port-forwarding']) assert.ok(aliases.includes(a), a);
      assert.ok(aliases.includes('l3_agent_scheduler'), 'l3_agent_scheduler works (test/api/l3-agents.test.ts)');
      // name, description and updated exactly as neutron-lib's api/definitions have them (clients look extensions up by name)
      const byAlias = new Map((await ok(api.request(ALICE, 'GET', '/v2.0/extensions'))).extensions.map((e: any) => [e.alias, e]));
      const expected: Record<string, [string, string, string]> = {
        'external-net': ['Neutron external network', 'Adds external network attribute to network resource.', '2013-01-14T10:00:00-00:00'],
        'expose-port-forwarding-in-fip': ['Expose Floating IP port forwardings', 'Expose port forwarding fields in floating IP response', '2018-06-28T16:00:00-00:00'],
        'floating-ip-port-forwarding-description': ['Floating IP Port Forwarding new attribute description', 'Add a description field to Port Forwarding rules', '2019-11-01T10:00:00-00:00'],
        'floating-ip-port-forwarding-detail': ['Floating IP port forwarding detail', "Allow list floating ip return more port forwarding data, include'id' and 'internal_port_id'", '2022-05-06T10:00:00-00:00'],
        'floating-ip-port-forwarding-port-ranges': ['Floating IP Port Forwarding support port ranges', 'Add suport to port ranges', '2020-07-01T10:00:00-00:00'],
      };
      for (const [alias, [name, description, updated]] of Object.entries(expected)) {
        const e: any = byAlias.get(alias);
        assert.ok(e, `${alias} listed`);
        assert.deepEqual({ name: e.name, description: e.description, updated: e.updated }, { name, description, updated }, alias);
      }
    });
  });
}
