/**
 * `auth_strategy = noauth`: the caller is whoever the request headers say it is.
 *
 * What Neutron 21 does (neutron/auth.py, oslo_context/context.py, neutron-lib context.py):
 * - oslo.context `RequestContext.from_environ` reads `X-User-Id` (or `X-User`), `X-Project-Id`
 *   (or `X-Tenant-Id`, `X-Tenant`), `X-Project-Name` (or `X-Tenant-Name`), `X-User-Name`,
 *   `X-Domain-Id`, `X-Auth-Token` (or `X-Storage-Token`) and `X-Roles` (or `X-Role`), a comma list
 *   whose items are stripped. The first header present wins.
 * - `is_admin` is the `context_is_admin` rule, `role:admin`; oslo.policy compares roles
 *   case-insensitively, so roles are lower-cased here.
 * - `NoauthFakeProjectId`: when the request names no project, the project becomes
 *   `fake_project_id` and the context is elevated: `is_admin` true and `admin` added to the roles.
 *
 * One deliberate difference: when a project IS named, Neutron's NoauthFakeProjectId stores no
 * context and its pecan ContextHook falls back to a bare admin context (no user, no project), i.e.
 * the headers are ignored. We keep the header-derived context instead (what from_environ built), so
 * a noauth deployment can act as a given project with given roles; a caller wanting admin says
 * `X-Roles: admin` or sends no project.
 */
import { errors } from '../../core/errors.js';
import {
  headerValue, normaliseRoles, type AuthStrategy, type RequestContext, type RequestHeaders,
} from './context.js';

export const NOAUTH_FAKE_PROJECT_ID = 'fake_project_id';

function firstHeader(headers: RequestHeaders, names: string[]): string | undefined {
  for (const name of names) {
    const v = headerValue(headers, name);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Builds the noauth context of one request; never throws. */
export function contextFromHeaders(headers: RequestHeaders): RequestContext {
  const rolesHeader = firstHeader(headers, ['x-roles', 'x-role']);
  let roles = normaliseRoles(rolesHeader ? rolesHeader.split(',') : []);
  let projectId = firstHeader(headers, ['x-project-id', 'x-tenant-id', 'x-tenant']) ?? null;
  let isAdmin = roles.includes('admin');
  if (projectId === null) {
    // NoauthFakeProjectId: no project -> fake project, elevated.
    projectId = NOAUTH_FAKE_PROJECT_ID;
    isAdmin = true;
    if (!roles.includes('admin')) roles = [...roles, 'admin'];
  }
  const ctx: RequestContext = {
    userId: firstHeader(headers, ['x-user-id', 'x-user']) ?? null,
    projectId,
    roles,
    isAdmin,
  };
  const userName = firstHeader(headers, ['x-user-name']);
  const projectName = firstHeader(headers, ['x-project-name', 'x-tenant-name']);
  const domainId = firstHeader(headers, ['x-domain-id']);
  const authToken = firstHeader(headers, ['x-auth-token', 'x-storage-token']);
  if (userName !== undefined) ctx.userName = userName;
  if (projectName !== undefined) ctx.projectName = projectName;
  if (domainId !== undefined) ctx.domainId = domainId;
  if (authToken !== undefined) ctx.authToken = authToken;
  return ctx;
}

export function createNoauth(): AuthStrategy {
  return {
    authenticate: async (headers) => {
      const ctx = contextFromHeaders(headers);
      // Project ids live in 255-character columns, as in Neutron; Keystone never issues longer ones.
      if (ctx.projectId && ctx.projectId.length > 255) throw errors.badRequest('X-Project-Id must be at most 255 characters');
      return ctx;
    },
  };
}
