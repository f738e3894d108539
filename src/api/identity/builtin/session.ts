/**
 * Authentication and token resolution of the built-in identity, independent of HTTP: checks an
 * auth request (password or token method, optional project scope) and issues a token; resolves a
 * token back to its user, project and roles.
 */
import { verifyPassword } from './passwords.js';
import type { DomainRecord, IdentityStore, ProjectRecord, RoleRecord, UserRecord } from './store.js';
import { decodeToken, DEFAULT_TOKEN_TTL_MS, encodeToken, newAuditId, type TokenPayload } from './tokens.js';

export interface ResolvedToken {
  token: string;
  payload: TokenPayload;
  user: UserRecord;
  userDomain: DomainRecord;
  project?: ProjectRecord;
  projectDomain?: DomainRecord;
  roles: RoleRecord[];
}

/** Why an auth request failed: Keystone answers 400 for malformed requests, 401 otherwise. */
export class AuthRequestError extends Error {
  constructor(readonly status: 400 | 401, message: string) { super(message); }
}

/** The JSON of POST /v3/auth/tokens (the parts we support). */
export interface AuthRequest {
  auth?: {
    identity?: {
      methods?: string[];
      password?: { user?: { id?: string; name?: string; password?: string; domain?: { id?: string; name?: string } } };
      token?: { id?: string };
    };
    scope?: 'unscoped' | { project?: { id?: string; name?: string; domain?: { id?: string; name?: string } }; domain?: unknown; system?: unknown };
  };
}

/** A token's user/project/roles if it is well signed, unexpired and still backed by the store. */
export function resolveToken(store: IdentityStore, token: string, nowMs = Date.now()): ResolvedToken | undefined {
  const payload = decodeToken(store.tokenKey, token, nowMs);
  if (!payload) return undefined;
  const user = store.getUser(payload.u);
  if (!user?.enabled) return undefined;
  const userDomain = store.getDomain(user.domain_id);
  if (!userDomain) return undefined;
  if (payload.p === null) return { token, payload, user, userDomain, roles: [] };
  const project = store.getProject(payload.p);
  if (!project?.enabled) return undefined;
  const projectDomain = store.getDomain(project.domain_id);
  const roles = store.rolesOn(user.id, project.id);
  // Like Keystone: a project token whose user lost every role on the project is no longer valid.
  if (!projectDomain || roles.length === 0) return undefined;
  return { token, payload, user, userDomain, project, projectDomain, roles };
}

const UNAUTHORIZED = 'The request you have made requires authentication.';

async function authenticateUser(store: IdentityStore, req: NonNullable<AuthRequest['auth']>, nowMs: number):
  Promise<{ user: UserRecord; methods: string[]; expMs: number; audit: string[]; previousProject: string | null }> {
  const methods = req.identity?.methods;
  if (!Array.isArray(methods) || methods.length === 0) throw new AuthRequestError(400, 'identity.methods is required');
  if (methods.includes('password')) {
    const u = req.identity?.password?.user;
    if (!u || typeof u.password !== 'string') throw new AuthRequestError(400, 'password.user.password is required');
    let user: UserRecord | undefined;
    if (u.id) user = store.getUser(u.id);
    else if (u.name) {
      if (!u.domain || (u.domain.id === undefined && u.domain.name === undefined)) {
        throw new AuthRequestError(400, 'Expecting to find domain in user. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.');
      }
      const domain = store.findDomain(u.domain);
      user = domain ? store.findUser(u.name, domain.id) : undefined;
    } else throw new AuthRequestError(400, 'password.user needs id or name');
    // Always hash, even for an unknown user, so timing does not reveal which names exist.
    const ok = await verifyPassword(u.password, user?.password_hash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    if (!user || !ok || !user.enabled) throw new AuthRequestError(401, UNAUTHORIZED);
    return { user, methods: [...methods], expMs: nowMs + DEFAULT_TOKEN_TTL_MS, audit: [newAuditId()], previousProject: null };
  }
  if (methods.includes('token')) {
    const id = req.identity?.token?.id;
    const prior = id ? resolveToken(store, id, nowMs) : undefined;
    if (!prior) throw new AuthRequestError(401, UNAUTHORIZED);
    // Rescoping keeps the original expiry and extends the audit chain, as Keystone does.
    const chained = [...prior.payload.m, ...methods.filter((m) => !prior.payload.m.includes(m))];
    return {
      user: prior.user, methods: chained, expMs: prior.payload.exp,
      audit: [newAuditId(), prior.payload.a[0] ?? newAuditId()], previousProject: prior.payload.p,
    };
  }
  throw new AuthRequestError(401, `Attempted to authenticate with an unsupported method.`);
}

/** Checks an auth request and issues a token for it. */
export async function issueToken(store: IdentityStore, body: AuthRequest, nowMs = Date.now()): Promise<ResolvedToken> {
  const auth = body?.auth;
  if (!auth || typeof auth !== 'object') throw new AuthRequestError(400, 'auth is required');
  const { user, methods, expMs, audit } = await authenticateUser(store, auth, nowMs);

  let projectId: string | null = null;
  const scope = auth.scope;
  if (scope && scope !== 'unscoped') {
    if (scope.domain !== undefined || scope.system !== undefined) {
      throw new AuthRequestError(401, 'Only project scope is supported by the built-in identity.');
    }
    const p = scope.project;
    let project: ProjectRecord | undefined;
    if (p?.id) project = store.getProject(p.id);
    else if (p?.name) {
      const domain = store.findDomain(p.domain);
      if (!p.domain) throw new AuthRequestError(400, 'Expecting to find domain in project.');
      project = domain ? store.findProject(p.name, domain.id) : undefined;
    } else throw new AuthRequestError(400, 'scope.project needs id or name');
    if (!project?.enabled || store.rolesOn(user.id, project.id).length === 0) {
      throw new AuthRequestError(401, `User ${user.id} has no access to project ${p?.id ?? p?.name}`);
    }
    projectId = project.id;
  } else if (scope === undefined && user.default_project_id) {
    // Keystone scopes a request without scope to the user's default project when it can.
    const project = store.getProject(user.default_project_id);
    if (project?.enabled && store.rolesOn(user.id, project.id).length) projectId = project.id;
  }

  const payload: TokenPayload = { u: user.id, p: projectId, m: methods, iat: nowMs, exp: expMs, a: audit };
  const token = encodeToken(store.tokenKey, payload);
  const resolved = resolveToken(store, token, nowMs);
  if (!resolved) throw new AuthRequestError(401, UNAUTHORIZED);
  return resolved;
}
