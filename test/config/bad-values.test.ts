// Every bad value is an error naming file, line, section and option.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkConfig } from '../../src/config/check.js';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { tempConfigDir } from './helpers.js';

const tmp = tempConfigDir();

// [section, option, raw value, expected reason]
const BAD: [string, string, string, RegExp][] = [
  ['DEFAULT', 'bind_port', 'http', /not an integer/],
  ['DEFAULT', 'bind_port', '70000', /above the maximum 65535/],
  ['DEFAULT', 'bind_port', '-1', /below the minimum 0/],
  ['DEFAULT', 'agent_down_time', '7.5', /not an integer/],
  ['DEFAULT', 'dhcp_agents_per_network', '0', /below the minimum 1/],
  ['DEFAULT', 'debug', 'maybe', /not a boolean/],
  ['DEFAULT', 'debug', '', /not a boolean/],
  ['DEFAULT', 'auth_strategy', 'basic', /not one of keystone, noauth/],
  ['DEFAULT', 'agent_mode', 'Legacy', /not one of/],
  ['DEFAULT', 'bind_host', 'not a host!', /not an IP address or host name/],
  ['DEFAULT', 'nova_metadata_host', '1.2.3.999', /not an IP address or host name/],
  ['DEFAULT', 'base_mac', 'fa:16:3e:00:00', /not a MAC address/],
  ['DEFAULT', 'transport_url', 'rabbit://u:p@h:abc/', /port "abc"/],
  ['DEFAULT', 'transport_url', 'not a url', /not a transport URL/],
  ['DEFAULT', 'pagination_max_limit', 'lots', /not an integer/],
  ['DEFAULT', 'log_dir', '$nonexistent/x', /names no known option/],
  ['agent', 'report_interval', 'soon', /not a number/],
  ['agent', 'dscp', '64', /above the maximum 63/],
  ['vxlan', 'local_ip', 'ct', /not an IP address/],
  ['vxlan', 'local_ip', '', /not an IP address/],
  ['vxlan', 'udp_dstport', '4789x', /not an integer/],
  ['linux_bridge', 'physical_interface_mappings', 'provider', /not key:value/],
  ['linux_bridge', 'physical_interface_mappings', 'a:eth0,a:eth1', /key "a" appears twice/],
  ['linux_bridge', 'physical_interface_mappings', 'a:eth0,b:eth0', /value "eth0" appears twice/],
  ['ml2', 'physical_network_mtus', 'physnet1', /not physnet:mtu/],
  ['ml2', 'path_mtu', 'big', /not an integer/],
  ['ml2_type_vxlan', 'vni_ranges', '1:x', /must be integers/],
  ['ml2_type_vxlan', 'vni_ranges', '100:1', /min <= max/],
  ['ml2_type_vxlan', 'vni_ranges', '1:16777216', /within 1:16777215/],
  ['ml2_type_vlan', 'network_vlan_ranges', 'physnet1:1:4095', /within 1:4094/],
  ['ml2_type_vlan', 'network_vlan_ranges', 'physnet1:10', /physnet\[:min:max\]/],
  ['ml2_type_gre', 'tunnel_id_ranges', '5', /not min:max/],
  ['ovs', 'resource_provider_hypervisors', 'novalue', /not a key:value pair/],
  ['database', 'connection', 'oracle://u:p@h/db', /unsupported database dialect "oracle"/],
  ['database', 'connection', 'mysql+pymysql://u:p@h:port/db', /port "port"/],
  ['database', 'connection', 'just-a-path.db', /not a database URL/],
  ['database', 'max_pool_size', 'five', /not an integer/],
  ['keystone_authtoken', 'auth_url', 'ct:5000', /has no host|not a URI/],
  ['keystone_authtoken', 'www_authenticate_uri', 'http//ct', /not a URI/],
  ['keystone_authtoken', 'memcache_security_strategy', 'none', /not one of None, MAC, ENCRYPT/],
  ['quotas', 'quota_network', 'unlimited', /not an integer/],
  ['oslo_messaging_rabbit', 'kombu_reconnect_delay', '5', /above the maximum 4.5/],
];

describe('bad values', () => {
  for (const [section, option, raw, reason] of BAD) {
    it(`[${section}] ${option} = ${JSON.stringify(raw)}`, () => {
      const file = tmp.write(`${section}-${option}-${Math.random()}.conf`, `# header\n[${section}]\n${option} = ${raw}\n`);
      assert.throws(() => loadConfig({ files: [file] }), (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.equal(e.file, file);
        assert.equal(e.line, 3);
        assert.equal(e.section, section);
        assert.equal(e.option, option);
        assert.ok(e.message.startsWith(`${file}:3: [${section}] ${option}: `), e.message);
        assert.match(e.message, reason);
        return true;
      });
    });
  }

  it('names the deprecated name that was used, and the option it stands for', () => {
    const file = tmp.write('dep.conf', '[ml2]\nsegment_mtu = wide\n');
    assert.throws(() => loadConfig({ files: [file] }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.section, 'ml2');
      assert.equal(e.option, 'segment_mtu');
      assert.match(e.message, /deprecated name of \[DEFAULT\] global_physnet_mtu/);
      return true;
    });
  });

  it('ignores a bad value that a later file overrides (only the value in effect counts)', () => {
    const a = tmp.write('ovr-a.conf', '[DEFAULT]\nbind_port = nope\n');
    const b = tmp.write('ovr-b.conf', '[DEFAULT]\nbind_port = 9000\n');
    assert.equal(loadConfig({ files: [a, b] }).get('DEFAULT', 'bind_port'), 9000);
  });

  it('does not print the database password in errors', () => {
    const file = tmp.write('pw.conf', '[database]\nconnection = nosuch://u:s3cret@h/db\n');
    assert.throws(() => loadConfig({ files: [file] }), (e: unknown) => e instanceof ConfigError && !e.message.includes('s3cret'));
    const f2 = tmp.write('pw2.conf', '[database]\nconnection = mysql//u:s3cret@h/db\n');
    assert.throws(() => loadConfig({ files: [f2] }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /"mysql\/\/u:\*\*\*@h\/db" is not a database URL/);
      assert.ok(!e.message.includes('s3cret'));
      return true;
    });
  });

  it('checkConfig collects every error, not just the first', () => {
    const file = tmp.write('many.conf', '[DEFAULT]\nbind_port = x\ndebug = y\n[vxlan]\nlocal_ip = z\n');
    const r = checkConfig({ files: [file] });
    assert.equal(r.ok, false);
    assert.deepEqual(r.errors.map((e) => `${e.section}.${e.option}:${e.line}`).sort(), ['DEFAULT.bind_port:2', 'DEFAULT.debug:3', 'vxlan.local_ip:5']);
  });
});
