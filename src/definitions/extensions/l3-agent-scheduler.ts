import type { ExtensionDefinition } from '../types.js';

/**
 * `/v2.0/agents/{id}/l3-routers` (GET, POST {router_id}, DELETE /{router_id}) and
 * `/v2.0/routers/{id}/l3-agents` (GET): api/routes/l3-agents.ts, core/l3-agents.ts, core/l3-scheduling.ts.
 * Names as neutron/extensions/l3agentscheduler.py.
 */
export const l3AgentScheduler: ExtensionDefinition = {
  alias: 'l3_agent_scheduler',
  name: 'L3 Agent Scheduler',
  description: 'Schedule routers among l3 agents',
  updated: '2013-02-07T10:00:00-00:00',
};
