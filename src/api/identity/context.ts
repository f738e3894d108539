/**
 * Who is calling: the per-request identity every auth strategy produces and the API's policy checks
 * read. Field meanings follow oslo.context / neutron-lib's Context as built from Keystone's headers.
 */
export interface RequestContext {
  userId: string | null;
  userName?: string;
  /** The project the caller's token is scoped to; null for an unscoped caller. */
  projectId: string | null;
  projectName?: string;
  /** Domain of the scope: the project's domain for a project-scoped token. */
  domainId?: string;
  /** Lower-case role names, e.g. ['admin', 'member', 'reader']. */
  roles: string[];
  /** 'admin' in roles (Neutron's `context_is_admin` rule is `role:admin`). */
  isAdmin: boolean;
  authToken?: string;
}

export type RequestHeaders = Record<string, string | string[] | undefined>;

export interface AuthStrategy {
  /**
   * Resolves the caller of one request from its headers (Node's lower-cased header names).
   * Throws NotAuthenticatedError (-> HTTP 401) when it cannot, and IdentityUnavailableError
   * (-> HTTP 503, as keystonemiddleware does) when the identity service cannot be reached.
   */
  authenticate(headers: RequestHeaders): Promise<RequestContext>;
  /** Value for WWW-Authenticate on 401, e.g. `Keystone uri="http://127.0.0.1:5000"`; undefined for none. */
  wwwAuthenticate?: string;
}

export class NotAuthenticatedError extends Error {
  override name = 'NotAuthenticatedError';
  constructor(message = 'The request you have made requires authentication.') {
    super(message);
  }
}

/** The identity service did not answer usefully (down, 5xx, bad service credentials). */
export class IdentityUnavailableError extends Error {
  override name = 'IdentityUnavailableError';
}

/** First value of a header, trimmed; undefined when absent or empty. */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const raw = headers[name.toLowerCase()];
  const value = Array.isArray(raw) ? raw[0] : raw;
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Normalises role names the way oslo.policy compares them (case-insensitively), without duplicates. */
export function normaliseRoles(roles: Iterable<string>): string[] {
  const out: string[] = [];
  for (const r of roles) {
    const name = r.trim().toLowerCase();
    if (name && !out.includes(name)) out.push(name);
  }
  return out;
}
