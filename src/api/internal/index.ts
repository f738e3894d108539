/**
 * The agent-facing endpoints (DESIGN.md §3; contract in src/hoststate/types.ts):
 *   GET  /internal/hosts/:host/state[?since=N]  → 200 HostState | 304 (nothing for this host after N)
 *   POST /internal/agents/:host/report           → 200 {agent_id, admin_state_up, status}
 * Only admins or the `service` role may call them (403 otherwise): they reveal every project's
 * ports on a host and let the caller set port statuses.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Core } from '../../core/index.js';
import { callerOf } from '../request-context.js';
import { NeutronError } from '../../core/errors.js';
import { hostStateRoutes } from './host-state.js';
import { agentReportRoutes } from './agent-reports.js';

export interface InternalDeps { core: Core }

/** Throws 403 unless the caller is an admin or a service user. */
export function requireService(req: FastifyRequest): void {
  const caller = callerOf(req);
  if (caller.isAdmin || caller.roles.includes('service')) return;
  throw new NeutronError('HTTPForbidden', 'Agent endpoints require the admin or service role');
}

export function registerInternalRoutes(app: FastifyInstance, d: InternalDeps): void {
  hostStateRoutes(app, d);
  agentReportRoutes(app, d);
}
