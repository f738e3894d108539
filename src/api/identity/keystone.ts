/**
 * `auth_strategy = keystone`: validates `X-Auth-Token` against a real Keystone v3, as
 * keystonemiddleware's auth_token does with `[keystone_authtoken]`:
 * - a service token is obtained with the service user's password (POST /v3/auth/tokens) and renewed
 *   shortly before it expires or when Keystone rejects it (401);
 * - a user token is validated with GET /v3/auth/tokens (X-Auth-Token = service token,
 *   X-Subject-Token = user token, `nocatalog`); 404 means the token is invalid;
 * - results (valid and invalid) are cached in memory, valid ones until min(token expiry,
 *   now + cache TTL), in a bounded LRU; concurrent validations of one token share one round trip.
 */
import { createHash } from 'node:crypto';
import {
  headerValue, IdentityUnavailableError, normaliseRoles, NotAuthenticatedError,
  type AuthStrategy, type RequestContext,
} from './context.js';

export interface KeystoneAuthOptions {
  /** [keystone_authtoken] auth_url, with or without the trailing `/v3`. */
  authUrl: string;
  /** [keystone_authtoken] www_authenticate_uri; defaults to authUrl. */
  wwwAuthenticateUri?: string;
  username: string;
  password: string;
  projectName: string;
  userDomainName?: string;       // default 'Default'
  projectDomainName?: string;    // default 'Default'
  /** [keystone_authtoken] token_cache_time; default 300. */
  cacheTtlSeconds?: number;
  /** Most tokens kept in the cache; default 10000. */
  maxCacheEntries?: number;
  /** How long an invalid token's rejection is remembered; default min(60, cacheTtlSeconds). */
  negativeCacheSeconds?: number;
  /** Per-request timeout towards Keystone; default 10 s. */
  timeoutMs?: number;
  /** Injectable for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Injectable clock (ms since epoch) for tests. */
  now?: () => number;
}

export interface KeystoneAuth extends AuthStrategy {
  wwwAuthenticate: string;
  /** Drops every cached validation (e.g. on SIGHUP). */
  clearCache(): void;
}

interface CacheEntry { ctx: RequestContext | null; until: number }

/** Renew the service token this long before Keystone says it expires. */
const SERVICE_TOKEN_MARGIN_MS = 60_000;

export function identityV3Url(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(base) ? base : `${base}/v3`;
}

interface KeystoneToken {
  expires_at?: string;
  user?: { id?: string; name?: string };
  project?: { id?: string; name?: string; domain?: { id?: string } };
  domain?: { id?: string };
  roles?: Array<{ name?: string }>;
}

/** Maps a validated Keystone v3 token body to our context. */
export function contextFromKeystoneToken(token: KeystoneToken, authToken: string): RequestContext {
  const roles = normaliseRoles((token.roles ?? []).map((r) => r.name ?? ''));
  const ctx: RequestContext = {
    userId: token.user?.id ?? null,
    projectId: token.project?.id ?? null,
    roles,
    isAdmin: roles.includes('admin'),
    authToken,
  };
  if (token.user?.name !== undefined) ctx.userName = token.user.name;
  if (token.project?.name !== undefined) ctx.projectName = token.project.name;
  const domainId = token.project?.domain?.id ?? token.domain?.id;
  if (domainId !== undefined) ctx.domainId = domainId;
  return ctx;
}

export function createKeystoneAuth(opts: KeystoneAuthOptions): KeystoneAuth {
  const v3 = identityV3Url(opts.authUrl);
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const ttlMs = (opts.cacheTtlSeconds ?? 300) * 1000;
  const negativeMs = (opts.negativeCacheSeconds ?? Math.min(60, opts.cacheTtlSeconds ?? 300)) * 1000;
  const maxEntries = opts.maxCacheEntries ?? 10_000;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const wwwAuthenticate = `Keystone uri="${opts.wwwAuthenticateUri ?? opts.authUrl}"`;

  const cache = new Map<string, CacheEntry>();
  const inFlight = new Map<string, Promise<RequestContext | null>>();
  let service: { token: string; until: number } | null = null;
  let serviceInFlight: Promise<string> | null = null;

  async function call(url: string, init: RequestInit): Promise<Response> {
    try {
      return await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new IdentityUnavailableError(`identity service unreachable at ${v3}: ${(err as Error).message}`);
    }
  }

  async function fetchServiceToken(): Promise<string> {
    const body = {
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: { name: opts.username, password: opts.password, domain: { name: opts.userDomainName ?? 'Default' } },
          },
        },
        scope: { project: { name: opts.projectName, domain: { name: opts.projectDomainName ?? 'Default' } } },
      },
    };
    const res = await call(`${v3}/auth/tokens?nocatalog`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    const token = res.headers.get('x-subject-token');
    if (res.status !== 201 || !token) {
      throw new IdentityUnavailableError(`service authentication as ${opts.username} failed: HTTP ${res.status}`);
    }
    let expiresAt = NaN;
    try {
      expiresAt = Date.parse((JSON.parse(text) as { token?: KeystoneToken }).token?.expires_at ?? '');
    } catch {
      // no usable expiry: fall back to a short lifetime below
    }
    const until = Number.isFinite(expiresAt) ? expiresAt - SERVICE_TOKEN_MARGIN_MS : now() + 5 * 60_000;
    service = { token, until };
    return token;
  }

  function serviceToken(forceNew: boolean): Promise<string> {
    if (!forceNew && service && service.until > now()) return Promise.resolve(service.token);
    serviceInFlight ??= fetchServiceToken().finally(() => { serviceInFlight = null; });
    return serviceInFlight;
  }

  async function validateOnce(userToken: string, svc: string): Promise<Response> {
    return call(`${v3}/auth/tokens?nocatalog`, {
      method: 'GET',
      headers: { 'x-auth-token': svc, 'x-subject-token': userToken, accept: 'application/json' },
    });
  }

  /** ctx null: Keystone says the user token is invalid. */
  async function validate(userToken: string): Promise<{ ctx: RequestContext | null; expiresAt?: number }> {
    let res = await validateOnce(userToken, await serviceToken(false));
    if (res.status === 401) {
      // Our service token was revoked or expired early: get a new one and try once more.
      await res.body?.cancel();
      res = await validateOnce(userToken, await serviceToken(true));
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return { ctx: null };
    }
    if (res.status !== 200) {
      // Includes a 401 with a fresh service token: then our own credentials are what is wrong.
      await res.body?.cancel();
      throw new IdentityUnavailableError(`token validation failed: HTTP ${res.status}`);
    }
    let token: KeystoneToken;
    try {
      token = ((await res.json()) as { token: KeystoneToken }).token;
    } catch (err) {
      throw new IdentityUnavailableError(`token validation: unreadable answer: ${(err as Error).message}`);
    }
    if (!token || typeof token !== 'object') throw new IdentityUnavailableError('token validation: no token in the answer');
    const expiresAt = Date.parse(token.expires_at ?? '');
    if (!Number.isFinite(expiresAt)) return { ctx: contextFromKeystoneToken(token, userToken) };
    if (expiresAt <= now()) return { ctx: null };
    return { ctx: contextFromKeystoneToken(token, userToken), expiresAt };
  }

  async function validateAndRemember(key: string, userToken: string): Promise<RequestContext | null> {
    const { ctx, expiresAt } = await validate(userToken);
    let until = now() + (ctx ? ttlMs : negativeMs);
    if (expiresAt !== undefined) until = Math.min(until, expiresAt);
    cache.delete(key);
    cache.set(key, { ctx, until });
    // Map iteration order is insertion order: the first key is the least recently used.
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
    return ctx;
  }

  return {
    wwwAuthenticate,
    clearCache: () => cache.clear(),
    async authenticate(headers) {
      const userToken = headerValue(headers, 'x-auth-token');
      if (!userToken) throw new NotAuthenticatedError();
      // Keys are digests: the cache never holds usable tokens as keys.
      const key = createHash('sha256').update(userToken).digest('hex');
      const hit = cache.get(key);
      if (hit && hit.until > now()) {
        cache.delete(key);
        cache.set(key, hit); // most recently used last
        if (!hit.ctx) throw new NotAuthenticatedError();
        return { ...hit.ctx, roles: [...hit.ctx.roles] };
      }
      if (hit) cache.delete(key);
      let pending = inFlight.get(key);
      if (!pending) {
        pending = validateAndRemember(key, userToken).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      const ctx = await pending;
      if (!ctx) throw new NotAuthenticatedError();
      return { ...ctx, roles: [...ctx.roles] };
    },
  };
}
