/**
 * First start of the all-in-one mode: creates identity.json (projects admin and demo, their users,
 * roles admin/member/reader) with random passwords, and the client files `clouds.yaml` and `openrc`
 * (mode 0600) so the real `openstack` CLI works at once. Later starts load what is there.
 */
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { dump as yamlDump, load as yamlLoad } from 'js-yaml';
import { hashPassword, randomPassword } from './passwords.js';
import {
  createExclusive, IDENTITY_FILE, IdentityStore, loadOrCreateTokenKey, newId, type IdentityData,
} from './store.js';

export const DEFAULT_PUBLIC_URL = 'http://127.0.0.1:9696';
export const DEFAULT_PREFIX = '/identity';
export const DEFAULT_REGION = 'RegionOne';
export const DEFAULT_DOMAIN = { id: 'default', name: 'Default' } as const;

export interface CloudCredentials {
  /** clouds.yaml cloud name: `nucleon` (admin) or `nucleon-demo`. */
  cloud: string;
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
}

export interface InitIdentityOptions {
  /** The API server's public URL; default http://127.0.0.1:9696. */
  publicUrl?: string;
  /** Where the identity plugin is mounted; default /identity. */
  prefix?: string;
}

export interface InitializedIdentity {
  store: IdentityStore;
  /** True when this call created identity.json. */
  created: boolean;
  /** identity auth_url clients use, e.g. http://127.0.0.1:9696/identity/v3. */
  authUrl: string;
  /** admin and demo, when known (just created, or read back from clouds.yaml); empty otherwise. */
  credentials: CloudCredentials[];
  files: { identity: string; cloudsYaml: string; openrc: string };
}

export function identityAuthUrl(publicUrl: string, prefix: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${prefix}/v3`;
}

async function newIdentity(admin: string, demo: string): Promise<IdentityData> {
  const role = (name: string) => ({ id: newId(), name });
  const [adminRole, memberRole, readerRole] = [role('admin'), role('member'), role('reader')];
  const project = (name: string, description: string) =>
    ({ id: newId(), name, domain_id: DEFAULT_DOMAIN.id, description, enabled: true });
  const adminProject = project('admin', 'Bootstrap project for the admin user');
  const demoProject = project('demo', 'Demo project');
  const adminUser = { id: newId(), name: 'admin', domain_id: DEFAULT_DOMAIN.id, enabled: true,
    password_hash: await hashPassword(admin), default_project_id: adminProject.id };
  const demoUser = { id: newId(), name: 'demo', domain_id: DEFAULT_DOMAIN.id, enabled: true,
    password_hash: await hashPassword(demo), default_project_id: demoProject.id };
  const assign = (u: { id: string }, p: { id: string }, r: { id: string }) => ({ user_id: u.id, project_id: p.id, role_id: r.id });
  return {
    version: 1,
    domains: [{ ...DEFAULT_DOMAIN }],
    projects: [adminProject, demoProject],
    users: [adminUser, demoUser],
    roles: [adminRole, memberRole, readerRole],
    assignments: [
      assign(adminUser, adminProject, adminRole), assign(adminUser, adminProject, memberRole),
      assign(adminUser, adminProject, readerRole),
      assign(demoUser, demoProject, memberRole), assign(demoUser, demoProject, readerRole),
    ],
  };
}

function cloudsYaml(authUrl: string, creds: CloudCredentials[]): string {
  const clouds: Record<string, unknown> = {};
  for (const c of creds) {
    clouds[c.cloud] = {
      auth: {
        auth_url: authUrl, username: c.username, password: c.password, project_name: c.projectName,
        user_domain_name: c.userDomainName, project_domain_name: c.projectDomainName,
      },
      region_name: DEFAULT_REGION,
      interface: 'public',
      identity_api_version: 3,
    };
  }
  return `# Written by nucleon for its built-in identity.\n${yamlDump({ clouds })}`;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function openrc(authUrl: string, c: CloudCredentials): string {
  const vars: Array<[string, string]> = [
    ['OS_AUTH_URL', authUrl], ['OS_USERNAME', c.username], ['OS_PASSWORD', c.password],
    ['OS_PROJECT_NAME', c.projectName], ['OS_USER_DOMAIN_NAME', c.userDomainName],
    ['OS_PROJECT_DOMAIN_NAME', c.projectDomainName], ['OS_REGION_NAME', DEFAULT_REGION],
    ['OS_INTERFACE', 'public'], ['OS_IDENTITY_API_VERSION', '3'],
  ];
  return `# Written by nucleon: credentials of ${c.username} on the built-in identity.\n`
    + vars.map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join('');
}

/** (Re)writes clouds.yaml and openrc (admin) in dataDir, mode 0600. */
export async function writeClientConfig(
  dataDir: string, credentials: CloudCredentials[], authUrl: string,
): Promise<{ cloudsYaml: string; openrc: string }> {
  const files = { cloudsYaml: join(dataDir, 'clouds.yaml'), openrc: join(dataDir, 'openrc') };
  await writeFile(files.cloudsYaml, cloudsYaml(authUrl, credentials), { mode: 0o600 });
  await chmod(files.cloudsYaml, 0o600);
  const admin = credentials.find((c) => c.username === 'admin') ?? credentials[0];
  if (admin) {
    await writeFile(files.openrc, openrc(authUrl, admin), { mode: 0o600 });
    await chmod(files.openrc, 0o600);
  }
  return files;
}

/** Credentials read back from an earlier clouds.yaml (passwords are stored only there). */
async function readCredentials(path: string): Promise<CloudCredentials[]> {
  let doc: unknown;
  try {
    doc = yamlLoad(await readFile(path, 'utf8'));
  } catch {
    return [];
  }
  const clouds = (doc as { clouds?: Record<string, { auth?: Record<string, unknown> }> } | null)?.clouds ?? {};
  const out: CloudCredentials[] = [];
  for (const [cloud, entry] of Object.entries(clouds)) {
    const a = entry?.auth ?? {};
    if (typeof a.username !== 'string' || typeof a.password !== 'string') continue;
    out.push({
      cloud, username: a.username, password: a.password, projectName: String(a.project_name ?? ''),
      userDomainName: String(a.user_domain_name ?? DEFAULT_DOMAIN.name),
      projectDomainName: String(a.project_domain_name ?? DEFAULT_DOMAIN.name),
    });
  }
  return out;
}

/**
 * Loads the built-in identity from dataDir, creating it (and clouds.yaml/openrc) on first use.
 * clouds.yaml and openrc are rewritten on every call whose credentials are known, so their
 * auth_url follows `publicUrl`.
 */
export async function initIdentityStore(dataDir: string, opts: InitIdentityOptions = {}): Promise<InitializedIdentity> {
  const authUrl = identityAuthUrl(opts.publicUrl ?? DEFAULT_PUBLIC_URL, opts.prefix ?? DEFAULT_PREFIX);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const identityPath = join(dataDir, IDENTITY_FILE);
  const cloudsPath = join(dataDir, 'clouds.yaml');

  let credentials: CloudCredentials[] = [];
  let created = false;
  const existing = await readFile(identityPath, 'utf8').then(() => true, () => false);
  if (!existing) {
    const passwords = { admin: randomPassword(), demo: randomPassword() };
    const data = await newIdentity(passwords.admin, passwords.demo);
    created = await createExclusive(identityPath, JSON.stringify(data, null, 2) + '\n');
    if (created) {
      const common = { userDomainName: DEFAULT_DOMAIN.name, projectDomainName: DEFAULT_DOMAIN.name };
      credentials = [
        { cloud: 'nucleon', username: 'admin', password: passwords.admin, projectName: 'admin', ...common },
        { cloud: 'nucleon-demo', username: 'demo', password: passwords.demo, projectName: 'demo', ...common },
      ];
    }
  }
  if (!created) credentials = await readCredentials(cloudsPath);

  const tokenKey = await loadOrCreateTokenKey(dataDir);
  const store = new IdentityStore(dataDir, tokenKey);
  let files = { cloudsYaml: cloudsPath, openrc: join(dataDir, 'openrc') };
  if (credentials.length) files = await writeClientConfig(dataDir, credentials, authUrl);
  return { store, created, authUrl, credentials, files: { identity: identityPath, ...files } };
}
