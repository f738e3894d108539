import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, BOB, type TestApi } from '../support/api-server.js';

for (const dialect of DIALECTS) {
  describe(`ports (${dialect})`, () => {
    let api: TestApi;
    let net: any;
    let v4: any;
    before(async () => {
      api = await startTestApi(dialect, '[quotas]\nquota_port = 1000\n');
      net = (await api.request(ALICE, 'POST', '/v2.0/networks', { network: { name: 'pn' } })).body.network;
      v4 = (await api.request(ALICE, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.5.0.0/24', allocation_pools: [{ start: '10.5.0.10', end: '10.5.0.20' }] } })).body.subnet;
    });
    after(async () => { await api?.close(); });

    const create = (body: Record<string, unknown>, caller = ALICE) => api.request(caller, 'POST', '/v2.0/ports', { port: { network_id: net.id, ...body } });

    it('creates a port with an address, a MAC from base_mac, the default security group and DNS assignment', async () => {
      const res = await create({ name: 'p1' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const p = res.body.port;
      assert.match(p.mac_address, /^fa:16:3e(:[0-9a-f]{2}){3}$/);
      assert.deepEqual(p.fixed_ips, [{ subnet_id: v4.id, ip_address: '10.5.0.10' }]);
      assert.equal(p.status, 'DOWN');
      assert.equal(p.port_security_enabled, true);
      assert.equal(p.security_groups.length, 1);
      const sg = (await api.request(ALICE, 'GET', `/v2.0/security-groups/${p.security_groups[0]}`)).body.security_group;
      assert.equal(sg.name, 'default');
      assert.deepEqual(p.dns_assignment, [{ hostname: 'host-10-5-0-10', ip_address: '10.5.0.10', fqdn: 'host-10-5-0-10.openstacklocal.' }]);
      assert.equal(p['binding:vnic_type'], 'normal');
      // binding:* other than vnic_type are admin-only
      assert.equal('binding:host_id' in p, false);
      const admin = (await api.request(ADMIN, 'GET', `/v2.0/ports/${p.id}`)).body.port;
      assert.equal(admin['binding:vif_type'], 'unbound');
      assert.deepEqual(admin['binding:profile'], {});
    });

    it('takes requested addresses and MACs, and refuses ones in use', async () => {
      const a = await create({ fixed_ips: [{ subnet_id: v4.id, ip_address: '10.5.0.15' }], mac_address: 'FA:16:3E:AA:BB:CC' });
      assert.equal(a.status, 201, JSON.stringify(a.body));
      assert.equal(a.body.port.mac_address, 'fa:16:3e:aa:bb:cc');
      assert.equal(a.body.port.fixed_ips[0].ip_address, '10.5.0.15');
      const sameIp = await create({ fixed_ips: [{ ip_address: '10.5.0.15' }] });
      assert.equal(sameIp.status, 409);
      assert.equal(sameIp.body.NeutronError.type, 'IpAddressAlreadyAllocated');
      const sameMac = await create({ mac_address: 'fa:16:3e:aa:bb:cc' });
      assert.equal(sameMac.status, 409);
      assert.equal(sameMac.body.NeutronError.type, 'MacAddressInUse');
      // outside the pools but inside the subnet is allowed, once
      const outside = await create({ fixed_ips: [{ ip_address: '10.5.0.200' }] });
      assert.equal(outside.status, 201, JSON.stringify(outside.body));
      assert.equal((await create({ fixed_ips: [{ ip_address: '10.5.0.200' }] })).body.NeutronError.type, 'IpAddressAlreadyAllocated');
      const foreign = await create({ fixed_ips: [{ ip_address: '192.168.9.9' }] });
      assert.equal(foreign.status, 400);
      assert.equal(foreign.body.NeutronError.type, 'InvalidIpForNetwork');
      // deleting frees the address for the next port
      assert.equal((await api.request(ALICE, 'DELETE', `/v2.0/ports/${a.body.port.id}`)).status, 204);
      assert.equal((await create({ fixed_ips: [{ ip_address: '10.5.0.15' }] })).status, 201);
    });

    it('updates fixed IPs, address pairs, extra DHCP options and port security', async () => {
      const p = (await create({ allowed_address_pairs: [{ ip_address: '10.5.0.100' }], extra_dhcp_opts: [{ opt_name: 'tftp-server', opt_value: '10.0.0.1' }] })).body.port;
      assert.deepEqual(p.allowed_address_pairs, [{ ip_address: '10.5.0.100', mac_address: p.mac_address }]);
      assert.deepEqual(p.extra_dhcp_opts, [{ opt_name: 'tftp-server', opt_value: '10.0.0.1', ip_version: 4 }]);
      const up = await api.request(ALICE, 'PUT', `/v2.0/ports/${p.id}`, { port: { fixed_ips: [{ subnet_id: v4.id, ip_address: '10.5.0.250' }] } });
      assert.equal(up.status, 200, JSON.stringify(up.body));
      assert.deepEqual(up.body.port.fixed_ips, [{ subnet_id: v4.id, ip_address: '10.5.0.250' }]);
      assert.equal(up.body.port.revision_number, p.revision_number + 1);
      const insecure = await api.request(ALICE, 'PUT', `/v2.0/ports/${p.id}`, { port: { port_security_enabled: false } });
      assert.equal(insecure.status, 409, JSON.stringify(insecure.body));
      const cleared = await api.request(ALICE, 'PUT', `/v2.0/ports/${p.id}`, { port: { port_security_enabled: false, security_groups: [], allowed_address_pairs: [] } });
      assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
      assert.equal(cleared.body.port.port_security_enabled, false);
      const regen = await api.request(ADMIN, 'PUT', `/v2.0/ports/${p.id}`, { port: { mac_address: null } }); // admin-only by policy
      assert.equal(regen.status, 200);
      assert.notEqual(regen.body.port.mac_address, p.mac_address);
      const noSg = await create({ port_security_enabled: false, security_groups: [] });
      assert.equal(noSg.status, 201);
      assert.deepEqual(noSg.body.port.security_groups, []);
      const conflict = await create({ port_security_enabled: false, allowed_address_pairs: [{ ip_address: '10.1.1.1' }] });
      assert.equal(conflict.body.NeutronError.type, 'AddressPairAndPortSecurityRequired');
    });

    it('gives SLAAC addresses on auto-address subnets', async () => {
      const n = (await api.request(ALICE, 'POST', '/v2.0/networks', { network: {} })).body.network;
      const s4 = (await api.request(ALICE, 'POST', '/v2.0/subnets', { subnet: { network_id: n.id, ip_version: 4, cidr: '10.6.0.0/24' } })).body.subnet;
      const s6 = (await api.request(ALICE, 'POST', '/v2.0/subnets', { subnet: { network_id: n.id, ip_version: 6, cidr: '2001:db8:6::/64', ipv6_ra_mode: 'slaac', ipv6_address_mode: 'slaac' } })).body.subnet;
      const p = (await api.request(ALICE, 'POST', '/v2.0/ports', { port: { network_id: n.id, mac_address: 'fa:16:3e:11:22:33' } })).body.port;
      assert.deepEqual(p.fixed_ips, [{ subnet_id: s4.id, ip_address: '10.6.0.2' }, { subnet_id: s6.id, ip_address: '2001:db8:6:0:f816:3eff:fe11:2233' }]);
      // a subnet with an allocation can't be deleted; the network neither
      assert.equal((await api.request(ALICE, 'DELETE', `/v2.0/subnets/${s4.id}`)).body.NeutronError.type, 'SubnetInUse');
      assert.equal((await api.request(ALICE, 'DELETE', `/v2.0/networks/${n.id}`)).body.NeutronError.type, 'NetworkInUse');
      assert.equal((await api.request(ALICE, 'DELETE', `/v2.0/ports/${p.id}`)).status, 204);
      assert.equal((await api.request(ALICE, 'DELETE', `/v2.0/networks/${n.id}`)).status, 204);
    });

    it("deleting a network takes its DHCP ports with it (Neutron's AUTO_DELETE_PORT_OWNERS), not other network: ports", async () => {
      const n = (await api.request(ADMIN, 'POST', '/v2.0/networks', { network: {} })).body.network;
      await api.request(ADMIN, 'POST', '/v2.0/subnets', { subnet: { network_id: n.id, ip_version: 4, cidr: '10.7.0.0/24' } });
      const ha = (await api.request(ADMIN, 'POST', '/v2.0/ports', { port: { network_id: n.id, device_owner: 'network:router_ha_interface' } })).body.port;
      await api.request(ADMIN, 'POST', '/v2.0/ports', { port: { network_id: n.id, device_owner: 'network:dhcp' } });
      const inUse = await api.request(ADMIN, 'DELETE', `/v2.0/networks/${n.id}`);
      assert.equal(inUse.status, 409);
      assert.equal(inUse.body.NeutronError.type, 'NetworkInUse');
      assert.equal((await api.request(ADMIN, 'DELETE', `/v2.0/ports/${ha.id}`)).status, 204);
      assert.equal((await api.request(ADMIN, 'DELETE', `/v2.0/networks/${n.id}`)).status, 204, 'the DHCP port goes with the network');
      assert.equal((await api.request(ADMIN, 'GET', `/v2.0/ports?network_id=${n.id}`)).body.ports.length, 0);
    });

    it('filters by fixed_ips, device_id and security group', async () => {
      const p = (await create({ device_id: 'vm-42', fixed_ips: [{ ip_address: '10.5.0.77' }] })).body.port;
      const byIp = (await api.request(ALICE, 'GET', '/v2.0/ports?fixed_ips=ip_address%3D10.5.0.77')).body.ports;
      assert.deepEqual(byIp.map((x: any) => x.id), [p.id]);
      const bySubstr = (await api.request(ALICE, 'GET', '/v2.0/ports?fixed_ips=ip_address_substr%3D0.77')).body.ports;
      assert.deepEqual(bySubstr.map((x: any) => x.id), [p.id]);
      const byDevice = (await api.request(ALICE, 'GET', '/v2.0/ports?device_id=vm-42')).body.ports;
      assert.deepEqual(byDevice.map((x: any) => x.id), [p.id]);
      const bySg = (await api.request(ALICE, 'GET', `/v2.0/ports?security_groups=${p.security_groups[0]}&device_id=vm-42`)).body.ports;
      assert.deepEqual(bySg.map((x: any) => x.id), [p.id]);
      assert.equal((await api.request(BOB, 'GET', `/v2.0/ports/${p.id}`)).status, 404);
    });

    it('hands out each address of a /24 once under 300 concurrent creates', async () => {
      const n = (await api.request(ADMIN, 'POST', '/v2.0/networks', { network: {} })).body.network;
      await api.request(ADMIN, 'POST', '/v2.0/subnets', { subnet: { network_id: n.id, ip_version: 4, cidr: '10.200.0.0/24' } });
      const results = await Promise.all(Array.from({ length: 300 }, () =>
        api.request(ADMIN, 'POST', '/v2.0/ports', { port: { network_id: n.id, port_security_enabled: false } })));
      const ok = results.filter((r) => r.status === 201);
      const failed = results.filter((r) => r.status !== 201);
      assert.equal(ok.length, 253);
      assert.ok(failed.every((r) => r.status === 409 && r.body.NeutronError.type === 'IpAddressGenerationFailure'), JSON.stringify(failed.find((r) => r.status !== 409)?.body));
      const ips = ok.map((r) => r.body.port.fixed_ips[0].ip_address);
      assert.equal(new Set(ips).size, 253);
      const macs = ok.map((r) => r.body.port.mac_address);
      assert.equal(new Set(macs).size, 253);
      const listed = (await api.request(ADMIN, 'GET', `/v2.0/ports?network_id=${n.id}`)).body.ports;
      assert.equal(listed.length, 253);
    });
  });
}
