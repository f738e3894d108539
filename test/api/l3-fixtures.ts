/** Shared set-up of the L3 HTTP tests: an external network and a project network with a subnet. */
import assert from 'node:assert/strict';
import { ADMIN, ALICE, type TestApi, type Caller } from '../support/api-server.js';

export interface L3Fixture { ext: any; extSubnet: any; net: any; subnet: any }

export async function ok(res: Promise<{ status: number; body: any }>, status = 200): Promise<any> {
  const r = await res;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}

export async function externalNetwork(api: TestApi, cidr: string, name = 'public'): Promise<{ ext: any; extSubnet: any }> {
  const ext = (await ok(api.request(ADMIN, 'POST', '/v2.0/networks', { network: { name, 'router:external': true, 'provider:network_type': 'flat', 'provider:physical_network': name === 'public' ? 'physnet1' : 'physnet2' } }), 201)).network;
  const extSubnet = (await ok(api.request(ADMIN, 'POST', '/v2.0/subnets', { subnet: { network_id: ext.id, ip_version: 4, cidr, enable_dhcp: false } }), 201)).subnet;
  return { ext, extSubnet };
}

export async function projectNetwork(api: TestApi, cidr: string, caller: Caller = ALICE): Promise<{ net: any; subnet: any }> {
  const net = (await ok(api.request(caller, 'POST', '/v2.0/networks', { network: { name: `n-${cidr}` } }), 201)).network;
  const subnet = (await ok(api.request(caller, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr } }), 201)).subnet;
  return { net, subnet };
}
