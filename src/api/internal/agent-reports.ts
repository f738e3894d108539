/** `POST /internal/agents/:host/report`: heartbeat and realisation report of one agent (AgentReport). */
import type { FastifyInstance } from 'fastify';
import type { InternalDeps } from './index.js';
import { requireService } from './index.js';
import { parseAgentReport } from '../../core/agent-reports.js';

export function agentReportRoutes(app: FastifyInstance, d: InternalDeps): void {
  app.post('/internal/agents/:host/report', async (req) => {
    requireService(req);
    const { host } = req.params as { host: string };
    const result = await d.core.agentReports.report(parseAgentReport(host, req.body));
    return { agent_id: result.id, admin_state_up: result.admin_state_up, status: result.status };
  });
}
