import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkConfig, formatCheckReport } from '../../src/config/check.js';
import { loadConfig } from '../../src/config/load.js';
import { serverOptions } from '../../src/config/server-options.js';
import { tempConfigDir } from './helpers.js';

const tmp = tempConfigDir();

describe('checkConfig / formatCheckReport', () => {
  it('reports errors, warnings and ignored options, and says FAILED', () => {
    const f = tmp.write('a.conf', '[DEFAULT]\nbind_port = x\nbind_prot = 1\n[nova]\nregion_name = R\n[ml2]\nsegment_mtu = 9000\n');
    const r = checkConfig({ files: [f] });
    assert.equal(r.ok, false);
    assert.deepEqual(r.unimplemented, [{ section: 'nova', option: 'region_name', file: f }]);
    const text = formatCheckReport(r);
    assert.match(text, new RegExp(`Errors \\(1\\):\\n  ${f}:2: \\[DEFAULT\\] bind_port: bad value: "x" is not an integer`));
    assert.match(text, /unknown option \[DEFAULT\] bind_prot/);
    assert.match(text, /\[ml2\] segment_mtu is a deprecated name; use \[DEFAULT\] global_physnet_mtu/);
    assert.match(text, /Set but not implemented by Nucleon \(ignored\) \(1\):\n  \[nova\] region_name/);
    assert.doesNotMatch(text, /region_name is a Neutron option/, 'ignored options are listed once');
    assert.match(text, /FAILED: 1 error\(s\)\.$/);
  });

  it('says OK for a clean file', () => {
    const f = tmp.write('b.conf', '[DEFAULT]\nbind_port = 9797\n');
    const r = checkConfig({ files: [f] });
    assert.equal(r.ok, true);
    assert.match(formatCheckReport(r), /OK: configuration is usable\.$/);
  });
});

describe('serverOptions', () => {
  it('reshapes ranges, MTUs, VLAN ranges and the database URL', () => {
    const f = tmp.write('s.conf', [
      '[DEFAULT]', 'bind_host = 127.0.0.1', 'auth_strategy = noauth', 'transport_url = rabbit://a:b@h1:1,h2/v',
      '[database]', 'connection = sqlite:////var/lib/nucleon/n.db',
      '[ml2]', 'physical_network_mtus = physnet1:9000, physnet2:1400',
      '[ml2_type_vlan]', 'network_vlan_ranges = physnet1:100:200,physnet2',
      '[ml2_type_geneve]', 'vni_ranges = 5:10, 20:30',
      '[quotas]', 'quota_port = -1', '',
    ].join('\n'));
    const s = serverOptions(loadConfig({ files: [f] }));
    assert.equal(s.bindHost, '127.0.0.1');
    assert.equal(s.bindPort, 9696);
    assert.equal(s.authStrategy, 'noauth');
    assert.equal(s.transportUrl.hosts.length, 2);
    assert.equal(s.transportUrl.virtualHost, 'v');
    assert.deepEqual(s.database.url, { dialect: 'sqlite', path: '/var/lib/nucleon/n.db', params: {} });
    assert.deepEqual(s.ml2.physicalNetworkMtus, { physnet1: 9000, physnet2: 1400 });
    assert.deepEqual(s.ml2.networkVlanRanges, [{ physnet: 'physnet1', range: { min: 100, max: 200 } }, { physnet: 'physnet2' }]);
    assert.deepEqual(s.ml2.geneveVniRanges, [{ min: 5, max: 10 }, { min: 20, max: 30 }]);
    assert.equal(s.quotas.port, -1);
    assert.equal(s.quotas.network, 100);
    assert.equal(s.paginationMaxLimit, -1);
    assert.equal(s.database.maxPoolSize, 5);
    assert.equal(s.policy.policyFile, 'policy.yaml');
    assert.equal(s.maxRequestBodySize, 114688);
  });
});
