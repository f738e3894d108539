/** renderHostState is pure: rows in, HostState out, no database. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderHostState, type HostStateInput, type HostStatePort } from '../../src/core/render-host-state.js';
import { dhcpDeviceId } from '../../src/core/dhcp-scheduling.js';

const NET = '11111111-0000-4000-8000-000000000001';
const FLAT = '11111111-0000-4000-8000-000000000002';
const SUB = '22222222-0000-4000-8000-000000000001';

function port(id: string, host: string, ip: string, over: Partial<HostStatePort> = {}): HostStatePort {
  return {
    id, network_id: NET, mac_address: `fa:16:3e:00:00:${id.slice(-2)}`, admin_state_up: true, device_owner: 'compute:nova', device_id: `vm-${id.slice(-2)}`,
    host_revision: 7, port_security_enabled: true, host, vif_type: 'bridge', dns_name: '', fixed_ips: [{ subnet_id: SUB, ip_address: ip }],
    allowed_address_pairs: [], security_groups: ['sg2', 'sg1'], extra_dhcp_opts: [], ...over,
  };
}

const l2 = (host: string, ip: string, extra: Record<string, unknown> = {}) => ({
  agent_type: 'Linux bridge agent', host, admin_state_up: true,
  configurations: { tunneling_ip: ip, tunnel_types: ['vxlan'], interface_mappings: { physnet1: 'eth1' }, l2_population: true, ...extra },
});

function input(over: Partial<HostStateInput> = {}): HostStateInput {
  return {
    host: 'h1', revision: 42, l2population: false,
    agents: [l2('h1', '192.0.2.1'), l2('h2', '192.0.2.2'), l2('h3', '192.0.2.3', { tunnel_types: [] })],
    networks: [
      { id: NET, mtu: 1450, admin_state_up: true, segments: [{ network_type: 'vxlan', physical_network: null, segmentation_id: 1001 }] },
      { id: FLAT, mtu: 1500, admin_state_up: true, segments: [{ network_type: 'flat', physical_network: 'physnet9', segmentation_id: null }, { network_type: 'flat', physical_network: 'physnet1', segmentation_id: null }] },
    ],
    ports: [
      port('aaaaaaaa-0000-4000-8000-0000000000a1', 'h1', '10.0.0.11'),
      port('bbbbbbbb-0000-4000-8000-0000000000b1', 'h2', '10.0.0.12', { allowed_address_pairs: [{ ip_address: '10.0.0.99', mac_address: 'fa:16:3e:00:00:b1' }, { ip_address: '10.9.0.0/24', mac_address: 'fa:16:3e:00:00:b1' }] }),
      port('bbbbbbbb-0000-4000-8000-0000000000b2', 'h2', '10.0.0.13', { vif_type: 'binding_failed' }),
      port('cccccccc-0000-4000-8000-0000000000c1', 'h3', '10.0.0.14'),
      port('dddddddd-0000-4000-8000-0000000000d1', 'h1', '10.0.0.15', { vif_type: 'binding_failed' }),
      port('eeeeeeee-0000-4000-8000-0000000000e1', 'h1', '10.1.0.5', { network_id: FLAT }),
    ],
    subnets: [],
    dhcpNetworks: [],
    ...over,
  };
}

describe('renderHostState', () => {
  it('lists the bound ports of the host, their networks, and l2population remotes behind the other agents\' tunnel IPs', () => {
    const hs = renderHostState(input());
    assert.equal(hs.host, 'h1');
    assert.equal(hs.revision, 42);
    assert.deepEqual(hs.ports.map((p) => p.id), ['aaaaaaaa-0000-4000-8000-0000000000a1', 'eeeeeeee-0000-4000-8000-0000000000e1']);
    const p = hs.ports[0]!;
    assert.equal(p.revision_number, 7, 'the port carries the revision its change got');
    assert.deepEqual(p.security_groups, ['sg1', 'sg2']);
    const vx = hs.networks.find((n) => n.id === NET)!;
    assert.deepEqual(vx.segment, { network_type: 'vxlan', physical_network: null, segmentation_id: 1001 });
    // h2's bound port with its pair's single address; its failed port left out; h3 has no vxlan tunnel.
    assert.deepEqual(vx.remotes, [{ host: 'h2', vtep_ip: '192.0.2.2', ports: [{ mac_address: 'fa:16:3e:00:00:b1', ips: ['10.0.0.12', '10.0.0.99'] }] }]);
    // The segment the host's agent reaches, not the first one.
    assert.deepEqual(hs.networks.find((n) => n.id === FLAT)!.segment, { network_type: 'flat', physical_network: 'physnet1', segmentation_id: null });
    assert.deepEqual(hs.networks.find((n) => n.id === FLAT)!.remotes, []);
    assert.deepEqual(hs.dhcp, []);
  });

  it('leaves remotes out without l2population, and renders the same input identically', () => {
    const agents = [l2('h1', '192.0.2.1', { l2_population: false }), l2('h2', '192.0.2.2')];
    assert.deepEqual(renderHostState(input({ agents })).networks.find((n) => n.id === NET)!.remotes, []);
    assert.equal(renderHostState(input({ agents, l2population: true })).networks.find((n) => n.id === NET)!.remotes.length, 1);
    assert.deepEqual(renderHostState(input()), renderHostState(input()));
  });

  it('renders the DHCP networks of the host\'s agent that have its DHCP port', () => {
    const dhcpPort = port('ffffffff-0000-4000-8000-0000000000f1', 'h1', '10.0.0.2', { device_owner: 'network:dhcp', device_id: dhcpDeviceId('h1', NET) });
    const router = port('99999999-0000-4000-8000-000000000091', '', '10.0.0.1', { device_owner: 'network:router_interface', vif_type: 'unbound' });
    const base = input();
    const withDhcp = input({
      agents: [...base.agents, { agent_type: 'DHCP agent', host: 'h1', admin_state_up: true, configurations: {} }],
      ports: [...base.ports, dhcpPort, router, port('12121212-0000-4000-8000-000000000012', 'h2', '10.0.0.20', { dns_name: 'web', extra_dhcp_opts: [{ opt_name: 'mtu', opt_value: '1400', ip_version: 4 }, { opt_name: 'x', opt_value: null, ip_version: 4 }] })],
      subnets: [{ id: SUB, network_id: NET, cidr: '10.0.0.0/24', ip_version: 4, gateway_ip: '10.0.0.1', enable_dhcp: true, dns_nameservers: [], host_routes: [], ipv6_address_mode: null, ipv6_ra_mode: null, allocation_pools: [{ start: '10.0.0.2', end: '10.0.0.254' }] }],
      dhcpNetworks: [NET, FLAT],
    });
    const hs = renderHostState(withDhcp);
    assert.equal(hs.dhcp.length, 1, 'FLAT has no DHCP port for h1');
    const d = hs.dhcp[0]!;
    assert.equal(d.network_id, NET);
    assert.equal(d.mtu, 1450);
    assert.deepEqual(d.port, { id: dhcpPort.id, mac_address: dhcpPort.mac_address, fixed_ips: dhcpPort.fixed_ips });
    assert.equal(d.subnets[0]!.has_router_interface, true);
    const web = d.hosts.find((h) => h.port_id === '12121212-0000-4000-8000-000000000012')!;
    assert.equal(web.hostname, 'web');
    assert.deepEqual(web.extra_dhcp_opts, [{ opt_name: 'mtu', opt_value: '1400', ip_version: 4 }]);
    assert.equal(d.hosts.find((h) => h.port_id === base.ports[0]!.id)!.hostname, null);
    assert.ok(hs.ports.some((p) => p.id === dhcpPort.id));
    // A DHCP agent disabled by an admin serves nothing.
    const disabled = { ...withDhcp, agents: withDhcp.agents.map((a) => (a.agent_type === 'DHCP agent' ? { ...a, admin_state_up: false } : a)) };
    assert.deepEqual(renderHostState(disabled).dhcp, []);
  });
});
