/** A router fixture shared by the L3 unit tests. */
import type { RouterState } from '../../src/hoststate/l3.js';

export function sampleRouter(over: Partial<RouterState> = {}): RouterState {
  return {
    id: 'rrrrrrrr-0000-4000-8000-000000000001', project_id: 'proj', admin_state_up: true,
    gateway: {
      port_id: 'gggggggggggg-0000', mac_address: 'fa:16:3e:00:00:01', network_id: 'eeeeeeeeeeee-0000', mtu: 1500, enable_snat: true,
      segment: { network_type: 'flat', physical_network: 'physnet1', segmentation_id: null },
      fixed_ips: [{ subnet_id: 'es', ip_address: '203.0.113.10', cidr: '203.0.113.0/24', gateway_ip: '203.0.113.1' }],
    },
    interfaces: [{ port_id: 'iiiiiiiiiiii-0000', mac_address: 'fa:16:3e:00:00:02', network_id: 'nnnnnnnnnnnn-0000', mtu: 1450, fixed_ips: [{ subnet_id: 's1', ip_address: '10.1.0.1', cidr: '10.1.0.0/24', gateway_ip: '10.1.0.1' }] }],
    routes: [{ destination: '192.168.7.0/24', nexthop: '10.1.0.5' }],
    floating_ips: [{ id: 'f1', floating_ip_address: '203.0.113.20', fixed_ip_address: '10.1.0.11', port_id: 'p1' }],
    port_forwardings: [],
    metadata: { '10.1.0.11': { device_id: 'vm-1', project_id: 'proj' } },
    ...over,
  };
}
