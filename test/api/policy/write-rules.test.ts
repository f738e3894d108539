import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicyEnforcer, firstFailingWriteRule, writeRuleNames } from '../../../src/api/policy/index.js';
import { caller } from './helpers.js';

const e = createPolicyEnforcer({});

describe('write rules (Neutron _build_match_rule)', () => {
  test('action, attribute rules, and sub-attribute rules of lists of dicts and of dicts', () => {
    assert.deepEqual(writeRuleNames(e, 'create_port', [
      ['fixed_ips', [{ subnet_id: 's' }, { subnet_id: 's', ip_address: '10.0.0.5' }]],
      ['binding:profile', { local_link_information: [] }],
      ['port_security_enabled', false],
    ]), ['create_port', 'create_port:fixed_ips', 'create_port:fixed_ips:subnet_id', 'create_port:fixed_ips:ip_address',
      'create_port:binding:profile', 'create_port:port_security_enabled']);
    assert.deepEqual(writeRuleNames(e, 'update_router', [['external_gateway_info', { network_id: 'n', enable_snat: false }]]),
      ['update_router', 'update_router:external_gateway_info', 'update_router:external_gateway_info:network_id',
        'update_router:external_gateway_info:enable_snat']);
  });

  test('a member on a shared network may choose a subnet but not an address', () => {
    const other = caller('p2', ['member', 'reader']);
    const target = { project_id: 'p2', tenant_id: 'p2', network_id: 'n', 'network:tenant_id': 'p3', 'network:shared': true };
    assert.equal(firstFailingWriteRule(e, 'create_port', target, other, [['fixed_ips', [{ subnet_id: 's' }]]]), null);
    assert.equal(firstFailingWriteRule(e, 'create_port', target, other, [['fixed_ips', [{ subnet_id: 's', ip_address: '10.0.0.9' }]]]),
      'create_port:fixed_ips:ip_address');
    const owner = caller('p1', ['member']);
    const router = { project_id: 'p1', tenant_id: 'p1' };
    assert.equal(firstFailingWriteRule(e, 'update_router', router, owner, [['external_gateway_info', { network_id: 'ext', enable_snat: false }]]),
      'update_router:external_gateway_info:enable_snat');
    assert.equal(firstFailingWriteRule(e, 'update_router', router, owner, [['external_gateway_info', { network_id: 'ext' }]]), null);
  });
});
