import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, BOB, READER, type TestApi, type Caller } from '../support/api-server.js';

// A port create is checked against Neutron's create_port rules with its network's owner and shared
// flag (rule:network_owner, rule:shared), read in the create's own transaction: what may be set
// depends on whose network it is, refusals are 403 naming every rule that failed, a network the
// caller may not use is 404, and a refused bulk writes nothing.
const MISSING = '5f1b8a1e-2b9f-4e2c-9d3b-0a6c1c2e9f00';

for (const dialect of DIALECTS) {
  describe(`port create policy with the network's context (${dialect})`, () => {
    let api: TestApi;
    let aliceNet = '';
    let sharedNet = '';

    before(async () => {
      api = await startTestApi(dialect);
      aliceNet = (await api.request(ALICE, 'POST', '/v2.0/networks', { network: { name: 'alice-private' } })).body.network.id;
      sharedNet = (await api.request(ADMIN, 'POST', '/v2.0/networks', { network: { name: 'admin-shared', shared: true } })).body.network.id;
      for (const [net, cidr, caller] of [[aliceNet, '10.71.0.0/24', ALICE], [sharedNet, '10.72.0.0/24', ADMIN]] as const) {
        const res = await api.request(caller, 'POST', '/v2.0/subnets', { subnet: { network_id: net, ip_version: 4, cidr } });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      }
    });
    after(async () => { await api?.close(); });

    const create = (caller: Caller, port: Record<string, unknown>) => api.request(caller, 'POST', '/v2.0/ports', { port });
    const portsOf = async (caller: Caller, net: string) => (await api.request(caller, 'GET', `/v2.0/ports?network_id=${net}`)).body.ports.length as number;
    const refused = (res: { status: number; body: any }, status: number, type: string, message?: string) => {
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.NeutronError.type, type);
      if (message !== undefined) assert.equal(res.body.NeutronError.message, message);
    };

    it('the network owner may set what only network owners may (MAC, fixed IP address, address pairs)', async () => {
      const res = await create(ALICE, {
        network_id: aliceNet, mac_address: 'fa:16:3e:71:00:01', fixed_ips: [{ ip_address: '10.71.0.50' }],
        allowed_address_pairs: [{ ip_address: '10.71.0.60' }],
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.port.mac_address, 'fa:16:3e:71:00:01');
      assert.deepEqual(res.body.port.fixed_ips.map((f: any) => f.ip_address), ['10.71.0.50']);
    });

    it('on a shared network of another project a member gets a port, but not a chosen MAC or address', async () => {
      assert.equal((await create(BOB, { network_id: sharedNet, name: 'plain' })).status, 201);
      refused(await create(BOB, { network_id: sharedNet, mac_address: 'fa:16:3e:72:00:01' }), 403, 'PolicyNotAuthorized',
        '(rule:create_port and rule:create_port:mac_address) is disallowed by policy');
      refused(await create(BOB, { network_id: sharedNet, fixed_ips: [{ ip_address: '10.72.0.50' }] }), 403, 'PolicyNotAuthorized',
        '(rule:create_port and (rule:create_port:fixed_ips and (rule:create_port:fixed_ips:ip_address))) is disallowed by policy');
      // rule:shared lets a member pick the subnet of a shared network.
      const [subnet] = (await api.request(ADMIN, 'GET', `/v2.0/subnets?network_id=${sharedNet}`)).body.subnets;
      assert.equal((await create(BOB, { network_id: sharedNet, fixed_ips: [{ subnet_id: subnet.id }] })).status, 201);
    });

    it("another project's private network: a plain port is 404, a network-owner attribute is refused first", async () => {
      refused(await create(BOB, { network_id: aliceNet }), 404, 'NetworkNotFound');
      refused(await create(BOB, { network_id: aliceNet, mac_address: 'fa:16:3e:71:00:02' }), 403, 'PolicyNotAuthorized');
      refused(await create(BOB, { network_id: MISSING }), 404, 'NetworkNotFound');
      assert.equal(await portsOf(ADMIN, aliceNet), 1);
    });

    it('a reader may not create ports, and the admin may set admin-only attributes anywhere', async () => {
      refused(await create(READER, { network_id: aliceNet }), 403, 'PolicyNotAuthorized', 'rule:create_port is disallowed by policy');
      refused(await create(ALICE, { network_id: aliceNet, 'binding:host_id': 'compute-1' }), 403, 'PolicyNotAuthorized',
        '(rule:create_port and rule:create_port:binding:host_id) is disallowed by policy');
      const res = await create(ADMIN, { network_id: aliceNet, mac_address: 'fa:16:3e:71:00:03', project_id: 'project-bob' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.port.project_id, 'project-bob');
    });

    it('a bulk create with one refused port writes none of them', async () => {
      const before = await portsOf(ADMIN, sharedNet);
      const res = await api.request(BOB, 'POST', '/v2.0/ports', { ports: [
        { network_id: sharedNet, name: 'bulk-ok' },
        { network_id: sharedNet, name: 'bulk-refused', mac_address: 'fa:16:3e:72:00:02' },
      ] });
      refused(res, 403, 'PolicyNotAuthorized');
      assert.equal(await portsOf(ADMIN, sharedNet), before);
      const ok = await api.request(BOB, 'POST', '/v2.0/ports', { ports: [{ network_id: sharedNet, name: 'b1' }, { network_id: sharedNet, name: 'b2' }] });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.equal(await portsOf(ADMIN, sharedNet), before + 2);
    });
  });
}
