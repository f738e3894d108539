// `nucleon agent` with an l3_agent.ini: the L3 role's config comes from src/config's l3AgentOptions
// (l3_agent.ini + metadata_agent.ini), its warnings reach the log, and agent_mode other than legacy
// stops the process at start naming file, line, section and option (exit 2, one line).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigIssue } from '../../src/config/index.js';
import { agentConfigFrom, agentRoles } from '../../src/cmd/agent-config.js';
import { runNucleon } from './process.js';

const dir = mkdtempSync(join(tmpdir(), 'nucleon-agent-l3-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
after(() => rmSync(dir, { recursive: true, force: true }));

describe('nucleon agent: the L3 role from l3_agent.ini and metadata_agent.ini', () => {
  test('options map to the L3 config; external_network_bridge is warned about', () => {
    const nc = file('neutron.conf', '[DEFAULT]\nhost = net1\nstate_path = /srv/n\n');
    const lb = file('linuxbridge_agent.ini', '[vxlan]\nenable_vxlan = false\n');
    const l3 = file('l3_agent.ini', '[DEFAULT]\ninterface_driver = linuxbridge\nagent_mode = legacy\nexternal_network_bridge = br-ex\nmetadata_port = 9797\n');
    const md = file('metadata_agent.ini', '[DEFAULT]\nnova_metadata_host = 203.0.113.1\nnova_metadata_port = 8775\nmetadata_proxy_shared_secret = s3\n');
    const conf = loadConfig({ files: [nc, lb, l3, md] });
    const warnings: ConfigIssue[] = [];
    const c = agentConfigFrom(conf, agentRoles(conf), { warn: (w) => warnings.push(w) });
    assert.equal(c.l3?.enabled, true);
    assert.equal(c.l3?.stateDir, '/srv/n/l3');
    assert.equal(c.l3?.metadataPort, 9797);
    assert.equal(c.l3?.metadata.novaMetadataHost, '203.0.113.1');
    assert.equal(c.l3?.metadata.metadataProxySharedSecret, 's3');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.equal(warnings[0]!.option, 'external_network_bridge');
    assert.equal(warnings[0]!.file, l3);
    assert.equal(warnings[0]!.line, 4);
    // Without the L3 role the L3 files are not looked at (no refusal, no warning).
    const l2only = agentConfigFrom(conf, agentRoles(conf, 'l2'), { warn: (w) => warnings.push(w) });
    assert.equal(l2only.l3, undefined);
    assert.equal(warnings.length, 1);
  });

  test('interface_driver other than linuxbridge is refused, naming file, line, section and option', () => {
    const lb = file('lb.ini', '[vxlan]\nenable_vxlan = false\n');
    const l3 = file('l3_agent.ini', '[DEFAULT]\nagent_mode = legacy\ninterface_driver = openvswitch\n');
    const conf = loadConfig({ files: [lb, l3] });
    assert.throws(() => agentConfigFrom(conf, agentRoles(conf)), (e: Error & { file?: string; line?: number; option?: string }) => {
      assert.match(e.message, /interface_driver.*'openvswitch' is not supported \(use linuxbridge\)/);
      return true;
    });
    // Neutron's class path of the linuxbridge driver is accepted.
    const ok = file('l3_agent.ini', '[DEFAULT]\nagent_mode = legacy\ninterface_driver = neutron.agent.linux.interface.BridgeInterfaceDriver\n');
    const conf2 = loadConfig({ files: [lb, ok] });
    assert.equal(agentConfigFrom(conf2, agentRoles(conf2)).l3?.enabled, true);
  });

  test('isolated metadata: the DHCP role signs with metadata_agent.ini and relays through metadata_proxy_socket', () => {
    const nc = file('neutron.conf', '[DEFAULT]\nhost = c1\nstate_path = /srv/c\n');
    const lb = file('lb.ini', '[vxlan]\nenable_vxlan = false\n');
    const dhcp = file('dhcp_agent.ini', '[DEFAULT]\ninterface_driver = linuxbridge\nenable_isolated_metadata = true\n');
    const md = file('metadata_agent.ini', '[DEFAULT]\nnova_metadata_host = 192.0.2.5\nmetadata_proxy_shared_secret = s4\n');
    const conf = loadConfig({ files: [nc, lb, dhcp, md] });
    const c = agentConfigFrom(conf, agentRoles(conf));
    assert.equal(c.dhcp.enabled, true);
    assert.equal(c.dhcp.enableIsolatedMetadata, true);
    assert.equal(c.dhcp.metadata.novaMetadataHost, '192.0.2.5');
    assert.equal(c.dhcp.metadata.metadataProxySharedSecret, 's4');
    assert.equal(c.dhcp.metadataProxySocket, '/srv/c/metadata_proxy');
  });

  for (const mode of ['dvr', 'dvr_snat', 'dvr_no_external']) {
    test(`agent_mode = ${mode} refuses to start, naming file, line, section and option`, async () => {
      const lb = file('lb.ini', '[vxlan]\nenable_vxlan = false\n');
      const l3 = file('l3_agent.ini', `[DEFAULT]\ninterface_driver = linuxbridge\nagent_mode = ${mode}\n`);
      const r = await runNucleon(['agent', '--config-file', lb, '--config-file', l3]);
      assert.equal(r.code, 2, r.stderr + r.stdout);
      assert.match(r.stderr, new RegExp(`l3_agent\\.ini:3: \\[DEFAULT\\] agent_mode: '${mode}' is not supported`));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
  }
});
