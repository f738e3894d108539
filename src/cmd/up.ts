/**
 * `nucleon up`: the all-in-one. One process with the API on 127.0.0.1:9696, SQLite in a data
 * directory (unless [database] connection says otherwise), migrations applied, and the built-in
 * identity at /identity with clouds.yaml and openrc written for the `openstack` CLI.
 */
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, serverOptions, redact, type ServerOptions } from '../config/index.js';
import type { AuthStrategy } from '../api/identity/context.js';
import { createNoauth } from '../api/identity/noauth.js';
import {
  createBuiltinAuth, identityAuthUrl, initIdentityStore, registerBuiltinIdentity, writeClientConfig,
  DEFAULT_PREFIX, type InitializedIdentity,
} from '../api/identity/builtin/index.js';
import { CommandError, CONFIG_HELP, CONFIG_OPTIONS, configSources, parse, portValue } from './args.js';
import { createLogger } from './logger.js';
import { stopOnSignals } from './lifecycle.js';
import { clientHost, createApiServer } from './serve.js';
import { createInProcessBus } from '../bus/in-process.js';
import { startLocalAgents, type LocalAgents } from './up-agents.js';

export const UP_HELP = `Usage: nucleon up [options]

Runs everything in one process: the Neutron v2.0 API (default http://127.0.0.1:9696), a SQLite
database in the data directory, and a built-in identity service at /identity (Keystone v3 subset)
with clouds.yaml and openrc written for the openstack CLI.

Options:
  --data-dir DIR       state directory (default $NUCLEON_DATA_DIR, else ~/.local/share/nucleon,
                       or /var/lib/nucleon for root)
${CONFIG_HELP}
  --port N             API port (default [DEFAULT] bind_port, 9696; 0 picks a free one)
  --agents             also run this host's agents (root on Linux): L2, DHCP and L3 roles in
                       this process, host [DEFAULT] host (default: hostname), hints on the
                       in-process bus; agent options from the same config files as for
                       \`nucleon agent\` ([vxlan] local_ip defaults to 127.0.0.1 here)
  --host-netns FILE    with --agents: kernel work in the network namespace of FILE (tests)
  -h, --help           this help

Configuration files are optional. [DEFAULT] bind_host defaults to 127.0.0.1 here; set
[database] connection to use PostgreSQL or MySQL instead of SQLite; auth_strategy = noauth
replaces the built-in identity.`;

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NUCLEON_DATA_DIR) return env.NUCLEON_DATA_DIR;
  if (process.getuid?.() === 0) return '/var/lib/nucleon';
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'nucleon');
}

export async function up(argv: string[]): Promise<number> {
  const args = parse(argv, {
    ...CONFIG_OPTIONS, 'data-dir': { type: 'string' }, port: { type: 'string' }, agents: { type: 'boolean' }, 'host-netns': { type: 'string' },
  });
  if (args.help) { console.log(UP_HELP); return 0; }
  const dataDir = resolve((args.values['data-dir'] as string | undefined) ?? defaultDataDir());
  const conf = loadConfig(configSources(args.values));
  const o = serverOptions(conf);
  const log = createLogger(o, 'nucleon-up');
  for (const w of conf.warnings) log.warn({ file: w.file, line: w.line }, `config: [${w.section}] ${w.option}: ${w.message}`);
  const withAgents = args.values.agents === true;
  if (withAgents && (process.platform !== 'linux' || process.getuid?.() !== 0)) {
    throw new CommandError('--agents drives the kernel (bridges, namespaces, dnsmasq): run as root on Linux, or without --agents');
  }

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const host = conf.isSet('DEFAULT', 'bind_host') ? o.bindHost : '127.0.0.1';
  const port = portValue(args.values.port) ?? o.bindPort;
  let publicUrl = `http://${clientHost(host)}:${port}`;
  const noauth = conf.isSet('DEFAULT', 'auth_strategy') && o.authStrategy === 'noauth';
  if (!noauth && conf.isSet('DEFAULT', 'auth_strategy')) {
    log.info('auth_strategy = keystone is served by the built-in identity in `nucleon up`');
  }

  const identity = noauth ? null : await initIdentityStore(dataDir, { publicUrl });
  const databasePath = join(dataDir, 'nucleon.db');
  // One bus for the process: the server publishes hints after commits, the local agents listen.
  const bus = createInProcessBus({ logger: log.child({ component: 'bus' }) });
  const server = await createApiServer(o, {
    bus,
    logger: log,
    auth: identity ? builtinAuth(identity, () => publicUrl) : createNoauth(),
    defaultDatabase: { dialect: 'sqlite', path: databasePath },
    migrate: true,
    publicPrefixes: identity ? [DEFAULT_PREFIX] : [],
    extraRoutes: identity
      ? (app) => registerBuiltinIdentity(app, { store: identity.store, publicUrl: () => publicUrl })
      : undefined,
  });
  let agents: LocalAgents | undefined;
  const close = async () => {
    if (agents) {
      await agents.stop();
      log.info('agents stopped');
    }
    await server.close();
    log.info('API closed');
    await bus.close();
  };
  const stopped = stopOnSignals(log, close);
  let bound: number;
  try {
    bound = await server.listen(host, port);
    if (withAgents) {
      agents = await startLocalAgents({
        conf, log, bus, dataDir, core: server.runtime.core, hostNetns: args.values['host-netns'] as string | undefined,
      });
    }
  } catch (err) {
    await close();
    throw err;
  }
  publicUrl = `http://${clientHost(host)}:${bound}`;
  // With port 0 the URL is known only now: point the client files at it.
  if (identity && bound !== port && identity.credentials.length) {
    await writeClientConfig(dataDir, identity.credentials, identityAuthUrl(publicUrl, DEFAULT_PREFIX));
  }
  console.log(banner(o, publicUrl, dataDir, identity, o.database.connection ? redact(o.database.connection) : databasePath));
  if (agents) console.log(`  agents:         ${agents.describe()}`);
  return stopped;
}

/** The built-in strategy, with WWW-Authenticate following the URL actually bound. */
function builtinAuth(identity: InitializedIdentity, publicUrl: () => string): AuthStrategy {
  const auth = createBuiltinAuth(identity.store);
  return {
    authenticate: (headers) => auth.authenticate(headers),
    get wwwAuthenticate() { return `Keystone uri="${publicUrl()}${DEFAULT_PREFIX}"`; },
  };
}

function banner(o: ServerOptions, url: string, dataDir: string, identity: InitializedIdentity | null, database: string): string {
  const lines = [
    `Nucleon is up at ${url} (Neutron API ${url}/v2.0)`,
    `  data directory: ${dataDir}`,
    `  database:       ${database}`,
    `  metrics:        ${url}/metrics   health: ${url}/healthcheck`,
  ];
  if (!identity) {
    lines.push('', 'auth_strategy = noauth: requests need no token; X-Project-Id and X-Roles say who calls, e.g.',
      `  curl -H 'X-Project-Id: demo' -H 'X-Roles: member' ${url}/v2.0/networks`);
  } else if (identity.credentials.length) {
    lines.push('', `Identity (built-in, Keystone v3 subset): ${identityAuthUrl(url, DEFAULT_PREFIX)}`,
      'Use it with the openstack CLI:',
      `  export OS_CLIENT_CONFIG_FILE=${identity.files.cloudsYaml} OS_CLOUD=nucleon`,
      '  openstack network list',
      `or as the demo project: OS_CLOUD=nucleon-demo; or: source ${identity.files.openrc}`);
  } else {
    lines.push('', `The passwords of ${identity.files.identity} are no longer known (clouds.yaml is gone);`,
      'remove identity.json to create new users and client files.');
  }
  if (o.debug) lines.push('', 'Logging at debug level.');
  lines.push('', 'Stop with Ctrl-C (SIGINT) or SIGTERM.');
  return lines.join('\n');
}
