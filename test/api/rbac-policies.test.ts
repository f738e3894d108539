/**
 * Extensions rbac-policies, rbac-security-groups, rbac-address-group and
 * security-groups-shared-filtering over HTTP on every dialect: Neutron's metadata, CRUD of
 * `/v2.0/rbac-policies` with Neutron's errors, a security group shared with one project and with
 * `*` (visible with `shared`, usable on the target's ports and rendered in its host's firewall, not
 * changeable by it), RbacPolicyInUse while the target depends on the sharing, address groups shared
 * for use in the target's rules.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, BOB, type Caller, type TestApi } from '../support/api-server.js';
import { ok, projectNetwork } from './l3-fixtures.js';
import { agentHelpers, l2Report } from './l3-agent-fixtures.js';

const CAROL: Caller = { project: 'project-carol', roles: ['member', 'reader'] };

const EXTENSIONS = {
  'rbac-policies': { name: 'RBAC Policies', description: 'Allows creation and modification of policies that control tenant access to resources.', updated: '2015-06-17T12:15:12-00:00' },
  'rbac-security-groups': { name: 'Add security_group type to network RBAC', description: 'Add security_group type to network RBAC', updated: '2019-02-14T00:00:00-00:00' },
  'rbac-address-group': { name: 'Add address_group type to RBAC', description: 'Add address_group type to network RBAC', updated: '2021-01-20T00:00:00-00:00' },
  'security-groups-shared-filtering': { name: 'Security group filtering on the shared field', description: 'Support filtering security groups on the shared field', updated: '2021-10-05T09:00:00-00:00' },
};

for (const dialect of DIALECTS) {
  describe(`RBAC policies for security groups and address groups (${dialect})`, () => {
    let api: TestApi;
    let bobNet: any; let carolNet: any;
    const { report, state } = agentHelpers(() => api);
    const err = async (res: Promise<{ status: number; body: any }>, status: number, type: string) => {
      const r = await res;
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(r.body.NeutronError.type, type, JSON.stringify(r.body));
      return r.body.NeutronError.message as string;
    };
    const group = async (name: string, caller: Caller = ALICE) => (await ok(api.request(caller, 'POST', '/v2.0/security-groups', { security_group: { name } }), 201)).security_group;
    const share = (caller: Caller, objectId: string, target: string, extra: Record<string, unknown> = {}) =>
      api.request(caller, 'POST', '/v2.0/rbac-policies', { rbac_policy: { object_type: 'security_group', object_id: objectId, action: 'access_as_shared', target_tenant: target, ...extra } });
    const shared = async (caller: Caller, objectId: string, target: string) => (await ok(share(caller, objectId, target), 201)).rbac_policy;
    const sgIds = async (caller: Caller, query = '') => (await ok(api.request(caller, 'GET', `/v2.0/security-groups${query}`))).security_groups.map((g: any) => g.id);
    const port = (caller: Caller, net: any, sgs: string[], extra: Record<string, unknown> = {}) =>
      api.request(caller, 'POST', '/v2.0/ports', { port: { network_id: net.id, security_groups: sgs, ...extra } });

    before(async () => {
      api = await startTestApi(dialect);
      bobNet = (await projectNetwork(api, '10.61.0.0/24', BOB)).net;
      carolNet = (await projectNetwork(api, '10.62.0.0/24', CAROL)).net;
    });
    after(async () => { await api?.close(); });

    it('lists rbac-policies and the shims with Neutron\'s metadata', async () => {
      const exts = (await ok(api.request(ALICE, 'GET', '/v2.0/extensions'))).extensions;
      for (const [alias, meta] of Object.entries(EXTENSIONS)) {
        const e = exts.find((x: any) => x.alias === alias);
        assert.ok(e, alias);
        assert.deepEqual({ name: e.name, description: e.description, updated: e.updated }, meta);
      }
    });

    it('creates, shows, lists, filters and deletes policies; only their project (and admins) see them', async () => {
      const sg = await group('crud');
      const p = await shared(ALICE, sg.id, BOB.project!);
      assert.deepEqual(Object.keys(p).sort(), ['action', 'id', 'object_id', 'object_type', 'project_id', 'target_tenant', 'tenant_id']);
      assert.deepEqual({ ...p, id: undefined }, {
        id: undefined, action: 'access_as_shared', object_id: sg.id, object_type: 'security_group', project_id: ALICE.project, tenant_id: ALICE.project, target_tenant: BOB.project,
      });
      assert.deepEqual((await ok(api.request(ALICE, 'GET', `/v2.0/rbac-policies/${p.id}`))).rbac_policy, p);
      assert.deepEqual((await ok(api.request(ALICE, 'GET', `/v2.0/rbac-policies?object_id=${sg.id}`))).rbac_policies, [p]);
      assert.deepEqual((await ok(api.request(ALICE, 'GET', `/v2.0/rbac-policies?object_id=${sg.id}&target_tenant=${CAROL.project}`))).rbac_policies, []);
      assert.deepEqual((await ok(api.request(ALICE, 'GET', `/v2.0/rbac-policies?object_id=${sg.id}&object_type=Security_Group&fields=id`))).rbac_policies, [{ id: p.id }]);
      assert.deepEqual((await ok(api.request(ALICE, 'GET', `/v2.0/rbac-policies?object_id=${sg.id}&object_type=address_group`))).rbac_policies, []);
      assert.ok((await ok(api.request(ADMIN, 'GET', '/v2.0/rbac-policies'))).rbac_policies.some((x: any) => x.id === p.id));
      // The target does not see the policy (Neutron scopes entries to their own project).
      assert.deepEqual((await ok(api.request(BOB, 'GET', '/v2.0/rbac-policies'))).rbac_policies, []);
      assert.equal(await err(api.request(BOB, 'GET', `/v2.0/rbac-policies/${p.id}`), 404, 'RbacPolicyNotFound'), `RBAC policy of type unknown with ID ${p.id} not found`);
      await err(api.request(BOB, 'DELETE', `/v2.0/rbac-policies/${p.id}`), 404, 'RbacPolicyNotFound');
      // Retargeting while nobody depends on it.
      const moved = (await ok(api.request(ALICE, 'PUT', `/v2.0/rbac-policies/${p.id}`, { rbac_policy: { target_tenant: CAROL.project } }))).rbac_policy;
      assert.equal(moved.target_tenant, CAROL.project);
      assert.deepEqual(await sgIds(BOB), (await sgIds(BOB)).filter((id: string) => id !== sg.id));
      assert.ok((await sgIds(CAROL)).includes(sg.id));
      await ok(api.request(ALICE, 'DELETE', `/v2.0/rbac-policies/${p.id}`), 204);
      await err(api.request(ALICE, 'GET', `/v2.0/rbac-policies/${p.id}`), 404, 'RbacPolicyNotFound');
      assert.equal((await sgIds(CAROL)).includes(sg.id), false);
    });

    it('refuses bad input with Neutron\'s errors', async () => {
      const sg = await group('bad');
      assert.equal(await err(share(ALICE, sg.id, BOB.project!, { object_type: 'network' }), 400, 'InvalidInput'), "Invalid input for operation: 'network' is not a valid RBAC object type.");
      await err(api.request(ALICE, 'POST', '/v2.0/rbac-policies', { rbac_policy: { object_id: sg.id, action: 'access_as_shared', target_tenant: 'x' } }), 400, 'InvalidInput');
      assert.equal(await err(share(ALICE, sg.id, BOB.project!, { action: 'access_as_external' }), 400, 'InvalidActionForType'),
        "Invalid action 'access_as_external' for object type 'security_group'. Valid actions: ('access_as_shared',)");
      assert.equal((await share(ALICE, 'not-a-uuid', BOB.project!)).status, 400);
      assert.equal((await api.request(ALICE, 'POST', '/v2.0/rbac-policies', { rbac_policy: { object_type: 'security_group', object_id: sg.id, action: 'access_as_shared' } })).status, 400);
      assert.equal((await share(ALICE, sg.id, 'x'.repeat(256))).status, 400);
      // Only the object's owner (or an admin) shares it; the same answer for a group that does not exist.
      assert.match(await err(share(BOB, sg.id, BOB.project!), 400, 'InvalidInput'), /Only admins can manipulate policies on objects they do not own/);
      await err(share(BOB, '6f1b1c0e-0000-4000-8000-000000000000', BOB.project!), 400, 'InvalidInput');
      await err(share(ADMIN, '6f1b1c0e-0000-4000-8000-000000000000', BOB.project!), 404, 'SecurityGroupNotFound');
      // Sharing with every project is for admins (create_rbac_policy:target_tenant).
      await err(share(ALICE, sg.id, '*'), 403, 'PolicyNotAuthorized');
      const p = await shared(ALICE, sg.id, BOB.project!);
      assert.equal(await err(share(ALICE, sg.id, BOB.project!), 409, 'DuplicateRbacPolicy'), 'An RBAC policy already exists with those values.');
      await err(api.request(ALICE, 'PUT', `/v2.0/rbac-policies/${p.id}`, { rbac_policy: { target_tenant: '*' } }), 403, 'PolicyNotAuthorized');
      assert.equal((await api.request(ALICE, 'PUT', `/v2.0/rbac-policies/${p.id}`, { rbac_policy: { object_type: 'address_group' } })).status, 400);
      assert.equal((await api.request(ALICE, 'GET', '/v2.0/rbac-policies?sort_key=id&sort_dir=asc')).status, 400);
      assert.equal((await api.request(ALICE, 'GET', '/v2.0/rbac-policies?object_type=qos_policy')).status, 400);
      await err(api.request(ALICE, 'GET', '/v2.0/rbac-policies/6f1b1c0e-0000-4000-8000-000000000000'), 404, 'RbacPolicyNotFound');
      // Bulk is all or nothing.
      const sg2 = await group('bulk');
      const bulk = await api.request(ALICE, 'POST', '/v2.0/rbac-policies', { rbac_policies: [
        { object_type: 'security_group', object_id: sg2.id, action: 'access_as_shared', target_tenant: CAROL.project },
        { object_type: 'security_group', object_id: sg2.id, action: 'access_as_shared', target_tenant: CAROL.project },
      ] });
      assert.equal(bulk.status, 409);
      assert.deepEqual((await ok(api.request(ALICE, 'GET', `/v2.0/rbac-policies?object_id=${sg2.id}`))).rbac_policies, []);
    });

    it('a group shared with one project: visible with shared, usable on its ports and in its host firewall, not changeable by it', async () => {
      const sg = await group('to-bob');
      await ok(api.request(ALICE, 'POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22 } }), 201);
      await err(api.request(BOB, 'GET', `/v2.0/security-groups/${sg.id}`), 404, 'SecurityGroupNotFound');
      await err(port(BOB, bobNet, [sg.id]), 404, 'SecurityGroupNotFound');
      const p = await shared(ALICE, sg.id, BOB.project!);

      const seen = (await ok(api.request(BOB, 'GET', `/v2.0/security-groups/${sg.id}`))).security_group;
      assert.equal(seen.shared, true);
      assert.equal(seen.project_id, ALICE.project);
      assert.equal(seen.security_group_rules.length, 3);
      // The owner's view: shared with BOB, not with ALICE's own project nor `*`.
      assert.equal((await ok(api.request(ALICE, 'GET', `/v2.0/security-groups/${sg.id}`))).security_group.shared, false);
      assert.ok((await sgIds(BOB)).includes(sg.id));
      const sharedWithBob = (await ok(api.request(BOB, 'GET', '/v2.0/security-groups?shared=true'))).security_groups;
      assert.ok(sharedWithBob.some((g: any) => g.id === sg.id));
      assert.ok(sharedWithBob.every((g: any) => g.shared === true && g.project_id === ALICE.project));
      assert.ok((await ok(api.request(BOB, 'GET', '/v2.0/security-groups?shared=false'))).security_groups.every((g: any) => g.shared === false && g.project_id === BOB.project));
      assert.equal((await sgIds(BOB, '?shared=false')).includes(sg.id), false);
      assert.equal((await sgIds(ALICE, '?shared=true')).includes(sg.id), false);
      assert.equal((await sgIds(CAROL)).includes(sg.id), false);
      await err(api.request(CAROL, 'GET', `/v2.0/security-groups/${sg.id}`), 404, 'SecurityGroupNotFound');
      assert.equal((await api.request(ALICE, 'POST', '/v2.0/security-groups', { security_group: { name: 'x', shared: true } })).status, 400);

      // Not the target's to change: update and delete are the owner's (403), rules too.
      await err(api.request(BOB, 'PUT', `/v2.0/security-groups/${sg.id}`, { security_group: { name: 'mine' } }), 403, 'PolicyNotAuthorized');
      await err(api.request(BOB, 'DELETE', `/v2.0/security-groups/${sg.id}`), 403, 'PolicyNotAuthorized');
      await err(api.request(BOB, 'POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: sg.id, direction: 'ingress' } }), 404, 'SecurityGroupNotFound');
      const ruleId = seen.security_group_rules[0].id;
      await err(api.request(BOB, 'DELETE', `/v2.0/security-group-rules/${ruleId}`), 404, 'SecurityGroupRuleNotFound');
      // It may name it as a remote group in its own rules.
      const own = await group('bob-own', BOB);
      await ok(api.request(BOB, 'POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: own.id, direction: 'ingress', remote_group_id: sg.id, ethertype: 'IPv4', protocol: 'udp', port_range_min: 53, port_range_max: 53 } }), 201);

      // Usable on the target's ports, on create and update; not on a third project's.
      const bp = (await ok(port(BOB, bobNet, [sg.id]), 201)).port;
      assert.deepEqual(bp.security_groups, [sg.id]);
      const bp2 = (await ok(port(BOB, bobNet, []), 201)).port;
      assert.deepEqual((await ok(api.request(BOB, 'PUT', `/v2.0/ports/${bp2.id}`, { port: { security_groups: [sg.id, own.id] } }))).port.security_groups.sort(), [sg.id, own.id].sort());
      await err(port(CAROL, carolNet, [sg.id]), 404, 'SecurityGroupNotFound');

      // The target's host renders the shared group with the owner's rules.
      await report('rbac-h1', l2Report('rbac-h1', '192.0.2.91'));
      await ok(api.request(ADMIN, 'PUT', `/v2.0/ports/${bp.id}`, { port: { 'binding:host_id': 'rbac-h1', device_owner: 'compute:nova', device_id: 'vm-rbac' } }));
      const fw = (await ok(state('rbac-h1'))).firewall;
      const g = fw.security_groups.find((x: any) => x.id === sg.id);
      assert.ok(g, JSON.stringify(fw));
      assert.ok(g.rules.some((r: any) => r.protocol === 'tcp' && r.port_range_min === 22 && r.direction === 'ingress'));

      // The target's ports depend on the sharing: neither removal nor retargeting.
      const msg = await err(api.request(ALICE, 'DELETE', `/v2.0/rbac-policies/${p.id}`), 409, 'RbacPolicyInUse');
      assert.match(msg, new RegExp(`^RBAC policy on object ${sg.id} cannot be removed because other objects depend on it\\.\\nDetails: project_id=${BOB.project}`));
      await err(api.request(ALICE, 'PUT', `/v2.0/rbac-policies/${p.id}`, { rbac_policy: { target_tenant: CAROL.project } }), 409, 'RbacPolicyInUse');
      // Nor is the group deletable while the ports use it.
      await err(api.request(ALICE, 'DELETE', `/v2.0/security-groups/${sg.id}`), 409, 'SecurityGroupInUse');

      // Once the ports leave it, the sharing can go; the group is gone from the target's view.
      await ok(api.request(BOB, 'DELETE', `/v2.0/ports/${bp.id}`), 204);
      await ok(api.request(BOB, 'PUT', `/v2.0/ports/${bp2.id}`, { port: { security_groups: [own.id] } }));
      await ok(api.request(ALICE, 'DELETE', `/v2.0/rbac-policies/${p.id}`), 204);
      await err(api.request(BOB, 'GET', `/v2.0/security-groups/${sg.id}`), 404, 'SecurityGroupNotFound');
      await err(api.request(BOB, 'PUT', `/v2.0/ports/${bp2.id}`, { port: { security_groups: [sg.id] } }), 404, 'SecurityGroupNotFound');
    });

    it('a group shared with every project (*): visible to all with shared, removal checked against each dependent project', async () => {
      const sg = await group('to-all');
      const star = await shared(ADMIN, sg.id, '*');
      assert.equal(star.project_id, ADMIN.project);
      for (const caller of [ALICE, BOB, CAROL]) {
        assert.equal((await ok(api.request(caller, 'GET', `/v2.0/security-groups/${sg.id}`))).security_group.shared, true);
      }
      assert.ok((await sgIds(CAROL, '?shared=true')).includes(sg.id));
      const cp = (await ok(port(CAROL, carolNet, [sg.id]), 201)).port;
      const bobs = await shared(ALICE, sg.id, BOB.project!);
      // BOB's own entry may go while `*` stays; `*` may not go while CAROL (no entry of hers) uses it.
      await ok(api.request(ALICE, 'DELETE', `/v2.0/rbac-policies/${bobs.id}`), 204);
      assert.match(await err(api.request(ADMIN, 'DELETE', `/v2.0/rbac-policies/${star.id}`), 409, 'RbacPolicyInUse'), /Details: project_id=\*$/);
      // With an entry of her own CAROL keeps access: `*` may go.
      const carols = await shared(ALICE, sg.id, CAROL.project!);
      await ok(api.request(ADMIN, 'DELETE', `/v2.0/rbac-policies/${star.id}`), 204);
      await err(api.request(BOB, 'GET', `/v2.0/security-groups/${sg.id}`), 404, 'SecurityGroupNotFound');
      assert.equal((await ok(api.request(CAROL, 'GET', `/v2.0/security-groups/${sg.id}`))).security_group.shared, true);
      // CAROL's port keeps her own entry in use.
      await err(api.request(ALICE, 'DELETE', `/v2.0/rbac-policies/${carols.id}`), 409, 'RbacPolicyInUse');
      await ok(api.request(CAROL, 'DELETE', `/v2.0/ports/${cp.id}`), 204);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/rbac-policies/${carols.id}`), 204);
    });

    it('deleting a group deletes its policies', async () => {
      const sg = await group('short-lived');
      const p = await shared(ALICE, sg.id, BOB.project!);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/security-groups/${sg.id}`), 204);
      await err(api.request(ALICE, 'GET', `/v2.0/rbac-policies/${p.id}`), 404, 'RbacPolicyNotFound');
    });

    it('an address group shared with a project: visible to it, usable in its rules, not changeable by it', async () => {
      const ag = (await ok(api.request(ALICE, 'POST', '/v2.0/address-groups', { address_group: { name: 'ag', addresses: ['10.9.0.0/16'] } }), 201)).address_group;
      const bobSg = await group('bob-ag', BOB);
      const rule = { security_group_id: bobSg.id, direction: 'ingress', ethertype: 'IPv4', remote_address_group_id: ag.id };
      await err(api.request(BOB, 'POST', '/v2.0/security-group-rules', { security_group_rule: rule }), 404, 'AddressGroupNotFound');
      const p = (await ok(api.request(ALICE, 'POST', '/v2.0/rbac-policies', { rbac_policy: { object_type: 'address_group', object_id: ag.id, action: 'access_as_shared', target_tenant: BOB.project } }), 201)).rbac_policy;
      assert.equal(p.object_type, 'address_group');
      const seen = (await ok(api.request(BOB, 'GET', `/v2.0/address-groups/${ag.id}`))).address_group;
      assert.deepEqual(seen.addresses, ['10.9.0.0/16']);
      assert.equal('shared' in seen, false);
      assert.deepEqual((await ok(api.request(BOB, 'GET', '/v2.0/address-groups'))).address_groups.map((x: any) => x.id), [ag.id]);
      await err(api.request(BOB, 'PUT', `/v2.0/address-groups/${ag.id}`, { address_group: { name: 'mine' } }), 403, 'PolicyNotAuthorized');
      await err(api.request(BOB, 'PUT', `/v2.0/address-groups/${ag.id}/add_addresses`, { addresses: ['10.10.0.0/16'] }), 403, 'PolicyNotAuthorized');
      await err(api.request(BOB, 'DELETE', `/v2.0/address-groups/${ag.id}`), 403, 'PolicyNotAuthorized');
      const r = (await ok(api.request(BOB, 'POST', '/v2.0/security-group-rules', { security_group_rule: rule }), 201)).security_group_rule;
      // BOB's rule depends on the sharing.
      await err(api.request(ALICE, 'DELETE', `/v2.0/rbac-policies/${p.id}`), 409, 'RbacPolicyInUse');
      await ok(api.request(BOB, 'DELETE', `/v2.0/security-group-rules/${r.id}`), 204);
      await ok(api.request(ALICE, 'DELETE', `/v2.0/rbac-policies/${p.id}`), 204);
      await err(api.request(BOB, 'GET', `/v2.0/address-groups/${ag.id}`), 404, 'AddressGroupNotFound');
      // Deleting the address group deletes its policies.
      const p2 = (await ok(api.request(ALICE, 'POST', '/v2.0/rbac-policies', { rbac_policy: { object_type: 'address_group', object_id: ag.id, action: 'access_as_shared', target_tenant: CAROL.project } }), 201)).rbac_policy;
      await ok(api.request(ALICE, 'DELETE', `/v2.0/address-groups/${ag.id}`), 204);
      await err(api.request(ALICE, 'GET', `/v2.0/rbac-policies/${p2.id}`), 404, 'RbacPolicyNotFound');
    });
  });
}
