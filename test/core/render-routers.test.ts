/** renderRouters / routers in renderHostState are pure: rows in, RouterState out, no database. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderRouters, type RouterRenderRows } from '../../src/core/render-routers.js';
import { renderHostState, type HostStateInput, type HostStatePort } from '../../src/core/render-host-state.js';
import type { RouterState } from '../../src/hoststate/l3.js';

const R = 'aaaaaaaa-0000-4000-8000-000000000001';
const EXT = 'eeeeeeee-0000-4000-8000-000000000001';
const NET = '11111111-0000-4000-8000-000000000001';
const EXT_SUB = 'eeeeeeee-5555-4000-8000-000000000001';
const SUB = '11111111-5555-4000-8000-000000000001';
const GW = 'bbbbbbbb-0000-4000-8000-0000000000g1';
const QR = 'bbbbbbbb-0000-4000-8000-0000000000i1';
const VM = 'cccccccc-0000-4000-8000-0000000000c1';
const FIP = 'ffffffff-0000-4000-8000-000000000001';
const FIP2 = 'ffffffff-0000-4000-8000-000000000002';
const ts = '2026-01-01T00:00:00Z';
const std = { name: '', description: '', created_at: ts, updated_at: ts, revision_number: 1 };

function portRow(id: string, network_id: string, port_type: string) {
  return {
    ...std, id, project_id: '', network_id, mac_address: `fa:16:3e:00:00:${id.slice(-2)}`, admin_state_up: 1 as const, status: 'ACTIVE', device_id: R,
    device_owner: port_type, port_security_enabled: 0 as const, 'binding:host_id': 'net-1', 'binding:vnic_type': 'normal', 'binding:profile': '{}',
    'binding:vif_type': 'bridge', 'binding:vif_details': '{}', dns_name: '', port_type,
  };
}

function rows(over: Partial<RouterRenderRows['router']> = {}): RouterRenderRows {
  return {
    router: { ...std, id: R, project_id: 'proj', admin_state_up: 1, status: 'ACTIVE', gw_port_id: GW, enable_snat: 1, availability_zone_hints: '[]', ...over },
    ports: [portRow(GW, EXT, 'network:router_gateway'), portRow(QR, NET, 'network:router_interface')],
    allocations: [{ port_id: GW, subnet_id: EXT_SUB, ip_address: '203.0.113.10' }, { port_id: QR, subnet_id: SUB, ip_address: '10.0.0.1' }],
    subnets: [
      { ...std, id: EXT_SUB, project_id: 'admin', network_id: EXT, ip_version: 4, cidr: '203.0.113.0/24', gateway_ip: '203.0.113.1', enable_dhcp: 0, ipv6_address_mode: null, ipv6_ra_mode: null, subnetpool_id: null } as never,
      { ...std, id: SUB, project_id: 'proj', network_id: NET, ip_version: 4, cidr: '10.0.0.0/24', gateway_ip: '10.0.0.1', enable_dhcp: 1, ipv6_address_mode: null, ipv6_ra_mode: null, subnetpool_id: null } as never,
    ],
    networks: [{ id: EXT, mtu: 1500 }, { id: NET, mtu: 1450 }],
    routes: [{ router_id: R, destination: '172.16.0.0/16', nexthop: '10.0.0.50' }],
    floatingIps: [
      { ...std, id: FIP, project_id: 'proj', floating_network_id: EXT, floating_ip_address: '203.0.113.20', floating_port_id: 'p1', router_id: null, status: 'DOWN', association: { floatingip_id: FIP, fixed_port_id: VM, fixed_ip_address: '10.0.0.5', router_id: R } },
      { ...std, id: FIP2, project_id: 'proj', floating_network_id: EXT, floating_ip_address: '203.0.113.21', floating_port_id: 'p2', router_id: R, status: 'DOWN', association: null },
    ],
    portForwardings: [
      { id: 'pf-range', floatingip_id: FIP2, internal_port_id: VM, protocol: 'udp', internal_ip_address: '10.0.0.6', internal_port_start: 3000, internal_port_end: 3010, external_port_start: 2000, external_port_end: 2010, description: '' },
      { id: 'pf-single', floatingip_id: FIP2, internal_port_id: VM, protocol: 'tcp', internal_ip_address: '10.0.0.6', internal_port_start: 22, internal_port_end: 22, external_port_start: 2022, external_port_end: 2022, description: '' },
    ],
    metadata: [{ ip_address: '10.0.0.6', device_id: 'vm-b', project_id: 'proj' }, { ip_address: '10.0.0.5', device_id: 'vm-a', project_id: 'proj' }],
  };
}

const FLAT = { network_type: 'flat', physical_network: 'physnet1', segmentation_id: null };
const VXLAN = { network_type: 'vxlan', physical_network: null, segmentation_id: 7 };
const segmentOf = (id: string) => (id === EXT ? FLAT : VXLAN);

describe('renderRouters', () => {
  it('maps a router to the RouterState contract', () => {
    const [r] = renderRouters([rows()], segmentOf);
    const expected: RouterState = {
      id: R, project_id: 'proj', admin_state_up: true,
      gateway: {
        port_id: GW, mac_address: 'fa:16:3e:00:00:g1', network_id: EXT, segment: FLAT, mtu: 1500, enable_snat: true,
        fixed_ips: [{ subnet_id: EXT_SUB, ip_address: '203.0.113.10', cidr: '203.0.113.0/24', gateway_ip: '203.0.113.1' }],
      },
      interfaces: [{ port_id: QR, mac_address: 'fa:16:3e:00:00:i1', network_id: NET, mtu: 1450, fixed_ips: [{ subnet_id: SUB, ip_address: '10.0.0.1', cidr: '10.0.0.0/24', gateway_ip: '10.0.0.1' }] }],
      routes: [{ destination: '172.16.0.0/16', nexthop: '10.0.0.50' }],
      floating_ips: [{ id: FIP, floating_ip_address: '203.0.113.20', fixed_ip_address: '10.0.0.5', port_id: VM }],
      port_forwardings: [
        { id: 'pf-range', floatingip_id: FIP2, floating_ip_address: '203.0.113.21', protocol: 'udp', external_port: null, external_port_range: '2000:2010', internal_port: null, internal_port_range: '3000:3010', internal_ip_address: '10.0.0.6', internal_port_id: VM },
        { id: 'pf-single', floatingip_id: FIP2, floating_ip_address: '203.0.113.21', protocol: 'tcp', external_port: 2022, external_port_range: null, internal_port: 22, internal_port_range: null, internal_ip_address: '10.0.0.6', internal_port_id: VM },
      ],
      metadata: { '10.0.0.5': { device_id: 'vm-a', project_id: 'proj' }, '10.0.0.6': { device_id: 'vm-b', project_id: 'proj' } },
    };
    assert.deepEqual(r, expected);
    assert.deepEqual(Object.keys(r!.metadata), ['10.0.0.5', '10.0.0.6'], 'stable order: equal rows render equal JSON');
  });

  it('gateway SNAT off, no gateway, admin down', () => {
    assert.equal(renderRouters([rows({ enable_snat: 0 })], segmentOf)[0]!.gateway!.enable_snat, false);
    const none = rows({ gw_port_id: null });
    none.ports = none.ports.filter((p) => p.id !== GW);
    const [r] = renderRouters([none], segmentOf);
    assert.equal(r!.gateway, null);
    assert.equal(renderRouters([rows({ admin_state_up: 0 })], segmentOf)[0]!.admin_state_up, false);
  });
});

describe('routers in renderHostState', () => {
  const hp = (id: string, network_id: string, device_owner: string, device_id: string, host = 'net-1'): HostStatePort => ({
    id, network_id, mac_address: 'fa:16:3e:00:00:01', admin_state_up: true, device_owner, device_id, host_revision: 3, port_security_enabled: false,
    host, vif_type: 'bridge', dns_name: '', fixed_ips: [], allowed_address_pairs: [], security_groups: [], extra_dhcp_opts: [],
  });
  const input = (over: Partial<HostStateInput> = {}, l3Up = true, routerUp = 1 as 0 | 1): HostStateInput => ({
    host: 'net-1', revision: 9, l2population: false,
    agents: [
      { agent_type: 'Linux bridge agent', host: 'net-1', admin_state_up: true, configurations: { interface_mappings: { physnet2: 'eth2', physnet1: 'eth1' }, tunnel_types: ['vxlan'] } },
      { agent_type: 'L3 agent', host: 'net-1', admin_state_up: l3Up, configurations: { agent_mode: 'legacy' } },
    ],
    networks: [
      { id: EXT, mtu: 1500, admin_state_up: true, segments: [{ network_type: 'flat', physical_network: 'physnet9', segmentation_id: null }, FLAT] },
      { id: NET, mtu: 1450, admin_state_up: true, segments: [VXLAN] },
    ],
    ports: [hp(GW, EXT, 'network:router_gateway', R), hp(QR, NET, 'network:router_interface', R), hp(VM, NET, 'compute:nova', 'vm-a', 'cmp-1')],
    subnets: [], dhcpNetworks: [], routers: [rows({ admin_state_up: routerUp })], ...over,
  });

  it('lists the routers with the segment this host reaches, and their ports and networks', () => {
    const s = renderHostState(input());
    assert.equal(s.routers!.length, 1);
    assert.deepEqual(s.routers![0]!.gateway!.segment, FLAT, 'the reachable segment, not the first');
    assert.deepEqual(s.ports.map((p) => p.id).sort(), [GW, QR].sort());
    assert.deepEqual(s.networks.map((n) => n.id).sort(), [EXT, NET].sort());
  });

  it('an admin-down router stays listed down and its ports and networks leave; an admin-down agent has none', () => {
    const down = renderHostState(input({}, true, 0));
    assert.equal(down.routers![0]!.admin_state_up, false);
    assert.deepEqual(down.ports, []);
    assert.deepEqual(down.networks, []);
    const off = renderHostState(input({}, false));
    assert.deepEqual(off.routers, []);
    assert.deepEqual(off.ports, []);
  });

  it('hosts without an L3 agent have no routers key (contract: absent = none)', () => {
    const s = renderHostState(input({ agents: input().agents.slice(0, 1) }));
    assert.equal('routers' in s, false);
  });
});
