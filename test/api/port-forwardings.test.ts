import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ALICE, BOB, type TestApi } from '../support/api-server.js';
import { ok, externalNetwork, projectNetwork } from './l3-fixtures.js';

for (const dialect of DIALECTS) {
  describe(`port forwardings (${dialect})`, () => {
    let api: TestApi;
    let ext: any;
    let router: any;
    let a: any;
    before(async () => {
      api = await startTestApi(dialect);
      ({ ext } = await externalNetwork(api, '192.0.2.0/24'));
      router = (await ok(api.request(ALICE, 'POST', '/v2.0/routers', { router: { name: 'r', external_gateway_info: { network_id: ext.id } } }), 201)).router;
      a = await projectNetwork(api, '10.20.0.0/24');
      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: a.subnet.id }));
    });
    after(async () => { await api?.close(); });

    const ips = new Map<string, string>();
    const port = async (net = a.net) => {
      const p = (await ok(api.request(ALICE, 'POST', '/v2.0/ports', { port: { network_id: net.id } }), 201)).port;
      ips.set(p.id, p.fixed_ips[0].ip_address);
      return p;
    };
    const newFip = async () => (await ok(api.request(ALICE, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id } }), 201)).floatingip;
    // internal_ip_address is required (neutron-lib gives it no default): the port's address unless the test says otherwise.
    const pf = (fipId: string, body: Record<string, unknown>, caller = ALICE) => api.request(caller, 'POST', `/v2.0/floatingips/${fipId}/port_forwardings`, {
      port_forwarding: { ...(typeof body.internal_port_id === 'string' && ips.has(body.internal_port_id) ? { internal_ip_address: ips.get(body.internal_port_id) } : {}), ...body },
    });

    it('creates, shows, lists, updates and deletes forwardings; the floating IP is bound to the router', async () => {
      const f = await newFip();
      const p = await port();
      const created = (await ok(pf(f.id, { protocol: 'tcp', external_port: 2222, internal_port: 22, internal_port_id: p.id, description: 'ssh' }), 201)).port_forwarding;
      assert.equal(created.internal_ip_address, p.fixed_ips[0].ip_address);
      assert.equal(created.external_port, 2222);
      assert.equal(created.internal_port, 22);
      assert.equal(created.external_port_range, '2222:2222');
      assert.equal(created.description, 'ssh');
      assert.equal('project_id' in created, false);
      const shownFip = (await ok(api.request(ALICE, 'GET', `/v2.0/floatingips/${f.id}`))).floatingip;
      assert.equal(shownFip.router_id, router.id);
      assert.equal(shownFip.port_id, null);
      assert.deepEqual(shownFip.port_forwardings, [{ id: created.id, internal_ip_address: created.internal_ip_address, protocol: 'tcp', internal_port: 22, external_port: 2222, internal_port_id: p.id }]);
      const range = (await ok(pf(f.id, { protocol: 'udp', external_port_range: '5000:5010', internal_port_range: '6000:6010', internal_port_id: p.id }), 201)).port_forwarding;
      assert.equal(range.external_port, null);
      assert.equal(range.internal_port_range, '6000:6010');
      const listed = (await ok(api.request(ALICE, 'GET', `/v2.0/floatingips/${f.id}/port_forwardings?protocol=udp`))).port_forwardings;
      assert.deepEqual(listed.map((x: any) => x.id), [range.id]);
      assert.equal((await api.request(ALICE, 'GET', `/v2.0/floatingips/${f.id}/port_forwardings?internal_port=22`)).status, 400);
      const updated = (await ok(api.request(ALICE, 'PUT', `/v2.0/floatingips/${f.id}/port_forwardings/${created.id}`, { port_forwarding: { external_port: 2223 } }))).port_forwarding;
      assert.equal(updated.external_port, 2223);
      assert.equal((await api.request(BOB, 'GET', `/v2.0/floatingips/${f.id}/port_forwardings/${created.id}`)).status, 404);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/floatingips/${f.id}/port_forwardings/${range.id}`), 204);
      // a floating IP with forwardings can't be deleted, nor associated with a port
      const del = await api.request(ALICE, 'DELETE', `/v2.0/floatingips/${f.id}`);
      assert.equal(del.status, 409);
      assert.equal(del.body.NeutronError.type, 'FipInUseByPortForwarding');
      const assoc = await api.request(ALICE, 'PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: (await port()).id } });
      assert.equal(assoc.status, 409);
      assert.equal(assoc.body.NeutronError.type, 'FipInUseByPortForwarding');
      // the forwarded port can't get a floating IP of its own
      const own = await api.request(ALICE, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: p.id } });
      assert.equal(own.status, 400);
      assert.equal(own.body.NeutronError.type, 'PortHasPortForwarding');
      // removing the last forwarding unbinds the router
      await ok(api.request(ALICE, 'DELETE', `/v2.0/floatingips/${f.id}/port_forwardings/${created.id}`), 204);
      assert.equal((await ok(api.request(ALICE, 'GET', `/v2.0/floatingips/${f.id}`))).floatingip.router_id, null);
      assert.equal((await api.request(ALICE, 'DELETE', `/v2.0/floatingips/${f.id}/port_forwardings/${created.id}`)).body.NeutronError.type, 'PortForwardingNotFound');
      await ok(api.request(ALICE, 'DELETE', `/v2.0/floatingips/${f.id}`), 204);
    });

    it('refuses collisions, bad ranges, bad input and unreachable or bound ports', async () => {
      const f = await newFip();
      const p = await port();
      const q = await port();
      await ok(pf(f.id, { protocol: 'tcp', external_port: 8080, internal_port: 80, internal_port_id: p.id }), 201);
      const sameExternal = await pf(f.id, { protocol: 'tcp', external_port: 8080, internal_port: 81, internal_port_id: q.id });
      assert.equal(sameExternal.status, 400);
      assert.equal(sameExternal.body.NeutronError.message, 'Bad port_forwarding request: There is a port collision with the external_port_range. The following ranges collides: 8080:8080 and 8080:8080.');
      const sameSocket = await pf(f.id, { protocol: 'tcp', external_port: 8081, internal_port: 80, internal_port_id: p.id });
      assert.match(sameSocket.body.NeutronError.message, /collision with the internal_port_range/);
      await ok(pf(f.id, { protocol: 'udp', external_port: 8080, internal_port: 80, internal_port_id: p.id }), 201);
      const relation = await pf(f.id, { protocol: 'tcp', external_port_range: '100:101', internal_port_range: '200:205', internal_port_id: q.id });
      assert.match(relation.body.NeutronError.message, /must be N-N or 1-N/);
      assert.equal((await pf(f.id, { protocol: 'icmpx', external_port: 1, internal_port: 1, internal_port_id: q.id })).status, 400);
      assert.equal((await pf(f.id, { protocol: 'tcp', external_port: 70000, internal_port: 1, internal_port_id: q.id })).status, 400);
      assert.equal((await pf(f.id, { protocol: 'tcp', external_port: 1, internal_port: 1 })).status, 400);
      const wrongIp = await pf(f.id, { protocol: 'tcp', external_port: 9000, internal_port: 1, internal_port_id: q.id, internal_ip_address: '10.20.0.250' });
      assert.equal(wrongIp.status, 400);
      assert.match(wrongIp.body.NeutronError.message, /is not suitable for internal neutron port/);
      const island = await projectNetwork(api, '10.21.0.0/24');
      const far = await pf(f.id, { protocol: 'tcp', external_port: 9001, internal_port: 1, internal_port_id: (await port(island.net)).id });
      assert.equal(far.status, 400);
      assert.match(far.body.NeutronError.message, /is not reachable from subnet/);
      // a port bound to a floating IP can't be forwarded to; an associated floating IP can't forward
      const bound = await newFip();
      await ok(api.request(ALICE, 'PUT', `/v2.0/floatingips/${bound.id}`, { floatingip: { port_id: q.id } }));
      const toBound = await pf(f.id, { protocol: 'tcp', external_port: 9002, internal_port: 1, internal_port_id: q.id });
      assert.equal(toBound.status, 409);
      assert.equal(toBound.body.NeutronError.type, 'PortHasBindingFloatingIP');
      const fromAssociated = await pf(bound.id, { protocol: 'tcp', external_port: 9003, internal_port: 1, internal_port_id: p.id });
      assert.equal(fromAssociated.status, 409);
      assert.equal(fromAssociated.body.NeutronError.type, 'FloatingIPPortAlreadyAssociated');
      // both at once (the floating IP's own port): Neutron checks the port first
      const toItself = await pf(bound.id, { protocol: 'tcp', external_port: 9005, internal_port: 1, internal_port_id: q.id });
      assert.equal(toItself.status, 409);
      assert.equal(toItself.body.NeutronError.type, 'PortHasBindingFloatingIP');
      assert.match(toItself.body.NeutronError.message, new RegExp(`with port ${q.id} using fixed IP ${q.fixed_ips[0].ip_address}, as that port already has a binding floating IP\\.$`));
      assert.equal((await pf(f.id, { protocol: 'tcp', external_port: 9004, internal_port: 1, internal_port_id: p.id }, BOB)).status, 404);
      assert.equal((await pf('00000000-0000-0000-0000-0000000000aa', { protocol: 'tcp', external_port: 1, internal_port: 1, internal_port_id: p.id })).body.NeutronError.type, 'FloatingIPNotFound');
      // deleting the internal port deletes its forwardings
      await ok(api.request(ALICE, 'DELETE', `/v2.0/ports/${p.id}`), 204);
      assert.equal((await ok(api.request(ALICE, 'GET', `/v2.0/floatingips/${f.id}/port_forwardings`))).port_forwardings.length, 0);
    });
  });
}
