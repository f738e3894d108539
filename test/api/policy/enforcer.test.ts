import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEnforcer, effectiveRules } from '../../../src/api/policy/enforcer.js';
import { NEUTRON_DEFAULT_RULES } from '../../../src/api/policy/defaults/index.js';
import { formatRule, parseRule } from '../../../src/api/policy/parser.js';
import { caller } from './helpers.js';

describe('enforcer', () => {
  test('checks run on compiled closures: nothing is parsed after the enforcer is built', () => {
    let parses = 0;
    const counting = (text: string) => { parses++; return parseRule(text); };
    const e = buildEnforcer({ defaults: NEUTRON_DEFAULT_RULES, file: null, enforceNewDefaults: false, parse: counting });
    const built = parses;
    assert.ok(built >= NEUTRON_DEFAULT_RULES.length, 'every default parsed once at build time');
    const owner = caller('p1', ['member']);
    const port = { project_id: 'p1', tenant_id: 'p1', network_id: 'n', 'network:tenant_id': 'p1', device_owner: 'network:dhcp' };
    for (let i = 0; i < 1000; i++) {
      e.check('get_port', port, owner);
      e.check('create_port:device_owner', port, owner);
      e.check('get_network', { project_id: 'p2', shared: true }, owner);
      e.check('no_such_action', {}, owner);
    }
    assert.equal(parses, built);
    assert.equal(e.check('create_port:device_owner', port, owner), true);
  });

  test('legacy mode ORs the deprecated check string in; new-defaults mode uses the new one alone', () => {
    const defaults = [{ name: 'x', check: 'role:new', deprecated: 'role:old' }];
    assert.equal(formatRule(effectiveRules({ defaults, file: null, enforceNewDefaults: false }).get('x')!), '(role:new or role:old)');
    assert.equal(formatRule(effectiveRules({ defaults, file: null, enforceNewDefaults: true }).get('x')!), 'role:new');
    const legacy = buildEnforcer({ defaults, file: null, enforceNewDefaults: false });
    const strict = buildEnforcer({ defaults, file: null, enforceNewDefaults: true });
    assert.equal(legacy.check('x', {}, caller('p', ['old'])), true);
    assert.equal(strict.check('x', {}, caller('p', ['old'])), false);
    assert.equal(strict.check('x', {}, caller('p', ['new'])), true);
  });

  test('isAdmin passes every check only while the old defaults are in force', () => {
    const defaults = [{ name: 'never', check: '!' }];
    const admin = caller('p', [], { isAdmin: true });
    assert.equal(buildEnforcer({ defaults, file: null, enforceNewDefaults: false }).check('never', {}, admin), true);
    assert.equal(buildEnforcer({ defaults, file: null, enforceNewDefaults: true }).check('never', {}, admin), false);
  });

  test('an action without a rule and without a default rule is refused', () => {
    const e = buildEnforcer({ defaults: [{ name: 'a', check: '@' }], file: null, enforceNewDefaults: false });
    assert.equal(e.check('a', {}, caller('p', [])), true);
    assert.equal(e.check('b', {}, caller('p', [])), false);
  });

  test('credentials follow the caller: a caller object seen before with other roles is not confused', () => {
    const e = buildEnforcer({ defaults: [{ name: 'a', check: 'role:x' }], file: null, enforceNewDefaults: false });
    assert.equal(e.check('a', {}, caller('p', ['x'])), true);
    assert.equal(e.check('a', {}, caller('p', ['y'])), false);
  });
});
