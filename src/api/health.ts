/**
 * `GET /healthcheck` (public), as oslo.middleware's healthcheck answers for Neutron: 200 when this
 * process can run a trivial query on its database, 503 otherwise. Load balancers and
 * `nucleon status` use it.
 */
import type { FastifyInstance } from 'fastify';

/** What the check needs of the database: one trivial round trip (Store.ping). */
export interface DatabaseProbe { ping(): Promise<void> }

export interface HealthBody {
  status: 'ok' | 'error';
  database: string;
}

export function registerHealthcheck(app: FastifyInstance, database: DatabaseProbe, path = '/healthcheck'): void {
  app.get(path, { exposeHeadRoute: true }, async (req, reply) => {
    try {
      await database.ping();
      return reply.header('cache-control', 'no-store').send({ status: 'ok', database: 'ok' } satisfies HealthBody);
    } catch (err) {
      req.log.warn({ err }, 'healthcheck: database query failed');
      return reply.code(503).header('cache-control', 'no-store')
        .send({ status: 'error', database: (err as Error).message || 'unreachable' } satisfies HealthBody);
    }
  });
}
