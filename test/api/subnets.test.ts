import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, BOB, type TestApi } from '../support/api-server.js';

for (const dialect of DIALECTS) {
  describe(`subnets (${dialect})`, () => {
    let api: TestApi;
    let net: any;
    before(async () => {
      api = await startTestApi(dialect);
      net = (await api.request(ALICE, 'POST', '/v2.0/networks', { network: { name: 'sn' } })).body.network;
    });
    after(async () => { await api?.close(); });

    const create = (body: Record<string, unknown>, caller = ALICE) => api.request(caller, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, ...body } });

    it('creates an IPv4 subnet with Neutron’s defaults', async () => {
      const res = await create({ cidr: '10.1.0.0/24', name: 's1' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const s = res.body.subnet;
      assert.equal(s.gateway_ip, '10.1.0.1');
      assert.deepEqual(s.allocation_pools, [{ start: '10.1.0.2', end: '10.1.0.254' }]);
      assert.equal(s.enable_dhcp, true);
      assert.deepEqual(s.dns_nameservers, []);
      assert.deepEqual(s.host_routes, []);
      assert.equal(s.ipv6_ra_mode, null);
      assert.equal(s.subnetpool_id, null);
      const network = (await api.request(ALICE, 'GET', `/v2.0/networks/${net.id}`)).body.network;
      assert.deepEqual(network.subnets, [s.id]);
    });

    it('refuses overlapping CIDRs on one network', async () => {
      const res = await create({ cidr: '10.1.0.128/25' });
      assert.equal(res.status, 400);
      assert.match(res.body.NeutronError.message, /overlaps with another subnet/);
    });

    it('takes pools, no gateway, DNS servers and host routes', async () => {
      const res = await create({
        cidr: '10.2.0.0/24', gateway_ip: null, allocation_pools: [{ start: '10.2.0.10', end: '10.2.0.20' }],
        dns_nameservers: ['8.8.8.8', '1.1.1.1'], host_routes: [{ destination: '192.168.0.0/16', nexthop: '10.2.0.254' }],
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.subnet.gateway_ip, null);
      assert.deepEqual(res.body.subnet.dns_nameservers, ['8.8.8.8', '1.1.1.1']);
      assert.deepEqual(res.body.subnet.host_routes, [{ destination: '192.168.0.0/16', nexthop: '10.2.0.254' }]);
      const up = await api.request(ALICE, 'PUT', `/v2.0/subnets/${res.body.subnet.id}`, { subnet: { allocation_pools: [{ start: '10.2.0.10', end: '10.2.0.30' }], dns_nameservers: [] } });
      assert.equal(up.status, 200);
      assert.deepEqual(up.body.subnet.allocation_pools, [{ start: '10.2.0.10', end: '10.2.0.30' }]);
      assert.deepEqual(up.body.subnet.dns_nameservers, []);
    });

    it('rejects bad pools, gateways and versions with Neutron’s types', async () => {
      const cases: [Record<string, unknown>, number, string | RegExp][] = [
        [{ cidr: '10.3.0.0/24', allocation_pools: [{ start: '10.3.0.10', end: '10.4.0.20' }] }, 400, 'OutOfBoundsAllocationPool'],
        [{ cidr: '10.3.0.0/24', allocation_pools: [{ start: '10.3.0.20', end: '10.3.0.10' }] }, 400, 'InvalidAllocationPool'],
        [{ cidr: '10.3.0.0/24', allocation_pools: [{ start: '10.3.0.2', end: '10.3.0.20' }, { start: '10.3.0.15', end: '10.3.0.30' }] }, 409, 'OverlappingAllocationPools'],
        [{ cidr: '10.3.0.0/24', gateway_ip: '10.3.0.5', allocation_pools: [{ start: '10.3.0.2', end: '10.3.0.20' }] }, 409, 'GatewayConflictWithAllocationPools'],
        [{ cidr: '10.3.0.0/24', gateway_ip: '10.3.0.255' }, 400, /Gateway is not valid on subnet/],
        [{ cidr: '2001:db8::/64' }, 400, /does not match the ip_version/],
        [{ cidr: '10.3.0.5/24' }, 400, /isn't a recognized IP subnet cidr, '10.3.0.0\/24' is recommended/],
        [{ cidr: 'banana' }, 400, /Invalid input for cidr/],
        [{ cidr: '10.3.0.0/24', dns_nameservers: ['1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4', '1.1.1.5', '1.1.1.6'] }, 400, 'DNSNameServersExhausted'],
        [{}, 400, /a subnetpool must be specified in the absence of a cidr/],
        [{ cidr: '10.3.0.0/24', ipv6_ra_mode: 'slaac' }, 400, /ipv6_ra_mode is not valid when ip_version is 4/],
      ];
      for (const [body, status, expect] of cases) {
        const res = await create(body);
        assert.equal(res.status, status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
        if (typeof expect === 'string') assert.equal(res.body.NeutronError.type, expect);
        else assert.match(res.body.NeutronError.message, expect);
      }
    });

    it('creates IPv6 SLAAC subnets only on /64', async () => {
      const ok = await api.request(ALICE, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 6, cidr: '2001:db8:1::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' } });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.equal(ok.body.subnet.gateway_ip, '2001:db8:1::1');
      const bad = await api.request(ALICE, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 6, cidr: '2001:db8:2::/80', ipv6_address_mode: 'slaac' } });
      assert.equal(bad.status, 400);
      assert.match(bad.body.NeutronError.message, /EUI-64/);
      const mixed = await api.request(ALICE, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 6, cidr: '2001:db8:3::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'dhcpv6-stateful' } });
      assert.equal(mixed.status, 400);
    });

    it('keeps other projects out', async () => {
      const res = await create({ cidr: '10.9.0.0/24' }, BOB);
      assert.equal(res.status, 404);
      assert.equal(res.body.NeutronError.type, 'NetworkNotFound');
      const list = (await api.request(BOB, 'GET', '/v2.0/subnets')).body.subnets;
      assert.equal(list.length, 0);
    });

    it('refuses overlap across networks when allow_overlapping_ips is false', async () => {
      const strict = await startTestApi(dialect, '[DEFAULT]\nallow_overlapping_ips = false\n');
      try {
        const n1 = (await strict.request(ADMIN, 'POST', '/v2.0/networks', { network: {} })).body.network;
        const n2 = (await strict.request(ADMIN, 'POST', '/v2.0/networks', { network: {} })).body.network;
        assert.equal((await strict.request(ADMIN, 'POST', '/v2.0/subnets', { subnet: { network_id: n1.id, ip_version: 4, cidr: '10.0.0.0/24' } })).status, 201);
        const clash = await strict.request(ADMIN, 'POST', '/v2.0/subnets', { subnet: { network_id: n2.id, ip_version: 4, cidr: '10.0.0.0/16' } });
        assert.equal(clash.status, 400);
        assert.match(clash.body.NeutronError.message, /overlaps with another subnet/);
      } finally {
        await strict.close();
      }
    });
  });
}
