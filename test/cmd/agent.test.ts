// `nucleon agent` config handling: roles, the AgentConfig it builds, credentials, and refusing a
// config the host cannot serve (one line naming file, line, section and option; exit 2).
// The kernel checks only read; as root they read a namespace this test creates, never the machine's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { agentClientAuth, agentConfigFrom, agentRoles } from '../../src/cmd/agent-config.js';
import { ApiSession, clientAuthFromEnvironment } from '../../src/cmd/os-auth.js';
import { runNucleon, SEED_CONFIGS } from './process.js';

const dir = mkdtempSync(join(tmpdir(), 'nucleon-agent-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const root = process.getuid?.() === 0 && process.platform === 'linux';
const ns = `nfag${process.pid}`;
const hostNetns = root ? ['--host-netns', `/run/netns/${ns}`] : [];

before(() => {
  if (root) {
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    execFileSync('ip', ['-n', ns, 'link', 'add', 'eth7', 'type', 'veth', 'peer', 'name', 'eth8']);
  }
});
after(() => {
  if (root) execFileSync('ip', ['netns', 'delete', ns]);
  rmSync(dir, { recursive: true, force: true });
});

describe('nucleon agent: roles and AgentConfig', () => {
  test('roles follow the files given (dhcp_agent.ini, l3_agent.ini), --roles overrides', () => {
    const nc = file('neutron.conf', '[DEFAULT]\nhost = compute7\n');
    const lb = file('linuxbridge_agent.ini', '[vxlan]\nlocal_ip = 192.0.2.9\n');
    const dh = file('dhcp_agent.ini', '[DEFAULT]\ninterface_driver = linuxbridge\n');
    const l3 = file('l3_agent.ini', '[DEFAULT]\ninterface_driver = linuxbridge\n');
    assert.deepEqual([...agentRoles(loadConfig({ files: [nc, lb] }))], ['l2']);
    assert.deepEqual([...agentRoles(loadConfig({ files: [nc, lb, dh] }))], ['l2', 'dhcp']);
    assert.deepEqual([...agentRoles(loadConfig({ files: [nc, lb, dh, l3] }))], ['l2', 'dhcp', 'l3']);
    const other = file('extra.ini', '[DEFAULT]\ndhcp_driver = neutron.agent.linux.dhcp.Dnsmasq\n');
    assert.deepEqual([...agentRoles(loadConfig({ files: [lb, other] }))], ['l2', 'dhcp']);
    assert.deepEqual([...agentRoles(loadConfig({ files: [nc, lb, dh] }), 'l2')], ['l2']);
    assert.throws(() => agentRoles(loadConfig({ files: [lb] }), 'l2,ovs'), /unknown role 'ovs'/);
  });

  test('options map to AgentConfig with Neutron names and defaults', () => {
    const nc = file('n2.conf', '[DEFAULT]\nhost = compute7\nstate_path = /srv/n\ndhcp_lease_duration = 600\n');
    const lb = file('lb2.ini', '[linux_bridge]\nphysical_interface_mappings = provider:eth7\n[vxlan]\nlocal_ip = 192.0.2.9\nl2_population = true\nttl = 8\n');
    const dh = file('dhcp_agent.ini', '[DEFAULT]\ninterface_driver = linuxbridge\ndnsmasq_dns_servers = 1.1.1.1,8.8.8.8\n');
    const conf = loadConfig({ files: [nc, lb, dh] });
    const c = agentConfigFrom(conf, agentRoles(conf));
    assert.equal(c.host, 'compute7');
    assert.deepEqual(c.l2.physicalInterfaceMappings, { provider: 'eth7' });
    assert.equal(c.l2.localIp, '192.0.2.9');
    assert.equal(c.l2.l2Population, true);
    assert.equal(c.l2.ttl, 8);
    assert.equal(c.l2.udpDstport, 4789);
    assert.equal(c.dhcp.enabled, true);
    assert.equal(c.dhcp.stateDir, '/srv/n/dhcp');
    assert.equal(c.dhcp.leaseDuration, 600);
    assert.deepEqual(c.dhcp.dnsmasqDnsServers, ['1.1.1.1', '8.8.8.8']);
    assert.equal(c.l3, undefined);
  });

  test('the seed compute config gives the keystone service user and the API from the catalog', () => {
    const conf = loadConfig({ files: [join(SEED_CONFIGS, 'compute-linuxbridge/neutron.conf'), join(SEED_CONFIGS, 'compute-linuxbridge/linuxbridge_agent.ini')] });
    const a = agentClientAuth(conf);
    assert.equal(a.password?.username, 'neutron');
    assert.equal(a.password?.projectName, 'service');
    assert.equal(a.password?.authUrl, 'http://ct:5000');
    assert.equal(a.endpoint, undefined);
    assert.equal(a.interface, 'internal');
    const c = agentConfigFrom(conf, agentRoles(conf));
    assert.equal(c.l2.localIp, '192.168.153.20');
    assert.deepEqual(c.l2.physicalInterfaceMappings, { provider: 'ens33' });
  });

  test('noauth: [agent] nucleon_server_url and the service role in headers', () => {
    const conf = loadConfig({ files: [file('na.conf', '[DEFAULT]\nauth_strategy = noauth\n[agent]\nnucleon_server_url = http://10.0.0.5:9696/\n')] });
    const a = agentClientAuth(conf);
    assert.equal(a.password, null);
    assert.equal(a.endpoint, 'http://10.0.0.5:9696/');
    assert.equal(a.noauthHeaders?.['x-roles'], 'service');
  });
});

describe('nucleon agent: a config the host cannot serve stops it, naming file, section and option', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown interface', '[linux_bridge]\nphysical_interface_mappings = provider:nosuchif0\n[vxlan]\nenable_vxlan = false\n',
      /bad\.ini:2: \[linux_bridge\] physical_interface_mappings: interface 'nosuchif0' \(physical network 'provider'\) does not exist/],
    ['malformed mappings', '[linux_bridge]\nphysical_interface_mappings = provider\n', /bad\.ini:2: \[linux_bridge\] physical_interface_mappings: .*not key:value/],
    ['local_ip not on this host', '[vxlan]\nlocal_ip = 198.51.100.77\n', /bad\.ini:2: \[vxlan\] local_ip: 198\.51\.100\.77 is not an address of this host/],
    ['vxlan without local_ip', '[vxlan]\nl2_population = true\n', /\[vxlan\] local_ip: must be set when enable_vxlan is true/],
    ['unknown firewall_driver', '[vxlan]\nenable_vxlan = false\n[securitygroup]\nfirewall_driver = bogus\n', /bad\.ini:4: \[securitygroup\] firewall_driver: (bad value: )?unknown firewall driver 'bogus'/],
    ['unsupported dhcp_driver', '[vxlan]\nenable_vxlan = false\n[DEFAULT]\ndhcp_driver = foo.Bar\n', /bad\.ini:4: \[DEFAULT\] dhcp_driver: 'foo\.Bar' is not supported/],
  ];
  for (const [what, text, re] of cases) {
    test(what, async () => {
      const r = await runNucleon(['agent', '--config-file', file('bad.ini', text), ...hostNetns]);
      assert.equal(r.code, 2, r.stderr + r.stdout);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
  }

  test('a mapped interface that exists passes the check', { skip: !root && 'needs root for a test namespace' }, async () => {
    // Valid L2 config, but --roles is bad: the process stops before touching anything.
    const ok = file('ok.ini', '[linux_bridge]\nphysical_interface_mappings = provider:eth7\n[vxlan]\nenable_vxlan = false\n');
    const r = await runNucleon(['agent', '--config-file', ok, '--roles', 'bogus', ...hostNetns]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--roles: unknown role 'bogus'/);
  });
});

describe('client credentials', () => {
  let server: Server;
  let url = '';
  let tokens = 0;
  before(async () => {
    // A Keystone stand-in: password auth → token with a network endpoint in the catalog.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const auth = JSON.parse(body || '{}').auth;
        if (req.url !== '/identity/v3/auth/tokens' || auth?.identity?.password?.user?.password !== 'pw') return void res.writeHead(401).end();
        tokens++;
        res.writeHead(201, { 'content-type': 'application/json', 'x-subject-token': `tok${tokens}` }).end(JSON.stringify({
          token: { expires_at: new Date(Date.now() + 3600_000).toISOString(), catalog: [{ type: 'network', endpoints: [
            { interface: 'public', region: 'RegionOne', url: 'http://net.example:9696/' },
            { interface: 'internal', region: 'RegionOne', url: 'http://internal.example:9696' },
          ] }] },
        }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/identity`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('clouds.yaml (OS_CLOUD): token, catalog endpoint by interface, renewed after invalidate', async () => {
    const clouds = file('clouds.yaml', `clouds:\n  c1:\n    auth:\n      auth_url: ${url}/v3\n      username: admin\n      password: pw\n      project_name: admin\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n    interface: public\n`);
    const auth = await clientAuthFromEnvironment({ OS_CLOUD: 'c1', OS_CLIENT_CONFIG_FILE: clouds });
    const s = new ApiSession(auth!);
    assert.deepEqual(await s.headers(), { 'x-auth-token': 'tok1' });
    assert.equal(await s.endpoint(), 'http://net.example:9696');
    assert.deepEqual(await s.headers(), { 'x-auth-token': 'tok1' }, 'cached');
    s.invalidate();
    assert.deepEqual(await s.headers(), { 'x-auth-token': 'tok2' });
    const internal = new ApiSession({ ...auth!, interface: 'internal' });
    assert.equal(await internal.endpoint(), 'http://internal.example:9696');
  });

  test('OS_* variables; a wrong password is an error naming the user', async () => {
    const auth = await clientAuthFromEnvironment({ OS_AUTH_URL: url, OS_USERNAME: 'demo', OS_PASSWORD: 'nope', OS_PROJECT_NAME: 'demo' });
    await assert.rejects(new ApiSession(auth!).headers(), /HTTP 401 for user demo/);
    await assert.rejects(clientAuthFromEnvironment({ OS_CLOUD: 'zz', OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml') }), /no cloud named 'zz'/);
    assert.equal(await clientAuthFromEnvironment({}), undefined);
  });
});
