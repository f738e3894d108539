// Every folder of shared/seed-configs loads (its files together, neutron.conf first) with no
// error, as an operator would pass them with --config-file.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { checkConfig } from '../../src/config/check.js';
import { loadConfig } from '../../src/config/load.js';
import { agentOptions } from '../../src/config/agent-options.js';
import { serverOptions } from '../../src/config/server-options.js';

const root = process.env.NUCLEON_SEED_CONFIGS ?? fileURLToPath(new URL('../../../shared/seed-configs', import.meta.url));
const present = existsSync(root);

/** A folder's config files, neutron.conf first, then the rest by name. */
function filesOf(dir: string): string[] {
  const names = readdirSync(dir).filter((n) => /\.(conf|ini)$/.test(n)).sort();
  names.sort((a, b) => Number(b === 'neutron.conf') - Number(a === 'neutron.conf'));
  return names.map((n) => join(dir, n));
}

describe('seed configs', { skip: present ? false : `seed configs not found at ${root} (set NUCLEON_SEED_CONFIGS)` }, () => {
  const folders = present ? readdirSync(root).filter((n) => statSync(join(root, n)).isDirectory()).sort() : [];

  it('has folders to test', () => assert.ok(folders.length >= 4, `found ${folders.join(', ')}`));

  for (const folder of folders) {
    it(`${folder} loads with no error`, () => {
      const files = filesOf(join(root, folder));
      const result = checkConfig({ files });
      assert.deepEqual(result.errors.map((e) => e.message), []);
      assert.equal(result.ok, true);
      assert.deepEqual(result.sources, files);
      // No unknown options or sections: every option in the seeds is one Nucleon knows.
      assert.deepEqual(result.warnings.filter((w) => /unknown/.test(w.message)).map((w) => w.message), []);
      const conf = loadConfig({ files });
      serverOptions(conf);
      agentOptions(conf);
    });
  }

  it('controller-linuxbridge: values reach the typed readers, last auth_url wins', { skip: !folders.includes('controller-linuxbridge') }, () => {
    const conf = loadConfig({ files: filesOf(join(root, 'controller-linuxbridge')) });
    const s = serverOptions(conf);
    assert.equal(s.corePlugin, 'ml2');
    assert.deepEqual(s.servicePlugins, ['router']);
    assert.equal(s.authStrategy, 'keystone');
    assert.equal(s.database.url?.dialect, 'mysql');
    assert.equal(s.database.url?.host, 'ct');
    assert.equal(s.keystoneAuthtoken.authUrl, 'http://ct:35357');
    assert.equal(s.keystoneAuthtoken.wwwAuthenticateUri, 'http://ct:5000');
    assert.deepEqual(s.keystoneAuthtoken.memcachedServers, ['ct:11211']);
    assert.deepEqual(s.transportUrl.hosts, [{ host: 'ct', port: 5672, username: 'openstack', password: 'RABBIT_PASS' }]);
    assert.deepEqual(s.ml2.typeDrivers, ['flat', 'vlan', 'vxlan']);
    assert.deepEqual(s.ml2.mechanismDrivers, ['linuxbridge', 'l2population']);
    assert.deepEqual(s.ml2.flatNetworks, ['provider']);
    assert.deepEqual(s.ml2.vxlanVniRanges, [{ min: 1, max: 1000 }]);
    const a = agentOptions(conf);
    assert.deepEqual(a.linuxBridge.physicalInterfaceMappings, { provider: 'eth0' });
    assert.equal(a.vxlan.localIp, '192.168.153.10');
    assert.equal(a.vxlan.l2Population, true);
    assert.equal(a.interfaceDriver, 'linuxbridge');
    assert.equal(a.dhcp.enableIsolatedMetadata, true);
    assert.equal(a.metadata.novaMetadataHost, 'ct');
    assert.equal(a.metadata.sharedSecret, 'METADATA_SECRET');
  });

  it('controller-ovs: names the removed external_network_bridge and the OVS options as ignored', { skip: !folders.includes('controller-ovs') }, () => {
    const r = checkConfig({ files: filesOf(join(root, 'controller-ovs')) });
    const ignored = r.unimplemented.map((u) => `${u.section}.${u.option}`);
    assert.ok(ignored.includes('DEFAULT.external_network_bridge'), ignored.join(' '));
    assert.ok(ignored.includes('ovs.local_ip'));
    assert.ok(ignored.includes('agent.tunnel_types'));
  });
});
