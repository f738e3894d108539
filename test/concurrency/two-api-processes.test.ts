/**
 * Two real API server processes on one database (DESIGN §3.5): concurrent creates split across
 * both over real HTTP never hand out an IP address, a MAC or a VXLAN VNI twice, and a full subnet
 * fails cleanly with IpAddressGenerationFailure. PostgreSQL and MariaDB (server databases only).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../support/databases.js';
import { writeConfig, runNucleon, startServer, client, bounded, type ConfDir, type ServerProcess, type JsonResponse } from './processes.js';

const IN_FLIGHT = 50;

const config = (url: string) => `
[DEFAULT]
auth_strategy = noauth
bind_host = 127.0.0.1
api_workers = 1
[ml2]
type_drivers = flat,vxlan
tenant_network_types = vxlan
mechanism_drivers = linuxbridge
extension_drivers = port_security
[ml2_type_vxlan]
vni_ranges = 1:1000
[quotas]
quota_network = -1
quota_subnet = -1
quota_port = -1
[database]
connection = ${url}
`;

for (const dialect of DIALECTS.filter((d) => d !== 'sqlite')) {
  describe(`two API processes on one ${dialect} database`, { timeout: 240_000 }, () => {
    let db: TestDatabase | undefined;
    let conf: ConfDir | undefined;
    const servers: ServerProcess[] = [];
    let clients: ReturnType<typeof client>[] = [];

    before(async () => {
      db = await createTestDatabase(dialect);
      conf = writeConfig(config(db.url));
      const upgrade = await runNucleon(['db', 'upgrade', '--config-file', conf.file]);
      assert.equal(upgrade.code, 0, upgrade.output);
      servers.push(...(await Promise.all([startServer(conf.file), startServer(conf.file)])));
      assert.notEqual(servers[0].url, servers[1].url);
      clients = servers.map((s) => client(s.url, IN_FLIGHT));
    });

    after(async () => {
      for (const c of clients) c.close();
      // Only the processes this suite started, by PID.
      await Promise.all(servers.map((s) => s.stop()));
      await db?.drop();
      conf?.remove();
    });

    /** The i-th request goes to process i % 2. */
    const spread = (n: number, call: (c: ReturnType<typeof client>, i: number) => Promise<JsonResponse>) =>
      bounded(Array.from({ length: n }, (_, i) => () => call(clients[i % 2], i)), IN_FLIGHT);

    it('300 port creates on a /24 across both processes: 253 distinct IPs and MACs, 47 × 409', async () => {
      const [a, b] = clients;
      const net = await a.request('POST', '/v2.0/networks', { network: { name: 'conc' } });
      assert.equal(net.status, 201, JSON.stringify(net.body));
      const subnet = await b.request('POST', '/v2.0/subnets', { subnet: { network_id: net.body.network.id, ip_version: 4, cidr: '10.201.0.0/24' } });
      assert.equal(subnet.status, 201, JSON.stringify(subnet.body));

      const results = await spread(300, (c) => c.request('POST', '/v2.0/ports', { port: { network_id: net.body.network.id, port_security_enabled: false } }));
      const ok = results.filter((r) => r.status === 201);
      const failed = results.filter((r) => r.status !== 201);
      const unexpected = failed.find((r) => r.status !== 409 || r.body?.NeutronError?.type !== 'IpAddressGenerationFailure');
      assert.equal(unexpected, undefined, JSON.stringify(unexpected));
      assert.equal(ok.length, 253);
      assert.equal(failed.length, 47);
      // Both processes served successful creates.
      assert.ok(results.some((r, i) => i % 2 === 0 && r.status === 201) && results.some((r, i) => i % 2 === 1 && r.status === 201));
      const ips = ok.map((r) => r.body.port.fixed_ips[0].ip_address as string);
      assert.equal(new Set(ips).size, 253);
      assert.ok(ips.every((ip) => /^10\.201\.0\.(\d+)$/.test(ip) && Number(ip.split('.')[3]) >= 2 && Number(ip.split('.')[3]) <= 254), 'addresses within the pool');
      assert.equal(new Set(ok.map((r) => r.body.port.mac_address)).size, 253);

      // What the database holds, as each process reads it.
      for (const c of clients) {
        const listed = await c.request('GET', `/v2.0/ports?network_id=${net.body.network.id}`);
        assert.equal(listed.status, 200);
        assert.equal(listed.body.ports.length, 253);
        assert.equal(new Set(listed.body.ports.map((p: any) => p.fixed_ips[0].ip_address)).size, 253);
      }
    });

    it('100 network creates across both processes get distinct VNIs', async () => {
      const results = await spread(100, (c, i) => c.request('POST', '/v2.0/networks', { network: { name: `vni-${i}` } }));
      const bad = results.find((r) => r.status !== 201);
      assert.equal(bad, undefined, JSON.stringify(bad));
      const vnis = results.map((r) => r.body.network['provider:segmentation_id']);
      assert.ok(vnis.every((v) => Number.isInteger(v) && v >= 1 && v <= 1000), JSON.stringify(vnis));
      assert.equal(results[0].body.network['provider:network_type'], 'vxlan');
      // The network of the first test holds one VNI as well: 101 distinct in all.
      const all = await clients[1].request('GET', '/v2.0/networks?fields=provider:segmentation_id&fields=id');
      assert.equal(all.status, 200);
      const allVnis = all.body.networks.map((n: any) => n['provider:segmentation_id']);
      assert.equal(allVnis.length, 101);
      assert.equal(new Set(allVnis).size, 101);
    });
  });
}
