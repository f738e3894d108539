import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { tempConfigDir } from './helpers.js';

const tmp = tempConfigDir();

describe('loadConfig precedence', () => {
  it('takes the last file that sets an option; earlier files keep the rest', () => {
    const a = tmp.write('p1/a.conf', '[DEFAULT]\nbind_port = 1111\ncore_plugin = ml2\n');
    const b = tmp.write('p1/b.conf', '[DEFAULT]\nbind_port = 2222\n');
    const conf = loadConfig({ files: [a, b] });
    assert.equal(conf.get('DEFAULT', 'bind_port'), 2222);
    assert.equal(conf.get('DEFAULT', 'core_plugin'), 'ml2');
    assert.deepEqual(conf.origin('DEFAULT', 'bind_port'), { file: b, line: 2, section: 'DEFAULT', name: 'bind_port' });
    assert.deepEqual(conf.sources, [a, b]);
    const swapped = loadConfig({ files: [b, a] });
    assert.equal(swapped.get('DEFAULT', 'bind_port'), 1111);
  });

  it('takes the last occurrence within one file and warns about the repeat', () => {
    const f = tmp.write('p2/n.conf', '[keystone_authtoken]\nauth_url = http://ct:5000\nauth_url = http://ct:35357\n');
    const conf = loadConfig({ files: [f] });
    assert.equal(conf.get('keystone_authtoken', 'auth_url'), 'http://ct:35357');
    assert.ok(conf.warnings.some((w) => w.option === 'auth_url' && /set 2 times/.test(w.message)));
  });

  it('reads --config-dir *.conf files after the files, in sorted order, ignoring other names', () => {
    const f = tmp.write('p3/neutron.conf', '[DEFAULT]\nbind_port = 1\nagent_down_time = 10\ndebug = true\n');
    tmp.write('p3/d/20-b.conf', '[DEFAULT]\nbind_port = 3\n');
    tmp.write('p3/d/10-a.conf', '[DEFAULT]\nbind_port = 2\nagent_down_time = 20\n');
    tmp.write('p3/d/99-z.ini', '[DEFAULT]\nbind_port = 4\n');
    tmp.write('p3/d/sub.conf/x.conf', '[DEFAULT]\nbind_port = 5\n');
    const conf = loadConfig({ files: [f], dirs: [`${tmp.root}/p3/d`] });
    assert.equal(conf.get('DEFAULT', 'bind_port'), 3);
    assert.equal(conf.get('DEFAULT', 'agent_down_time'), 20);
    assert.equal(conf.get('DEFAULT', 'debug'), true);
    assert.deepEqual(conf.sources.map((s) => s.split('/').pop()), ['neutron.conf', '10-a.conf', '20-b.conf']);
  });

  it('applies defaults when nothing sets an option, and throws for unregistered options', () => {
    const conf = loadConfig({ files: [] });
    assert.equal(conf.get('DEFAULT', 'bind_port'), 9696);
    assert.equal(conf.isSet('DEFAULT', 'bind_port'), false);
    assert.equal(conf.origin('DEFAULT', 'bind_port'), undefined);
    assert.throws(() => conf.get('DEFAULT', 'no_such_option'), /not registered/);
    assert.throws(() => conf.get('no_such_group', 'x'), /not registered/);
  });

  it('matches section names like oslo (ML2 is ml2, [default] is not [DEFAULT])', () => {
    const f = tmp.write('p4/a.conf', '[ML2]\ntype_drivers = vxlan\n[default]\nbind_port = 1\n');
    const conf = loadConfig({ files: [f] });
    assert.deepEqual(conf.get('ml2', 'type_drivers'), ['vxlan']);
    assert.equal(conf.get('DEFAULT', 'bind_port'), 9696);
    assert.ok(conf.warnings.some((w) => w.section === 'default' && /unknown section \[default\].*\[DEFAULT\]/.test(w.message)));
    assert.deepEqual(conf.sections(), ['ml2', 'default']);
  });
});

describe('value syntax', () => {
  const load = (text: string) => loadConfig({ files: [tmp.write(`v/${Math.random()}.conf`, text)] });

  it('parses lists: comma separated, items stripped, trailing comma dropped, empty = []', () => {
    const conf = load('[ml2]\ntype_drivers = a,b , c\nmechanism_drivers = linuxbridge,\ntenant_network_types =\n');
    assert.deepEqual(conf.get('ml2', 'type_drivers'), ['a', 'b', 'c']);
    assert.deepEqual(conf.get('ml2', 'mechanism_drivers'), ['linuxbridge']);
    assert.deepEqual(conf.get('ml2', 'tenant_network_types'), []);
  });

  it('parses dicts k1:v1,k2:v2 with values that hold colons', () => {
    const conf = load('[ovs]\nresource_provider_hypervisors = br-ex : host1, br-p:a:b\n');
    assert.deepEqual(conf.get('ovs', 'resource_provider_hypervisors'), { 'br-ex': 'host1', 'br-p': 'a:b' });
    const empty = load('[ovs]\nresource_provider_hypervisors =\n');
    assert.deepEqual(empty.get('ovs', 'resource_provider_hypervisors'), {});
  });

  it('parses booleans true/false/yes/no/on/off/1/0 in any case', () => {
    const cases: [string, boolean][] = [
      ['true', true], ['True', true], ['YES', true], ['on', true], ['1', true],
      ['false', false], ['FALSE', false], ['no', false], ['Off', false], ['0', false],
    ];
    for (const [raw, want] of cases) assert.equal(load(`[DEFAULT]\ndebug = ${raw}\n`).get('DEFAULT', 'debug'), want, raw);
  });

  it('reads an empty integer as unset (null) and an empty string as ""', () => {
    const conf = load('[DEFAULT]\napi_workers =\ncore_plugin =\n');
    assert.equal(conf.get('DEFAULT', 'api_workers'), null);
    assert.equal(conf.get('DEFAULT', 'core_plugin'), '');
  });

  it('substitutes $option, ${option}, ${group.option} and keeps $$ as $', () => {
    const conf = load(
      '[DEFAULT]\nstate_path = /srv/n\nlog_dir = ${state_path}/log\nlog_file = $$HOME/x\n' +
        '[oslo_concurrency]\nlock_path = $state_path/lock\n[keystone_authtoken]\npassword = p\\$ss\nusername = ${DEFAULT.state_path}\n',
    );
    assert.equal(conf.get('DEFAULT', 'dhcp_confs'), '/srv/n/dhcp', 'defaults are substituted too');
    assert.equal(conf.get('DEFAULT', 'log_dir'), '/srv/n/log');
    assert.equal(conf.get('DEFAULT', 'log_file'), '$HOME/x');
    assert.equal(conf.get('oslo_concurrency', 'lock_path'), '/srv/n/lock');
    assert.equal(conf.get('keystone_authtoken', 'password'), 'p$ss');
    assert.equal(conf.get('keystone_authtoken', 'username'), '/srv/n');
  });

  it('collects every occurrence of a MultiStrOpt across files, in order', () => {
    const a = tmp.write('m/a.conf', '[oslo_policy]\npolicy_dirs = one\npolicy_dirs = two\n');
    const b = tmp.write('m/b.conf', '[oslo_policy]\npolicy_dirs = three\n');
    assert.deepEqual(loadConfig({ files: [a, b] }).get('oslo_policy', 'policy_dirs'), ['one', 'two', 'three']);
    assert.deepEqual(loadConfig({ files: [] }).get('oslo_policy', 'policy_dirs'), ['policy.d']);
  });
});

describe('deprecated names', () => {
  it('reads a deprecated name and warns; the current name wins within a file', () => {
    const f = tmp.write('d/a.conf', '[ml2]\nsegment_mtu = 9000\n[DEFAULT]\nlogdir = /var/log/x\n');
    const conf = loadConfig({ files: [f] });
    assert.equal(conf.get('DEFAULT', 'global_physnet_mtu'), 9000);
    assert.equal(conf.get('DEFAULT', 'log_dir'), '/var/log/x');
    assert.ok(conf.warnings.some((w) => w.section === 'ml2' && w.option === 'segment_mtu' && /use \[DEFAULT\] global_physnet_mtu/.test(w.message)));
    const both = tmp.write('d/b.conf', '[DEFAULT]\nglobal_physnet_mtu = 1400\n[ml2]\nsegment_mtu = 9000\n');
    assert.equal(loadConfig({ files: [both] }).get('DEFAULT', 'global_physnet_mtu'), 1400);
  });

  it('lets a later file with a deprecated name override an earlier file with the current name', () => {
    const a = tmp.write('d/c1.conf', '[DEFAULT]\nglobal_physnet_mtu = 1400\n');
    const b = tmp.write('d/c2.conf', '[ml2]\nsegment_mtu = 9000\n');
    const conf = loadConfig({ files: [a, b] });
    assert.equal(conf.get('DEFAULT', 'global_physnet_mtu'), 9000);
    assert.deepEqual(conf.origin('DEFAULT', 'global_physnet_mtu'), { file: b, line: 2, section: 'ml2', name: 'segment_mtu' });
  });

  it('reads [database] connection from the deprecated [DEFAULT] sql_connection', () => {
    const f = tmp.write('d/db.conf', '[DEFAULT]\nsql_connection = sqlite://\n');
    assert.equal(loadConfig({ files: [f] }).get('database', 'connection'), 'sqlite://');
  });
});

describe('warnings', () => {
  it('warns about unknown options, unknown sections, unimplemented and removed options', () => {
    const f = tmp.write(
      'w/a.conf',
      '[DEFAULT]\nbind_prot = 1\nexternal_network_bridge = br-ex\n[nova]\nregion_name = R\n[made_up]\nx = 1\ny = 2\n',
    );
    const conf = loadConfig({ files: [f] });
    const by = (o: string) => conf.warnings.find((w) => w.option === o);
    assert.match(by('bind_prot')!.message, /unknown option \[DEFAULT\] bind_prot/);
    assert.equal(by('bind_prot')!.line, 2);
    assert.match(by('external_network_bridge')!.message, /Neutron no longer has this option/);
    assert.match(by('region_name')!.message, /does not implement/);
    const sec = conf.warnings.find((w) => w.section === 'made_up')!;
    assert.equal(sec.line, 6);
    assert.match(sec.message, /unknown section \[made_up\].*x, y/);
    assert.deepEqual(
      conf.unimplemented.map((u) => `${u.section}.${u.option}`).sort(),
      ['DEFAULT.external_network_bridge', 'nova.region_name'],
    );
  });

  it('has no warnings for implemented options', () => {
    const f = tmp.write('w/b.conf', '[DEFAULT]\nbind_port = 9697\n[ml2]\ntype_drivers = vxlan\n');
    assert.deepEqual(loadConfig({ files: [f] }).warnings, []);
  });
});

describe('file errors', () => {
  it('names a missing file or directory', () => {
    assert.throws(() => loadConfig({ files: [`${tmp.root}/nope.conf`] }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.file, `${tmp.root}/nope.conf`);
      assert.match(e.message, /not found/);
      return true;
    });
    assert.throws(() => loadConfig({ files: [], dirs: [`${tmp.root}/nodir`] }), /config directory not found/);
  });

  it('names file and line of a syntax error', () => {
    const f = tmp.write('e/syntax.conf', '[DEFAULT]\n\nthis line is wrong\n');
    assert.throws(() => loadConfig({ files: [f] }), (e: unknown) => e instanceof ConfigError && e.file === f && e.line === 3);
  });
});
