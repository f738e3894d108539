/**
 * Agents, port binding, realisation, host state and DHCP scheduling over HTTP (noauth callers), on
 * every dialect. Agent liveness is aged by moving heartbeat_timestamp back in the database.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, type TestApi } from '../support/api-server.js';
import { dhcpDeviceId } from '../../src/core/dhcp-scheduling.js';

const SERVICE = { project: 'service', roles: ['service'] };

const l2Report = (host: string, tunnelIp: string, extra: Record<string, unknown> = {}) => ({
  host, agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', topic: 'N/A',
  configurations: { interface_mappings: { physnet1: 'eth1' }, bridge_mappings: {}, tunneling_ip: tunnelIp, tunnel_types: ['vxlan'], l2_population: true, devices: 0 },
  observed_revision: 0, devices: [], errors: [], ...extra,
});
const dhcpReport = (host: string) => ({
  host, agent_type: 'DHCP agent', binary: 'neutron-dhcp-agent', topic: 'dhcp_agent',
  configurations: { dhcp_driver: 'neutron.agent.linux.dhcp.Dnsmasq', networks: 0 }, observed_revision: 0, devices: [], errors: [],
});

for (const dialect of DIALECTS) {
  describe(`agents, binding and host state (${dialect})`, () => {
    let api: TestApi;
    before(async () => { api = await startTestApi(dialect, '[DEFAULT]\nagent_down_time = 20\n'); });
    after(async () => { await api?.close(); });

    const report = async (host: string, body: unknown, caller = SERVICE) => {
      const res = await api.request(caller, 'POST', `/internal/agents/${host}/report`, body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };
    const state = (host: string, since?: number) => api.request(SERVICE, 'GET', `/internal/hosts/${host}/state${since === undefined ? '' : `?since=${since}`}`);
    /** Moves an agent's last heartbeat `seconds` into the past. */
    const age = (host: string, seconds: number) => api.runtime.store.db.updateTable('agents')
      .set({ heartbeat_timestamp: new Date(Date.now() - seconds * 1000).toISOString() }).where('host', '=', host).execute();
    const port = async (networkId: string, body: Record<string, unknown> = {}) => {
      const res = await api.request(ADMIN, 'POST', '/v2.0/ports', { port: { network_id: networkId, ...body } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.port;
    };
    const network = async (body: Record<string, unknown> = {}, cidr?: string) => {
      const n = (await api.request(ADMIN, 'POST', '/v2.0/networks', { network: body })).body.network;
      if (cidr) assert.equal((await api.request(ADMIN, 'POST', '/v2.0/subnets', { subnet: { network_id: n.id, ip_version: 4, cidr } })).status, 201);
      return n;
    };

    it('registers agents from reports and shows them as Neutron does; only admins see them', async () => {
      const r = await report('compute-a', l2Report('compute-a', '192.0.2.1'));
      assert.equal(r.status, 'new');
      assert.equal((await report('compute-a', l2Report('compute-a', '192.0.2.1'))).status, 'alive');
      const list = await api.request(ADMIN, 'GET', '/v2.0/agents?host=compute-a');
      assert.equal(list.status, 200);
      assert.equal(list.body.agents.length, 1);
      const a = list.body.agents[0];
      assert.equal(a.agent_type, 'Linux bridge agent');
      assert.equal(a.binary, 'neutron-linuxbridge-agent');
      assert.equal(a.topic, 'N/A');
      assert.equal(a.alive, true);
      assert.equal(a.admin_state_up, true);
      assert.equal(a.availability_zone, 'nova');
      assert.equal(a.configurations.tunneling_ip, '192.0.2.1');
      assert.match(a.heartbeat_timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.match(a.started_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      const up = await api.request(ADMIN, 'PUT', `/v2.0/agents/${a.id}`, { agent: { description: 'rack 4', admin_state_up: false } });
      assert.equal(up.status, 200, JSON.stringify(up.body));
      assert.equal(up.body.agent.description, 'rack 4');
      assert.equal(up.body.agent.admin_state_up, false);
      assert.equal((await api.request(ADMIN, 'PUT', `/v2.0/agents/${a.id}`, { agent: { host: 'x' } })).status, 400);
      assert.equal((await api.request(ALICE, 'GET', `/v2.0/agents/${a.id}`)).status, 404);
      assert.deepEqual((await api.request(ALICE, 'GET', '/v2.0/agents')).body.agents, []);
      assert.equal((await api.request(ADMIN, 'GET', `/v2.0/agents/${'0'.repeat(8)}-0000-4000-8000-000000000000`)).body.NeutronError.type, 'AgentNotFound');
      const ext = (await api.request(ADMIN, 'GET', '/v2.0/extensions')).body.extensions.map((e: { alias: string }) => e.alias);
      for (const alias of ['agent', 'dhcp_agent_scheduler', 'availability_zone']) assert.ok(ext.includes(alias), alias);
    });

    it('computes alive from the heartbeat and agent_down_time', async () => {
      await report('compute-old', l2Report('compute-old', '192.0.2.9'));
      await age('compute-old', 21);
      const [a] = (await api.request(ADMIN, 'GET', '/v2.0/agents?host=compute-old')).body.agents;
      assert.equal(a.alive, false);
      assert.deepEqual((await api.request(ADMIN, 'GET', '/v2.0/agents?alive=false&host=compute-old')).body.agents.map((x: { id: string }) => x.id), [a.id]);
      assert.equal((await report('compute-old', l2Report('compute-old', '192.0.2.9'))).status, 'revived');
      assert.equal((await api.request(ADMIN, 'GET', `/v2.0/agents/${a.id}`)).body.agent.alive, true);
      assert.equal((await api.request(ADMIN, 'DELETE', `/v2.0/agents/${a.id}`)).status, 204);
      assert.equal((await api.request(ADMIN, 'GET', `/v2.0/agents/${a.id}`)).status, 404);
    });

    it('refuses the internal endpoints to project members', async () => {
      assert.equal((await api.request(ALICE, 'GET', '/internal/hosts/compute-a/state')).status, 403);
      assert.equal((await api.request(ALICE, 'POST', '/internal/agents/compute-a/report', l2Report('compute-a', '192.0.2.1'))).status, 403);
      assert.equal((await api.request(ADMIN, 'GET', '/internal/hosts/compute-a/state')).status, 200);
      assert.equal((await api.request(SERVICE, 'POST', '/internal/agents/compute-a/report', { agent_type: 'x' })).status, 400);
      assert.equal((await api.request(SERVICE, 'POST', '/internal/agents/compute-a/report', l2Report('other-host', '1.1.1.1'))).status, 400);
    });

    it('binds ports through the linuxbridge driver, fails without a reachable live agent, rebinds when one reports', async () => {
      await report('bind-a', l2Report('bind-a', '192.0.2.11'));
      const vx = await network({}, '10.40.0.0/24');
      const unbound = await port(vx.id);
      assert.equal(unbound['binding:vif_type'], 'unbound');
      const p = await port(vx.id, { 'binding:host_id': 'bind-a' });
      assert.equal(p['binding:vif_type'], 'bridge');
      assert.deepEqual(p['binding:vif_details'], { port_filter: true, connectivity: 'l2', bound_drivers: { '0': 'linuxbridge' } });
      const flat2 = await network({ 'provider:network_type': 'flat', 'provider:physical_network': 'physnet2' });
      assert.equal((await port(flat2.id, { 'binding:host_id': 'bind-a' }))['binding:vif_type'], 'binding_failed');
      const flat1 = await network({ 'provider:network_type': 'flat', 'provider:physical_network': 'physnet1' });
      assert.equal((await port(flat1.id, { 'binding:host_id': 'bind-a' }))['binding:vif_type'], 'bridge');
      // No agent yet on bind-b: failed; the agent's first report binds it.
      const later = await port(vx.id, { 'binding:host_id': 'bind-b' });
      assert.equal(later['binding:vif_type'], 'binding_failed');
      await report('bind-b', l2Report('bind-b', '192.0.2.12'));
      assert.equal((await api.request(ADMIN, 'GET', `/v2.0/ports/${later.id}`)).body.port['binding:vif_type'], 'bridge');
      // A dead agent binds nothing.
      await report('bind-dead', l2Report('bind-dead', '192.0.2.13'));
      await age('bind-dead', 60);
      assert.equal((await port(vx.id, { 'binding:host_id': 'bind-dead' }))['binding:vif_type'], 'binding_failed');
      // Moving a port rebinds it; clearing the host unbinds it.
      const moved = await api.request(ADMIN, 'PUT', `/v2.0/ports/${unbound.id}`, { port: { 'binding:host_id': 'bind-a' } });
      assert.equal(moved.body.port['binding:vif_type'], 'bridge');
      const cleared = await api.request(ADMIN, 'PUT', `/v2.0/ports/${unbound.id}`, { port: { 'binding:host_id': '' } });
      assert.equal(cleared.body.port['binding:vif_type'], 'unbound');
    });

    it('renders host state with l2population remotes, answers 304 when nothing changed, marks ports ACTIVE and DOWN', async () => {
      await report('st-a', l2Report('st-a', '192.0.2.21'));
      await report('st-b', l2Report('st-b', '192.0.2.22'));
      const vx = await network({}, '10.41.0.0/24');
      const pa = await port(vx.id, { 'binding:host_id': 'st-a' });
      const pb = await port(vx.id, { 'binding:host_id': 'st-b', allowed_address_pairs: [{ ip_address: '10.41.0.200' }] });
      const res = await state('st-a');
      assert.equal(res.status, 200);
      const hs = res.body;
      assert.equal(hs.host, 'st-a');
      assert.deepEqual(hs.ports.map((p: { id: string }) => p.id), [pa.id]);
      const net = hs.networks.find((n: { id: string }) => n.id === vx.id);
      assert.equal(net.segment.network_type, 'vxlan');
      assert.equal(net.segment.segmentation_id, vx['provider:segmentation_id']);
      assert.equal(net.mtu, vx.mtu);
      assert.deepEqual(net.remotes, [{ host: 'st-b', vtep_ip: '192.0.2.22', ports: [{ mac_address: pb.mac_address, ips: [pb.fixed_ips[0].ip_address, '10.41.0.200'].sort() }] }]);
      // Nothing changed for st-a: 304, also after a change elsewhere. (The other port carries no
      // security group: a new member of st-a's default group would change st-a's firewall.)
      assert.equal((await state('st-a', hs.revision)).status, 304);
      const other = await network({}, '10.42.0.0/24');
      await port(other.id, { 'binding:host_id': 'st-b', port_security_enabled: false, security_groups: [] });
      assert.equal((await state('st-a', hs.revision)).status, 304);
      assert.equal((await state('st-b', hs.revision)).status, 200);

      // Realisation: ACTIVE only once the agent applied the port's revision.
      const portRevision = hs.ports[0].revision_number;
      assert.ok(portRevision > 0 && portRevision <= hs.revision);
      await report('st-a', l2Report('st-a', '192.0.2.21', { observed_revision: portRevision - 1, devices: [{ port_id: pa.id, status: 'ACTIVE' }] }));
      assert.equal((await api.request(ADMIN, 'GET', `/v2.0/ports/${pa.id}`)).body.port.status, 'DOWN');
      await report('st-a', l2Report('st-a', '192.0.2.21', { observed_revision: hs.revision, devices: [{ port_id: pa.id, status: 'ACTIVE' }] }));
      assert.equal((await api.request(ADMIN, 'GET', `/v2.0/ports/${pa.id}`)).body.port.status, 'ACTIVE');
      // A report from another host cannot touch it.
      await report('st-b', l2Report('st-b', '192.0.2.22', { observed_revision: hs.revision, devices: [{ port_id: pa.id, status: 'DOWN' }] }));
      assert.equal((await api.request(ADMIN, 'GET', `/v2.0/ports/${pa.id}`)).body.port.status, 'ACTIVE');
      await report('st-a', l2Report('st-a', '192.0.2.21', { observed_revision: hs.revision, devices: [{ port_id: pa.id, status: 'DOWN' }] }));
      assert.equal((await api.request(ADMIN, 'GET', `/v2.0/ports/${pa.id}`)).body.port.status, 'DOWN');

      // A change to st-b's port reaches st-a (its remotes), with a higher revision.
      await api.request(ADMIN, 'PUT', `/v2.0/ports/${pb.id}`, { port: { allowed_address_pairs: [] } });
      const next = await state('st-a', hs.revision);
      assert.equal(next.status, 200);
      assert.ok(next.body.revision > hs.revision);
      assert.deepEqual(next.body.networks.find((n: { id: string }) => n.id === vx.id).remotes[0].ports[0].ips, [pb.fixed_ips[0].ip_address]);
      // Deleting st-a's port removes the network from st-a.
      assert.equal((await api.request(ADMIN, 'DELETE', `/v2.0/ports/${pa.id}`)).status, 204);
      const gone = await state('st-a', next.body.revision);
      assert.equal(gone.status, 200);
      assert.deepEqual(gone.body.ports, []);
      assert.equal(gone.body.networks.some((n: { id: string }) => n.id === vx.id), false);
    });

    it('schedules DHCP agents, creates DHCP ports, fails over from dead agents and follows the scheduler API', async () => {
      for (const h of ['dhcp-1', 'dhcp-2']) {
        await report(h, l2Report(h, h === 'dhcp-1' ? '192.0.2.31' : '192.0.2.32'));
        await report(h, dhcpReport(h));
      }
      const n = await network({}, '10.43.0.0/24');
      const agents = (await api.request(ADMIN, 'GET', `/v2.0/networks/${n.id}/dhcp-agents`)).body.agents;
      assert.equal(agents.length, 1);
      const first = agents[0];
      assert.equal(first.agent_type, 'DHCP agent');
      const dhcpPorts = async () => (await api.request(ADMIN, 'GET', `/v2.0/ports?network_id=${n.id}&device_owner=network:dhcp`)).body.ports;
      const [dp] = await dhcpPorts();
      assert.equal(dp.device_id, dhcpDeviceId(first.host, n.id));
      assert.equal(dp['binding:host_id'], first.host);
      assert.equal(dp['binding:vif_type'], 'bridge');
      assert.equal(dp.fixed_ips.length, 1);
      const hs = (await state(first.host)).body;
      const entry = hs.dhcp.find((x: { network_id: string }) => x.network_id === n.id);
      assert.equal(entry.port.id, dp.id);
      assert.equal(entry.subnets[0].cidr, '10.43.0.0/24');
      assert.ok(hs.networks.some((x: { id: string }) => x.id === n.id));
      assert.ok(hs.ports.some((x: { id: string }) => x.id === dp.id));
      const vm = await port(n.id, { 'binding:host_id': 'dhcp-2' });
      assert.ok((await state(first.host)).body.dhcp.find((x: { network_id: string }) => x.network_id === n.id).hosts.some((h: { port_id: string }) => h.port_id === vm.id));

      // The serving agent goes silent for 2 x agent_down_time: the other one takes over its port.
      await age(first.host, 41);
      const other = first.host === 'dhcp-1' ? 'dhcp-2' : 'dhcp-1';
      await report(other, dhcpReport(other));
      const now = (await api.request(ADMIN, 'GET', `/v2.0/networks/${n.id}/dhcp-agents`)).body.agents;
      assert.deepEqual(now.map((a: { host: string }) => a.host), [other]);
      const [moved] = await dhcpPorts();
      assert.equal(moved.id, dp.id);
      assert.equal(moved['binding:host_id'], other);
      assert.equal(moved.device_id, dhcpDeviceId(other, n.id));
      assert.deepEqual(moved.fixed_ips, dp.fixed_ips);
      assert.equal((await state(first.host)).body.dhcp.some((x: { network_id: string }) => x.network_id === n.id), false);

      // Scheduler API: remove (port goes), add back (port comes), refuse duplicates.
      const otherAgent = now[0];
      // Networks of the earlier tests were scheduled too when the DHCP agents appeared.
      assert.ok((await api.request(ADMIN, 'GET', `/v2.0/agents/${otherAgent.id}/dhcp-networks`)).body.networks.some((x: { id: string }) => x.id === n.id));
      assert.equal((await api.request(ADMIN, 'DELETE', `/v2.0/agents/${otherAgent.id}/dhcp-networks/${n.id}`)).status, 204);
      assert.deepEqual(await dhcpPorts(), []);
      assert.equal((await api.request(ADMIN, 'POST', `/v2.0/agents/${otherAgent.id}/dhcp-networks`, { network_id: n.id })).status, 201);
      assert.equal((await dhcpPorts()).length, 1);
      const dup = await api.request(ADMIN, 'POST', `/v2.0/agents/${otherAgent.id}/dhcp-networks`, { network_id: n.id });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.NeutronError.type, 'NetworkHostedByDHCPAgent');
      assert.equal((await api.request(ALICE, 'GET', `/v2.0/networks/${n.id}/dhcp-agents`)).status, 403);
      const zones = (await api.request(ADMIN, 'GET', '/v2.0/availability_zones?resource=network')).body.availability_zones;
      assert.deepEqual(zones, [{ name: 'nova', resource: 'network', state: 'available' }]);

      // No DHCP subnet left: the DHCP port goes, and the network can be deleted.
      const [sub] = (await api.request(ADMIN, 'GET', `/v2.0/subnets?network_id=${n.id}`)).body.subnets;
      assert.equal((await api.request(ADMIN, 'PUT', `/v2.0/subnets/${sub.id}`, { subnet: { enable_dhcp: false } })).status, 200);
      assert.deepEqual(await dhcpPorts(), []);
      assert.equal((await api.request(ADMIN, 'DELETE', `/v2.0/ports/${vm.id}`)).status, 204);
      assert.equal((await api.request(ADMIN, 'DELETE', `/v2.0/networks/${n.id}`)).status, 204);
    });
  });
}
