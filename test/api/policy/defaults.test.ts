// Neutron's default policies as Zed evaluates them. Legacy mode (enforce_new_defaults = False, Zed's
// default) ORs each rule with its deprecated form and lets is_admin through; new-defaults mode does neither.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPolicyEnforcer, NEUTRON_DEFAULT_RULES, parseRule, type PolicyEnforcer } from '../../../src/api/policy/index.js';
import type { Caller } from '../../../src/core/caller.js';
import { caller } from './helpers.js';

const admin = caller('admin-project', ['admin', 'member', 'reader'], { isAdmin: true });
const owner = caller('p1', ['member', 'reader']);
const other = caller('p2', ['member', 'reader']);
const reader = caller('p1', ['reader']);
const advsvc = caller('p9', ['advsvc']);

const net = { id: 'n1', project_id: 'p1', tenant_id: 'p1', shared: false, 'router:external': false };
const sharedNet = { ...net, id: 'n2', project_id: 'p3', tenant_id: 'p3', shared: true };
const extNet = { ...net, id: 'n3', project_id: 'p3', tenant_id: 'p3', 'router:external': true };
/** A subnet or port of project `project` on the network `parent` (the parent keys the API layer supplies). */
const child = (project: string, parent: typeof net, extra: Record<string, unknown> = {}) =>
  ({ project_id: project, tenant_id: project, network_id: parent.id,
     'network:tenant_id': parent.project_id, 'network:shared': parent.shared, ...extra });

type Case = [action: string, target: Record<string, unknown>, who: Caller, expected: boolean, why?: string];

function run(enforcer: PolicyEnforcer, cases: Case[]) {
  for (const [action, target, who, expected, why] of cases) {
    assert.equal(enforcer.check(action, target, who), expected,
      `${action} by ${who.projectId}/${who.roles.join(',')} on ${JSON.stringify(target)}${why ? ` (${why})` : ''}`);
  }
}

const legacy = createPolicyEnforcer({});
const newDefaults = createPolicyEnforcer({ enforceNewDefaults: true });

describe('the default rule table', () => {
  test('every default and deprecated check string parses', () => {
    for (const r of NEUTRON_DEFAULT_RULES) {
      parseRule(r.check);
      if (r.deprecated !== undefined) parseRule(r.deprecated);
    }
    assert.ok(NEUTRON_DEFAULT_RULES.length > 250);
  });

  const policyDir = '/usr/lib/python3/dist-packages/neutron/conf/policies';
  test('has every rule name neutron/conf/policies registers', { skip: !existsSync(policyDir) && 'Neutron source not installed' }, () => {
    const ours = new Set(NEUTRON_DEFAULT_RULES.map((r) => r.name));
    const theirs = new Set<string>();
    for (const f of readdirSync(policyDir).filter((f) => f.endsWith('.py'))) {
      const src = readFileSync(join(policyDir, f), 'utf8');
      for (const m of src.matchAll(/(?:RuleDefault|DocumentedRuleDefault)\(\s*(?:name=)?'([^']+)'/g)) theirs.add(m[1]!);
    }
    assert.ok(theirs.size > 250);
    assert.deepEqual([...theirs].filter((n) => !ours.has(n)), []);
    assert.deepEqual([...ours].filter((n) => !theirs.has(n)), []);
  });

  test('hasRule knows actions and attribute rules, and nothing else', () => {
    for (const a of ['create_network', 'get_port:binding:host_id', 'update_port:binding:vnic_type', 'get_dhcp-agents',
      'create_l3-router', 'delete_quota', 'network_owner', 'default', 'get_network:router:external']) {
      assert.equal(legacy.hasRule(a), true, a);
    }
    for (const a of ['get_port:binding:vnic_type', 'get_port:mac_address', 'update_security_group_rule', 'create_address_group']) {
      assert.equal(legacy.hasRule(a), false, a);
    }
  });
});

describe('networks', () => {
  test('admin may do anything, including admin-only attributes', () => {
    for (const e of [legacy, newDefaults]) {
      run(e, [
        ['create_network', net, admin, true], ['get_network', net, admin, true], ['delete_network', net, admin, true],
        ['create_network:shared', net, admin, true], ['create_network:provider:network_type', net, admin, true],
        ['get_network:provider:segmentation_id', net, admin, true], ['update_network:router:external', net, admin, true],
        ['create_network:segments', net, admin, true],
      ]);
    }
  });

  test('a project member manages its own networks but not admin-only attributes', () => {
    for (const e of [legacy, newDefaults]) {
      run(e, [
        ['create_network', net, owner, true], ['get_network', net, owner, true],
        ['update_network', net, owner, true], ['delete_network', net, owner, true],
        ['create_network:port_security_enabled', net, owner, true], ['update_network:port_security_enabled', net, owner, true],
        ['get_network:router:external', net, owner, true],
        ['create_network:shared', net, owner, false], ['update_network:shared', net, owner, false],
        ['create_network:router:external', net, owner, false], ['update_network:router:external', net, owner, false],
        ['create_network:provider:network_type', net, owner, false], ['create_network:provider:segmentation_id', net, owner, false],
        ['update_network:provider:physical_network', net, owner, false],
        ['get_network:provider:network_type', net, owner, false, 'hidden from non-admins'],
        ['get_network:provider:physical_network', net, owner, false], ['get_network:segments', net, owner, false],
        ['create_network:segments', net, owner, false], ['create_network:is_default', net, owner, false],
      ]);
    }
  });

  test("another project's network is invisible and untouchable unless shared or external", () => {
    for (const e of [legacy, newDefaults]) {
      run(e, [
        ['get_network', net, other, false], ['update_network', net, other, false], ['delete_network', net, other, false],
        ['get_network', sharedNet, other, true], ['get_network', extNet, other, true],
        ['update_network', sharedNet, other, false], ['delete_network', sharedNet, other, false],
        ['get_network', sharedNet, reader, true],
      ]);
    }
  });

  test('reader: may read; legacy defaults (deprecated rules OR-ed in, as Zed) still let it write its own', () => {
    run(newDefaults, [
      ['get_network', net, reader, true], ['create_network', net, reader, false],
      ['update_network', net, reader, false], ['delete_network', net, reader, false],
    ]);
    // Zed's deprecated rules: create_network is rule:regular_user (""), update/delete are admin_or_owner.
    run(legacy, [
      ['get_network', net, reader, true], ['create_network', net, reader, true],
      ['update_network', net, reader, true], ['delete_network', net, reader, true],
    ]);
  });

  test('advsvc sees every network', () => {
    run(legacy, [['get_network', net, advsvc, true], ['update_network', net, advsvc, false]]);
  });

  test('an admin role without isAdmin is judged by the rules (context_is_admin is role:admin)', () => {
    const roleOnly = caller('elsewhere', ['admin']);
    run(legacy, [['get_network', net, roleOnly, true], ['create_network:shared', net, roleOnly, true]]);
  });
});

describe('subnets (parent keys network:tenant_id, network:shared)', () => {
  const own = child('p1', net);
  const onShared = child('p3', sharedNet);
  test('network owner, shared network, other project', () => {
    for (const e of [legacy, newDefaults]) {
      run(e, [
        ['create_subnet', own, owner, true], ['get_subnet', own, owner, true],
        ['update_subnet', own, owner, true], ['delete_subnet', own, owner, true],
        ['get_subnet', own, other, false], ['update_subnet', own, other, false], ['delete_subnet', own, other, false],
        ['get_subnet', onShared, other, true, 'subnet of a shared network'],
        ['update_subnet', onShared, other, false],
        ['create_subnet:segment_id', own, owner, false], ['get_subnet:segment_id', own, owner, false],
        ['create_subnet:service_types', own, owner, false], ['create_subnet:segment_id', own, admin, true],
      ]);
    }
  });
  test('the network owner may manage subnets another project created on its network', () => {
    run(legacy, [['update_subnet', child('p2', net), owner, true], ['delete_subnet', child('p2', net), owner, true]]);
  });
});

describe('ports and their attribute rules', () => {
  const own = child('p1', net, { device_owner: 'compute:nova' });
  const othersOnShared = child('p2', sharedNet, { device_owner: 'compute:nova' });
  const othersOnMine = child('p2', net, { device_owner: 'compute:nova' });
  test('owner manages its ports; binding attributes except vnic_type are admin-only', () => {
    for (const e of [legacy, newDefaults]) {
      run(e, [
        ['create_port', own, owner, true], ['get_port', own, owner, true],
        ['update_port', own, owner, true], ['delete_port', own, owner, true],
        ['create_port:binding:host_id', own, owner, false], ['create_port:binding:profile', own, owner, false],
        ['create_port:binding:vnic_type', own, owner, true], ['update_port:binding:vnic_type', own, owner, true],
        ['update_port:binding:host_id', own, owner, false], ['update_port:binding:profile', own, owner, false],
        ['get_port:binding:host_id', own, owner, false], ['get_port:binding:vif_type', own, owner, false],
        ['get_port:binding:vif_details', own, owner, false], ['get_port:binding:profile', own, owner, false],
        ['create_port:binding:host_id', own, admin, true], ['get_port:binding:vif_details', own, admin, true],
        ['update_port:mac_address', own, owner, false], ['update_port:mac_address', own, admin, true],
        ['create_port:mac_address', own, owner, true, 'network owner'],
        ['create_port:fixed_ips', own, owner, true], ['create_port:fixed_ips:ip_address', own, owner, true],
        ['create_port:port_security_enabled', own, owner, true], ['update_port:port_security_enabled', own, owner, true],
        ['create_port:allowed_address_pairs', own, owner, true],
        ['create_port:allowed_address_pairs:ip_address', own, owner, true],
        ['update_port:allowed_address_pairs:mac_address', own, owner, true],
      ]);
    }
  });

  test('on a shared network another project may pick a subnet but not addresses, MACs, pairs or port security', () => {
    for (const e of [legacy, newDefaults]) {
      run(e, [
        ['create_port', othersOnShared, other, true],
        ['create_port:fixed_ips', othersOnShared, other, true], ['create_port:fixed_ips:subnet_id', othersOnShared, other, true],
        ['create_port:fixed_ips:ip_address', othersOnShared, other, false],
        ['update_port:fixed_ips', othersOnShared, other, false, 'update_port:fixed_ips has no rule:shared'],
        ['create_port:mac_address', othersOnShared, other, false],
        ['create_port:port_security_enabled', othersOnShared, other, false],
        ['create_port:allowed_address_pairs', othersOnShared, other, false],
        ['create_port:allowed_address_pairs:mac_address', othersOnShared, other, false],
      ]);
    }
  });

  test('device_owner network:* only for the network owner, admin or advsvc', () => {
    const dhcpOnShared = { ...othersOnShared, device_owner: 'network:dhcp' };
    const dhcpOnMine = { ...own, device_owner: 'network:router_interface' };
    for (const e of [legacy, newDefaults]) {
      run(e, [
        ['create_port:device_owner', othersOnShared, other, true, 'compute:nova is anyone’s'],
        ['create_port:device_owner', dhcpOnShared, other, false],
        ['update_port:device_owner', dhcpOnShared, other, false],
        ['create_port:device_owner', dhcpOnMine, owner, true],
        ['create_port:device_owner', dhcpOnShared, advsvc, true],
      ]);
    }
  });

  test("ports of other projects are invisible; the network owner sees ports on its network (legacy)", () => {
    for (const e of [legacy, newDefaults]) {
      run(e, [['get_port', own, other, false], ['update_port', own, other, false], ['delete_port', own, other, false],
        ['get_port', own, advsvc, true], ['update_port', own, advsvc, true]]);
    }
    run(legacy, [['get_port', othersOnMine, owner, true], ['delete_port', othersOnMine, owner, true]]);
    run(newDefaults, [['get_port', othersOnMine, owner, false]]);
  });

  test('data plane status is for the data_plane_integrator role', () => {
    run(legacy, [['update_port:data_plane_status', own, caller('p9', ['data_plane_integrator']), true],
      ['update_port:data_plane_status', own, owner, false]]);
  });
});

describe('security groups and rules', () => {
  const sg = { id: 'sg1', project_id: 'p1', tenant_id: 'p1' };
  const rule = { project_id: 'p1', tenant_id: 'p1', security_group_id: 'sg1', 'security_group:tenant_id': 'p1' };
  const adminRuleInMyGroup = { ...rule, project_id: 'admin-project', tenant_id: 'admin-project' };
  test('owner manages its groups and rules, another project cannot', () => {
    for (const e of [legacy, newDefaults]) {
      run(e, [
        ['create_security_group', sg, owner, true], ['get_security_group', sg, owner, true],
        ['update_security_group', sg, owner, true], ['delete_security_group', sg, owner, true],
        ['update_security_group', sg, other, false], ['delete_security_group', sg, other, false],
        ['create_security_group_rule', rule, owner, true], ['get_security_group_rule', rule, owner, true],
        ['delete_security_group_rule', rule, owner, true],
        ['create_security_group_rule', rule, other, false], ['delete_security_group_rule', rule, other, false],
        ['get_security_group_rule', rule, other, false],
        ['get_security_group_rule', adminRuleInMyGroup, owner, true, 'sg_owner'],
      ]);
    }
  });
  test("get_security_group: Zed's deprecated rule is regular_user, so only new defaults hide other projects' groups", () => {
    run(legacy, [['get_security_group', sg, other, true]]);
    run(newDefaults, [['get_security_group', sg, other, false]]);
  });
});

describe('routers, floating IPs, port forwardings', () => {
  const router = { id: 'r1', project_id: 'p1', tenant_id: 'p1' };
  test('owner manages routers; gateway details beyond the network are admin-only', () => {
    for (const e of [legacy, newDefaults]) {
      run(e, [
        ['create_router', router, owner, true], ['get_router', router, owner, true], ['update_router', router, owner, true],
        ['delete_router', router, owner, true], ['add_router_interface', router, owner, true],
        ['remove_router_interface', router, owner, true],
        ['get_router', router, other, false], ['update_router', router, other, false], ['add_router_interface', router, other, false],
        ['create_router:external_gateway_info', router, owner, true],
        ['create_router:external_gateway_info:network_id', router, owner, true],
        ['create_router:external_gateway_info:enable_snat', router, owner, false],
        ['update_router:external_gateway_info:external_fixed_ips', router, owner, false],
        ['create_router:ha', router, owner, false], ['get_router:distributed', router, owner, false],
        ['create_router:external_gateway_info:enable_snat', router, admin, true],
      ]);
    }
  });
  test('floating IPs and port forwardings (ext_parent:tenant_id)', () => {
    const fip = { project_id: 'p1', tenant_id: 'p1' };
    const pf = { 'ext_parent:tenant_id': 'p1' };
    for (const e of [legacy, newDefaults]) {
      run(e, [
        ['create_floatingip', fip, owner, true], ['get_floatingip', fip, owner, true], ['delete_floatingip', fip, owner, true],
        ['get_floatingip', fip, other, false], ['update_floatingip', fip, other, false],
        ['create_floatingip:floating_ip_address', fip, owner, false], ['create_floatingip:floating_ip_address', fip, admin, true],
        ['create_floatingip_port_forwarding', pf, owner, true], ['get_floatingip_port_forwarding', pf, owner, true],
        ['delete_floatingip_port_forwarding', pf, owner, true],
        ['create_floatingip_port_forwarding', pf, other, false], ['get_floatingip_port_forwarding', pf, other, false],
      ]);
    }
  });
});

describe('admin-only resources: quotas, agents and scheduling, segments', () => {
  const actions = ['get_quota', 'update_quota', 'delete_quota', 'get_agent', 'update_agent', 'delete_agent',
    'create_dhcp-network', 'get_dhcp-networks', 'delete_dhcp-network', 'get_dhcp-agents', 'create_l3-router',
    'get_l3-routers', 'delete_l3-router', 'get_l3-agents', 'create_segment', 'get_segment', 'update_segment', 'delete_segment'];
  test('refused to members, allowed to admins', () => {
    const target = { project_id: 'p1', tenant_id: 'p1' };
    for (const e of [legacy, newDefaults]) {
      run(e, actions.flatMap((a): Case[] => [[a, target, owner, false], [a, target, admin, true]]));
    }
  });
});

describe('availability zones and address groups', () => {
  test('availability zones: anyone under legacy defaults, admin under new ones', () => {
    run(legacy, [['get_availability_zone', {}, reader, true]]);
    run(newDefaults, [['get_availability_zone', {}, reader, false], ['get_availability_zone', {}, admin, true]]);
  });
  test('address groups: own or shared visible; create/update without a rule fall to default (admin_or_owner)', () => {
    const ag = { project_id: 'p1', tenant_id: 'p1', shared: false };
    const sharedAg = { ...ag, shared: true };
    for (const e of [legacy, newDefaults]) {
      run(e, [
        ['get_address_group', ag, owner, true], ['get_address_group', ag, other, false],
        ['get_address_group', sharedAg, other, true],
        ['create_address_group', ag, owner, true], ['create_address_group', ag, other, false],
        ['update_address_group', ag, other, false],
      ]);
    }
  });
});
