/**
 * The built-in identity's users, projects and role assignments: `identity.json` in the data
 * directory, read into memory and re-read when the file changes (so replicas sharing the data
 * directory, or an operator editing the file, are picked up without a restart).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DomainRecord { id: string; name: string }
export interface ProjectRecord { id: string; name: string; domain_id: string; description: string; enabled: boolean }
export interface UserRecord {
  id: string; name: string; domain_id: string; enabled: boolean;
  password_hash: string; default_project_id?: string;
}
export interface RoleRecord { id: string; name: string }
export interface AssignmentRecord { user_id: string; project_id: string; role_id: string }

export interface IdentityData {
  version: 1;
  domains: DomainRecord[];
  projects: ProjectRecord[];
  users: UserRecord[];
  roles: RoleRecord[];
  assignments: AssignmentRecord[];
}

/** `{id}` or `{name}` of a domain, as Keystone's auth requests name them. */
export interface DomainRef { id?: string; name?: string }

export const IDENTITY_FILE = 'identity.json';
export const SECRET_FILE = 'identity-token-key';

/** How often at most the file's mtime is checked for changes. */
const RELOAD_CHECK_MS = 2000;

export class IdentityStore {
  private data: IdentityData;
  private mtimeMs: number;
  private checkedAt = 0;

  constructor(readonly dataDir: string, readonly tokenKey: Buffer) {
    this.data = this.read();
    this.mtimeMs = statSync(this.file).mtimeMs;
  }

  get file(): string { return join(this.dataDir, IDENTITY_FILE); }

  private read(): IdentityData {
    const data = JSON.parse(readFileSync(this.file, 'utf8')) as IdentityData;
    if (data.version !== 1 || !Array.isArray(data.users)) throw new Error(`${this.file}: not an identity file (version 1)`);
    return data;
  }

  /** Re-reads identity.json if it changed; a broken file keeps the last good data. */
  private snapshot(): IdentityData {
    const now = Date.now();
    if (now - this.checkedAt >= RELOAD_CHECK_MS) {
      this.checkedAt = now;
      try {
        const mtimeMs = statSync(this.file).mtimeMs;
        if (mtimeMs !== this.mtimeMs) {
          this.data = this.read();
          this.mtimeMs = mtimeMs;
        }
      } catch {
        // keep serving the last good copy
      }
    }
    return this.data;
  }

  findDomain(ref: DomainRef | undefined): DomainRecord | undefined {
    if (!ref) return undefined;
    return this.snapshot().domains.find((d) => (ref.id !== undefined ? d.id === ref.id : d.name === ref.name));
  }
  getDomain(id: string): DomainRecord | undefined { return this.snapshot().domains.find((d) => d.id === id); }
  getUser(id: string): UserRecord | undefined { return this.snapshot().users.find((u) => u.id === id); }
  findUser(name: string, domainId: string): UserRecord | undefined {
    return this.snapshot().users.find((u) => u.name === name && u.domain_id === domainId);
  }
  allProjects(): ProjectRecord[] { return this.snapshot().projects; }
  getProject(id: string): ProjectRecord | undefined { return this.snapshot().projects.find((p) => p.id === id); }
  findProject(name: string, domainId: string): ProjectRecord | undefined {
    return this.snapshot().projects.find((p) => p.name === name && p.domain_id === domainId);
  }

  /** The user's roles on the project (no inheritance, no implied roles: assignments are explicit). */
  rolesOn(userId: string, projectId: string): RoleRecord[] {
    const data = this.snapshot();
    const ids = new Set(data.assignments.filter((a) => a.user_id === userId && a.project_id === projectId).map((a) => a.role_id));
    return data.roles.filter((r) => ids.has(r.id));
  }

  /** Enabled projects the user has at least one role on. */
  projectsOf(userId: string): ProjectRecord[] {
    const data = this.snapshot();
    const ids = new Set(data.assignments.filter((a) => a.user_id === userId).map((a) => a.project_id));
    return data.projects.filter((p) => ids.has(p.id) && p.enabled);
  }
}

/** Keystone-style id: 32 hex digits. */
export function newId(): string {
  return randomBytes(16).toString('hex');
}

/** Creates `path` with `content` only if it does not exist; false if another writer got there first. */
export async function createExclusive(path: string, content: string | Buffer): Promise<boolean> {
  // Write aside, then link(2) into place: atomic, and fails if the name exists, so concurrent
  // starters sharing the data directory agree on one file and nobody sees a half-written one.
  const tmp = `${path}.${process.pid}.${newId()}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** The HMAC key tokens are signed with, created on first use (shared by replicas on one data dir). */
export async function loadOrCreateTokenKey(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, SECRET_FILE);
  await createExclusive(path, randomBytes(32).toString('hex') + '\n');
  const key = Buffer.from((await readFile(path, 'utf8')).trim(), 'hex');
  if (key.length < 32) throw new Error(`${path}: token key must be at least 32 bytes of hex`);
  return key;
}
