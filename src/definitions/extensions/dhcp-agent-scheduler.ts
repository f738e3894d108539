import type { ExtensionDefinition } from '../types.js';

/**
 * `/v2.0/agents/{id}/dhcp-networks` (GET, POST {network_id}, DELETE /{network_id}) and
 * `/v2.0/networks/{id}/dhcp-agents` (GET): api/routes/agents.ts, core/dhcp-scheduling.ts.
 */
export const dhcpAgentScheduler: ExtensionDefinition = {
  alias: 'dhcp_agent_scheduler',
  name: 'DHCP Agent Scheduler',
  description: 'Schedule networks among dhcp agents',
  updated: '2013-02-07T10:00:00-00:00',
};
