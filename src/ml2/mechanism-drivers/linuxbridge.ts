/**
 * The linuxbridge mechanism driver, as Neutron's (ml2/drivers/linuxbridge/mech_driver): binds
 * `normal` ports on a host with a live 'Linux bridge agent' that reaches one of the network's
 * segments — local always, flat/vlan when the physical network is in the agent's
 * interface_mappings or bridge_mappings, tunnel types when listed in its tunnel_types.
 */
import type { AgentView, MechanismDriver, PortBindingContext, Segment } from '../driver-api.js';

export const AGENT_TYPE_LINUXBRIDGE = 'Linux bridge agent';
export const VIF_TYPE_BRIDGE = 'bridge';

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const asList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export interface LinuxbridgeOptions {
  /** [securitygroup] enable_security_group: shown as vif_details.port_filter. */
  portFilter: boolean;
}

export function segmentReachable(segment: Segment, agent: AgentView): boolean {
  if (agent.agent_type !== AGENT_TYPE_LINUXBRIDGE) return false;
  const c = agent.configurations;
  const allowed = [...asList(c.tunnel_types), 'local', 'flat', 'vlan'];
  if (!allowed.includes(segment.network_type)) return false;
  if (segment.network_type === 'flat' || segment.network_type === 'vlan') {
    const mappings = { ...asRecord(c.interface_mappings), ...asRecord(c.bridge_mappings) };
    return segment.physical_network !== null && segment.physical_network in mappings;
  }
  return true;
}

export function linuxbridgeMechanismDriver(o: LinuxbridgeOptions): MechanismDriver {
  return {
    name: 'linuxbridge',
    agentType: AGENT_TYPE_LINUXBRIDGE,
    segmentReachable,
    bindPort(ctx: PortBindingContext) {
      if ((ctx.port['binding:vnic_type'] || 'normal') !== 'normal') return null;
      for (const agent of ctx.hostAgents) {
        if (agent.agent_type !== AGENT_TYPE_LINUXBRIDGE || !agent.alive) continue;
        const segment = ctx.segments.find((s) => segmentReachable(s, agent));
        if (segment) {
          return {
            vif_type: VIF_TYPE_BRIDGE,
            vif_details: { port_filter: o.portFilter, connectivity: 'l2', bound_drivers: { '0': 'linuxbridge' } },
            segment,
          };
        }
      }
      return null;
    },
  };
}

/** The l2population driver: binds nothing; turns on forwarding entries for tunnelled networks. */
export function l2populationMechanismDriver(): MechanismDriver {
  return { name: 'l2population', agentType: null, l2population: true, bindPort: () => null, segmentReachable: () => false };
}
