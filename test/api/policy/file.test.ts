import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPolicyEnforcer, loadPolicyFile } from '../../../src/api/policy/index.js';
import { caller } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'nucleon-policy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function write(text: string, ext = 'yaml'): string {
  const path = join(dir, `policy-${n++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

const owner = caller('p1', ['member', 'reader']);
const other = caller('p2', ['member', 'reader']);
const net = { project_id: 'p1', tenant_id: 'p1', shared: false };

describe('policy file', () => {
  test('a missing file is no error and changes nothing', () => {
    assert.equal(loadPolicyFile(join(dir, 'absent.yaml')), null);
    const e = createPolicyEnforcer({ policyFile: join(dir, 'absent.yaml') });
    assert.equal(e.check('create_network', net, owner), true);
    assert.equal(createPolicyEnforcer({ policyFile: null }).check('create_network', net, owner), true);
  });

  test('YAML entries override defaults by name, others stay', () => {
    const path = write([
      '# operators restrict network creation to a role',
      '"create_network": "role:netadmin"',
      'get_network: "rule:admin_or_owner"   # shared networks no longer visible',
      '',
    ].join('\n'));
    const e = createPolicyEnforcer({ policyFile: path });
    assert.equal(e.check('create_network', net, owner), false);
    assert.equal(e.check('create_network', net, caller('p1', ['NetAdmin'])), true);
    assert.equal(e.check('get_network', { ...net, shared: true }, other), false);
    assert.equal(e.check('update_network', net, owner), true, 'untouched default');
  });

  test('an override replaces the deprecated-OR combination too', () => {
    // Legacy default for create_network is "(new) or (rule:regular_user)"; an override of exactly the new
    // check string leaves no deprecated part behind.
    const path = write('create_network: "rule:admin_only or role:member and project_id:%(project_id)s"\n');
    const reader = caller('p1', ['reader']);
    assert.equal(createPolicyEnforcer({}).check('create_network', net, reader), true);
    assert.equal(createPolicyEnforcer({ policyFile: path }).check('create_network', net, reader), false);
  });

  test('JSON files, helper rules referenced by overrides, and overridden helpers used by defaults', () => {
    const path = write(JSON.stringify({
      net_admins: 'role:netadmin',
      'create_network:shared': 'rule:net_admins',
      context_is_admin: 'role:admin or role:superuser',
    }), 'json');
    const e = createPolicyEnforcer({ policyFile: path });
    assert.equal(e.hasRule('net_admins'), true);
    assert.equal(e.check('create_network:shared', net, caller('p1', ['netadmin'])), true);
    assert.equal(e.check('create_network:shared', net, owner), false);
    // Defaults reach context_is_admin through rule:admin_only; the override applies there too.
    assert.equal(e.check('get_quota', {}, caller('p5', ['superuser'])), true);
    assert.equal(e.check('get_quota', {}, owner), false);
  });

  test('an empty rule means always; "!" means never; an empty file overrides nothing', () => {
    const e = createPolicyEnforcer({ policyFile: write('get_agent: ""\ncreate_router: "!"\n') });
    assert.equal(e.check('get_agent', {}, other), true);
    assert.equal(e.check('create_router', { project_id: 'p1' }, owner), false);
    const empty = createPolicyEnforcer({ policyFile: write('# nothing here\n') });
    assert.equal(empty.check('create_router', { project_id: 'p1' }, owner), true);
  });

  test('the default rule can be overridden and judges actions without a rule', () => {
    const e = createPolicyEnforcer({ policyFile: write('default: "!"\n') });
    assert.equal(e.hasRule('create_address_group'), false);
    assert.equal(e.check('create_address_group', { project_id: 'p1' }, owner), false);
    assert.equal(createPolicyEnforcer({}).check('create_address_group', { project_id: 'p1' }, owner), true);
  });

  test('a malformed rule is an error naming the file and the rule', () => {
    for (const [text, ext] of [['create_network: "role:admin and"\n', 'yaml'], ['{"create_network": "(role:admin"}', 'json'],
      ['create_network: "admin"\n', 'yaml'], ['create_network: 42\n', 'yaml']] as const) {
      const path = write(text, ext);
      assert.throws(() => createPolicyEnforcer({ policyFile: path }),
        (e: Error) => e.message.includes(path) && e.message.includes('"create_network"'), text);
    }
  });

  test('an unparsable document or a non-mapping is an error naming the file', () => {
    for (const text of ['create_network: [unclosed\n', '- a\n- b\n', '"just a string"']) {
      const path = write(text);
      assert.throws(() => createPolicyEnforcer({ policyFile: path }), (e: Error) => e.message.includes(path), text);
    }
  });

  test('rules that reference each other in a cycle are an error naming the file', () => {
    const path = write('a: "rule:b"\nb: "rule:a or role:x"\n');
    assert.throws(() => createPolicyEnforcer({ policyFile: path }),
      (e: Error) => e.message.includes(path) && /cycle: .*a -> b -> a|cycle: .*b -> a -> b/.test(e.message));
    // default pointing at a missing rule would loop through the default fallback
    const viaDefault = write('default: "rule:nonexistent"\n');
    assert.throws(() => createPolicyEnforcer({ policyFile: viaDefault }), /cycle/);
  });
});
