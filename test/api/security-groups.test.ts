import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, BOB, READER, type TestApi, type Caller } from '../support/api-server.js';
import { ensureDefaultSecurityGroup } from '../../src/core/security-groups.js';

const SG = '/v2.0/security-groups';
const RULES = '/v2.0/security-group-rules';
const MISSING = '5f1b8a1e-2b9f-4e2c-9d3b-0a6c1c2e9f00';

/** A member of a project of its own, so that tests do not see each other's groups. */
const member = (project: string): Caller => ({ project, roles: ['member', 'reader'] });

/** The rule fields that identify a rule, for comparing sets of rules. */
const shape = (r: any) => `${r.direction} ${r.ethertype} ${r.protocol} ${r.port_range_min}-${r.port_range_max} ${r.remote_ip_prefix} ${r.remote_group_id ? 'group' : '-'}`;

for (const dialect of DIALECTS) {
  describe(`security groups (${dialect})`, () => {
    let api: TestApi;
    const commits: { resource: string; id: string }[] = [];
    before(async () => {
      api = await startTestApi(dialect);
      api.runtime.core.deps.onCommit = (change) => { commits.push(change); };
    });
    after(async () => { await api?.close(); });

    const createGroup = async (caller: Caller, body: Record<string, unknown> = {}) => {
      const res = await api.request(caller, 'POST', SG, { security_group: { name: 'web', ...body } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.security_group;
    };
    const addRule = (caller: Caller, rule: Record<string, unknown>) => api.request(caller, 'POST', RULES, { security_group_rule: { direction: 'ingress', ...rule } });
    const expectError = (res: { status: number; body: any }, status: number, type: string, message?: RegExp) => {
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.NeutronError.type, type);
      if (message) assert.match(res.body.NeutronError.message, message);
    };

    it('creates the project’s default group with Neutron’s four rules when the project first lists', async () => {
      const p = member('project-default');
      const list = await api.request(p, 'GET', SG);
      assert.equal(list.status, 200);
      assert.equal(list.body.security_groups.length, 1);
      const def = list.body.security_groups[0];
      assert.equal(def.name, 'default');
      assert.equal(def.description, 'Default security group');
      assert.equal(def.project_id, 'project-default');
      assert.equal(def.tenant_id, 'project-default');
      assert.equal(def.stateful, true);
      assert.deepEqual(def.security_group_rules.map(shape).sort(), [
        'egress IPv4 null null-null null -', 'egress IPv6 null null-null null -',
        'ingress IPv4 null null-null null group', 'ingress IPv6 null null-null null group',
      ]);
      for (const r of def.security_group_rules) {
        assert.equal(r.security_group_id, def.id);
        if (r.direction === 'ingress') assert.equal(r.remote_group_id, def.id);
        assert.equal(r.project_id, 'project-default');
      }
      // Listing again neither duplicates it nor changes it.
      const again = await api.request(p, 'GET', SG);
      assert.deepEqual(again.body.security_groups.map((g: any) => g.id), [def.id]);
      const rules = await api.request(p, 'GET', RULES);
      assert.equal(rules.body.security_group_rules.length, 4);
    });

    it('creates exactly one default group under concurrent first use', async () => {
      const p = member('project-race');
      const lists = await Promise.all(Array.from({ length: 8 }, () => api.request(p, 'GET', SG)));
      for (const l of lists) assert.equal(l.status, 200, JSON.stringify(l.body));
      const ids = new Set(lists.flatMap((l) => l.body.security_groups.map((g: any) => g.id)));
      assert.equal(ids.size, 1);
      // And directly, several transactions racing through the exported function.
      const { store } = api.runtime;
      const results = await Promise.all(Array.from({ length: 6 }, () => store.transaction((tx) => ensureDefaultSecurityGroup(tx, api.runtime.core.deps, 'project-race-2'))));
      assert.equal(new Set(results).size, 1);
      const rows = await store.db.selectFrom('security_groups').select('id').where('project_id', '=', 'project-race-2').execute();
      assert.deepEqual(rows.map((r) => r.id), [results[0]]);
      const rules = await store.db.selectFrom('security_group_rules').select('id').where('security_group_id', '=', results[0]).execute();
      assert.equal(rules.length, 4);
    });

    it('creates a group with the two default egress rules, standard attributes and stateful', async () => {
      const p = member('project-create');
      const before = commits.length;
      const sg = await createGroup(p, { description: 'web servers' });
      assert.equal(sg.name, 'web');
      assert.equal(sg.description, 'web servers');
      assert.equal(sg.project_id, 'project-create');
      assert.equal(sg.stateful, true);
      assert.equal(sg.revision_number, 1);
      assert.deepEqual(sg.tags, []);
      assert.match(sg.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(sg.security_group_rules.map(shape).sort(), ['egress IPv4 null null-null null -', 'egress IPv6 null null-null null -']);
      assert.ok(commits.slice(before).some((c) => c.resource === 'security_group' && c.id === sg.id));
      // The project's default group came into being with it.
      const all = (await api.request(p, 'GET', `${SG}?fields=name&sort_key=name&sort_dir=asc`)).body.security_groups;
      assert.deepEqual(all, [{ name: 'default' }, { name: 'web' }]);
      const stateless = await createGroup(p, { name: 'udp-only', stateful: false });
      assert.equal(stateless.stateful, false);
      const filtered = (await api.request(p, 'GET', `${SG}?stateful=false`)).body.security_groups.map((g: any) => g.id);
      assert.deepEqual(filtered, [stateless.id]);
      const shown = (await api.request(p, 'GET', `${SG}/${sg.id}`)).body.security_group;
      assert.deepEqual(shown, sg);
    });

    it('bulk-creates groups in one request', async () => {
      const p = member('project-bulk');
      const res = await api.request(p, 'POST', SG, { security_groups: [{ name: 'a' }, { name: 'b', stateful: false }] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(res.body.security_groups.map((g: any) => [g.name, g.stateful, g.security_group_rules.length]), [['a', true, 2], ['b', false, 2]]);
    });

    it('reserves the name default', async () => {
      const p = member('project-names');
      expectError(await api.request(p, 'POST', SG, { security_group: { name: 'Default' } }), 409, 'SecurityGroupDefaultAlreadyExists', /^Default security group already exists\.$/);
      const sg = await createGroup(p);
      expectError(await api.request(p, 'PUT', `${SG}/${sg.id}`, { security_group: { name: 'default' } }), 409, 'SecurityGroupDefaultAlreadyExists');
    });

    it('protects the default group: no rename, no removal by its project; an admin may remove it', async () => {
      const p = member('project-protect');
      const def = (await api.request(p, 'GET', SG)).body.security_groups[0];
      expectError(await api.request(p, 'PUT', `${SG}/${def.id}`, { security_group: { name: 'renamed' } }), 409, 'SecurityGroupCannotUpdateDefault', /^Updating default security group not allowed\.$/);
      const desc = await api.request(p, 'PUT', `${SG}/${def.id}`, { security_group: { description: 'ours' } });
      assert.equal(desc.status, 200);
      assert.equal(desc.body.security_group.description, 'ours');
      expectError(await api.request(p, 'DELETE', `${SG}/${def.id}`), 409, 'SecurityGroupCannotRemoveDefault', /^Insufficient rights for removing default security group\.$/);
      // An admin acting in the project may (policy: delete_security_group needs the project; core: is_admin).
      const projectAdmin = { project: p.project, roles: ['admin', 'member', 'reader'] };
      assert.equal((await api.request(projectAdmin, 'DELETE', `${SG}/${def.id}`)).status, 204);
      const recreated = (await api.request(p, 'GET', SG)).body.security_groups;
      assert.equal(recreated.length, 1);
      assert.equal(recreated[0].name, 'default');
      assert.notEqual(recreated[0].id, def.id);
      assert.equal(recreated[0].security_group_rules.length, 4);
    });

    it('updates name, description and stateful with revision numbers and If-Match', async () => {
      const p = member('project-update');
      const sg = await createGroup(p);
      const up = await api.request(p, 'PUT', `${SG}/${sg.id}`, { security_group: { name: 'web2', description: 'd', stateful: false } });
      assert.equal(up.status, 200, JSON.stringify(up.body));
      assert.equal(up.body.security_group.name, 'web2');
      assert.equal(up.body.security_group.stateful, false);
      assert.equal(up.body.security_group.revision_number, sg.revision_number + 1);
      const stale = await api.request(p, 'PUT', `${SG}/${sg.id}`, { security_group: { name: 'x' } }, { 'if-match': `revision_number=${sg.revision_number}` });
      assert.equal(stale.status, 412);
      const fresh = await api.request(p, 'PUT', `${SG}/${sg.id}`, { security_group: { name: 'y' } }, { 'if-match': `revision_number=${up.body.security_group.revision_number}` });
      assert.equal(fresh.status, 200);
      expectError(await api.request(p, 'PUT', `${SG}/${sg.id}`, { security_group: { tenant_id: 'other' } }), 400, 'HTTPBadRequest');
    });

    it('scopes groups and rules to their project', async () => {
      const sg = await createGroup(ALICE, { name: 'alice-only' });
      assert.equal((await api.request(BOB, 'GET', `${SG}/${sg.id}`)).status, 404);
      expectError(await api.request(BOB, 'PUT', `${SG}/${sg.id}`, { security_group: { name: 'x' } }), 404, 'SecurityGroupNotFound');
      assert.equal((await api.request(BOB, 'DELETE', `${SG}/${sg.id}`)).status, 404);
      const bobs = (await api.request(BOB, 'GET', SG)).body.security_groups;
      assert.ok(bobs.every((g: any) => g.project_id === BOB.project));
      const bobRules = (await api.request(BOB, 'GET', RULES)).body.security_group_rules;
      assert.ok(bobRules.every((r: any) => r.project_id === BOB.project));
      assert.equal((await api.request(BOB, 'GET', `${RULES}/${sg.security_group_rules[0].id}`)).status, 404);
      assert.equal((await api.request(READER, 'GET', `${SG}/${sg.id}`)).status, 200);
      assert.equal((await api.request(READER, 'POST', SG, { security_group: { name: 'r' } })).status, 403);
      expectError(await api.request(ALICE, 'GET', `${SG}/${MISSING}`), 404, 'SecurityGroupNotFound', new RegExp(`Security group ${MISSING} does not exist`));
    });

    it('creates rules, shows them inside their group and revises the group', async () => {
      const p = member('project-rules');
      const sg = await createGroup(p);
      const before = commits.length;
      const res = await addRule(p, { security_group_id: sg.id, protocol: 'TCP', port_range_min: 22, port_range_max: 22, ethertype: 'ipv4', description: 'ssh' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const rule = res.body.security_group_rule;
      assert.equal(rule.protocol, 'tcp');
      assert.equal(rule.ethertype, 'IPv4');
      assert.equal(rule.port_range_min, 22);
      assert.equal(rule.port_range_max, 22);
      assert.equal(rule.remote_ip_prefix, null);
      assert.equal(rule.normalized_cidr, null);
      assert.equal(rule.remote_group_id, null);
      assert.equal(rule.description, 'ssh');
      assert.equal(rule.project_id, p.project);
      assert.equal(rule.revision_number, 0);
      assert.ok(commits.slice(before).some((c) => c.resource === 'security_group' && c.id === sg.id));
      const group = (await api.request(p, 'GET', `${SG}/${sg.id}`)).body.security_group;
      assert.equal(group.revision_number, sg.revision_number + 1);
      assert.ok(group.security_group_rules.some((r: any) => r.id === rule.id && r.protocol === 'tcp'));
      // Numbers stay numbers-as-strings, as Neutron stores them.
      const num = await addRule(p, { security_group_id: sg.id, protocol: 17, port_range_min: 53, port_range_max: 53 });
      assert.equal(num.status, 201, JSON.stringify(num.body));
      assert.equal(num.body.security_group_rule.protocol, '17');
      const filtered = (await api.request(p, 'GET', `${RULES}?security_group_id=${sg.id}&direction=ingress&sort_key=port_range_min&sort_dir=asc`)).body.security_group_rules;
      assert.deepEqual(filtered.map((r: any) => r.protocol), ['tcp', '17']);
      // Deleting a rule revises the group too.
      const beforeDelete = (await api.request(p, 'GET', `${SG}/${sg.id}`)).body.security_group.revision_number;
      assert.equal((await api.request(p, 'DELETE', `${RULES}/${rule.id}`)).status, 204);
      const after = (await api.request(p, 'GET', `${SG}/${sg.id}`)).body.security_group;
      assert.equal(after.revision_number, beforeDelete + 1);
      assert.ok(!after.security_group_rules.some((r: any) => r.id === rule.id));
      expectError(await api.request(p, 'GET', `${RULES}/${rule.id}`), 404, 'SecurityGroupRuleNotFound');
      assert.equal((await api.request(p, 'PUT', `${RULES}/${num.body.security_group_rule.id}`, { security_group_rule: { description: 'x' } })).status, 405);
    });

    it('detects duplicates across protocol names and numbers, and any-address prefixes', async () => {
      const p = member('project-dup');
      const sg = await createGroup(p);
      const first = (await addRule(p, { security_group_id: sg.id, protocol: 'tcp', port_range_min: 80, port_range_max: 80 })).body.security_group_rule;
      expectError(await addRule(p, { security_group_id: sg.id, protocol: '6', port_range_min: 80, port_range_max: 80 }), 409, 'SecurityGroupRuleExists',
        new RegExp(`^Security group rule already exists\\. Rule id is ${first.id}\\.$`));
      expectError(await addRule(p, { security_group_id: sg.id, protocol: 'tcp', port_range_min: 80, port_range_max: 80, remote_ip_prefix: '0.0.0.0/0' }), 409, 'SecurityGroupRuleExists');
      // The default egress rules count too.
      const egress = sg.security_group_rules.find((r: any) => r.ethertype === 'IPv6');
      expectError(await api.request(p, 'POST', RULES, { security_group_rule: { security_group_id: sg.id, direction: 'egress', ethertype: 'IPv6', remote_ip_prefix: '::/0' } }), 409, 'SecurityGroupRuleExists', new RegExp(egress.id));
      // A different port is a different rule.
      assert.equal((await addRule(p, { security_group_id: sg.id, protocol: '6', port_range_min: 81, port_range_max: 81 })).status, 201);
      // IPv6 ICMP: legacy names and number 1 become ipv6-icmp / 58; `icmp` and `ipv6-icmp` are then the same rule.
      const icmp6 = await addRule(p, { security_group_id: sg.id, protocol: 'icmp', ethertype: 'IPv6' });
      assert.equal(icmp6.status, 201);
      assert.equal(icmp6.body.security_group_rule.protocol, 'ipv6-icmp');
      expectError(await addRule(p, { security_group_id: sg.id, protocol: 'icmpv6', ethertype: 'IPv6' }), 409, 'SecurityGroupRuleExists');
      expectError(await addRule(p, { security_group_id: sg.id, protocol: '58', ethertype: 'IPv6' }), 409, 'SecurityGroupRuleExists');
      const one = await addRule(p, { security_group_id: sg.id, protocol: 1, ethertype: 'IPv6', port_range_min: 128 });
      assert.equal(one.body.security_group_rule.protocol, '58');
      const icmp4 = await addRule(p, { security_group_id: sg.id, protocol: 'icmp', ethertype: 'IPv4' });
      assert.equal(icmp4.body.security_group_rule.protocol, 'icmp');
      // Within one bulk request.
      expectError(await api.request(p, 'POST', RULES, { security_group_rules: [
        { security_group_rule: { security_group_id: sg.id, direction: 'ingress', protocol: 'udp', port_range_min: 1, port_range_max: 2 } },
        { security_group_rule: { security_group_id: sg.id, direction: 'ingress', protocol: '17', port_range_min: 1, port_range_max: 2 } },
      ] }), 409, 'DuplicateSecurityGroupRuleInPost');
    });

    it('lets one of many concurrent creators of the same rule win', async () => {
      const p = member('project-dup-race');
      const sg = await createGroup(p);
      const results = await Promise.all(Array.from({ length: 6 }, () => addRule(p, { security_group_id: sg.id, protocol: 'tcp', port_range_min: 443, port_range_max: 443 })));
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409, 409, 409], JSON.stringify(results.map((r) => r.body)));
    });

    it('validates port ranges per protocol as Neutron does', async () => {
      const p = member('project-ports');
      const sg = await createGroup(p);
      const id = sg.id;
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ protocol: 'tcp', port_range_min: 90, port_range_max: 80 }, 'SecurityGroupInvalidPortRange', /^For TCP\/UDP protocols, port_range_min must be <= port_range_max$/],
        [{ protocol: 'udp', port_range_min: 90 }, 'SecurityGroupInvalidPortRange', /port_range_min must be <= port_range_max/],
        [{ protocol: 'tcp', port_range_min: 0, port_range_max: 80 }, 'SecurityGroupInvalidPortValue', /^Invalid value for port 0$/],
        [{ port_range_min: 80, port_range_max: 80 }, 'SecurityGroupProtocolRequiredWithPorts', /^Must also specify protocol if port range is given\.$/],
        [{ protocol: 'gre', port_range_min: 1, port_range_max: 2 }, 'SecurityGroupInvalidProtocolForPort', /^Ports cannot be specified for protocol 47\. Ports are only supported for DCCP, SCTP, TCP, UDP, UDPLITE\.$/],
        [{ protocol: 'icmp', port_range_min: 256 }, 'SecurityGroupInvalidIcmpValue', /^Invalid value for ICMP type \(port_range_min\) 256\. It must be 0 to 255\.$/],
        [{ protocol: 'icmp', port_range_min: 8, port_range_max: 300 }, 'SecurityGroupInvalidIcmpValue', /ICMP code \(port_range_max\) 300/],
        [{ protocol: 'icmp', port_range_max: 0 }, 'SecurityGroupMissingIcmpType', /^ICMP code \(port-range-max\) 0 is provided but ICMP type \(port-range-min\) is missing\.$/],
      ];
      for (const [rule, type, message] of cases) expectError(await addRule(p, { security_group_id: id, ...rule }), 400, type, message);
      const tooBig = await addRule(p, { security_group_id: id, protocol: 'tcp', port_range_min: 1, port_range_max: 70000 });
      assert.equal(tooBig.status, 400);
      assert.match(tooBig.body.NeutronError.message, /port_range_max/);
      const badProto = await addRule(p, { security_group_id: id, protocol: 'ipv6' });
      assert.equal(badProto.status, 400);
      assert.match(badProto.body.NeutronError.message, /Security group rule protocol ipv6 not supported\. Only protocol values \[None, 'ah'/);
      assert.equal((await addRule(p, { security_group_id: id, protocol: 256 })).status, 400);
      // The entire range means "any port": stored without a range.
      const all = await addRule(p, { security_group_id: id, protocol: 'tcp', port_range_min: 1, port_range_max: 65535 });
      assert.equal(all.status, 201);
      assert.equal(all.body.security_group_rule.port_range_min, null);
      assert.equal(all.body.security_group_rule.port_range_max, null);
      const icmp = await addRule(p, { security_group_id: id, protocol: 'icmp', port_range_min: 8, port_range_max: 0 });
      assert.equal(icmp.status, 201);
      assert.deepEqual([icmp.body.security_group_rule.port_range_min, icmp.body.security_group_rule.port_range_max], [8, 0]);
      const sctp = await addRule(p, { security_group_id: id, protocol: '132', port_range_min: '5000', port_range_max: '5001' });
      assert.equal(sctp.status, 201, JSON.stringify(sctp.body));
      assert.equal(sctp.body.security_group_rule.port_range_min, 5000);
    });

    it('checks remote prefixes against the ethertype and keeps one remote only', async () => {
      const p = member('project-remote');
      const sg = await createGroup(p);
      const other = await createGroup(p, { name: 'other' });
      const net = await addRule(p, { security_group_id: sg.id, remote_ip_prefix: '10.0.0.5/24' });
      assert.equal(net.status, 201);
      assert.equal(net.body.security_group_rule.remote_ip_prefix, '10.0.0.5/24');
      assert.equal(net.body.security_group_rule.normalized_cidr, '10.0.0.0/24');
      const host = await addRule(p, { security_group_id: sg.id, remote_ip_prefix: '192.168.1.10' });
      assert.equal(host.body.security_group_rule.remote_ip_prefix, '192.168.1.10/32');
      const v6 = await addRule(p, { security_group_id: sg.id, ethertype: 'IPv6', remote_ip_prefix: '2001:DB8::1/64' });
      assert.equal(v6.body.security_group_rule.remote_ip_prefix, '2001:db8::1/64');
      assert.equal(v6.body.security_group_rule.normalized_cidr, '2001:db8::/64');
      expectError(await addRule(p, { security_group_id: sg.id, ethertype: 'IPv4', remote_ip_prefix: '2001:db8::/64' }), 400, 'SecurityGroupRuleParameterConflict', /^Conflicting value ethertype IPv4 for CIDR 2001:db8::\/64$/);
      expectError(await addRule(p, { security_group_id: sg.id, ethertype: 'IPv4', protocol: 'ipv6-icmp' }), 400, 'SecurityGroupEthertypeConflictWithProtocol', /^Invalid ethertype IPv4 for protocol ipv6-icmp\.$/);
      expectError(await addRule(p, { security_group_id: sg.id, remote_ip_prefix: '10.0.0.0/8', remote_group_id: other.id }), 400, 'SecurityGroupMultipleRemoteEntites');
      assert.equal((await addRule(p, { security_group_id: sg.id, remote_ip_prefix: 'not-an-ip' })).status, 400);
      const byGroup = await addRule(p, { security_group_id: sg.id, protocol: 'tcp', port_range_min: 5432, port_range_max: 5432, remote_group_id: other.id });
      assert.equal(byGroup.status, 201);
      assert.equal(byGroup.body.security_group_rule.remote_group_id, other.id);
      const filtered = (await api.request(p, 'GET', `${RULES}?remote_ip_prefix=192.168.1.10`)).body.security_group_rules.map((r: any) => r.id);
      assert.deepEqual(filtered, [host.body.security_group_rule.id]);
    });

    it('answers 404 for groups that do not exist or belong to another project', async () => {
      const p = member('project-404');
      const sg = await createGroup(p);
      const foreign = await createGroup(BOB, { name: 'bobs' });
      expectError(await addRule(p, { security_group_id: MISSING }), 404, 'SecurityGroupNotFound', new RegExp(`^Security group ${MISSING} does not exist$`));
      expectError(await addRule(p, { security_group_id: 'not-a-uuid' }), 404, 'SecurityGroupNotFound');
      expectError(await addRule(p, { security_group_id: sg.id, remote_group_id: MISSING }), 404, 'SecurityGroupNotFound');
      expectError(await addRule(p, { security_group_id: sg.id, remote_group_id: foreign.id }), 404, 'SecurityGroupNotFound');
      expectError(await addRule(p, { security_group_id: foreign.id }), 404, 'SecurityGroupNotFound');
      expectError(await addRule(p, {}), 400, 'HTTPBadRequest', /Required attribute 'security_group_id' not specified/);
      expectError(await addRule(p, { security_group_id: sg.id, direction: 'sideways' }), 400, 'HTTPBadRequest', /Invalid input for direction/);
    });

    it('lets the group owner see rules an admin added, and keeps deletion to the rule’s owner', async () => {
      const p = member('project-admin-rule');
      const sg = await createGroup(p);
      const res = await addRule(ADMIN, { security_group_id: sg.id, protocol: 'tcp', port_range_min: 8080, port_range_max: 8080 });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const rule = res.body.security_group_rule;
      assert.equal(rule.project_id, ADMIN.project);
      assert.equal((await api.request(p, 'GET', `${RULES}/${rule.id}`)).status, 200);
      assert.ok((await api.request(p, 'GET', RULES)).body.security_group_rules.some((r: any) => r.id === rule.id));
      expectError(await api.request(p, 'DELETE', `${RULES}/${rule.id}`), 403, 'PolicyNotAuthorized');
      assert.equal((await api.request(ADMIN, 'DELETE', `${RULES}/${rule.id}`)).status, 204);
    });

    it('bulk-creates rules for one group only, all or nothing', async () => {
      const p = member('project-bulk-rules');
      const sg = await createGroup(p);
      const other = await createGroup(p, { name: 'other' });
      const ok = await api.request(p, 'POST', RULES, { security_group_rules: [
        { security_group_id: sg.id, direction: 'ingress', protocol: 'tcp', port_range_min: 1, port_range_max: 100 },
        { security_group_id: sg.id, direction: 'ingress', protocol: 'udp', port_range_min: 1, port_range_max: 100 },
      ] });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.deepEqual(ok.body.security_group_rules.map((r: any) => r.protocol), ['tcp', 'udp']);
      expectError(await api.request(p, 'POST', RULES, { security_group_rules: [
        { security_group_id: sg.id, direction: 'ingress', protocol: 'sctp' },
        { security_group_id: other.id, direction: 'ingress', protocol: 'sctp' },
      ] }), 400, 'SecurityGroupNotSingleGroupRules');
      const count = async () => (await api.request(p, 'GET', `${RULES}?security_group_id=${sg.id}`)).body.security_group_rules.length;
      const n = await count();
      expectError(await api.request(p, 'POST', RULES, { security_group_rules: [
        { security_group_id: sg.id, direction: 'ingress', protocol: 'gre' },
        { security_group_id: sg.id, direction: 'ingress', protocol: 'tcp', port_range_min: 9, port_range_max: 1 },
      ] }), 400, 'SecurityGroupInvalidPortRange');
      assert.equal(await count(), n);
    });

    it('enforces the security_group and security_group_rule quotas, also in bulk, writing nothing over quota', async () => {
      const p = member('project-quota');
      assert.equal((await api.request(ADMIN, 'PUT', `/v2.0/quotas/${p.project}`, { quota: { security_group: 3, security_group_rule: 12 } })).status, 200);
      await createGroup(p, { name: 'one' }); // with the default group: 2 groups, 6 rules
      expectError(await api.request(p, 'POST', SG, { security_groups: [{ name: 'two' }, { name: 'three' }] }), 409, 'OverQuota', /security_group/);
      const names = (await api.request(p, 'GET', `${SG}?fields=name`)).body.security_groups.map((g: any) => g.name).sort();
      assert.deepEqual(names, ['default', 'one']);
      const two = await createGroup(p, { name: 'two' }); // 3 groups, 8 rules
      const rules = (n: number, from: number) => ({ security_group_rules: Array.from({ length: n }, (_, i) => ({ security_group_id: two.id, direction: 'ingress', protocol: 'tcp', port_range_min: from + i, port_range_max: from + i })) });
      expectError(await api.request(p, 'POST', RULES, rules(5, 100)), 409, 'OverQuota', /security_group_rule/);
      assert.equal((await api.request(p, 'GET', `${RULES}?security_group_id=${two.id}`)).body.security_group_rules.length, 2);
      assert.equal((await api.request(p, 'POST', RULES, rules(4, 100))).status, 201);
      expectError(await addRule(p, { security_group_id: two.id, protocol: 'udp' }), 409, 'OverQuota');
      const details = (await api.request(ADMIN, 'GET', `/v2.0/quotas/${p.project}/details`)).body.quota;
      assert.deepEqual(details.security_group, { limit: 3, used: 3, reserved: 0 });
      assert.deepEqual(details.security_group_rule, { limit: 12, used: 12, reserved: 0 });
    });

    it('refuses to delete or change statefulness of a group in use by a port', async () => {
      const p = member('project-inuse');
      const sg = await createGroup(p);
      const { store } = api.runtime;
      const netId = randomUUID();
      const portId = randomUUID();
      const ts = '2024-01-01T00:00:00Z';
      const std = { project_id: p.project!, name: '', description: '', created_at: ts, updated_at: ts, revision_number: 1 };
      await store.db.insertInto('networks').values({ ...std, id: netId, admin_state_up: 1, status: 'ACTIVE', shared: 0, 'router:external': 0, mtu: 1450, port_security_enabled: 1, availability_zone_hints: '[]', dns_domain: '' }).execute();
      await store.db.insertInto('ports').values({ ...std, id: portId, network_id: netId, mac_address: 'fa:16:3e:00:00:01', admin_state_up: 1, status: 'DOWN', device_id: '', device_owner: '', port_security_enabled: 1,
        'binding:host_id': '', 'binding:vnic_type': 'normal', 'binding:profile': '{}', 'binding:vif_type': 'unbound', 'binding:vif_details': '{}', dns_name: '' }).execute();
      await store.db.insertInto('port_security_groups').values({ port_id: portId, security_group_id: sg.id }).execute();
      expectError(await api.request(p, 'DELETE', `${SG}/${sg.id}`), 409, 'SecurityGroupInUse', new RegExp(`^Security Group ${sg.id} in use\\.$`));
      expectError(await api.request(p, 'PUT', `${SG}/${sg.id}`, { security_group: { stateful: false } }), 409, 'SecurityGroupInUse');
      assert.equal((await api.request(p, 'PUT', `${SG}/${sg.id}`, { security_group: { stateful: true, name: 'still' } })).status, 200);
      await store.db.deleteFrom('ports').where('id', '=', portId).execute();
      await store.db.deleteFrom('networks').where('id', '=', netId).execute();
      assert.equal((await api.request(p, 'DELETE', `${SG}/${sg.id}`)).status, 204);
    });

    it('gives a new port the default group, which is then in use', async () => {
      const p = member('project-port');
      const projectAdmin = { project: p.project, roles: ['admin', 'member', 'reader'] };
      const net = (await api.request(p, 'POST', '/v2.0/networks', { network: { name: 'n' } })).body.network;
      const port = await api.request(p, 'POST', '/v2.0/ports', { port: { network_id: net.id } });
      assert.equal(port.status, 201, JSON.stringify(port.body));
      const def = (await api.request(p, 'GET', `${SG}?name=default`)).body.security_groups;
      assert.equal(def.length, 1);
      assert.deepEqual(port.body.port.security_groups, [def[0].id]);
      expectError(await api.request(projectAdmin, 'DELETE', `${SG}/${def[0].id}`), 409, 'SecurityGroupInUse');
      // A second port reuses the same default group.
      const second = await api.request(p, 'POST', '/v2.0/ports', { port: { network_id: net.id } });
      assert.deepEqual(second.body.port.security_groups, [def[0].id]);
    });

    it('creates the default group when a project first lists rules', async () => {
      const p = member('project-rules-first');
      const rules = (await api.request(p, 'GET', RULES)).body.security_group_rules;
      assert.equal(rules.length, 4);
      assert.equal(new Set(rules.map((r: any) => r.security_group_id)).size, 1);
    });

    it('deletes a group with its rules and the rules of other groups naming it as remote group', async () => {
      const p = member('project-delete');
      const target = await createGroup(p, { name: 'target' });
      const user = await createGroup(p, { name: 'user' });
      const viaRemote = (await addRule(p, { security_group_id: user.id, remote_group_id: target.id, protocol: 'tcp', port_range_min: 5, port_range_max: 5 })).body.security_group_rule;
      const kept = (await addRule(p, { security_group_id: user.id, protocol: 'tcp', port_range_min: 6, port_range_max: 6 })).body.security_group_rule;
      assert.equal((await api.request(p, 'PUT', `${RULES}/${viaRemote.id}/tags/doomed`)).status, 201);
      assert.equal((await api.request(p, 'PUT', `${SG}/${target.id}/tags/doomed`)).status, 201);
      const stale = await api.request(p, 'DELETE', `${SG}/${target.id}`, undefined, { 'if-match': 'revision_number=999' });
      assert.equal(stale.status, 412);
      const before = commits.length;
      assert.equal((await api.request(p, 'DELETE', `${SG}/${target.id}`)).status, 204);
      assert.deepEqual(commits.slice(before).map((c) => c.id).sort(), [target.id, user.id].sort());
      expectError(await api.request(p, 'GET', `${SG}/${target.id}`), 404, 'SecurityGroupNotFound');
      const left = (await api.request(p, 'GET', `${SG}/${user.id}`)).body.security_group.security_group_rules.map((r: any) => r.id);
      assert.ok(left.includes(kept.id));
      assert.ok(!left.includes(viaRemote.id));
      assert.equal((await api.request(p, 'GET', `${RULES}?security_group_id=${target.id}`)).body.security_group_rules.length, 0);
      const orphanTags = await api.runtime.store.db.selectFrom('tags').select('tag').where('resource_id', 'in', [target.id, viaRemote.id]).execute();
      assert.deepEqual(orphanTags, []);
    });

    it('tags groups and rules and filters by tags', async () => {
      const p = member('project-tags');
      const a = await createGroup(p, { name: 'a' });
      const b = await createGroup(p, { name: 'b' });
      assert.equal((await api.request(p, 'PUT', `${SG}/${a.id}/tags`, { tags: ['web', 'prod'] })).status, 200);
      assert.equal((await api.request(p, 'PUT', `${SG}/${b.id}/tags/web`)).status, 201);
      const web = (await api.request(p, 'GET', `${SG}?tags=web&sort_key=name&sort_dir=asc`)).body.security_groups.map((g: any) => g.name);
      assert.deepEqual(web, ['a', 'b']);
      const prod = (await api.request(p, 'GET', `${SG}?tags=web,prod`)).body.security_groups.map((g: any) => g.name);
      assert.deepEqual(prod, ['a']);
      const shown = (await api.request(p, 'GET', `${SG}/${a.id}`)).body.security_group;
      assert.deepEqual(shown.tags, ['prod', 'web']);
      assert.equal(shown.revision_number, a.revision_number + 1);
      const rule = a.security_group_rules[0];
      assert.equal((await api.request(p, 'PUT', `${RULES}/${rule.id}/tags/outbound`)).status, 201);
      const tagged = (await api.request(p, 'GET', `${RULES}?tags=outbound`)).body.security_group_rules.map((r: any) => r.id);
      assert.deepEqual(tagged, [rule.id]);
      const inGroup = (await api.request(p, 'GET', `${SG}/${a.id}`)).body.security_group.security_group_rules.find((r: any) => r.id === rule.id);
      assert.deepEqual(inGroup.tags, ['outbound']);
    });

    it('pages and selects fields', async () => {
      const p = member('project-page');
      for (const name of ['g3', 'g1', 'g2']) await createGroup(p, { name });
      const page1 = (await api.request(p, 'GET', `${SG}?sort_key=name&sort_dir=asc&limit=2&fields=name&fields=id`)).body;
      assert.deepEqual(page1.security_groups.map((g: any) => g.name), ['default', 'g1']);
      assert.deepEqual(Object.keys(page1.security_groups[0]).sort(), ['id', 'name']);
      const next = page1.security_groups_links.find((l: any) => l.rel === 'next');
      const page2 = (await api.request(p, 'GET', next.href.replace(/^https?:\/\/[^/]+/, ''))).body;
      assert.deepEqual(page2.security_groups.map((g: any) => g.name), ['g2', 'g3']);
    });
  });
}
