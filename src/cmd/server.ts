/**
 * `nucleon server`: the production API server on PostgreSQL or MySQL/MariaDB (SQLite allowed, one
 * process). Auth from auth_strategy; the schema must be current (`nucleon db upgrade`, or
 * `--migrate`); `api_workers` processes share the port through node:cluster.
 */
import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig, redact, serverOptions, type ServerOptions } from '../config/index.js';
import type { AuthStrategy } from '../api/identity/context.js';
import { createNoauth } from '../api/identity/noauth.js';
import { createKeystoneAuth } from '../api/identity/keystone.js';
import { openStore, migrateToLatest } from '../store/db.js';
import { databaseOptions } from './server-runtime.js';
import { CONFIG_HELP, CONFIG_OPTIONS, CommandError, configSources, parse, portValue } from './args.js';
import { createLogger } from './logger.js';
import { stopOnSignals } from './lifecycle.js';
import { clientHost, createApiServer } from './serve.js';
import { isWorker, runPrimary, workerMetrics } from './cluster.js';
import { pendingMigrations } from './schema.js';
import { busFromConfig } from './bus-wiring.js';

export const SERVER_HELP = `Usage: nucleon server --config-file neutron.conf [--config-file ml2_conf.ini ...] [options]

Runs the Neutron v2.0 API server on the database of [database] connection, with authentication
from [DEFAULT] auth_strategy (keystone: [keystone_authtoken]; noauth). [DEFAULT] api_workers
processes (default: the number of CPUs; 1 on SQLite) share bind_host:bind_port. With
[DEFAULT] transport_url set, each commit that changes a host's desired state sends that host's
agent a hint over RabbitMQ ([oslo_messaging_rabbit] reconnect options); unset, agents poll.

Options:
${CONFIG_HELP}
  --migrate            apply pending database migrations first (else they must already be applied)
  --port N             override [DEFAULT] bind_port
  -h, --help           this help`;

/** A placeholder the runtime never uses: `server` always has [database] connection. */
const NO_DEFAULT_DATABASE = { dialect: 'sqlite', path: ':memory:' } as const;

export async function server(argv: string[]): Promise<number> {
  const args = parse(argv, { ...CONFIG_OPTIONS, migrate: { type: 'boolean' }, port: { type: 'string' } });
  if (args.help) { console.log(SERVER_HELP); return 0; }
  const sources = configSources(args.values);
  const conf = loadConfig(sources);
  const o = serverOptions(conf);
  const port = portValue(args.values.port) ?? o.bindPort;
  const log = createLogger(o, 'nucleon-server');
  if (!o.database.url) {
    throw new CommandError('[database] connection is not set: `nucleon server` needs a database URL, e.g. postgresql://user:pass@host/neutron (or use `nucleon up`)');
  }
  const auth = serverAuth(o);
  const sqlite = o.database.url.dialect === 'sqlite';
  let workers = o.apiWorkers ?? availableParallelism();
  if (workers < 1) workers = 1;
  if (sqlite && workers > 1) {
    log.warn({ api_workers: workers }, 'SQLite allows one writer: running 1 API worker');
    workers = 1;
  }

  if (!isWorker()) {
    for (const w of conf.warnings) log.warn({ file: w.file, line: w.line }, `config: [${w.section}] ${w.option}: ${w.message}`);
    await prepareSchema(o, args.values.migrate === true, sources, log);
    if (workers > 1) {
      return runPrimary({
        workers, log,
        onReady: (a) => log.info({ url: `http://${clientHost(o.bindHost)}:${a.port}`, workers }, 'ready'),
      });
    }
  }

  // Hints to agents after each commit: RabbitMQ when transport_url is set, else agents poll.
  const bus = busFromConfig(conf, log, `nucleon-server:${o.host}:${process.pid}`);
  let api: Awaited<ReturnType<typeof createApiServer>>;
  try {
    api = await createApiServer(o, {
      logger: log, auth, defaultDatabase: NO_DEFAULT_DATABASE, migrate: false, bus,
      metricsCollector: isWorker() ? workerMetrics : undefined,
    });
  } catch (err) {
    await bus?.close();
    throw err;
  }
  // A worker leaves SIGINT (Ctrl-C reaches the whole process group) to its primary, which
  // sends each worker one SIGTERM.
  if (isWorker()) process.on('SIGINT', () => {});
  const close = async () => {
    await api.close();
    await bus?.close();
  };
  const stopped = stopOnSignals(log, close, isWorker() ? ['SIGTERM'] : ['SIGTERM', 'SIGINT']);
  let bound: number;
  try {
    bound = await api.listen(o.bindHost, port);
  } catch (err) {
    await close();
    throw err;
  }
  if (!isWorker()) log.info({ url: `http://${clientHost(o.bindHost)}:${bound}`, workers: 1, database: redact(o.database.connection ?? '') }, 'ready');
  return stopped;
}

/** Applies migrations (`--migrate`) or insists that they were. */
async function prepareSchema(o: ServerOptions, migrate: boolean, sources: { files: string[]; dirs: string[] }, log: ReturnType<typeof createLogger>): Promise<void> {
  const store = await openStore(databaseOptions(o, NO_DEFAULT_DATABASE));
  try {
    if (migrate) {
      const applied = await migrateToLatest(store);
      log.info({ applied }, applied.length ? 'database migrations applied' : 'database schema is current');
      return;
    }
    const pending = await pendingMigrations(store);
    if (pending.length) {
      const how = ['nucleon db upgrade', ...sources.files.map((f) => `--config-file ${f}`), ...sources.dirs.map((d) => `--config-dir ${d}`)].join(' ');
      throw new CommandError(`the database schema is not current (${pending.length} migration(s) pending: ${pending.join(', ')}): run \`${how}\` (or start with --migrate)`);
    }
  } finally {
    await store.close();
  }
}

/** auth_strategy → the strategy; keystone needs the service user of [keystone_authtoken]. */
export function serverAuth(o: ServerOptions): AuthStrategy {
  if (o.authStrategy === 'noauth') return createNoauth();
  const k = o.keystoneAuthtoken;
  const required = (option: string, value: string | null): string => {
    if (!value) throw new ConfigError('must be set when auth_strategy = keystone', { section: 'keystone_authtoken', option });
    return value;
  };
  if (k.authType && !['password', 'v3password'].includes(k.authType)) {
    throw new ConfigError(`auth_type '${k.authType}' is not supported (use password)`, { section: 'keystone_authtoken', option: 'auth_type' });
  }
  return createKeystoneAuth({
    authUrl: required('auth_url', k.authUrl),
    wwwAuthenticateUri: k.wwwAuthenticateUri ?? undefined,
    username: required('username', k.username),
    password: required('password', k.password),
    projectName: required('project_name', k.projectName),
    userDomainName: k.userDomainName ?? undefined,
    projectDomainName: k.projectDomainName ?? undefined,
    // token_cache_time = -1 disables caching.
    cacheTtlSeconds: k.tokenCacheTime < 0 ? 0 : k.tokenCacheTime,
    timeoutMs: k.httpConnectTimeout ? k.httpConnectTimeout * 1000 : undefined,
  });
}
