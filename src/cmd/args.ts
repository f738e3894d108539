/**
 * Argument parsing shared by the subcommands: node:util parseArgs in strict mode, the
 * oslo.config-style `--config-file` / `--config-dir` options (repeatable, in order), and the
 * error types main.ts turns into one line on stderr.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A bad command line: main prints the message and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The command cannot proceed for a reason the operator must fix (exit 2 unless told otherwise). */
export class CommandError extends Error {
  override name = 'CommandError';
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export const CONFIG_OPTIONS = {
  'config-file': { type: 'string', multiple: true },
  'config-dir': { type: 'string', multiple: true },
} as const satisfies Options;

export const CONFIG_HELP = `  --config-file FILE   a configuration file (repeatable; later files win, as oslo.config)
  --config-dir DIR     a directory whose *.conf files are read after the files, by name (repeatable)`;

export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  help: boolean;
}

/** Parses argv strictly; `--help`/`-h` is always accepted. */
export function parse(argv: string[], options: Options, allowPositionals = false): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals,
    });
    return { values, positionals, help: values.help === true };
  } catch (err) {
    // parseArgs' messages are already specific ("Unknown option '--x'"); drop its hints to
    // keep them on one line.
    throw new UsageError((err as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, ''));
  }
}

export function configSources(values: Parsed['values']): { files: string[]; dirs: string[] } {
  return { files: (values['config-file'] as string[] | undefined) ?? [], dirs: (values['config-dir'] as string[] | undefined) ?? [] };
}

export function portValue(raw: unknown, name = '--port'): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw);
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`${name} must be a port number (0-65535), got '${text}'`);
  return port;
}
