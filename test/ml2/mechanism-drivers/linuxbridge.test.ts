import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { linuxbridgeMechanismDriver } from '../../../src/ml2/mechanism-drivers/linuxbridge.js';
import type { AgentView, Segment } from '../../../src/ml2/driver-api.js';

const driver = linuxbridgeMechanismDriver({ portFilter: true });
const port = { id: 'p', 'binding:host_id': 'h1', 'binding:vnic_type': 'normal', device_owner: 'compute:nova' };
const agent = (over: Partial<AgentView> = {}, conf: Record<string, unknown> = {}): AgentView => ({
  agent_type: 'Linux bridge agent', host: 'h1', alive: true, admin_state_up: true,
  configurations: { interface_mappings: { physnet1: 'eth1' }, bridge_mappings: { physnet3: 'br-ex' }, tunnel_types: ['vxlan'], ...conf }, ...over,
});
const seg = (network_type: string, physical_network: string | null = null, segmentation_id: number | null = null): Segment => ({ network_type, physical_network, segmentation_id });

describe('linuxbridge mechanism driver', () => {
  it('binds flat/vlan by the mappings, tunnels by tunnel_types, local always', () => {
    const ok = driver.bindPort({ port, segments: [seg('flat', 'physnet9'), seg('vlan', 'physnet3', 5)], hostAgents: [agent()] })!;
    assert.deepEqual(ok, { vif_type: 'bridge', vif_details: { port_filter: true, connectivity: 'l2', bound_drivers: { '0': 'linuxbridge' } }, segment: seg('vlan', 'physnet3', 5) });
    assert.equal(driver.bindPort({ port, segments: [seg('vxlan', null, 7)], hostAgents: [agent()] })?.vif_type, 'bridge');
    assert.equal(driver.bindPort({ port, segments: [seg('vxlan', null, 7)], hostAgents: [agent({}, { tunnel_types: [] })] }), null);
    assert.equal(driver.bindPort({ port, segments: [seg('geneve', null, 7)], hostAgents: [agent()] }), null);
    assert.equal(driver.bindPort({ port, segments: [seg('local')], hostAgents: [agent()] })?.vif_type, 'bridge');
    assert.equal(driver.bindPort({ port, segments: [seg('flat', 'physnet2')], hostAgents: [agent()] }), null);
  });

  it('needs a live agent of its type and a normal vnic', () => {
    assert.equal(driver.bindPort({ port, segments: [seg('local')], hostAgents: [agent({ alive: false })] }), null);
    assert.equal(driver.bindPort({ port, segments: [seg('local')], hostAgents: [agent({ agent_type: 'DHCP agent' })] }), null);
    assert.equal(driver.bindPort({ port, segments: [seg('local')], hostAgents: [] }), null);
    assert.equal(driver.bindPort({ port: { ...port, 'binding:vnic_type': 'direct' }, segments: [seg('local')], hostAgents: [agent()] }), null);
  });
});
