import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicyEnforcer, attributeWriteRules } from '../../../src/api/policy/index.js';
import { caller } from './helpers.js';

const e = createPolicyEnforcer({});

/** The first rule of the write that `who` fails on `target`, or null when all pass. */
function firstFailing(action: string, target: Record<string, unknown>, who: ReturnType<typeof caller>, set: [string, unknown][]): string | null {
  for (const name of [action, ...attributeWriteRules(e, action, set).flatMap((r) => r.names)]) if (!e.check(name, target, who)) return name;
  return null;
}

describe('write rules (Neutron _build_match_rule)', () => {
  test('attribute rules, and sub-attribute rules of lists of dicts and of dicts, with the refusal text', () => {
    assert.deepEqual(attributeWriteRules(e, 'create_port', [
      ['fixed_ips', [{ subnet_id: 's' }, { subnet_id: 's', ip_address: '10.0.0.5' }]],
      ['binding:profile', { local_link_information: [] }],
      ['port_security_enabled', false],
    ]), [
      { names: ['create_port:fixed_ips', 'create_port:fixed_ips:subnet_id', 'create_port:fixed_ips:ip_address'],
        text: '(rule:create_port:fixed_ips and (rule:create_port:fixed_ips:subnet_id and rule:create_port:fixed_ips:ip_address))' },
      { names: ['create_port:binding:profile'], text: 'rule:create_port:binding:profile' },
      { names: ['create_port:port_security_enabled'], text: 'rule:create_port:port_security_enabled' },
    ]);
    assert.deepEqual(attributeWriteRules(e, 'update_router', [['external_gateway_info', { network_id: 'n', enable_snat: false }]]), [
      { names: ['update_router:external_gateway_info', 'update_router:external_gateway_info:network_id', 'update_router:external_gateway_info:enable_snat'],
        text: '(rule:update_router:external_gateway_info and (rule:update_router:external_gateway_info:network_id and rule:update_router:external_gateway_info:enable_snat))' },
    ]);
    // An attribute the policy has no rule for adds nothing (name is not policy-enforced in Neutron).
    assert.deepEqual(attributeWriteRules(e, 'create_port', [['name', 'x']]), []);
  });

  test('a member on a shared network may choose a subnet but not an address', () => {
    const other = caller('p2', ['member', 'reader']);
    const target = { project_id: 'p2', tenant_id: 'p2', network_id: 'n', 'network:tenant_id': 'p3', 'network:shared': true };
    assert.equal(firstFailing('create_port', target, other, [['fixed_ips', [{ subnet_id: 's' }]]]), null);
    assert.equal(firstFailing('create_port', target, other, [['fixed_ips', [{ subnet_id: 's', ip_address: '10.0.0.9' }]]]),
      'create_port:fixed_ips:ip_address');
    const owner = caller('p1', ['member']);
    const router = { project_id: 'p1', tenant_id: 'p1' };
    assert.equal(firstFailing('update_router', router, owner, [['external_gateway_info', { network_id: 'ext', enable_snat: false }]]),
      'update_router:external_gateway_info:enable_snat');
    assert.equal(firstFailing('update_router', router, owner, [['external_gateway_info', { network_id: 'ext' }]]), null);
  });
});
