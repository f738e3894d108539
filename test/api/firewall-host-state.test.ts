/**
 * Security groups in host state over HTTP on every dialect: HostState.firewall in the contract's shape
 * (src/hoststate/firewall.ts), and every change reaching exactly the hosts that filter on it — the
 * group's own hosts for rule changes, and for membership changes (ports joining/leaving a group, their
 * IPs and pairs) the hosts whose rules name the group as remote group, even on other networks.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, type TestApi } from '../support/api-server.js';
import { ok, projectNetwork } from './l3-fixtures.js';
import { agentHelpers, l2Report } from './l3-agent-fixtures.js';

for (const dialect of DIALECTS) {
  describe(`security groups in host state (${dialect})`, () => {
    let api: TestApi;
    let web: any; let clients: any; let other: any;
    let a: any; let b: any; let c: any;
    let webPort: any; let client1: any;
    const { report, state } = agentHelpers(() => api);
    const group = async (name: string) => (await ok(api.request(ALICE, 'POST', '/v2.0/security-groups', { security_group: { name } }), 201)).security_group;
    const port = async (net: any, host: string, sgs: string[], extra: Record<string, unknown> = {}) => (await ok(api.request(ADMIN, 'POST', '/v2.0/ports', {
      port: { network_id: net.id, project_id: 'project-alice', device_owner: 'compute:nova', device_id: `vm-${Math.random()}`, 'binding:host_id': host, security_groups: sgs, ...extra },
    }), 201)).port;
    const rev = async (host: string) => (await ok(state(host))).revision as number;
    /** Runs `change` and returns which of `hosts` saw their state change. */
    const reached = async (hosts: string[], change: () => Promise<unknown>) => {
      const before = new Map(await Promise.all(hosts.map(async (h) => [h, await rev(h)] as const)));
      await change();
      const out: string[] = [];
      for (const h of hosts) if ((await state(h, before.get(h))).status === 200) out.push(h);
      return out;
    };
    const fw = async (host: string) => (await ok(state(host))).firewall;
    const members = async (host: string, groupId: string) => (await fw(host)).remote_groups.find((g: any) => g.security_group_id === groupId);

    before(async () => {
      api = await startTestApi(dialect);
      for (const [h, ip] of [['web-1', '192.0.2.71'], ['cli-1', '192.0.2.72'], ['idle-1', '192.0.2.73']]) await report(h, l2Report(h, ip));
      a = await projectNetwork(api, '10.40.0.0/24');
      b = await projectNetwork(api, '10.41.0.0/24');
      c = await projectNetwork(api, '10.43.0.0/24');
      web = await group('web');
      clients = await group('clients');
      other = await group('other');
      await ok(api.request(ALICE, 'POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: web.id, direction: 'ingress', protocol: 'tcp', port_range_min: 80, port_range_max: 80, remote_group_id: clients.id } }), 201);
      webPort = await port(a.net, 'web-1', [web.id]);
      client1 = await port(b.net, 'cli-1', [clients.id]);
      await port(c.net, 'idle-1', [other.id]);
    });
    after(async () => { await api?.close(); });

    it('renders the groups of the host\'s ports with their rules and the remote groups\' member addresses', async () => {
      const f = await fw('web-1');
      assert.deepEqual(Object.keys(f).sort(), ['address_groups', 'remote_groups', 'security_groups']);
      assert.deepEqual(f.security_groups.map((g: any) => g.id), [web.id]);
      const g = f.security_groups[0];
      assert.equal(g.stateful, true);
      const tcp = g.rules.find((r: any) => r.protocol === 'tcp');
      assert.deepEqual(tcp, { id: tcp.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 80, port_range_max: 80, remote_ip_prefix: null, remote_group_id: clients.id, remote_address_group_id: null });
      assert.equal(g.rules.filter((r: any) => r.direction === 'egress').length, 2);
      assert.deepEqual(f.remote_groups, [{ security_group_id: clients.id, ipv4: [client1.fixed_ips[0].ip_address], ipv6: [] }]);
      // The client host filters on its own group only; nothing of `web` there.
      assert.deepEqual((await fw('cli-1')).security_groups.map((g: any) => g.id), [clients.id]);
    });

    it('a new member on another network and host reaches the hosts filtering on its group, not unrelated ones', async () => {
      let p: any;
      assert.deepEqual(await reached(['web-1', 'idle-1'], async () => { p = await port(b.net, 'cli-1', [clients.id]); }), ['web-1']);
      assert.ok((await members('web-1', clients.id)).ipv4.includes(p.fixed_ips[0].ip_address));
      // Allowed address pairs and fixed IP changes of members too.
      assert.deepEqual(await reached(['web-1'], () => ok(api.request(ADMIN, 'PUT', `/v2.0/ports/${p.id}`, { port: { allowed_address_pairs: [{ ip_address: '10.41.0.200/30' }] } }))), ['web-1']);
      assert.ok((await members('web-1', clients.id)).ipv4.includes('10.41.0.200/30'));
      assert.deepEqual(await reached(['web-1', 'cli-1'], () => ok(api.request(ADMIN, 'PUT', `/v2.0/ports/${p.id}`, { port: { fixed_ips: [{ subnet_id: b.subnet.id, ip_address: '10.41.0.99' }] } }))), ['web-1', 'cli-1']);
      assert.deepEqual((await members('web-1', clients.id)).ipv4.filter((ip: string) => ip.startsWith('10.41.0.99')), ['10.41.0.99']);
      // A new name or description changes no member address: only the port's own host hears of it.
      assert.deepEqual(await reached(['web-1', 'cli-1'], () => ok(api.request(ADMIN, 'PUT', `/v2.0/ports/${p.id}`, { port: { name: 'renamed', description: 'still a member' } }))), ['cli-1']);
      // Leaving the group (port security off with it) removes the addresses.
      assert.deepEqual(await reached(['web-1'], () => ok(api.request(ADMIN, 'PUT', `/v2.0/ports/${p.id}`, { port: { security_groups: [], allowed_address_pairs: [], port_security_enabled: false } }))), ['web-1']);
      assert.deepEqual((await members('web-1', clients.id)).ipv4, [client1.fixed_ips[0].ip_address]);
      const ps = (await ok(state('cli-1'))).ports.find((x: any) => x.id === p.id);
      assert.equal(ps.port_security_enabled, false);
      assert.deepEqual(ps.security_groups, []);
      // Deleting a member reaches the web host as well.
      const q = await port(b.net, 'cli-1', [clients.id]);
      assert.deepEqual(await reached(['web-1', 'idle-1'], () => ok(api.request(ADMIN, 'DELETE', `/v2.0/ports/${q.id}`), 204)), ['web-1']);
      assert.ok(!(await members('web-1', clients.id)).ipv4.includes(q.fixed_ips[0].ip_address));
    });

    it('rule changes reach the hosts with ports in the group only', async () => {
      let rule: any;
      assert.deepEqual(await reached(['web-1', 'cli-1', 'idle-1'], async () => {
        rule = (await ok(api.request(ALICE, 'POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: web.id, direction: 'ingress', protocol: 'icmp', remote_ip_prefix: '198.51.100.0/24' } }), 201)).security_group_rule;
      }), ['web-1']);
      assert.ok((await fw('web-1')).security_groups[0].rules.some((r: any) => r.id === rule.id && r.remote_ip_prefix === '198.51.100.0/24'));
      assert.deepEqual(await reached(['web-1', 'cli-1'], () => ok(api.request(ALICE, 'DELETE', `/v2.0/security-group-rules/${rule.id}`), 204)), ['web-1']);
      assert.ok(!(await fw('web-1')).security_groups[0].rules.some((r: any) => r.id === rule.id));
    });

    it('address groups named by rules are rendered and their address changes reach the filtering hosts', async () => {
      const ag = (await ok(api.request(ALICE, 'POST', '/v2.0/address-groups', { address_group: { name: 'office', addresses: ['203.0.113.7/24'] } }), 201)).address_group;
      assert.deepEqual(await reached(['web-1', 'idle-1'], () => ok(api.request(ALICE, 'POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: web.id, direction: 'ingress', remote_address_group_id: ag.id } }), 201)), ['web-1']);
      assert.deepEqual((await fw('web-1')).address_groups, [{ id: ag.id, addresses: ['203.0.113.0/24'] }]);
      assert.deepEqual(await reached(['web-1', 'cli-1', 'idle-1'], () => ok(api.request(ALICE, 'PUT', `/v2.0/address-groups/${ag.id}/add_addresses`, { addresses: ['2001:db8::1/64'] }))), ['web-1']);
      assert.deepEqual((await fw('web-1')).address_groups[0].addresses, ['2001:db8::/64', '203.0.113.0/24']);
      assert.deepEqual(await reached(['web-1'], () => ok(api.request(ALICE, 'PUT', `/v2.0/address-groups/${ag.id}/remove_addresses`, { addresses: ['203.0.113.0/24'] }))), ['web-1']);
      assert.deepEqual((await fw('web-1')).address_groups[0].addresses, ['2001:db8::/64']);
    });

    it('deleting a group that other groups name as remote reaches their hosts (their rules go with it)', async () => {
      const tmp = await group('tmp');
      await ok(api.request(ALICE, 'POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: web.id, direction: 'ingress', remote_group_id: tmp.id, ethertype: 'IPv6' } }), 201);
      assert.ok((await fw('web-1')).remote_groups.some((g: any) => g.security_group_id === tmp.id && g.ipv4.length === 0 && g.ipv6.length === 0));
      assert.deepEqual(await reached(['web-1', 'cli-1', 'idle-1'], () => ok(api.request(ALICE, 'DELETE', `/v2.0/security-groups/${tmp.id}`), 204)), ['web-1']);
      const f = await fw('web-1');
      assert.ok(!f.remote_groups.some((g: any) => g.security_group_id === tmp.id));
      assert.ok(!f.security_groups[0].rules.some((r: any) => r.remote_group_id === tmp.id));
    });

    it('changing a port\'s groups reaches its own host and those filtering on old and new groups', async () => {
      assert.deepEqual(await reached(['web-1', 'cli-1', 'idle-1'], () => ok(api.request(ALICE, 'PUT', `/v2.0/ports/${client1.id}`, { port: { security_groups: [other.id] } }))), ['web-1', 'cli-1']);
      assert.deepEqual((await members('web-1', clients.id)).ipv4, []);
      assert.deepEqual((await fw('cli-1')).security_groups.map((g: any) => g.id), [other.id]);
      assert.ok(webPort);
    });
  });
}

describe('[securitygroup] enable_security_group = false: no firewall in host state', () => {
  let api: TestApi;
  const { report, state } = agentHelpers(() => api);
  before(async () => { api = await startTestApi('sqlite', '[securitygroup]\nenable_security_group = false\n'); });
  after(async () => { await api?.close(); });

  it('omits HostState.firewall and binds with port_filter false', async () => {
    await report('h-1', l2Report('h-1', '192.0.2.81'));
    const { net } = await projectNetwork(api, '10.42.0.0/24');
    const p = (await ok(api.request(ADMIN, 'POST', '/v2.0/ports', { port: { network_id: net.id, project_id: 'project-alice', device_owner: 'compute:nova', device_id: 'vm', 'binding:host_id': 'h-1' } }), 201)).port;
    assert.equal(p['binding:vif_details'].port_filter, false);
    const s = (await ok(state('h-1')));
    assert.equal(s.ports.length, 1);
    assert.equal('firewall' in s, false);
  });
});
