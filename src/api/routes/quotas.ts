/** `/v2.0/quotas`: per-project limits, defaults and usage details (extensions quotas, quota_details). */
import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from './deps.js';
import { callerOf } from '../request-context.js';
import { errors } from '../../core/errors.js';
import { isPlainObject } from '../../definitions/validators.js';

export function quotaRoutes(app: FastifyInstance, d: RouteDeps): void {
  const { quotas } = d.core;
  const target = (projectId: string) => ({ project_id: projectId, tenant_id: projectId });
  const may = (action: string, projectId: string, req: Parameters<typeof callerOf>[0]) => {
    if (!d.policy.check(action, target(projectId), callerOf(req))) throw errors.policyNotAuthorized(action);
  };

  app.get('/v2.0/quotas', async (req) => {
    const caller = callerOf(req);
    if (!caller.isAdmin) {
      // Neutron answers a non-admin with their own project's quota only.
      const own = caller.projectId ?? '';
      return { quotas: [{ ...(await quotas.show(own)), project_id: own, tenant_id: own }] };
    }
    const all = await quotas.list();
    return { quotas: all.map((q) => ({ ...q.limits, project_id: q.project_id, tenant_id: q.project_id })) };
  });
  app.get('/v2.0/quotas/tenant', async (req) => ({ tenant: { tenant_id: callerOf(req).projectId } }));
  app.get('/v2.0/quotas/project', async (req) => ({ project: { project_id: callerOf(req).projectId } }));
  app.get('/v2.0/quotas/:project', async (req) => {
    const { project } = req.params as { project: string };
    may('get_quota', project, req);
    return { quota: await quotas.show(project) };
  });
  app.get('/v2.0/quotas/:project/default', async (req) => {
    const { project } = req.params as { project: string };
    may('get_quota', project, req);
    return { quota: { ...quotas.defaults(), project_id: project, tenant_id: project } };
  });
  app.get('/v2.0/quotas/:project/details', async (req) => {
    const { project } = req.params as { project: string };
    may('get_quota', project, req);
    return { quota: await quotas.details(project) };
  });
  app.put('/v2.0/quotas/:project', async (req) => {
    const { project } = req.params as { project: string };
    may('update_quota', project, req);
    const body = req.body as Record<string, unknown> | undefined;
    if (!isPlainObject(body) || !isPlainObject(body.quota)) throw errors.badRequest("Unable to find 'quota' in request body");
    const changes = { ...body.quota };
    delete changes.force; // `force` only skips the in-use check, which is not enforced here
    return { quota: await quotas.update(project, changes) };
  });
  app.delete('/v2.0/quotas/:project', async (req, reply) => {
    const { project } = req.params as { project: string };
    may('delete_quota', project, req);
    await quotas.reset(project);
    return reply.code(204).send();
  });
}
