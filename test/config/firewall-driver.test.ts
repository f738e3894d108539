// [securitygroup] firewall_driver / enable_security_group: every Neutron driver maps to nftables,
// noop (and enable_security_group = false) to no filtering; an unknown driver names file/section/option.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { agentOptions } from '../../src/config/agent-options.js';
import { serverOptions } from '../../src/config/server-options.js';
import { firewallMode } from '../../src/config/firewall-driver.js';
import { tempConfigDir } from './helpers.js';

const tmp = tempConfigDir();
const load = (text: string) => loadConfig({ files: [tmp.write(`sg-${Math.random()}.ini`, text)] });

const CASES: [string, 'nftables' | 'none'][] = [
  ['iptables', 'nftables'],
  ['iptables_hybrid', 'nftables'],
  ['openvswitch', 'nftables'],
  ['nftables', 'nftables'],
  ['neutron.agent.linux.iptables_firewall.IptablesFirewallDriver', 'nftables'],
  ['neutron.agent.linux.iptables_firewall.OVSHybridIptablesFirewallDriver', 'nftables'],
  ['neutron.agent.linux.openvswitch_firewall.OVSFirewallDriver', 'nftables'],
  ['neutron.agent.linux.openvswitch_firewall.firewall.OVSFirewallDriver', 'nftables'],
  ['noop', 'none'],
  ['neutron.agent.firewall.NoopFirewallDriver', 'none'],
];

describe('firewall_driver mapping', () => {
  for (const [driver, mode] of CASES) {
    it(`${driver} → ${mode}`, () => {
      const conf = load(`[securitygroup]\nfirewall_driver = ${driver}\n`);
      assert.equal(agentOptions(conf).securityGroup.firewall, mode);
      assert.equal(serverOptions(conf).securityGroup.firewall, mode);
    });
  }

  it('unset filters (nftables); enable_security_group = false turns any driver off', () => {
    assert.equal(agentOptions(load('')).securityGroup.firewall, 'nftables');
    const off = load('[securitygroup]\nenable_security_group = false\nfirewall_driver = iptables_hybrid\n');
    assert.equal(agentOptions(off).securityGroup.firewall, 'none');
    assert.deepEqual(serverOptions(off).securityGroup, { enableSecurityGroup: false, firewall: 'none' });
    assert.equal(firewallMode(true, null), 'nftables');
    assert.equal(firewallMode(false, 'noop'), 'none');
  });

  it('an unknown driver is an error naming file, line, section and option', () => {
    const file = tmp.write('bad-fw.ini', '[securitygroup]\nenable_security_group = true\nfirewall_driver = neutron.agent.linux.iptables_firewall.Bogus\n');
    assert.throws(() => loadConfig({ files: [file] }), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.file, file);
      assert.equal(e.line, 3);
      assert.equal(e.section, 'securitygroup');
      assert.equal(e.option, 'firewall_driver');
      assert.match(e.message, /unknown firewall driver 'neutron\.agent\.linux\.iptables_firewall\.Bogus'/);
      return true;
    });
  });

  it('every firewall_driver of the seed configs is accepted and filters', () => {
    const seeds = '/work/shared/seed-configs';
    for (const f of ['compute-linuxbridge/linuxbridge_agent.ini', 'compute-ovs/openvswitch_agent.ini', 'controller-linuxbridge/linuxbridge_agent.ini']) {
      const conf = load(readFileSync(join(seeds, f), 'utf8'));
      assert.equal(agentOptions(conf).securityGroup.firewall, 'nftables', f);
    }
  });
});
