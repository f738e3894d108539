/**
 * An API server for HTTP tests: real config loading from an INI text, a fresh database of the
 * given dialect, noauth (callers chosen per request with X-Project-Id / X-Roles).
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, serverOptions } from '../../src/config/index.js';
import { createServerRuntime, type ServerRuntime } from '../../src/cmd/server-runtime.js';
import { createNoauth } from '../../src/api/identity/noauth.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './databases.js';

export const BASE_CONFIG = `
[DEFAULT]
auth_strategy = noauth
[ml2]
type_drivers = local,flat,vlan,vxlan,geneve,gre
tenant_network_types = vxlan
mechanism_drivers = linuxbridge
extension_drivers = port_security,dns
[ml2_type_flat]
flat_networks = physnet1,physnet2
[ml2_type_vlan]
network_vlan_ranges = physnet1:100:199,physnet2
[ml2_type_vxlan]
vni_ranges = 1:1000
[ml2_type_geneve]
vni_ranges = 1:1000
[ml2_type_gre]
tunnel_id_ranges = 1:1000
`;

export interface Caller { project?: string; roles?: string[] }

export const ADMIN: Caller = { project: 'admin-project', roles: ['admin', 'member', 'reader'] };
export const ALICE: Caller = { project: 'project-alice', roles: ['member', 'reader'] };
export const BOB: Caller = { project: 'project-bob', roles: ['member', 'reader'] };
export const READER: Caller = { project: 'project-alice', roles: ['reader'] };

export interface Response { status: number; body: any; headers: Record<string, unknown> }

export interface TestApi {
  runtime: ServerRuntime;
  request(caller: Caller, method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/**
 * `on`: another server on that one's database (an API replica); closing it leaves the database to its owner.
 */
export async function startTestApi(dialect: TestDialect, extraConfig = '', on?: { database: TestDatabase }): Promise<TestApi & { database: TestDatabase }> {
  const own = on === undefined;
  const db = on?.database ?? (await createTestDatabase(dialect));
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-conf-'));
  const file = join(dir, 'neutron.conf');
  writeFileSync(file, `${BASE_CONFIG}\n${extraConfig}\n[database]\nconnection = ${db.url}\n`);
  let runtime: ServerRuntime;
  try {
    const options = serverOptions(loadConfig({ files: [file] }));
    runtime = await createServerRuntime(options, {
      logger: false, auth: createNoauth(), defaultDatabase: { dialect: 'sqlite', path: ':memory:' }, migrate: true,
    });
  } catch (error) {
    // A server that did not start leaves nothing behind either.
    if (own) await db.drop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    runtime,
    database: db,
    async request(caller, method, url, body, headers = {}) {
      const h: Record<string, string> = { ...headers };
      if (caller.project) h['x-project-id'] = caller.project;
      if (caller.roles) h['x-roles'] = caller.roles.join(',');
      if (body !== undefined) h['content-type'] = 'application/json';
      const res = await runtime.app.inject({ method: method as 'GET', url, headers: h, payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
      let parsed: unknown = undefined;
      if (res.body) { try { parsed = JSON.parse(res.body); } catch { parsed = res.body; } }
      return { status: res.statusCode, body: parsed, headers: res.headers as Record<string, unknown> };
    },
    async close() {
      await runtime.close();
      if (own) await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
