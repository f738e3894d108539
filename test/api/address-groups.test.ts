/**
 * Extensions address-group, security-groups-remote-address-group, port-security-groups-filtering and
 * stateful-security-group over HTTP on every dialect: Neutron's metadata, CRUD with normalised
 * CIDRs, add/remove_addresses with Neutron's errors, rules naming address groups (validated,
 * exclusive with the other remotes), AddressGroupInUse, ports filtered by security group.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, BOB, type TestApi } from '../support/api-server.js';
import { ok, projectNetwork } from './l3-fixtures.js';

const EXTENSIONS = {
  'address-group': { name: 'Address group', description: 'Support address group', updated: '2020-07-15T10:00:00-00:00' },
  'security-groups-remote-address-group': { name: 'Remote address group id field for security group rules', description: 'Add new field of remote address group id in SG rules', updated: '2020-08-25T10:00:00-00:00' },
  'port-security-groups-filtering': { name: 'Port filtering on security groups', description: 'Provides security groups filtering when listing ports', updated: '2018-01-09T09:00:00-00:00' },
  'stateful-security-group': { name: 'Stateful security group', description: 'Indicates if the security group is stateful or not', updated: '2019-11-26T09:00:00-00:00' },
};

for (const dialect of DIALECTS) {
  describe(`address groups and security group filtering extensions (${dialect})`, () => {
    let api: TestApi;
    let sg: any;
    const err = async (res: Promise<{ status: number; body: any }>, status: number, type: string) => {
      const r = await res;
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(r.body.NeutronError.type, type, JSON.stringify(r.body));
      return r.body.NeutronError.message as string;
    };
    const rule = (body: Record<string, unknown>) => api.request(ALICE, 'POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', ...body } });

    before(async () => {
      api = await startTestApi(dialect);
      sg = (await ok(api.request(ALICE, 'POST', '/v2.0/security-groups', { security_group: { name: 'sg' } }), 201)).security_group;
    });
    after(async () => { await api?.close(); });

    it('lists the extensions with Neutron\'s metadata (and the RBAC shims: test/api/rbac-policies.test.ts)', async () => {
      const exts = (await ok(api.request(ALICE, 'GET', '/v2.0/extensions'))).extensions;
      for (const [alias, meta] of Object.entries(EXTENSIONS)) {
        const e = exts.find((x: any) => x.alias === alias);
        assert.ok(e, alias);
        assert.deepEqual({ name: e.name, description: e.description, updated: e.updated }, meta);
      }
      assert.equal(exts.filter((x: any) => x.alias === 'rbac-security-groups' || x.alias === 'rbac-address-group').length, 2);
    });

    it('creates, shows, lists, updates and deletes address groups with normalised CIDRs', async () => {
      const ag = (await ok(api.request(ALICE, 'POST', '/v2.0/address-groups', { address_group: { name: 'a', description: 'd', addresses: ['10.0.0.5/24', '2001:DB8::1/64', '192.0.2.1/32'] } }), 201)).address_group;
      assert.deepEqual(ag.addresses, ['10.0.0.0/24', '192.0.2.1/32', '2001:db8::/64']);
      assert.equal(ag.project_id, 'project-alice');
      assert.equal(ag.tenant_id, 'project-alice');
      assert.equal('shared' in ag, false);
      for (const k of ['id', 'name', 'description', 'created_at', 'updated_at', 'revision_number']) assert.ok(k in ag, k);
      assert.deepEqual((await ok(api.request(ALICE, 'GET', `/v2.0/address-groups/${ag.id}`))).address_group.addresses, ag.addresses);
      assert.deepEqual((await ok(api.request(ALICE, 'GET', '/v2.0/address-groups?name=a'))).address_groups.map((x: any) => x.id), [ag.id]);
      // Another project neither sees nor changes it.
      assert.deepEqual((await ok(api.request(BOB, 'GET', '/v2.0/address-groups'))).address_groups, []);
      await err(api.request(BOB, 'GET', `/v2.0/address-groups/${ag.id}`), 404, 'AddressGroupNotFound');
      await err(api.request(BOB, 'PUT', `/v2.0/address-groups/${ag.id}/add_addresses`, { addresses: ['10.9.0.0/16'] }), 404, 'AddressGroupNotFound');
      const up = (await ok(api.request(ALICE, 'PUT', `/v2.0/address-groups/${ag.id}`, { address_group: { name: 'b' } }))).address_group;
      assert.equal(up.name, 'b');
      assert.ok(up.revision_number > ag.revision_number);
      // addresses change through the actions only.
      assert.equal((await api.request(ALICE, 'PUT', `/v2.0/address-groups/${ag.id}`, { address_group: { addresses: [] } })).status, 400);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/address-groups/${ag.id}`), 204);
      await err(api.request(ALICE, 'GET', `/v2.0/address-groups/${ag.id}`), 404, 'AddressGroupNotFound');
    });

    it('refuses bad addresses on create (400)', async () => {
      for (const addresses of [['10.0.0.1'], ['not-a-cidr/8'], ['10.0.0.0/33'], ['10.0.0.0/8', '10.0.0.0/8'], 'x']) {
        const r = await api.request(ALICE, 'POST', '/v2.0/address-groups', { address_group: { addresses } });
        assert.equal(r.status, 400, JSON.stringify(addresses));
      }
    });

    it('adds and removes addresses with Neutron\'s errors', async () => {
      const ag = (await ok(api.request(ALICE, 'POST', '/v2.0/address-groups', { address_group: { name: 'x' } }), 201)).address_group;
      assert.deepEqual(ag.addresses, []);
      const added = (await ok(api.request(ALICE, 'PUT', `/v2.0/address-groups/${ag.id}/add_addresses`, { addresses: ['10.1.2.3/16', '10.1.0.0/16'] }))).address_group;
      assert.deepEqual(added.addresses, ['10.1.0.0/16']);
      const msg = await err(api.request(ALICE, 'PUT', `/v2.0/address-groups/${ag.id}/add_addresses`, { addresses: ['10.1.9.9/16'] }), 400, 'AddressesAlreadyExist');
      assert.equal(msg, `Addresses ['10.1.0.0/16'] already exist in the address group ${ag.id}.`);
      await err(api.request(ALICE, 'PUT', `/v2.0/address-groups/${ag.id}/remove_addresses`, { addresses: ['10.2.0.0/16'] }), 404, 'AddressesNotFound');
      assert.equal((await api.request(ALICE, 'PUT', `/v2.0/address-groups/${ag.id}/add_addresses`, { addresses: ['nope'] })).status, 400);
      assert.equal((await api.request(ALICE, 'PUT', `/v2.0/address-groups/${ag.id}/add_addresses`, {})).status, 400);
      const removed = (await ok(api.request(ALICE, 'PUT', `/v2.0/address-groups/${ag.id}/remove_addresses`, { addresses: ['10.1.0.0/16'] }))).address_group;
      assert.deepEqual(removed.addresses, []);
    });

    it('rules name address groups: validated, exclusive with the other remotes, and keep the group in use', async () => {
      const ag = (await ok(api.request(ALICE, 'POST', '/v2.0/address-groups', { address_group: { addresses: ['198.51.100.0/24'] } }), 201)).address_group;
      const r = (await ok(rule({ protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_address_group_id: ag.id }), 201)).security_group_rule;
      assert.equal(r.remote_address_group_id, ag.id);
      assert.equal(r.remote_group_id, null);
      assert.deepEqual((await ok(api.request(ALICE, 'GET', `/v2.0/security-group-rules?remote_address_group_id=${ag.id}`))).security_group_rules.map((x: any) => x.id), [r.id]);
      assert.equal((await ok(api.request(ALICE, 'GET', `/v2.0/security-groups/${sg.id}`))).security_group.security_group_rules.find((x: any) => x.id === r.id).remote_address_group_id, ag.id);
      // Duplicate of the same rule.
      await err(rule({ protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_address_group_id: ag.id }), 409, 'SecurityGroupRuleExists');
      for (const other of [{ remote_group_id: sg.id }, { remote_ip_prefix: '10.0.0.0/8' }]) {
        await err(rule({ protocol: 'udp', port_range_min: 53, port_range_max: 53, remote_address_group_id: ag.id, ...other }), 400, 'SecurityGroupMultipleRemoteEntites');
      }
      await err(rule({ remote_address_group_id: '5e1c2a2e-4e2f-4c1e-9a55-0d5b3c1b7f00' }), 404, 'AddressGroupNotFound');
      // Another project's address group is not found for Alice's rule.
      const bobs = (await ok(api.request(BOB, 'POST', '/v2.0/address-groups', { address_group: { addresses: ['10.0.0.0/8'] } }), 201)).address_group;
      await err(rule({ remote_address_group_id: bobs.id }), 404, 'AddressGroupNotFound');
      const msg = await err(api.request(ALICE, 'DELETE', `/v2.0/address-groups/${ag.id}`), 409, 'AddressGroupInUse');
      assert.equal(msg, `Address group ${ag.id} is in use on one or more security group rules.`);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/security-group-rules/${r.id}`), 204);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/address-groups/${ag.id}`), 204);
    });

    it('port-security-groups-filtering: ?security_groups= lists the ports in that group', async () => {
      const { net } = await projectNetwork(api, '10.50.0.0/24');
      const other = (await ok(api.request(ALICE, 'POST', '/v2.0/security-groups', { security_group: { name: 'o' } }), 201)).security_group;
      const mk = async (sgs: string[]) => (await ok(api.request(ALICE, 'POST', '/v2.0/ports', { port: { network_id: net.id, security_groups: sgs } }), 201)).port.id;
      const p1 = await mk([sg.id]);
      const p2 = await mk([sg.id, other.id]);
      const p3 = await mk([other.id]);
      const ids = async (q: string) => (await ok(api.request(ALICE, 'GET', `/v2.0/ports?network_id=${net.id}&${q}`))).ports.map((p: any) => p.id).sort();
      assert.deepEqual(await ids(`security_groups=${sg.id}`), [p1, p2].sort());
      assert.deepEqual(await ids(`security_groups=${other.id}`), [p2, p3].sort());
      assert.deepEqual(await ids(`security_groups=${sg.id}&security_groups=${other.id}`), [p1, p2, p3].sort());
    });

    it('stateful-security-group: stateful shown, set on create, and not changeable while ports use the group', async () => {
      const g = (await ok(api.request(ALICE, 'POST', '/v2.0/security-groups', { security_group: { name: 'sl', stateful: false } }), 201)).security_group;
      assert.equal(g.stateful, false);
      assert.equal((await ok(api.request(ALICE, 'PUT', `/v2.0/security-groups/${g.id}`, { security_group: { stateful: true } }))).security_group.stateful, true);
      const { net } = await projectNetwork(api, '10.51.0.0/24');
      await ok(api.request(ALICE, 'POST', '/v2.0/ports', { port: { network_id: net.id, security_groups: [g.id] } }), 201);
      await err(api.request(ALICE, 'PUT', `/v2.0/security-groups/${g.id}`, { security_group: { stateful: false } }), 409, 'SecurityGroupInUse');
      assert.ok(ADMIN);
    });
  });
}
