import { it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, ALICE } from '../support/api-server.js';
import { ok, externalNetwork, projectNetwork } from '../api/l3-fixtures.js';
import { loadRouterL3Rows, renderRouterL3State } from '../../src/core/l3-state.js';

it('renders a router\'s desired L3 state from its rows: interfaces, gateway, SNAT, floating IPs, routes, forwardings', async () => {
  const api = await startTestApi('sqlite');
  try {
    const { ext } = await externalNetwork(api, '203.0.113.0/24');
    const a = await projectNetwork(api, '10.40.0.0/24');
    const r = (await ok(api.request(ALICE, 'POST', '/v2.0/routers', { router: { name: 'r', external_gateway_info: { network_id: ext.id } } }), 201)).router;
    const intf = await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: a.subnet.id }));
    await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}`, { router: { routes: [{ destination: '172.30.0.0/16', nexthop: '10.40.0.9' }] } }));
    const p = (await ok(api.request(ALICE, 'POST', '/v2.0/ports', { port: { network_id: a.net.id } }), 201)).port;
    const q = (await ok(api.request(ALICE, 'POST', '/v2.0/ports', { port: { network_id: a.net.id } }), 201)).port;
    const f = (await ok(api.request(ALICE, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id, port_id: p.id } }), 201)).floatingip;
    const g = (await ok(api.request(ALICE, 'POST', '/v2.0/floatingips', { floatingip: { floating_network_id: ext.id } }), 201)).floatingip;
    const pf = (await ok(api.request(ALICE, 'POST', `/v2.0/floatingips/${g.id}/port_forwardings`, { port_forwarding: { protocol: 'tcp', external_port: 2022, internal_port: 22, internal_port_id: q.id, internal_ip_address: q.fixed_ips[0].ip_address } }), 201)).port_forwarding;

    const [rows] = await loadRouterL3Rows(api.runtime.store.db, [r.id]);
    const state = renderRouterL3State(rows);
    const gwIp = r.external_gateway_info.external_fixed_ips[0].ip_address;
    assert.equal(state.namespace, `qrouter-${r.id}`);
    assert.deepEqual(state.interfaces.map((i) => [i.device, i.addresses.map((x) => `${x.ip_address}/${x.prefixlen}`)]), [[`qr-${intf.port_id.slice(0, 11)}`, ['10.40.0.1/24']]]);
    assert.deepEqual(state.gateway?.addresses.map((x) => x.ip_address), [gwIp]);
    assert.deepEqual(state.gateway?.default_routes, ['203.0.113.1']);
    assert.deepEqual(state.snat, { enabled: true, to_address: gwIp, sources: ['10.40.0.0/24'] });
    assert.deepEqual(state.floating_ips, [{ id: f.id, floating_ip_address: f.floating_ip_address, fixed_ip_address: p.fixed_ips[0].ip_address, port_id: p.id }]);
    assert.deepEqual(state.routes, [{ destination: '172.30.0.0/16', nexthop: '10.40.0.9' }]);
    assert.deepEqual(state.port_forwardings, [{ id: pf.id, floating_ip_address: g.floating_ip_address, protocol: 'tcp', external_port_start: 2022, external_port_end: 2022, internal_ip_address: q.fixed_ips[0].ip_address, internal_port_start: 22, internal_port_end: 22 }]);
    // pure: the same rows render the same state
    assert.deepEqual(renderRouterL3State(rows), state);
  } finally {
    await api.close();
  }
});
