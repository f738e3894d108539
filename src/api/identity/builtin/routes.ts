/**
 * The part of Keystone v3 the `openstack` CLI and openstacksdk use, as a Fastify plugin mounted under
 * a prefix of the API server (default `/identity`, so auth_url = <public URL>/identity/v3):
 * version discovery, POST/GET/HEAD /v3/auth/tokens, GET /v3/auth/catalog and /v3/auth/projects.
 * Errors use Keystone's body `{"error": {"code", "title", "message"}}`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { headerValue } from '../context.js';
import { DEFAULT_PREFIX } from './init.js';
import { catalogDocument, projectDocument, tokenDocument, versionDocument, type Urls } from './documents.js';
import { AuthRequestError, issueToken, resolveToken, type AuthRequest, type ResolvedToken } from './session.js';
import type { IdentityStore } from './store.js';

export interface BuiltinIdentityOptions {
  store: IdentityStore;
  /** The API server's public URL (e.g. http://127.0.0.1:9696), or a function giving it once known. */
  publicUrl: string | (() => string);
  /** Mount point; default `/identity`. */
  prefix?: string;
}

const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

function sendError(reply: FastifyReply, code: number, message: string, urls?: Urls) {
  if (code === 401 && urls) reply.header('www-authenticate', `Keystone uri="${urls.identityUrl}/v3"`);
  return reply.code(code).header('vary', 'X-Auth-Token')
    .send({ error: { code, message, title: TITLES[code] ?? 'Error' } });
}

function wantsCatalog(req: FastifyRequest): boolean {
  return !Object.prototype.hasOwnProperty.call(req.query ?? {}, 'nocatalog');
}

export async function registerBuiltinIdentity(app: FastifyInstance, opts: BuiltinIdentityOptions): Promise<void> {
  const { store } = opts;
  const prefix = (opts.prefix ?? DEFAULT_PREFIX).replace(/\/+$/, '');
  const urls = (): Urls => {
    const publicUrl = (typeof opts.publicUrl === 'function' ? opts.publicUrl() : opts.publicUrl).replace(/\/+$/, '');
    return { publicUrl, identityUrl: `${publicUrl}${prefix}` };
  };

  /** The caller's token (X-Auth-Token), or a 401 reply. */
  function caller(req: FastifyRequest, reply: FastifyReply): ResolvedToken | undefined {
    const token = headerValue(req.headers, 'x-auth-token');
    const resolved = token ? resolveToken(store, token) : undefined;
    if (!resolved) sendError(reply, 401, 'The request you have made requires authentication.', urls());
    return resolved;
  }

  await app.register(async (inst) => {
    inst.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (status === 500) inst.log.error({ err }, 'built-in identity failed');
      return sendError(reply, status, status === 500 ? 'An unexpected error prevented the server from fulfilling your request.' : err.message);
    });
    const config = inst.initialConfig as { ignoreTrailingSlash?: boolean; routerOptions?: { ignoreTrailingSlash?: boolean } };
    const slashToo = !(config.ignoreTrailingSlash || config.routerOptions?.ignoreTrailingSlash);
    const paths = (p: string) => (slashToo ? [p, `${p}/`] : [p]);

    // Discovery: the unversioned root lists versions (300, as Keystone), /v3 describes v3.
    inst.get('/', async (_req, reply) =>
      reply.code(300).send({ versions: { values: [versionDocument(urls().identityUrl)] } }));
    for (const p of paths('/v3')) inst.get(p, async () => ({ version: versionDocument(urls().identityUrl) }));

    inst.post('/v3/auth/tokens', async (req, reply) => {
      try {
        const issued = await issueToken(store, (req.body ?? {}) as AuthRequest);
        return reply.code(201).header('x-subject-token', issued.token).header('vary', 'X-Auth-Token')
          .send(tokenDocument(issued, urls(), wantsCatalog(req)));
      } catch (err) {
        if (err instanceof AuthRequestError) return sendError(reply, err.status, err.message, urls());
        throw err;
      }
    });

    // GET validates X-Subject-Token for the caller in X-Auth-Token; HEAD is the same without a body.
    inst.get('/v3/auth/tokens', { exposeHeadRoute: true }, async (req, reply) => {
      const who = caller(req, reply);
      if (!who) return reply;
      const subjectToken = headerValue(req.headers, 'x-subject-token');
      const subject = subjectToken ? resolveToken(store, subjectToken) : undefined;
      if (!subject) return sendError(reply, 404, `Could not find token: ${subjectToken ?? ''}`);
      // Keystone's identity:validate_token: admins and services, or the token's own user.
      const isAdmin = who.roles.some((r) => r.name.toLowerCase() === 'admin');
      if (!isAdmin && subject.user.id !== who.user.id) {
        return sendError(reply, 403, 'You are not authorized to perform the requested action: identity:validate_token.');
      }
      return reply.header('x-subject-token', subject.token).header('vary', 'X-Auth-Token')
        .send(tokenDocument(subject, urls(), wantsCatalog(req)));
    });

    inst.get('/v3/auth/catalog', async (req, reply) => {
      const who = caller(req, reply);
      if (!who) return reply;
      const u = urls();
      if (!who.project) return sendError(reply, 403, 'A scoped token is required to list the catalog.');
      return { catalog: catalogDocument(u), links: { self: `${u.identityUrl}/v3/auth/catalog` } };
    });

    // Project look-ups (by id, or listed by name) that clients make to resolve `--project`:
    // admins see every project, others only those they have a role on.
    const visibleProjects = (who: ResolvedToken) =>
      who.roles.some((r) => r.name === 'admin') ? store.allProjects() : store.projectsOf(who.user.id);
    inst.get('/v3/projects/:id', async (req, reply) => {
      const who = caller(req, reply);
      if (!who) return reply;
      const { id } = req.params as { id: string };
      const project = visibleProjects(who).find((p) => p.id === id);
      if (!project) return sendError(reply, 404, `Could not find project: ${id}.`);
      return { project: projectDocument(project, urls().identityUrl) };
    });
    inst.get('/v3/projects', async (req, reply) => {
      const who = caller(req, reply);
      if (!who) return reply;
      const { name } = req.query as { name?: string };
      const u = urls();
      const projects = visibleProjects(who).filter((p) => name === undefined || p.name === name);
      return { projects: projects.map((p) => projectDocument(p, u.identityUrl)), links: { next: null, self: `${u.identityUrl}/v3/projects`, previous: null } };
    });

    inst.get('/v3/auth/projects', async (req, reply) => {
      const who = caller(req, reply);
      if (!who) return reply;
      const u = urls();
      return {
        projects: store.projectsOf(who.user.id).map((p) => projectDocument(p, u.identityUrl)),
        links: { next: null, self: `${u.identityUrl}/v3/auth/projects`, previous: null },
      };
    });
  }, { prefix });
}
