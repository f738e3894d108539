/**
 * How Nucleon's own clients (agents, `nucleon port plug`) reach the API, as an OpenStack client does:
 * - a Keystone v3 password session (POST {auth_url}/v3/auth/tokens), the token renewed a minute
 *   before it expires or when the API answers 401, and the `network` endpoint from its catalog;
 * - or noauth (the server runs auth_strategy = noauth): no token, identity in X-* headers.
 * Credentials come from OS_* variables, clouds.yaml (OS_CLOUD) or a config file's [keystone_authtoken].
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { load as yamlLoad } from 'js-yaml';
import { CommandError } from './args.js';

export interface PasswordAuth {
  authUrl: string;
  username: string;
  password: string;
  projectName?: string;
  projectId?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
}

export interface ClientAuth {
  /** null: noauth (identity in headers). */
  password: PasswordAuth | null;
  /** The API endpoint; undefined = the catalog's `network` endpoint (password auth only). */
  endpoint?: string;
  regionName?: string;
  /** Catalog interface: public (clients) or internal (services; [keystone_authtoken] default). */
  interface: string;
  /** Headers sent with noauth. */
  noauthHeaders?: Record<string, string>;
}

interface CatalogEntry { type: string; endpoints: { interface: string; region?: string; region_id?: string; url: string }[] }

const RENEW_MARGIN_MS = 60_000;

/** One client's authenticated view of the API: headers per request, endpoint, 401 handling. */
export class ApiSession {
  private token?: { value: string; expiresAt: number; catalog: CatalogEntry[] };
  private pending?: Promise<void>;

  constructor(readonly auth: ClientAuth, private readonly timeoutMs = 10_000) {}

  async headers(): Promise<Record<string, string>> {
    if (!this.auth.password) return { ...(this.auth.noauthHeaders ?? {}) };
    await this.ensureToken();
    return { 'x-auth-token': this.token!.value };
  }

  /** The API rejected the token (revoked, Keystone restarted): fetch a new one next time. */
  invalidate(): void {
    this.token = undefined;
  }

  async endpoint(): Promise<string> {
    if (this.auth.endpoint) return this.auth.endpoint.replace(/\/+$/, '');
    if (!this.auth.password) throw new CommandError('no API endpoint: set one (noauth has no catalog)');
    await this.ensureToken();
    const net = this.token!.catalog.find((c) => c.type === 'network');
    const pick = (iface: string) => net?.endpoints.find((e) => e.interface === iface
      && (!this.auth.regionName || e.region === this.auth.regionName || e.region_id === this.auth.regionName));
    const e = pick(this.auth.interface) ?? pick('public');
    if (!e) throw new CommandError(`the identity catalog of ${this.auth.password.authUrl} has no network endpoint (${this.auth.interface})`);
    return e.url.replace(/\/+$/, '');
  }

  private async ensureToken(): Promise<void> {
    if (this.token && Date.now() < this.token.expiresAt - RENEW_MARGIN_MS) return;
    this.pending ??= this.fetchToken().finally(() => { this.pending = undefined; });
    await this.pending;
  }

  private async fetchToken(): Promise<void> {
    const p = this.auth.password!;
    const domain = (name?: string, id?: string) => (id ? { id } : { name: name ?? 'Default' });
    const scope = p.projectId ? { project: { id: p.projectId } }
      : p.projectName ? { project: { name: p.projectName, domain: domain(p.projectDomainName, p.projectDomainId) } } : undefined;
    const body = {
      auth: {
        identity: { methods: ['password'], password: { user: { name: p.username, password: p.password, domain: domain(p.userDomainName, p.userDomainId) } } },
        ...(scope ? { scope } : {}),
      },
    };
    const url = `${identityV3(p.authUrl)}/auth/tokens`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new Error(`identity service ${url} unreachable: ${(err as Error).message}`);
    }
    if (!res.ok) throw new Error(`identity service ${url}: HTTP ${res.status} for user ${p.username}: ${(await res.text()).slice(0, 300)}`);
    const value = res.headers.get('x-subject-token');
    const doc = (await res.json()) as { token?: { expires_at?: string; catalog?: CatalogEntry[] } };
    if (!value) throw new Error(`identity service ${url}: no X-Subject-Token in the answer`);
    const expiresAt = doc.token?.expires_at ? Date.parse(doc.token.expires_at) : Date.now() + 3600_000;
    this.token = { value, expiresAt, catalog: doc.token?.catalog ?? [] };
  }
}

export function identityV3(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, '');
  return /\/v3$/.test(base) ? base : `${base}/v3`;
}

/**
 * Client credentials as openstacksdk finds them: OS_CLOUD in clouds.yaml (OS_CLIENT_CONFIG_FILE,
 * ./clouds.yaml, ~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml), else OS_* variables
 * (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, ...). OS_AUTH_TYPE=none / noauth with
 * OS_ENDPOINT talks to a noauth server. Undefined when nothing is configured.
 */
export async function clientAuthFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<ClientAuth | undefined> {
  if (env.OS_CLOUD) return fromCloudsYaml(env.OS_CLOUD, env);
  const authType = env.OS_AUTH_TYPE?.toLowerCase();
  const endpoint = env.OS_ENDPOINT ?? env.OS_NETWORK_ENDPOINT ?? env.OS_URL;
  if (authType === 'none' || authType === 'noauth' || authType === 'admin_token') {
    if (!endpoint) throw new CommandError(`OS_AUTH_TYPE=${env.OS_AUTH_TYPE} needs OS_ENDPOINT (the Nucleon API URL)`);
    return { password: null, endpoint, interface: 'public', noauthHeaders: noauthHeaders(env.OS_PROJECT_ID) };
  }
  if (!env.OS_AUTH_URL) return undefined;
  for (const v of ['OS_USERNAME', 'OS_PASSWORD']) if (!env[v]) throw new CommandError(`OS_AUTH_URL is set but ${v} is not`);
  return {
    password: {
      authUrl: env.OS_AUTH_URL, username: env.OS_USERNAME!, password: env.OS_PASSWORD!,
      projectName: env.OS_PROJECT_NAME ?? env.OS_TENANT_NAME, projectId: env.OS_PROJECT_ID ?? env.OS_TENANT_ID,
      userDomainName: env.OS_USER_DOMAIN_NAME, userDomainId: env.OS_USER_DOMAIN_ID,
      projectDomainName: env.OS_PROJECT_DOMAIN_NAME, projectDomainId: env.OS_PROJECT_DOMAIN_ID,
    },
    endpoint, regionName: env.OS_REGION_NAME, interface: env.OS_INTERFACE ?? 'public',
  };
}

/** noauth identity: an admin (no project) unless a project is named. */
export function noauthHeaders(projectId?: string): Record<string, string> {
  return projectId ? { 'x-project-id': projectId, 'x-roles': 'admin' } : { 'x-roles': 'admin' };
}

async function fromCloudsYaml(cloud: string, env: NodeJS.ProcessEnv): Promise<ClientAuth> {
  const candidates = env.OS_CLIENT_CONFIG_FILE
    ? [env.OS_CLIENT_CONFIG_FILE]
    : ['clouds.yaml', join(homedir(), '.config', 'openstack', 'clouds.yaml'), '/etc/openstack/clouds.yaml'];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new CommandError(`OS_CLOUD=${cloud} but no clouds.yaml found (looked in ${candidates.join(', ')})`);
  const doc = yamlLoad(await readFile(file, 'utf8')) as { clouds?: Record<string, CloudEntry> } | undefined;
  const c = doc?.clouds?.[cloud];
  if (!c) throw new CommandError(`${file}: no cloud named '${cloud}' (have: ${Object.keys(doc?.clouds ?? {}).join(', ') || 'none'})`);
  const a = c.auth ?? {};
  const endpoint = a.endpoint ?? c.network_endpoint_override ?? c.endpoint_override;
  if (c.auth_type === 'none' || c.auth_type === 'noauth') {
    if (!endpoint) throw new CommandError(`${file}: cloud '${cloud}' has auth_type ${c.auth_type} but no auth.endpoint`);
    return { password: null, endpoint, interface: 'public', noauthHeaders: noauthHeaders(a.project_id) };
  }
  for (const k of ['auth_url', 'username', 'password'] as const) {
    if (!a[k]) throw new CommandError(`${file}: cloud '${cloud}': auth.${k} is not set`);
  }
  return {
    password: {
      authUrl: a.auth_url!, username: a.username!, password: a.password!, projectName: a.project_name, projectId: a.project_id,
      userDomainName: a.user_domain_name, userDomainId: a.user_domain_id, projectDomainName: a.project_domain_name, projectDomainId: a.project_domain_id,
    },
    endpoint, regionName: c.region_name, interface: c.interface ?? 'public',
  };
}

interface CloudEntry {
  auth_type?: string;
  region_name?: string;
  interface?: string;
  network_endpoint_override?: string;
  endpoint_override?: string;
  auth?: Partial<Record<'auth_url' | 'username' | 'password' | 'project_name' | 'project_id' | 'user_domain_name' | 'user_domain_id'
    | 'project_domain_name' | 'project_domain_id' | 'endpoint', string>>;
}
