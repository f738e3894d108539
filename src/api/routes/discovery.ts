/** `/` (API versions), `/v2.0` (resources) and `/v2.0/extensions` (what this server implements). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ExtensionDefinition } from '../../definitions/types.js';
import { RESOURCES } from '../../definitions/registry.js';
import { NeutronError } from '../../core/errors.js';

const origin = (req: FastifyRequest) => `${req.protocol}://${req.headers.host ?? '127.0.0.1:9696'}`;

const describe = (e: ExtensionDefinition) => ({ alias: e.alias, name: e.name, description: e.description, updated: e.updated, links: [] });

export function registerDiscovery(app: FastifyInstance, extensions: ExtensionDefinition[]): void {
  app.get('/', async (req) => ({
    versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ href: `${origin(req)}/v2.0/`, rel: 'self' }] }],
  }));
  app.get('/v2.0', async (req) => ({
    resources: RESOURCES.map((r) => ({ name: r.resource, collection: r.collection, links: [{ href: `${origin(req)}/v2.0/${r.path}`, rel: 'self' }] })),
  }));
  app.get('/v2.0/extensions', async () => ({ extensions: extensions.map(describe) }));
  app.get('/v2.0/extensions/:alias', async (req) => {
    const { alias } = req.params as { alias: string };
    const ext = extensions.find((e) => e.alias === alias);
    if (!ext) throw new NeutronError('HTTPNotFound', `Extension with alias ${alias} does not exist`);
    return { extension: describe(ext) };
  });
}
