/**
 * `nucleon db upgrade`: applies pending migrations (forward-only; a second run applies nothing)
 * to the database of [database] connection, or to the all-in-one's SQLite file with --data-dir.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfig, redact, serverOptions } from '../config/index.js';
import { openStore, migrateToLatest } from '../store/db.js';
import { databaseOptions } from './server-runtime.js';
import { CONFIG_HELP, CONFIG_OPTIONS, CommandError, UsageError, configSources, parse } from './args.js';
import { knownMigrations } from './schema.js';

export const DB_HELP = `Usage: nucleon db upgrade --config-file neutron.conf [options]

Applies the database migrations not yet applied to the database of [database] connection.
Forward-only and idempotent: running it again applies nothing.

Options:
${CONFIG_HELP}
  --data-dir DIR       without [database] connection: the SQLite database of \`nucleon up\` in DIR
  -h, --help           this help`;

export async function db(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h' || action === 'help') {
    console.log(DB_HELP);
    return action === undefined ? 2 : 0;
  }
  if (action !== 'upgrade') throw new UsageError(`unknown action 'db ${action}' (known: upgrade)`);
  const args = parse(rest, { ...CONFIG_OPTIONS, 'data-dir': { type: 'string' } });
  if (args.help) { console.log(DB_HELP); return 0; }
  const o = serverOptions(loadConfig(configSources(args.values)));
  const dataDir = args.values['data-dir'] as string | undefined;
  if (!o.database.url && !dataDir) {
    throw new CommandError('[database] connection is not set: give a --config-file that sets it (or --data-dir for the SQLite database of `nucleon up`)');
  }
  const where = o.database.connection ? redact(o.database.connection) : join(resolve(dataDir!), 'nucleon.db');
  if (!o.database.url) await mkdir(resolve(dataDir!), { recursive: true, mode: 0o700 });
  const store = await openStore(databaseOptions(o, { dialect: 'sqlite', path: join(resolve(dataDir ?? '.'), 'nucleon.db') }));
  try {
    const applied = await migrateToLatest(store);
    if (applied.length === 0) {
      console.log(`Nothing to apply: ${where} is at the latest schema (${(await knownMigrations()).length} migration(s)).`);
    } else {
      for (const name of applied) console.log(`Applied ${name}`);
      console.log(`${where}: ${applied.length} migration(s) applied.`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
