/** `GET /internal/hosts/:host/state[?since=N]`: the host's HostState, or 304 when unchanged after N. */
import type { FastifyInstance } from 'fastify';
import type { InternalDeps } from './index.js';
import { requireService } from './index.js';
import { errors } from '../../core/errors.js';

export function hostStateRoutes(app: FastifyInstance, d: InternalDeps): void {
  app.get('/internal/hosts/:host/state', async (req, reply) => {
    requireService(req);
    const { host } = req.params as { host: string };
    const sinceText = (req.query as Record<string, string | string[] | undefined>).since;
    let since: number | undefined;
    if (sinceText !== undefined) {
      if (typeof sinceText !== 'string' || !/^\d+$/.test(sinceText)) throw errors.badRequest(`Invalid input for since: '${String(sinceText)}' is not a revision`);
      since = Number(sinceText);
    }
    if (!host || host.length > 255) throw errors.badRequest('Invalid host');
    const state = await d.core.hostStates.read(host, since);
    if (state === 'not-modified') return reply.code(304).send();
    return reply.header('cache-control', 'no-store').send(state);
  });
}
