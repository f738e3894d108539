/** AuthStrategy of the all-in-one mode: X-Auth-Token checked locally against the built-in identity. */
import { headerValue, normaliseRoles, NotAuthenticatedError, type AuthStrategy, type RequestContext } from '../context.js';
import { DEFAULT_PREFIX, DEFAULT_PUBLIC_URL } from './init.js';
import { resolveToken } from './session.js';
import type { IdentityStore } from './store.js';

export interface BuiltinAuthOptions {
  /** The API server's public URL; used for WWW-Authenticate. Default http://127.0.0.1:9696. */
  publicUrl?: string;
  /** Where the identity plugin is mounted; default /identity. */
  prefix?: string;
  /** Injectable clock (ms since epoch) for tests. */
  now?: () => number;
}

export function createBuiltinAuth(store: IdentityStore, opts: BuiltinAuthOptions = {}): AuthStrategy {
  const base = `${(opts.publicUrl ?? DEFAULT_PUBLIC_URL).replace(/\/+$/, '')}${opts.prefix ?? DEFAULT_PREFIX}`;
  const now = opts.now ?? Date.now;
  return {
    wwwAuthenticate: `Keystone uri="${base}"`,
    async authenticate(headers): Promise<RequestContext> {
      const token = headerValue(headers, 'x-auth-token');
      const t = token ? resolveToken(store, token, now()) : undefined;
      if (!t) throw new NotAuthenticatedError();
      const roles = normaliseRoles(t.roles.map((r) => r.name));
      const ctx: RequestContext = {
        userId: t.user.id, userName: t.user.name,
        projectId: t.project?.id ?? null,
        roles, isAdmin: roles.includes('admin'), authToken: t.token,
      };
      if (t.project) {
        ctx.projectName = t.project.name;
        ctx.domainId = t.project.domain_id;
      }
      return ctx;
    },
  };
}
