/** Who is calling: what core and policy need of an authenticated request (api/identity's RequestContext fits). */
export interface Caller {
  userId: string | null;
  projectId: string | null;
  roles: string[];
  isAdmin: boolean;
}

/** The server's own identity for internal work (agents' reports, scheduled cleanup). */
export const SYSTEM_CALLER: Caller = { userId: null, projectId: null, roles: ['admin'], isAdmin: true };
