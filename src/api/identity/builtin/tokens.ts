/**
 * Stateless tokens of the built-in identity: `nk1.<payload>.<HMAC-SHA256>` (base64url), signed with
 * the key in the data directory, so any replica sharing that directory accepts any replica's tokens
 * and nothing is stored per token. Roles are not in the token: they are read from the store when
 * the token is used (as Keystone's fernet tokens do), so removing an assignment takes effect at once.
 * There is no revocation list: a token is good until it expires (12 h by default).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'nk1';
export const DEFAULT_TOKEN_TTL_MS = 12 * 3600 * 1000;

export interface TokenPayload {
  /** user id */
  u: string;
  /** project id of a project-scoped token; null when unscoped */
  p: string | null;
  /** authentication methods, e.g. ['password'] or ['password', 'token'] */
  m: string[];
  /** issued at, ms since epoch */
  iat: number;
  /** expires at, ms since epoch */
  exp: number;
  /** audit ids: this token's, then the one it was rescoped from */
  a: string[];
}

function sign(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(`${TOKEN_PREFIX}.${body}`).digest('base64url');
}

export function newAuditId(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

export function encodeToken(key: Buffer, payload: TokenPayload): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${TOKEN_PREFIX}.${body}.${sign(key, body)}`;
}

/** The payload of a well-signed, unexpired token; undefined for anything else. */
export function decodeToken(key: Buffer, token: string, nowMs = Date.now()): TokenPayload | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX) return undefined;
  const [, body, sig] = parts as [string, string, string];
  const expected = Buffer.from(sign(key, body), 'base64url');
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let payload: TokenPayload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
  } catch {
    return undefined;
  }
  if (typeof payload.u !== 'string' || typeof payload.exp !== 'number' || !Array.isArray(payload.m)) return undefined;
  if (payload.exp <= nowMs) return undefined;
  return payload;
}
