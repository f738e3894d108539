/**
 * The `nucleon` command: dispatches to one subcommand. A subcommand returns its exit code (the
 * long-running ones once they have stopped); a bad command line or configuration prints one line
 * naming what is wrong and exits 2.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/index.js';
import { CommandError, UsageError } from './args.js';

type Command = (argv: string[]) => Promise<number>;

// Loaded on use: `status` or `config check` need not load the whole server.
const COMMANDS: Record<string, { run: Command; summary: string }> = {
  up: { run: async (a) => (await import('./up.js')).up(a), summary: 'all-in-one: API, SQLite and built-in identity in one process' },
  server: { run: async (a) => (await import('./server.js')).server(a), summary: 'the API server on PostgreSQL/MySQL (neutron-server)' },
  db: { run: async (a) => (await import('./db.js')).db(a), summary: 'db upgrade: apply database migrations' },
  config: { run: async (a) => (await import('./config-check.js')).config(a), summary: 'config check: validate configuration files' },
  status: { run: async (a) => (await import('./status.js')).status(a), summary: 'health of a running server' },
  agent: { run: async (a) => (await import('./agent.js')).agent(a), summary: "this host's agent: L2, DHCP, L3 roles from its config files" },
  port: { run: async (a) => (await import('./port-plug.js')).port(a), summary: 'port plug/unplug: attach a network namespace "instance" to a port' },
};

const USAGE = `Usage: nucleon <command> [options]   (nucleon <command> --help for its options)

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`).join('\n')}

  --version            print the version`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) { console.error(USAGE); return 2; }
  if (name === '--help' || name === '-h') { console.log(USAGE); return 0; }
  if (name === '--version') { console.log(`nucleon ${version()}`); return 0; }
  if (name === 'help') {
    const target = rest[0] && COMMANDS[rest[0]];
    if (target) return target.run(['--help']);
    console.log(USAGE);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command '${name}' (known: ${Object.keys(COMMANDS).join(', ')})`);
  return command.run(rest);
}

/** One line on stderr, and the exit code: 2 for what the operator must fix in the invocation/config. */
export function reportError(command: string | undefined, err: unknown): number {
  const prefix = command && COMMANDS[command] ? `nucleon ${command}` : 'nucleon';
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof UsageError) {
    console.error(`${prefix}: ${message} (see: ${prefix} --help)`);
    return 2;
  }
  if (err instanceof ConfigError || err instanceof CommandError) {
    console.error(`${prefix}: ${message}`);
    return err instanceof CommandError ? err.exitCode : 2;
  }
  // Anything else is a failure at run time (database unreachable, port taken, ...).
  const code = (err as { code?: unknown })?.code;
  console.error(`${prefix}: ${typeof code === 'string' && !message.includes(code) ? `${code}: ` : ''}${message || String(err)}`);
  if (process.env.NUCLEON_DEBUG) console.error(err);
  return 1;
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => process.exit(code),
  (err: unknown) => process.exit(reportError(argv[0], err)),
);
