// Shared by the built-in identity tests: a bare Fastify app with only the identity plugin.
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initIdentityStore, registerBuiltinIdentity, type InitializedIdentity } from '../../../../src/api/identity/builtin/index.js';

export interface Running {
  app: FastifyInstance;
  url: string;
  dir: string;
  identity: InitializedIdentity;
  password(user: 'admin' | 'demo'): string;
  close(): Promise<void>;
}

export async function startIdentityServer(): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), 'nucleon-identity-'));
  const identity = await initIdentityStore(dir);
  const app = Fastify();
  let url = '';
  await registerBuiltinIdentity(app, { store: identity.store, publicUrl: () => url });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  url = `http://127.0.0.1:${addr.port}`;
  return {
    app, url, dir, identity,
    password: (user) => identity.credentials.find((c) => c.username === user)!.password,
    close: async () => { await app.close(); await rm(dir, { recursive: true, force: true }); },
  };
}

export async function passwordToken(url: string, user: string, password: string, project?: string) {
  const scope = project ? { project: { name: project, domain: { name: 'Default' } } } : 'unscoped';
  const res = await fetch(`${url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: {
      identity: { methods: ['password'], password: { user: { name: user, domain: { name: 'Default' }, password } } },
      scope,
    } }),
  });
  return { status: res.status, token: res.headers.get('x-subject-token'), body: (await res.json()) as any };
}
