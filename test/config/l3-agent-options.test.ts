// l3_agent.ini / metadata_agent.ini → the L3 role's config: values, refusals naming file/section/option, warnings.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig, l3AgentOptions, ConfigError } from '../../src/config/index.js';
import { defaultL3Config, type L3Config } from '../../src/agent/config.js';
import type { L3RoleOptions } from '../../src/config/index.js';
import { tempConfigDir } from './helpers.js';

// The config's shape and the agent's are the same both ways (for type checkers of tests; the first
// test's deepEqual with the agent's defaults checks it at run time).
const _toAgent = (o: L3RoleOptions): L3Config => o;
const _fromAgent = (o: L3Config): L3RoleOptions => o;
void _toAgent; void _fromAgent;

const SEEDS = '/work/shared/seed-configs';
const dir = tempConfigDir();
const load = (...texts: [string, string][]) => loadConfig({ files: texts.map(([name, text]) => dir.write(name, text)) });

describe('l3AgentOptions', () => {
  it('defaults are Neutron\'s and match the agent\'s own defaults', () => {
    const { l3, warnings } = l3AgentOptions(load(['l3_agent.ini', '[DEFAULT]\ninterface_driver = linuxbridge\n'], ['metadata_agent.ini', '[DEFAULT]\nmetadata_proxy_shared_secret = s\n']));
    const d = defaultL3Config({ enabled: true, stateDir: '/var/lib/neutron/l3' });
    assert.deepEqual(l3, { ...d, metadata: { ...d.metadata, metadataProxySharedSecret: 's' } });
    assert.deepEqual(warnings, []);
  });

  it('maps metadata_agent.ini and l3_agent.ini options, TLS included', () => {
    const conf = load(
      ['neutron.conf', '[DEFAULT]\nstate_path = /srv/n\n'],
      ['l3_agent.ini', '[DEFAULT]\nmetadata_port = 9797\nenable_metadata_proxy = false\n'],
      ['metadata_agent.ini', '[DEFAULT]\nnova_metadata_host = nova.example\nnova_metadata_port = 8443\nnova_metadata_protocol = https\nnova_metadata_insecure = true\nauth_ca_cert = /etc/ca.pem\nnova_client_cert = /etc/c.pem\nnova_client_priv_key = /etc/k.pem\nmetadata_proxy_shared_secret = sekrit\n'],
    );
    const { l3 } = l3AgentOptions(conf);
    assert.equal(l3.stateDir, '/srv/n/l3');
    assert.equal(l3.metadataPort, 9797);
    assert.equal(l3.enableMetadataProxy, false);
    assert.deepEqual(l3.metadata, {
      novaMetadataHost: 'nova.example', novaMetadataPort: 8443, novaMetadataProtocol: 'https', novaMetadataInsecure: true,
      authCaCert: '/etc/ca.pem', novaClientCert: '/etc/c.pem', novaClientPrivKey: '/etc/k.pem', metadataProxySharedSecret: 'sekrit',
    });
    assert.equal(l3AgentOptions(conf, { stateDir: '/x' }).l3.stateDir, '/x');
  });

  it('refuses agent_mode other than legacy, naming file, section and option', () => {
    const file = dir.write('dvr/l3_agent.ini', '[DEFAULT]\ninterface_driver = linuxbridge\nagent_mode = dvr_snat\n');
    assert.throws(() => l3AgentOptions(loadConfig({ files: [file] })), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.file, file);
      assert.equal(e.line, 3);
      assert.equal(e.section, 'DEFAULT');
      assert.equal(e.option, 'agent_mode');
      assert.match(e.message, /dvr_snat/);
      assert.match(e.message, /legacy/);
      return true;
    });
  });

  it('refuses a client certificate without its key (and the reverse)', () => {
    for (const [set, option] of [['nova_client_cert = /c.pem', 'nova_client_cert'], ['nova_client_priv_key = /k.pem', 'nova_client_priv_key']]) {
      assert.throws(() => l3AgentOptions(load(['tls/metadata_agent.ini', `[DEFAULT]\nnova_metadata_protocol = https\n${set}\n`])), (e: unknown) => e instanceof ConfigError && e.option === option);
    }
  });

  it('warns about external_network_bridge, TLS options with http and an empty shared secret', () => {
    const { warnings } = l3AgentOptions(load(['w/l3_agent.ini', '[DEFAULT]\nexternal_network_bridge = br-ex\n'], ['w/metadata_agent.ini', '[DEFAULT]\nauth_ca_cert = /ca.pem\n']));
    const by = new Map(warnings.map((w) => [w.option, w]));
    assert.match(by.get('external_network_bridge')!.message, /deprecated and ignored/);
    assert.equal(by.get('external_network_bridge')!.line, 2);
    assert.match(by.get('auth_ca_cert')!.message, /unused: nova_metadata_protocol is http/);
    assert.match(by.get('metadata_proxy_shared_secret')!.message, /empty/);
    assert.equal(warnings.length, 3);
  });

  it('runs with the seed controller files as they are', () => {
    const c = join(SEEDS, 'controller-linuxbridge');
    const { l3, warnings } = l3AgentOptions(loadConfig({ files: ['neutron.conf', 'l3_agent.ini', 'metadata_agent.ini'].map((f) => join(c, f)) }));
    assert.equal(l3.metadata.novaMetadataHost, 'ct');
    assert.equal(l3.metadata.metadataProxySharedSecret, 'METADATA_SECRET');
    assert.deepEqual(warnings, []);
    const ovs = l3AgentOptions(loadConfig({ files: [join(SEEDS, 'controller-ovs', 'l3_agent.ini')] }));
    assert.ok(ovs.warnings.some((w) => w.option === 'external_network_bridge'));
  });
});
