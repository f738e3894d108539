import type { ExtensionDefinition } from '../types.js';

/** `/v2.0/agents` (definitions/agent.ts, api/routes/agents.ts, core/agents.ts). */
export const agentExtension: ExtensionDefinition = {
  alias: 'agent',
  name: 'agent',
  description: 'The agent management extension.',
  updated: '2013-02-03T10:00:00-00:00',
};
