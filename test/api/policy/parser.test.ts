import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRule, parseRule, PolicySyntaxError } from '../../../src/api/policy/parser.js';
import { caller, evaluate } from './helpers.js';

const member = caller('p1', ['member', 'reader']);
const nobody = caller('p1', []);

describe('parseRule: constructs', () => {
  test('empty and blank strings, @ and ! are constants', () => {
    assert.deepEqual(parseRule(''), { kind: 'true' });
    assert.deepEqual(parseRule('   '), { kind: 'true' });
    assert.deepEqual(parseRule('@'), { kind: 'true' });
    assert.deepEqual(parseRule('!'), { kind: 'false' });
    assert.equal(evaluate('', {}, nobody), true);
    assert.equal(evaluate('@', {}, nobody), true);
    assert.equal(evaluate('!', {}, nobody), false);
  });

  test('role: matches case-insensitively, both ways', () => {
    assert.equal(evaluate('role:admin', {}, caller('p', ['Admin'])), true);
    assert.equal(evaluate('role:ADMIN', {}, caller('p', ['admin'])), true);
    assert.equal(evaluate('role:admin', {}, caller('p', ['member'])), false);
    assert.equal(evaluate('role:%(wanted)s', { wanted: 'MEMBER' }, member), true);
    assert.equal(evaluate('role:%(wanted)s', {}, member), false);
  });

  test('rule: follows references; an unknown rule falls to `default`, or never without one', () => {
    assert.equal(evaluate('rule:yes', {}, nobody, { yes: '@' }), true);
    assert.equal(evaluate('rule:no', {}, nobody, { no: '!' }), false);
    assert.equal(evaluate('rule:missing', {}, nobody, { default: '@' }), true);
    assert.equal(evaluate('rule:missing', {}, nobody, { default: '!' }), false);
    assert.equal(evaluate('rule:missing', {}, nobody), false);
  });

  test('generic checks: credential on the left, literal or %(target key)s on the right', () => {
    assert.equal(evaluate('project_id:%(project_id)s', { project_id: 'p1' }, member), true);
    assert.equal(evaluate('project_id:%(project_id)s', { project_id: 'p2' }, member), false);
    assert.equal(evaluate('project_id:%(project_id)s', {}, member), false, 'absent key fails');
    assert.equal(evaluate('project_id:%(project_id)s', { project_id: null }, member), false, 'null fails');
    assert.equal(evaluate('project_id:%(project_id)s', { tenant_id: 'p1' }, member), true, 'tenant_id stands in');
    assert.equal(evaluate('user_id:%(user_id)s', { user_id: 'bob' }, caller('p1', [], { userId: 'bob' })), true);
    assert.equal(evaluate('project_id:p1', {}, member), true, 'literal right side');
    assert.equal(evaluate('project_id:p1', {}, caller('p2', [])), false);
    assert.equal(evaluate('roles:member', {}, member), true, 'list credential: membership');
    assert.equal(evaluate('roles:admin', {}, member), false);
    assert.equal(evaluate('project_id:%(project_id)s', { project_id: 'p1' }, caller(null, ['member'])), false,
      'a caller without project owns nothing');
    assert.equal(evaluate('unknown_cred:x', {}, member), false);
  });

  test('is_admin:True compares Python-style string forms', () => {
    assert.equal(evaluate('is_admin:True', {}, caller('p', ['admin'], { isAdmin: true })), true);
    assert.equal(evaluate('is_admin:True', {}, member), false);
    assert.equal(evaluate('is_admin:False', {}, member), true);
  });

  test('a Python literal on the left is compared with the substituted right side', () => {
    assert.equal(evaluate('True:%(shared)s', { shared: true }, nobody), true);
    assert.equal(evaluate('True:%(shared)s', { shared: false }, nobody), false);
    assert.equal(evaluate("'web':%(name)s", { name: 'web' }, nobody), true);
    assert.equal(evaluate('42:%(mtu)s', { mtu: 42 }, nobody), true);
  });

  test('templates: mixed text, %% escapes', () => {
    assert.equal(evaluate('project_id:x-%(a)s-%(b)s', { a: 1, b: 'z' }, caller('x-1-z', [])), true);
    assert.equal(evaluate('project_id:100%%', {}, caller('100%', [])), true);
    assert.throws(() => parseRule('project_id:%(a)d'), PolicySyntaxError);
  });

  test('tenant_id: is the owner check, reading parent keys the caller supplies', () => {
    assert.deepEqual(parseRule('tenant_id:%(network:tenant_id)s'), { kind: 'owner', key: 'network:tenant_id' });
    assert.equal(evaluate('tenant_id:%(network:tenant_id)s', { 'network:tenant_id': 'p1' }, member), true);
    assert.equal(evaluate('tenant_id:%(network:tenant_id)s', { 'network:project_id': 'p1' }, member), true);
    assert.equal(evaluate('tenant_id:%(network:tenant_id)s', { 'network:tenant_id': 'p2' }, member), false);
    assert.equal(evaluate('tenant_id:%(network:tenant_id)s', { tenant_id: 'p1' }, member), false);
    assert.equal(evaluate('tenant_id:%(tenant_id)s', { project_id: 'p1' }, member), true);
    assert.throws(() => parseRule('tenant_id:p1'), /tenant_id checks must match/);
  });

  test('field: compares with the target attribute, converting to its type', () => {
    assert.deepEqual(parseRule('field:networks:router:external=True'),
      { kind: 'field', resource: 'networks', field: 'router:external', value: 'True' });
    assert.equal(evaluate('field:networks:shared=True', { shared: true }, nobody), true);
    assert.equal(evaluate('field:networks:shared=True', { shared: false }, nobody), false);
    assert.equal(evaluate('field:networks:shared=False', { shared: false }, nobody), true);
    assert.equal(evaluate('field:networks:shared=True', {}, nobody), false);
    assert.equal(evaluate('field:networks:shared=True', { 'network:shared': true }, nobody), true, 'parent network');
    assert.equal(evaluate('field:networks:shared=True', { shared: false, 'network:shared': true }, nobody), false,
      "the target's own attribute wins");
    assert.equal(evaluate('field:networks:router:external=True', { 'router:external': true }, nobody), true);
    assert.equal(evaluate('field:networks:mtu=1450', { mtu: 1450 }, nobody), true);
    assert.equal(evaluate('field:networks:name=web', { name: 'web' }, nobody), true);
    assert.equal(evaluate('field:networks:name=web', { name: 'webby' }, nobody), false);
    assert.equal(evaluate('field:rbac_policy:target_tenant=*', { target_tenant: '*' }, nobody), true);
  });

  test('field: with ~ is a regular expression anchored at the start', () => {
    const r = 'field:port:device_owner=~^network:';
    assert.equal(evaluate(r, { device_owner: 'network:dhcp' }, nobody), true);
    assert.equal(evaluate(r, { device_owner: 'compute:nova' }, nobody), false);
    assert.equal(evaluate('field:port:device_owner=~comp', { device_owner: 'compute:nova' }, nobody), true);
    assert.equal(evaluate('field:port:device_owner=~nova', { device_owner: 'compute:nova' }, nobody), false);
    assert.throws(() => parseRule('field:port:device_owner=~('), /bad regular expression/);
  });

  test('malformed checks and expressions are errors', () => {
    for (const bad of ['admin', 'rule:', 'field:networks', 'field:networks:shared', 'http://x', 'role:a and',
      'or role:a', '(role:a', 'role:a)', 'role:a role:b', 'not', '()', "'quoted'"]) {
      assert.throws(() => parseRule(bad), PolicySyntaxError, bad);
    }
  });
});

describe('parseRule: operators and precedence', () => {
  test('and, or, not', () => {
    assert.equal(evaluate('@ and @', {}, nobody), true);
    assert.equal(evaluate('@ and !', {}, nobody), false);
    assert.equal(evaluate('! or @', {}, nobody), true);
    assert.equal(evaluate('! or !', {}, nobody), false);
    assert.equal(evaluate('not !', {}, nobody), true);
    assert.equal(evaluate('not @', {}, nobody), false);
    assert.equal(evaluate('not not @', {}, nobody), true);
  });

  test('keywords are case-insensitive', () => {
    assert.equal(evaluate('NOT ! AND @ Or !', {}, nobody), true);
  });

  test('and binds tighter than or', () => {
    assert.equal(formatRule(parseRule('@ or ! and !')), '(@ or (! and !))');
    assert.equal(evaluate('@ or ! and !', {}, nobody), true); // left to right would be false
    assert.equal(evaluate('! and ! or @', {}, nobody), true);
  });

  test('not binds tighter than and / or', () => {
    assert.equal(formatRule(parseRule('not @ and !')), '(not @ and !)');
    assert.equal(evaluate('not @ and !', {}, nobody), false); // not (@ and !) would be true
    assert.equal(evaluate('not ! or !', {}, nobody), true);
    assert.equal(evaluate('not @ or @', {}, nobody), true); // not (@ or @) would be false
  });

  test('parentheses override precedence, also glued to checks and nested', () => {
    assert.equal(evaluate('(@ or !) and !', {}, nobody), false);
    assert.equal(evaluate('not (@ and !)', {}, nobody), true);
    assert.equal(evaluate('((role:member)) and (not (role:admin or !))', {}, member), true);
    assert.equal(formatRule(parseRule('(rule:a or rule:b) and rule:c')), '((rule:a or rule:b) and rule:c)');
  });

  test("Neutron's composite strings parse as oslo.policy reads them", () => {
    const text = 'not rule:network_device or rule:admin_only or rule:context_is_advsvc or rule:network_owner';
    assert.equal(formatRule(parseRule(text)),
      '(not rule:network_device or rule:admin_only or rule:context_is_advsvc or rule:network_owner)');
    const rbac = 'rule:a or (not field:rbac_policy:target_project=* and rule:b)';
    assert.equal(formatRule(parseRule(rbac)), '(rule:a or (not field:rbac_policy:target_project=* and rule:b))');
  });
});
