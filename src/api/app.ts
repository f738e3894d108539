/**
 * The Fastify application: body parsing, authentication, error mapping, discovery documents and
 * the collections. Built from already-constructed parts (see cmd/); it owns no state of its own.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyError } from 'fastify';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { AuthStrategy } from './identity/context.js';
import { NotAuthenticatedError, IdentityUnavailableError } from './identity/context.js';
import type { PolicyEnforcer } from './policy/index.js';
import type { ExtensionDefinition } from '../definitions/types.js';
import { NeutronError } from '../core/errors.js';
import { statusOf, errorBody } from './errors.js';
import { setCaller } from './request-context.js';
import { registerDiscovery } from './routes/discovery.js';

export interface AppOptions {
  logger: Logger | false;
  auth: AuthStrategy;
  policy: PolicyEnforcer;
  extensions: ExtensionDefinition[];
  /** Path prefixes served without authentication (discovery, built-in identity, metrics). */
  publicPrefixes?: string[];
  /** Registers the resource routes; called inside the app so that they get the app's hooks. */
  routes: (app: FastifyInstance) => void | Promise<void>;
  bodyLimit?: number;
}

/**
 * Keystone's default implied roles (admin → member → reader), applied to every caller so that
 * noauth headers and the built-in identity behave as Keystone tokens do under the secure-RBAC rules.
 */
const IMPLIED: Record<string, string[]> = { admin: ['member', 'reader'], member: ['reader'] };

function withImpliedRoles<T extends { roles: string[] }>(ctx: T): T {
  const roles = new Set(ctx.roles);
  for (const r of ctx.roles) for (const implied of IMPLIED[r] ?? []) roles.add(implied);
  return roles.size === ctx.roles.length ? ctx : { ...ctx, roles: [...roles] };
}

export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const common = {
    bodyLimit: o.bodyLimit ?? 10 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 512 },
    // Per-request log lines cost more than the requests themselves; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Errors the router raises before any handler (bad %-escapes, over-long ids) get the same
    // NeutronError body as everything else instead of Fastify's own JSON.
    frameworkErrors: (error: FastifyError, _req: unknown, reply: FastifyReply) => {
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return reply.code(414).send(errorBody(new NeutronError('HTTPRequestURITooLong', 'The request URI is too long.')));
      if (error.code === 'FST_ERR_BAD_URL') return reply.code(400).send(errorBody(new NeutronError('HTTPBadRequest', 'The request URL is not valid.')));
      return reply.code(500).send(errorBody(new NeutronError('HTTPInternalServerError', 'Request Failed: internal server error while processing your request.')));
    },
  };
  const app = (o.logger ? Fastify({ ...common, loggerInstance: o.logger }) : Fastify({ ...common, logger: false })) as unknown as FastifyInstance;

  // Neutron accepts JSON whatever the declared type; a body that does not parse is a 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new NeutronError('HTTPBadRequest', 'Malformed request body'), undefined);
    }
  });

  const routePatterns: { method: string; re: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const re = new RegExp('^' + route.url.replace(/\/$/, '').replace(/:[^/]+/g, '[^/]+') + '/?$');
    for (const method of methods) routePatterns.push({ method, re });
  });

  const publicPrefixes = o.publicPrefixes ?? [];
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0];
    if (path === '/' || publicPrefixes.some((p) => path === p || path.startsWith(p + '/'))) return;
    setCaller(req, withImpliedRoles(await o.auth.authenticate(req.headers)));
  });

  // PostgreSQL text cannot hold NUL: no id, filter or attribute may contain one.
  app.addHook('preValidation', async (req) => {
    if (containsNul([req.params, req.query, req.body])) throw new NeutronError('HTTPBadRequest', 'Invalid input: NUL characters are not allowed');
  });

  app.setErrorHandler((error: FastifyError | NeutronError | Error, req, reply) => {
    if (error instanceof NeutronError) {
      return reply.code(statusOf(error.type)).send(errorBody(error));
    }
    if (error instanceof NotAuthenticatedError) {
      if (o.auth.wwwAuthenticate) reply.header('WWW-Authenticate', o.auth.wwwAuthenticate);
      return reply.code(401).send(errorBody(new NeutronError('HTTPUnauthorized', 'Authentication required')));
    }
    if (error instanceof IdentityUnavailableError) {
      return reply.code(503).send(errorBody(new NeutronError('ServiceUnavailable', 'The identity service is unavailable')));
    }
    const status = (error as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      const type = status === 413 ? 'HTTPRequestEntityTooLarge' : status === 415 ? 'HTTPUnsupportedMediaType' : 'HTTPBadRequest';
      return reply.code(status).send(errorBody(new NeutronError(type, error.message)));
    }
    req.log.error({ err: error }, 'request failed');
    return reply.code(500).send(errorBody(new NeutronError('HTTPInternalServerError', 'Request Failed: internal server error while processing your request.')));
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const allowed = routePatterns.filter((r) => r.re.test(path)).map((r) => r.method);
    if (allowed.length) {
      reply.header('Allow', [...new Set(allowed)].join(', '));
      return reply.code(405).send(errorBody(new NeutronError('HTTPMethodNotAllowed', `The server could not comply with the request since it is either malformed or otherwise incorrect.`)));
    }
    return reply.code(404).send(errorBody(new NeutronError('HTTPNotFound', 'The resource could not be found.')));
  });

  registerDiscovery(app, o.extensions);
  await o.routes(app);
  return app;
}

/** Whether any string or key in a parsed JSON value holds U+0000 (iterative: bodies may nest deeply). */
function containsNul(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') { if (v.includes('\u0000')) return true; continue; }
    if (Array.isArray(v)) { for (const x of v) stack.push(x); continue; }
    if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) { if (k.includes('\u0000')) return true; stack.push(x); }
    }
  }
  return false;
}
