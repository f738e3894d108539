// Defaults are Neutron's. A fixed sample is checked always; when Neutron's Python source is
// installed (Debian python3-neutron), every registered default is compared with what oslo.config
// reports for Neutron's own option definitions.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { GROUPS } from '../../src/config/options.js';

const SAMPLE: [string, string, unknown][] = [
  ['DEFAULT', 'bind_host', '0.0.0.0'],
  ['DEFAULT', 'bind_port', 9696],
  ['DEFAULT', 'auth_strategy', 'keystone'],
  ['DEFAULT', 'core_plugin', null],
  ['DEFAULT', 'service_plugins', []],
  ['DEFAULT', 'base_mac', 'fa:16:3e:00:00:00'],
  ['DEFAULT', 'global_physnet_mtu', 1500],
  ['DEFAULT', 'api_workers', null],
  ['DEFAULT', 'dhcp_agents_per_network', 1],
  ['DEFAULT', 'network_auto_schedule', true],
  ['DEFAULT', 'allow_automatic_dhcp_failover', true],
  ['DEFAULT', 'allow_automatic_l3agent_failover', false],
  ['DEFAULT', 'agent_down_time', 75],
  ['DEFAULT', 'state_path', '/var/lib/neutron'],
  ['DEFAULT', 'transport_url', 'rabbit://'],
  ['DEFAULT', 'debug', false],
  ['DEFAULT', 'dns_domain', 'openstacklocal'],
  ['DEFAULT', 'dhcp_lease_duration', 86400],
  ['DEFAULT', 'router_distributed', false],
  ['DEFAULT', 'l3_ha', false],
  ['DEFAULT', 'dhcp_confs', '/var/lib/neutron/dhcp'],
  ['DEFAULT', 'dnsmasq_lease_max', 16777216],
  ['DEFAULT', 'num_sync_threads', 4],
  ['DEFAULT', 'nova_metadata_host', '127.0.0.1'],
  ['DEFAULT', 'nova_metadata_port', 8775],
  ['DEFAULT', 'nova_metadata_protocol', 'http'],
  ['DEFAULT', 'metadata_proxy_shared_secret', ''],
  ['DEFAULT', 'agent_mode', 'legacy'],
  ['DEFAULT', 'notify_nova_on_port_status_changes', true],
  ['database', 'connection', null],
  ['database', 'max_pool_size', 5],
  ['ml2', 'type_drivers', ['local', 'flat', 'vlan', 'gre', 'vxlan', 'geneve']],
  ['ml2', 'tenant_network_types', ['local']],
  ['ml2', 'path_mtu', 0],
  ['ml2_type_flat', 'flat_networks', ['*']],
  ['ml2_type_geneve', 'max_header_size', 30],
  ['quotas', 'quota_network', 100],
  ['quotas', 'quota_subnet', 100],
  ['quotas', 'quota_port', 500],
  ['quotas', 'quota_security_group', 10],
  ['quotas', 'quota_security_group_rule', 100],
  ['quotas', 'quota_router', 10],
  ['quotas', 'quota_floatingip', 50],
  ['quotas', 'default_quota', -1],
  ['oslo_policy', 'policy_file', 'policy.yaml'],
  ['oslo_policy', 'enforce_scope', false],
  ['oslo_policy', 'enforce_new_defaults', true],
  ['agent', 'polling_interval', 2],
  ['agent', 'report_interval', 30],
  ['agent', 'root_helper', 'sudo'],
  ['vxlan', 'enable_vxlan', true],
  ['vxlan', 'l2_population', false],
  ['vxlan', 'arp_responder', false],
  ['vxlan', 'local_ip', null],
  ['vxlan', 'udp_dstport', null],
  ['vxlan', 'vxlan_group', '224.0.0.1'],
  ['securitygroup', 'enable_security_group', true],
  ['securitygroup', 'firewall_driver', null],
  ['keystone_authtoken', 'token_cache_time', 300],
  ['keystone_authtoken', 'interface', 'internal'],
];

describe('defaults', () => {
  const conf = loadConfig({ files: [] });
  for (const [section, option, want] of SAMPLE) {
    it(`[${section}] ${option} = ${JSON.stringify(want)}`, () => {
      assert.deepEqual(conf.get(section, option), want);
    });
  }

  it('host defaults to this machine host name', () => {
    assert.equal(conf.get('DEFAULT', 'host'), hostname());
  });
});

// Options where Nucleon deliberately differs from, or is not in, Neutron's definitions.
const DELIBERATE = new Set([
  'DEFAULT.host', // the machine's name: differs by machine
  'agent.nucleon_server_url', // Nucleon's own: where agents find the API (Neutron agents use RPC)
  'DEFAULT.control_exchange', // Neutron sets it to 'neutron' at start (set_transport_defaults)
  'oslo_policy.enforce_new_defaults', // Nucleon uses the secure-RBAC defaults (Neutron's default since 2023.2)
  'DEFAULT.max_fixed_ips_per_port', // removed from Neutron; kept so old files are named
  'DEFAULT.mac_generation_retries', // removed from Neutron
  'DEFAULT.external_network_bridge', // removed from Neutron
  'DEFAULT.allow_overlapping_ips', // removed from Neutron (overlap always allowed)
  'nova.auth_section', // keystoneauth loading options: registered at run time, not listed
  'placement.auth_section',
  ...['auth_url', 'system_scope', 'domain_id', 'domain_name', 'project_id', 'project_name', 'project_domain_id',
    'project_domain_name', 'trust_id', 'default_domain_id', 'default_domain_name', 'user_id', 'username',
    'user_domain_id', 'user_domain_name', 'password'].map((o) => `keystone_authtoken.${o}`),
]);

const PY = '/usr/bin/python3';
const DUMP = `
import json
from oslo_config import generator
ns = ['neutron','neutron.agent','neutron.base.agent','neutron.db','neutron.dhcp.agent','neutron.l3.agent',
 'neutron.metadata.agent','neutron.ml2','neutron.ml2.linuxbridge.agent','neutron.ml2.ovs.agent','neutron.extensions',
 'neutron.az.agent','nova.auth','placement.auth','oslo.log','oslo.db','oslo.messaging','oslo.policy',
 'oslo.concurrency','keystonemiddleware.auth_token','oslo.service.wsgi','oslo.middleware']
out = {}
for _n, groups in generator._list_opts(ns):
    for grp, opts in groups:
        g = getattr(grp, 'name', grp) or 'DEFAULT'
        for o in opts:
            d = o.default
            if isinstance(d, dict): d = {k: str(v) for k, v in d.items()}
            try: json.dumps(d)
            except TypeError: d = repr(d)
            out.setdefault(g, {})[o.dest] = {'default': d, 'type': type(o.type).__name__}
print(json.dumps(out))
`;

function neutronDefaults(): Record<string, Record<string, { default: unknown; type: string }>> | undefined {
  if (!existsSync(PY) || !existsSync('/usr/lib/python3/dist-packages/neutron/conf')) return undefined;
  try {
    return JSON.parse(execFileSync(PY, ['-c', DUMP], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 }));
  } catch {
    return undefined;
  }
}

describe('defaults against the installed Neutron source', () => {
  const upstream = neutronDefaults();
  it('every registered default equals Neutron\'s', { skip: upstream ? false : 'Neutron Python source (python3-neutron) not importable' }, () => {
    const conf = loadConfig({ files: [] });
    const mismatches: string[] = [];
    const missing: string[] = [];
    for (const g of GROUPS) {
      for (const o of g.options) {
        const key = `${g.name}.${o.name}`;
        if (DELIBERATE.has(key)) continue;
        const up = upstream![g.name]?.[o.name];
        if (!up) {
          missing.push(key);
          continue;
        }
        let want = up.default;
        // oslo substitutes $state_path in defaults, as Nucleon does.
        if (typeof want === 'string') want = want.replace('$state_path', '/var/lib/neutron');
        if (Array.isArray(want) && typeof o.default === 'string') want = want.join(',');
        if (up.type === 'List' && typeof want === 'string') want = [want];
        const got = conf.get(g.name, o.name);
        if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${key}: nucleon ${JSON.stringify(got)} neutron ${JSON.stringify(want)}`);
      }
    }
    assert.deepEqual(mismatches, []);
    assert.deepEqual(missing, []);
  });
});
