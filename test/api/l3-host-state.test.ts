/**
 * Routers in host state over HTTP on every dialect: the L3 agent's host gets `routers` in exactly the
 * RouterState shape (src/hoststate/l3.ts) with its router ports and their networks; every L3 change
 * reaches that host (200 after `since`) and only the hosts it concerns (others stay 304); floating IPs
 * turn ACTIVE once the L3 agent reports the revision and DOWN when disassociated.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { RouterState, RouterGatewayState, RouterInterfaceState, RouterFixedIp, FloatingIpState, PortForwardingState } from '../../src/hoststate/l3.js';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, type TestApi } from '../support/api-server.js';
import { ok, externalNetwork, projectNetwork } from './l3-fixtures.js';
import { agentHelpers, l3Report, l2Report } from './l3-agent-fixtures.js';

/** The contract's field names; `satisfies` makes the compiler check each list against its type. */
const keys = <T>(o: Record<keyof T, true>) => Object.keys(o).sort();
const ROUTER = keys<RouterState>({ id: true, project_id: true, admin_state_up: true, gateway: true, interfaces: true, routes: true, floating_ips: true, port_forwardings: true, metadata: true });
const GATEWAY = keys<RouterGatewayState>({ port_id: true, mac_address: true, network_id: true, segment: true, mtu: true, fixed_ips: true, enable_snat: true });
const INTERFACE = keys<RouterInterfaceState>({ port_id: true, mac_address: true, network_id: true, mtu: true, fixed_ips: true });
const FIXED_IP = keys<RouterFixedIp>({ subnet_id: true, ip_address: true, cidr: true, gateway_ip: true });
const FIP = keys<FloatingIpState>({ id: true, floating_ip_address: true, fixed_ip_address: true, port_id: true });
const PF = keys<PortForwardingState>({ id: true, floatingip_id: true, floating_ip_address: true, protocol: true, external_port: true, external_port_range: true, internal_port: true, internal_port_range: true, internal_ip_address: true, internal_port_id: true });

function checkShape(r: any): void {
  assert.deepEqual(Object.keys(r).sort(), ROUTER);
  if (r.gateway) {
    assert.deepEqual(Object.keys(r.gateway).sort(), GATEWAY);
    for (const f of r.gateway.fixed_ips) assert.deepEqual(Object.keys(f).sort(), FIXED_IP);
  }
  for (const i of r.interfaces) {
    assert.deepEqual(Object.keys(i).sort(), INTERFACE);
    for (const f of i.fixed_ips) assert.deepEqual(Object.keys(f).sort(), FIXED_IP);
  }
  for (const f of r.floating_ips) assert.deepEqual(Object.keys(f).sort(), FIP);
  for (const p of r.port_forwardings) assert.deepEqual(Object.keys(p).sort(), PF);
}

for (const dialect of DIALECTS) {
  describe(`routers in host state (${dialect})`, () => {
    let api: TestApi;
    let ext: any;
    let a: any;
    let router: any;
    let intf: any;
    let vm1: any;
    let vm2: any;
    let l3Agent: string;
    const { report, l3Host, state } = agentHelpers(() => api);
    const GW = 'gw-1';
    const fipOf = async (id: string) => (await ok(api.request(ALICE, 'GET', `/v2.0/floatingips/${id}`))).floatingip;
    /** The L3 host's state, asserting that it changed after `since` (when given). */
    const changed = async (since?: number) => {
      const res = await state(GW, since);
      assert.equal(res.status, 200, `a change after ${since} must reach ${GW}`);
      return res.body;
    };

    before(async () => {
      api = await startTestApi(dialect, '[DEFAULT]\nagent_down_time = 20\n');
      l3Agent = await l3Host(GW, '192.0.2.61');
      await report('cmp-1', l2Report('cmp-1', '192.0.2.62'));
      await report('idle-1', l2Report('idle-1', '192.0.2.63'));
      ({ ext } = await externalNetwork(api, '203.0.113.0/24'));
      a = await projectNetwork(api, '10.30.0.0/24');
      router = (await ok(api.request(ALICE, 'POST', '/v2.0/routers', { router: { name: 'r', external_gateway_info: { network_id: ext.id } } }), 201)).router;
      intf = await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: a.subnet.id }));
      const vm = async (id: string) => (await ok(api.request(ADMIN, 'POST', '/v2.0/ports', { port: { network_id: a.net.id, project_id: 'project-alice', device_owner: 'compute:nova', device_id: id, 'binding:host_id': 'cmp-1' } }), 201)).port;
      vm1 = await vm('vm-1');
      vm2 = await vm('vm-2');
    });
    after(async () => { await api?.close(); });

    it('renders the router in the RouterState shape with its ports and networks on the L3 host', async () => {
      const s = await changed();
      assert.equal(s.routers.length, 1);
      const r = s.routers[0];
      checkShape(r);
      const gwPort = (await ok(api.request(ADMIN, 'GET', `/v2.0/ports?device_id=${router.id}&device_owner=network:router_gateway`))).ports[0];
      assert.equal(r.id, router.id);
      assert.equal(r.project_id, 'project-alice');
      assert.equal(r.admin_state_up, true);
      assert.equal(r.gateway.port_id, gwPort.id);
      assert.equal(r.gateway.mac_address, gwPort.mac_address);
      assert.equal(r.gateway.network_id, ext.id);
      assert.deepEqual(r.gateway.segment, { network_type: 'flat', physical_network: 'physnet1', segmentation_id: null });
      assert.equal(r.gateway.enable_snat, true);
      assert.deepEqual(r.gateway.fixed_ips.map((f: any) => [f.cidr, f.gateway_ip]), [['203.0.113.0/24', '203.0.113.1']]);
      assert.deepEqual(r.interfaces.map((i: any) => [i.port_id, i.network_id, i.fixed_ips.map((f: any) => f.ip_address)]), [[intf.port_id, a.net.id, ['10.30.0.1']]]);
      assert.deepEqual(r.metadata, {
        [vm1.fixed_ips[0].ip_address]: { device_id: 'vm-1', project_id: 'project-alice' },
        [vm2.fixed_ips[0].ip_address]: { device_id: 'vm-2', project_id: 'project-alice' },
      });
      assert.deepEqual(r.routes, []);
      assert.deepEqual(r.floating_ips, []);
      const owners = s.ports.filter((p: any) => p.device_id === router.id).map((p: any) => [p.id, p.device_owner]).sort();
      assert.deepEqual(owners, [[gwPort.id, 'network:router_gateway'], [intf.port_id, 'network:router_interface']].sort());
      const nets = new Map(s.networks.map((n: any) => [n.id, n]));
      assert.ok(nets.has(ext.id) && nets.has(a.net.id));
      assert.deepEqual((nets.get(a.net.id) as any).remotes.map((x: any) => x.host), ['cmp-1']);
      // l2population: the compute host learns where the router's interface is.
      const cmp = (await state('cmp-1')).body;
      const remote = cmp.networks.find((n: any) => n.id === a.net.id).remotes.find((x: any) => x.host === GW);
      assert.ok(remote.ports.some((p: any) => p.ips.includes('10.30.0.1')));
      // Hosts without an L3 agent carry no `routers`.
      assert.equal('routers' in cmp, false);
    });

    it('floating IPs: in state once associated, ACTIVE after the agent applied them, DOWN when disassociated; 304 elsewhere', async () => {
      const r0 = (await changed()).revision;
      const idle = (await state('idle-1')).body.revision;
      const f = (await ok(api.request(ALICE, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: vm1.id } }), 201)).floatingip;
      assert.equal(f.status, 'DOWN');
      const s1 = await changed(r0);
      assert.deepEqual(s1.routers[0].floating_ips, [{ id: f.id, floating_ip_address: f.floating_ip_address, fixed_ip_address: vm1.fixed_ips[0].ip_address, port_id: vm1.id }]);
      assert.equal((await state('cmp-1', s1.revision)).status, 304);
      assert.equal((await state('idle-1', idle)).status, 304, 'a host the change does not concern is not told');
      await report(GW, l3Report(GW, s1.revision - 1));
      assert.equal((await fipOf(f.id)).status, 'DOWN', 'not applied yet');
      await report(GW, l3Report(GW, s1.revision, { errors: [{ kind: 'router', key: router.id, message: 'nft refused' }] }));
      assert.equal((await fipOf(f.id)).status, 'DOWN', 'the router failed');
      await report(GW, l3Report(GW, s1.revision));
      assert.equal((await fipOf(f.id)).status, 'ACTIVE');

      await ok(api.request(ALICE, 'PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: null } }));
      assert.equal((await fipOf(f.id)).status, 'DOWN');
      const s2 = await changed(s1.revision);
      assert.deepEqual(s2.routers[0].floating_ips, []);
      await ok(api.request(ALICE, 'PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: vm1.id } }));
      const s3 = await changed(s2.revision);
      assert.equal(s3.routers[0].floating_ips.length, 1);
      await report(GW, l3Report(GW, s3.revision));
      assert.equal((await fipOf(f.id)).status, 'ACTIVE');
      await ok(api.request(ALICE, 'PUT', `/v2.0/floatingips/${f.id}`, { floatingip: { port_id: null } }));
      await ok(api.request(ALICE, 'DELETE', `/v2.0/floatingips/${f.id}`), 204);
    });

    it('port forwardings with ranges, extra routes and gateway changes reach the L3 host', async () => {
      const r0 = (await changed()).revision;
      const g = (await ok(api.request(ALICE, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id } }), 201)).floatingip;
      const pf = (await ok(api.request(ALICE, 'POST', `/v2.0/floatingips/${g.id}/port_forwardings`, { port_forwarding: { protocol: 'udp', external_port_range: '2000:2010', internal_port_range: '3000:3010', internal_port_id: vm2.id, internal_ip_address: vm2.fixed_ips[0].ip_address } }), 201)).port_forwarding;
      const s1 = await changed(r0);
      checkShape(s1.routers[0]);
      assert.deepEqual(s1.routers[0].port_forwardings, [{
        id: pf.id, floatingip_id: g.id, floating_ip_address: g.floating_ip_address, protocol: 'udp', external_port: null, external_port_range: '2000:2010',
        internal_port: null, internal_port_range: '3000:3010', internal_ip_address: vm2.fixed_ips[0].ip_address, internal_port_id: vm2.id,
      }]);
      await report(GW, l3Report(GW, s1.revision));
      assert.equal((await fipOf(g.id)).status, 'ACTIVE', 'a floating IP with port forwardings is realised too');
      await ok(api.request(ALICE, 'PUT', `/v2.0/floatingips/${g.id}/port_forwardings/${pf.id}`, { port_forwarding: { external_port: 2022, internal_port: 22 } }));
      const s2 = await changed(s1.revision);
      assert.deepEqual([s2.routers[0].port_forwardings[0].external_port, s2.routers[0].port_forwardings[0].internal_port_range], [2022, null]);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/floatingips/${g.id}/port_forwardings/${pf.id}`), 204);
      const s3 = await changed(s2.revision);
      assert.deepEqual(s3.routers[0].port_forwardings, []);
      assert.equal((await fipOf(g.id)).status, 'DOWN', 'no longer used');
      await ok(api.request(ALICE, 'DELETE', `/v2.0/floatingips/${g.id}`), 204);

      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${router.id}/add_extraroutes`, { router: { routes: [{ destination: '172.16.0.0/16', nexthop: '10.30.0.50' }] } }));
      const s4 = await changed(s3.revision);
      assert.deepEqual(s4.routers[0].routes, [{ destination: '172.16.0.0/16', nexthop: '10.30.0.50' }]);
      assert.equal((await state(GW, s4.revision)).status, 304);
      await ok(api.request(ADMIN, 'PUT', `/v2.0/routers/${router.id}`, { router: { external_gateway_info: { network_id: ext.id, enable_snat: false } } }));
      const s5 = await changed(s4.revision);
      assert.equal(s5.routers[0].gateway.enable_snat, false);
    });

    it('interfaces come and go with their ports and networks; admin-down routers and agents leave the host', async () => {
      const b = await projectNetwork(api, '10.31.0.0/24');
      const r0 = (await changed()).revision;
      const cmpRev = (await state('cmp-1')).body.revision;
      const i2 = await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: b.subnet.id }));
      const s1 = await changed(r0);
      assert.deepEqual(s1.routers[0].interfaces.map((i: any) => i.network_id).sort(), [a.net.id, b.net.id].sort());
      assert.ok(s1.ports.some((p: any) => p.id === i2.port_id) && s1.networks.some((n: any) => n.id === b.net.id));
      assert.equal((await state('cmp-1', cmpRev)).status, 304, 'cmp-1 has no port on the new network');
      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: b.subnet.id }));
      const s2 = await changed(s1.revision);
      assert.ok(!s2.ports.some((p: any) => p.id === i2.port_id) && !s2.networks.some((n: any) => n.id === b.net.id));

      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${router.id}`, { router: { admin_state_up: false } }));
      const s3 = await changed(s2.revision);
      assert.equal(s3.routers[0].admin_state_up, false);
      assert.ok(!s3.ports.some((p: any) => p.device_id === router.id), 'its ports leave the host');
      assert.equal((await ok(api.request(ADMIN, 'GET', `/v2.0/ports/${intf.port_id}`))).port.status, 'DOWN');
      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${router.id}`, { router: { admin_state_up: true } }));
      const s4 = await changed(s3.revision);
      assert.ok(s4.ports.some((p: any) => p.id === intf.port_id));

      await ok(api.request(ADMIN, 'PUT', `/v2.0/agents/${l3Agent}`, { agent: { admin_state_up: false } }));
      const s5 = await changed(s4.revision);
      assert.deepEqual(s5.routers, []);
      assert.ok(!s5.ports.some((p: any) => p.device_id === router.id));
      await ok(api.request(ADMIN, 'PUT', `/v2.0/agents/${l3Agent}`, { agent: { admin_state_up: true } }));
      assert.equal((await changed(s5.revision)).routers.length, 1);
    });
  });
}
