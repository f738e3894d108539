/** Agents (neutron-lib api/definitions/agent.py): registered by heartbeats, never created over the API. */
import type { ResourceDefinition } from './types.js';
import { convert, v } from './validators.js';
import { DESCRIPTION_FIELD_SIZE } from './common.js';

const readOnly = { allowPost: false, allowPut: false, isVisible: true } as const;

export const agent: ResourceDefinition = {
  resource: 'agent',
  collection: 'agents',
  path: 'agents',
  policyName: 'agent',
  standardAttributes: false,
  notFoundType: 'AgentNotFound',
  displayName: 'Agent',
  allowBulk: false,
  attributes: {
    id: { ...readOnly, validate: v.uuid(), isFilter: true, isSortKey: true, primaryKey: true },
    agent_type: { ...readOnly, isFilter: true, isSortKey: true },
    binary: { ...readOnly, isFilter: true, isSortKey: true },
    topic: { ...readOnly, isFilter: true, isSortKey: true },
    host: { ...readOnly, isFilter: true, isSortKey: true },
    admin_state_up: { allowPost: false, allowPut: true, convert: convert.boolean, isVisible: true, isFilter: true, isSortKey: true },
    created_at: readOnly,
    started_at: readOnly,
    heartbeat_timestamp: readOnly,
    alive: { ...readOnly, convert: convert.boolean, isFilter: true },
    configurations: readOnly,
    description: { allowPost: false, allowPut: true, validate: (x) => (x === null ? undefined : v.string(DESCRIPTION_FIELD_SIZE)(x)), isVisible: true, isFilter: true, isSortKey: true },
  },
};
