/**
 * L3 agent scheduling over HTTP (extension l3_agent_scheduler) on every dialect: routers with ports go
 * to the least loaded live L3 agent, their ports follow it (binding:host_id), manual (un)scheduling
 * with Neutron's errors, and failover off dead agents only with allow_automatic_l3agent_failover.
 * Agents are simulated by posting their reports; liveness is aged in the database.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, type TestApi } from '../support/api-server.js';
import { ok, externalNetwork, projectNetwork } from './l3-fixtures.js';
import { agentHelpers, l3Report, l2Report } from './l3-agent-fixtures.js';

for (const dialect of DIALECTS) {
  describe(`L3 agent scheduling (${dialect})`, () => {
    let api: TestApi;
    let ext: any;
    const { report, l3Host, state, age } = agentHelpers(() => api);
    before(async () => {
      api = await startTestApi(dialect, '[DEFAULT]\nagent_down_time = 20\n');
      ({ ext } = await externalNetwork(api, '203.0.113.0/24'));
    });
    after(async () => { await api?.close(); });

    const router = async (body: Record<string, unknown> = {}) => (await ok(api.request(ALICE, 'POST', '/v2.0/routers', { router: { name: 'r', ...body } }), 201)).router;
    const hosting = async (routerId: string) => (await ok(api.request(ADMIN, 'GET', `/v2.0/routers/${routerId}/l3-agents`))).agents;
    const portHost = async (portId: string) => (await ok(api.request(ADMIN, 'GET', `/v2.0/ports/${portId}`))).port['binding:host_id'];
    const gwPort = async (routerId: string) => (await ok(api.request(ADMIN, 'GET', `/v2.0/ports?device_id=${routerId}&device_owner=network:router_gateway`))).ports[0];

    it('schedules routers with ports to the least loaded live L3 agent; their ports follow it', async () => {
      const a = await l3Host('l3-a', '192.0.2.11');
      const b = await l3Host('l3-b', '192.0.2.12');
      const bare = await router();
      assert.deepEqual(await hosting(bare.id), [], 'a router without ports waits');
      const r1 = await router({ external_gateway_info: { network_id: ext.id } });
      const h1 = await hosting(r1.id);
      assert.deepEqual(h1.map((x: any) => [x.id, x.host, x.agent_type, x.binary, x.alive]), [[a, 'l3-a', 'L3 agent', 'neutron-l3-agent', true]]);
      assert.equal(await portHost((await gwPort(r1.id)).id), 'l3-a');
      assert.equal((await gwPort(r1.id))['binding:vif_type'], 'bridge');
      const r2 = await router({ external_gateway_info: { network_id: ext.id } });
      assert.deepEqual((await hosting(r2.id)).map((x: any) => x.id), [b], 'least loaded');
      // An interface on the bare router schedules it (both agents host one: the first by host name).
      const n = await projectNetwork(api, '10.20.0.0/24');
      const intf = await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${bare.id}/add_router_interface`, { subnet_id: n.subnet.id }));
      assert.deepEqual((await hosting(bare.id)).map((x: any) => x.host), ['l3-a']);
      assert.equal(await portHost(intf.port_id), 'l3-a');
      const onA = (await ok(api.request(ADMIN, 'GET', `/v2.0/agents/${a}/l3-routers`))).routers.map((x: any) => x.id).sort();
      assert.deepEqual(onA, [bare.id, r1.id].sort());
      const fields = (await ok(api.request(ADMIN, 'GET', `/v2.0/agents/${b}/l3-routers?fields=id&fields=name`))).routers;
      assert.deepEqual(fields, [{ id: r2.id, name: 'r' }]);
      // router_availability_zone: the hosting agents' zones.
      assert.deepEqual((await ok(api.request(ALICE, 'GET', `/v2.0/routers/${r1.id}`))).router.availability_zones, ['nova']);
      assert.ok((await state('l3-a')).body.routers.some((x: any) => x.id === r1.id));
      assert.ok(!(await state('l3-b')).body.routers.some((x: any) => x.id === r1.id));
      for (const id of [r1.id, r2.id]) await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${id}`, { router: { external_gateway_info: {} } }));
      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${bare.id}/remove_router_interface`, { port_id: intf.port_id }));
      for (const id of [r1.id, r2.id, bare.id]) await ok(api.request(ALICE, 'DELETE', `/v2.0/routers/${id}`), 204);
      assert.deepEqual((await ok(api.request(ADMIN, 'GET', `/v2.0/agents/${a}/l3-routers`))).routers, []);
    });

    it('skips dead, disabled, dvr and internal-only-refusing agents; honours availability zone hints', async () => {
      await l3Host('z-dead', '192.0.2.21', { availability_zone: 'z1' });
      await l3Host('z-dvr', '192.0.2.22', { availability_zone: 'z1', configurations: { agent_mode: 'dvr' } });
      const noInternal = await l3Host('z-noint', '192.0.2.23', { availability_zone: 'z1', configurations: { agent_mode: 'legacy', handle_internal_only_routers: false } });
      await age('z-dead', 21);
      const n = await projectNetwork(api, '10.21.0.0/24');
      const r = await router({ availability_zone_hints: ['z1'] });
      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}/add_router_interface`, { subnet_id: n.subnet.id }));
      assert.deepEqual(await hosting(r.id), [], 'no agent in z1 can host an internal-only router');
      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: { network_id: ext.id } } }));
      assert.deepEqual((await hosting(r.id)).map((x: any) => x.id), [noInternal]);
      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: {} } }));
      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}/remove_router_interface`, { subnet_id: n.subnet.id }));
      await ok(api.request(ALICE, 'DELETE', `/v2.0/routers/${r.id}`), 204);
    });

    it('adds and removes routers by hand with Neutron errors; admin only', async () => {
      const a = await l3Host('m-a', '192.0.2.31', { availability_zone: 'zm' });
      const b = await l3Host('m-b', '192.0.2.32', { availability_zone: 'zm' });
      const l2 = (await ok(api.request(ADMIN, 'GET', '/v2.0/agents?host=m-a&agent_type=Linux%20bridge%20agent'))).agents[0].id;
      const r = await router({ availability_zone_hints: ['zm'], external_gateway_info: { network_id: ext.id } });
      const first = (await hosting(r.id))[0];
      const other = first.id === a ? b : a;
      const err = async (res: Promise<{ status: number; body: any }>, status: number, type: string) => {
        const x = await res;
        assert.equal(x.status, status, JSON.stringify(x.body));
        assert.equal(x.body.NeutronError.type, type);
      };
      await err(api.request(ADMIN, 'POST', `/v2.0/agents/${other}/l3-routers`, { router_id: r.id }), 409, 'RouterHostedByL3Agent');
      await err(api.request(ADMIN, 'POST', `/v2.0/agents/${l2}/l3-routers`, { router_id: r.id }), 404, 'InvalidL3Agent');
      await err(api.request(ADMIN, 'POST', `/v2.0/agents/${other}/l3-routers`, { router_id: '00000000-0000-4000-8000-000000000001' }), 404, 'RouterNotFound');
      await err(api.request(ADMIN, 'POST', '/v2.0/agents/00000000-0000-4000-8000-000000000002/l3-routers', { router_id: r.id }), 404, 'AgentNotFound');
      await err(api.request(ADMIN, 'POST', `/v2.0/agents/${other}/l3-routers`, { router_id: 'nope' }), 400, 'HTTPBadRequest');
      await err(api.request(ALICE, 'POST', `/v2.0/agents/${other}/l3-routers`, { router_id: r.id }), 403, 'PolicyNotAuthorized');
      await err(api.request(ALICE, 'GET', `/v2.0/routers/${r.id}/l3-agents`), 403, 'PolicyNotAuthorized');
      await err(api.request(ALICE, 'GET', `/v2.0/agents/${other}/l3-routers`), 403, 'PolicyNotAuthorized');
      await ok(api.request(ADMIN, 'POST', `/v2.0/agents/${first.id}/l3-routers`, { router_id: r.id }), 201); // already there: no-op

      const before = (await state(first.host)).body.revision;
      await ok(api.request(ADMIN, 'DELETE', `/v2.0/agents/${first.id}/l3-routers/${r.id}`), 204);
      assert.deepEqual(await hosting(r.id), []);
      assert.equal(await portHost((await gwPort(r.id)).id), '', 'ports leave the host with the router');
      const after = await state(first.host, before);
      assert.equal(after.status, 200, 'the old host is told');
      assert.ok(!after.body.routers.some((x: any) => x.id === r.id));
      await err(api.request(ADMIN, 'DELETE', `/v2.0/agents/${first.id}/l3-routers/00000000-0000-4000-8000-000000000001`), 404, 'RouterNotFound');

      // A disabled agent can't take routers by hand; an enabled one can, dead or alive.
      await ok(api.request(ADMIN, 'PUT', `/v2.0/agents/${other}`, { agent: { admin_state_up: false } }));
      await err(api.request(ADMIN, 'POST', `/v2.0/agents/${other}/l3-routers`, { router_id: r.id }), 404, 'InvalidL3Agent');
      await ok(api.request(ADMIN, 'PUT', `/v2.0/agents/${other}`, { agent: { admin_state_up: true } }));
      await ok(api.request(ADMIN, 'POST', `/v2.0/agents/${other}/l3-routers`, { router_id: r.id }), 201);
      const now = await hosting(r.id);
      assert.deepEqual(now.map((x: any) => x.id), [other]);
      assert.equal(await portHost((await gwPort(r.id)).id), now[0].host);
      assert.ok((await state(now[0].host)).body.routers.some((x: any) => x.id === r.id));

      // Deleting the hosting agent reschedules its routers.
      await ok(api.request(ADMIN, 'DELETE', `/v2.0/agents/${other}`), 204);
      assert.deepEqual((await hosting(r.id)).map((x: any) => x.id), [first.id]);
      await ok(api.request(ALICE, 'PUT', `/v2.0/routers/${r.id}`, { router: { external_gateway_info: {} } }));
      await ok(api.request(ALICE, 'DELETE', `/v2.0/routers/${r.id}`), 204);
    });

    it('keeps routers on a dead agent without allow_automatic_l3agent_failover (Neutron default)', async () => {
      await l3Host('k-a', '192.0.2.41', { availability_zone: 'zk' });
      const r = await router({ availability_zone_hints: ['zk'], external_gateway_info: { network_id: ext.id } });
      await l3Host('k-b', '192.0.2.42', { availability_zone: 'zk' });
      assert.deepEqual((await hosting(r.id)).map((x: any) => x.host), ['k-a']);
      await age('k-a', 100);
      await report('k-b', l3Report('k-b', 0, { availability_zone: 'zk' }));
      await api.runtime.core.agentReports.checkDhcp();
      assert.deepEqual((await hosting(r.id)).map((x: any) => x.host), ['k-a']);
      // The agent coming back (a new start) finds its router where it was.
      await report('k-a', l2Report('k-a', '192.0.2.41'));
      await report('k-a', l3Report('k-a', 0, { availability_zone: 'zk' }));
      assert.deepEqual((await hosting(r.id)).map((x: any) => x.host), ['k-a']);
      assert.ok(await ok(api.request(ADMIN, 'GET', '/v2.0/extensions/l3_agent_scheduler')));
    });
  });

  describe(`L3 agent failover (${dialect})`, () => {
    let api: TestApi;
    let ext: any;
    const { report, l3Host, state, age } = agentHelpers(() => api);
    before(async () => {
      api = await startTestApi(dialect, '[DEFAULT]\nagent_down_time = 20\nallow_automatic_l3agent_failover = true\n');
      ({ ext } = await externalNetwork(api, '198.51.100.0/24'));
    });
    after(async () => { await api?.close(); });

    it('moves routers off agents silent for 2 × agent_down_time, with their ports, when another can take them', async () => {
      await l3Host('f-a', '192.0.2.51');
      const r = (await ok(api.request(ALICE, 'POST', '/v2.0/routers', { router: { name: 'r', external_gateway_info: { network_id: ext.id } } }), 201)).router;
      const hosting = async () => (await ok(api.request(ADMIN, 'GET', `/v2.0/routers/${r.id}/l3-agents`))).agents.map((x: any) => x.host);
      assert.deepEqual(await hosting(), ['f-a']);
      await age('f-a', 100);
      await api.runtime.core.agentReports.checkDhcp();
      assert.deepEqual(await hosting(), ['f-a'], 'no other agent: the router stays (RouterReschedulingFailed)');
      await l3Host('f-a', '192.0.2.51'); // back before another agent appears
      await l3Host('f-b', '192.0.2.52');
      assert.deepEqual(await hosting(), ['f-a']);
      await age('f-a', 30);
      await report('f-b', l3Report('f-b'));
      assert.deepEqual(await hosting(), ['f-a'], 'silent for less than 2 × agent_down_time: stays');
      const since = (await state('f-a')).body.revision;
      await age('f-a', 41);
      await report('f-b', l3Report('f-b'));
      assert.deepEqual(await hosting(), ['f-b']);
      const gw = (await ok(api.request(ADMIN, 'GET', `/v2.0/ports?device_id=${r.id}&device_owner=network:router_gateway`))).ports[0];
      assert.equal(gw['binding:host_id'], 'f-b');
      assert.equal((await state('f-a', since)).status, 200);
      assert.ok(!(await state('f-a')).body.routers.some((x: any) => x.id === r.id));
      const onB = (await state('f-b')).body;
      assert.ok(onB.routers.some((x: any) => x.id === r.id));
      assert.ok(onB.ports.some((p: any) => p.id === gw.id && p.device_owner === 'network:router_gateway'));
    });
  });
}
