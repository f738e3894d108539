/**
 * Ports are listed from items built once per port version (core/item-cache.ts): every change to a
 * port or to what hangs off it must move its revision, or a server that listed the port before
 * keeps answering the old port. Two API replicas on one database: B lists and shows (its cache warm),
 * A changes things the ways users and agents do, and B must answer what a server that never saw
 * the ports (C, started afterwards) answers — on every dialect. A, whose cache holds the ports as
 * its own creates and updates built them (not read back), must answer the same.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, type TestApi } from '../support/api-server.js';

const SERVICE = { project: 'service', roles: ['service'] };
const l2Report = (host: string, extra: Record<string, unknown> = {}) => ({
  host, agent_type: 'Linux bridge agent', binary: 'neutron-linuxbridge-agent', topic: 'N/A',
  configurations: { interface_mappings: { physnet1: 'eth1' }, bridge_mappings: {}, tunneling_ip: '192.0.2.31', tunnel_types: ['vxlan'], l2_population: true, devices: 0 },
  observed_revision: 0, devices: [], errors: [], ...extra,
});
const dhcpReport = (host: string) => ({
  host, agent_type: 'DHCP agent', binary: 'neutron-dhcp-agent', topic: 'dhcp_agent',
  configurations: { dhcp_driver: 'neutron.agent.linux.dhcp.Dnsmasq', networks: 0 }, observed_revision: 0, devices: [], errors: [],
});
const CONFIG = '[DEFAULT]\nagent_down_time = 60\n[quotas]\nquota_port = -1\n';
const byId = (ports: any[]) => [...ports].sort((x, y) => (x.id < y.id ? -1 : 1));

for (const dialect of DIALECTS) {
  describe(`port lists stay true across API replicas (${dialect})`, () => {
    let a: TestApi & { database: any };
    let b: TestApi;
    let net: any, v4: any, router: any;
    before(async () => {
      a = await startTestApi(dialect, CONFIG);
      b = await startTestApi(dialect, CONFIG, { database: a.database });
      net = (await a.request(ALICE, 'POST', '/v2.0/networks', { network: { name: 'cached' } })).body.network;
      v4 = (await a.request(ALICE, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.44.0.0/24' } })).body.subnet;
      for (let i = 0; i < 3; i++) assert.equal((await a.request(ALICE, 'POST', '/v2.0/ports', { port: { network_id: net.id, name: `p${i}` } })).status, 201);
      // One with a pair and a DHCP option: A keeps it as its create built it.
      assert.equal((await a.request(ALICE, 'POST', '/v2.0/ports', { port: { network_id: net.id, name: 'p3', allowed_address_pairs: [{ ip_address: '10.44.0.250' }], extra_dhcp_opts: [{ opt_name: 'mtu', opt_value: '1400' }] } })).status, 201);
    });
    after(async () => { await b?.close(); await a?.close(); });

    const ok = async (api: TestApi, caller: any, method: string, url: string, body?: unknown, status = 200) => {
      const res = await api.request(caller, method, url, body);
      assert.equal(res.status, status, `${method} ${url}: ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const list = (api: TestApi, caller: any) => ok(api, caller, 'GET', `/v2.0/ports?network_id=${net.id}`).then((r) => byId(r.ports));
    const ports = () => list(a, ADMIN);
    /** B (warm) and A (the writer) against a fresh replica, as the project and as admin, lists and shows. */
    async function agrees(what: string): Promise<void> {
      const c = await startTestApi(dialect, CONFIG, { database: a.database });
      try {
        for (const caller of [ALICE, ADMIN]) {
          const fresh = await list(c, caller);
          for (const [name, api] of [['B', b], ['A', a]] as const) {
            assert.deepEqual(await list(api, caller), fresh, `${what}: ${name}'s list (${caller.project})`);
            for (const p of fresh) assert.deepEqual((await ok(api, caller, 'GET', `/v2.0/ports/${p.id}`)).port, p, `${what}: ${name}'s show of ${p.name}`);
          }
        }
      } finally {
        await c.close();
      }
    }
    /** Warms B, runs `change` through A, then B must agree with a fresh replica. */
    async function afterChange(what: string, change: () => Promise<void>): Promise<void> {
      await list(b, ALICE);
      await list(b, ADMIN);
      await change();
      await agrees(what);
    }

    it('a user changes a port: attributes, security groups, address pairs, addresses, tags', async () => {
      const [p0, p1] = await ports();
      const sg = (await ok(a, ALICE, 'POST', '/v2.0/security-groups', { security_group: { name: 'web' } }, 201)).security_group;
      await afterChange('name', () => ok(a, ALICE, 'PUT', `/v2.0/ports/${p0.id}`, { port: { name: 'renamed' } }));
      await afterChange('groups and pairs', () => ok(a, ALICE, 'PUT', `/v2.0/ports/${p1.id}`, { port: { security_groups: [sg.id], allowed_address_pairs: [{ ip_address: '10.44.0.200' }] } }));
      await afterChange('fixed IPs', () => ok(a, ALICE, 'PUT', `/v2.0/ports/${p1.id}`, { port: { fixed_ips: [{ subnet_id: v4.id, ip_address: '10.44.0.77' }] } }));
      await afterChange('tag added', () => ok(a, ALICE, 'PUT', `/v2.0/ports/${p0.id}/tags/blue`, undefined, 201));
      await afterChange('tags replaced', () => ok(a, ALICE, 'PUT', `/v2.0/ports/${p0.id}/tags`, { tags: ['red', 'green'] }));
      await afterChange('port deleted', () => ok(a, ALICE, 'DELETE', `/v2.0/ports/${p1.id}`, undefined, 204));
      assert.equal((await list(b, ALICE)).length, 3);
    });

    it('agents change ports: binding when an agent appears, status from its report', async () => {
      const [p] = await ports();
      // Bound to a host no agent runs on yet: binding_failed until one reports.
      await ok(a, ADMIN, 'PUT', `/v2.0/ports/${p.id}`, { port: { 'binding:host_id': 'cache-h1' } });
      assert.equal((await ok(b, ADMIN, 'GET', `/v2.0/ports/${p.id}`)).port['binding:vif_type'], 'binding_failed');
      await afterChange('binding on agent arrival', () => ok(a, SERVICE, 'POST', '/internal/agents/cache-h1/report', l2Report('cache-h1')));
      assert.equal((await ok(b, ADMIN, 'GET', `/v2.0/ports/${p.id}`)).port['binding:vif_type'], 'bridge');
      const rev = (await ok(a, SERVICE, 'GET', '/internal/hosts/cache-h1/state')).revision;
      await afterChange('status from the agent', () => ok(a, SERVICE, 'POST', '/internal/agents/cache-h1/report', l2Report('cache-h1', { observed_revision: rev, devices: [{ port_id: p.id, status: 'ACTIVE' }] })));
      assert.equal((await ok(b, ALICE, 'GET', `/v2.0/ports/${p.id}`)).port.status, 'ACTIVE');
    });

    it('the network changes its own ports: DHCP port addresses follow subnets, router ports their interfaces and gateway', async () => {
      await afterChange('DHCP port scheduled', () => ok(a, SERVICE, 'POST', '/internal/agents/cache-h1/report', dhcpReport('cache-h1')));
      const dhcpPort = () => ports().then((all) => all.find((x) => x.device_owner === 'network:dhcp'));
      assert.ok(await dhcpPort(), 'the DHCP agent got a port on the network');
      let extra: any;
      await afterChange('DHCP port gains a subnet', async () => {
        extra = (await ok(a, ALICE, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.45.0.0/24' } }, 201)).subnet;
        // The DHCP agent's next report schedules it (as its heartbeat would).
        await ok(a, SERVICE, 'POST', '/internal/agents/cache-h1/report', dhcpReport('cache-h1'));
      });
      assert.equal((await dhcpPort()).fixed_ips.length, 2, 'the DHCP port has an address on the new subnet');
      await afterChange('DHCP port loses a subnet', () => ok(a, ALICE, 'DELETE', `/v2.0/subnets/${extra.id}`, undefined, 204));
      assert.equal((await dhcpPort()).fixed_ips.length, 1);

      const ext = (await ok(a, ADMIN, 'POST', '/v2.0/networks', { network: { name: 'ext', 'router:external': true } }, 201)).network;
      const extSub = (await ok(a, ADMIN, 'POST', '/v2.0/subnets', { subnet: { network_id: ext.id, ip_version: 4, cidr: '198.51.100.0/24' } }, 201)).subnet;
      router = (await ok(a, ADMIN, 'POST', '/v2.0/routers', { router: { name: 'r', external_gateway_info: { network_id: ext.id } } }, 201)).router;
      const v6a = (await ok(a, ALICE, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 6, cidr: 'fd44:1::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' } }, 201)).subnet;
      const v6b = (await ok(a, ALICE, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 6, cidr: 'fd44:2::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' } }, 201)).subnet;
      await afterChange('router interface', () => ok(a, ADMIN, 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: v6a.id }));
      await afterChange('a second IPv6 prefix joins the router port', () => ok(a, ADMIN, 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: v6b.id }));
      const rport = (await ports()).find((x) => x.device_owner === 'network:router_interface');
      assert.equal(rport.fixed_ips.length, 2);

      const gwList = () => ok(b, ADMIN, 'GET', `/v2.0/ports?network_id=${ext.id}`).then((r) => r.ports);
      await gwList();
      await ok(a, ADMIN, 'PUT', `/v2.0/routers/${router.id}`, { router: { external_gateway_info: { network_id: ext.id, external_fixed_ips: [{ subnet_id: extSub.id, ip_address: '198.51.100.99' }] } } });
      const gw = (await gwList()).find((x: any) => x.device_owner === 'network:router_gateway');
      assert.deepEqual(gw.fixed_ips.map((f: any) => f.ip_address), ['198.51.100.99'], 'the gateway port shows its new address on a replica that listed it before');
      await agrees('gateway address change');
    });
  });
}
