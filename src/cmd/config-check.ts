/** `nucleon config check`: every error (not only the first), warnings, and the options Nucleon ignores. */
import { checkConfig, formatCheckReport } from '../config/index.js';
import { CONFIG_HELP, CONFIG_OPTIONS, UsageError, configSources, parse } from './args.js';

export const CONFIG_CHECK_HELP = `Usage: nucleon config check --config-file FILE [--config-file FILE ...] [--config-dir DIR]

Reads the files as \`nucleon server\`/\`nucleon agent\` would and reports every error (naming file,
section and option), warnings (unknown or deprecated options) and options Nucleon ignores.
Exits 1 when there are errors.

Options:
${CONFIG_HELP}
  -h, --help           this help`;

export async function config(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h' || action === 'help') {
    console.log(CONFIG_CHECK_HELP);
    return action === undefined ? 2 : 0;
  }
  if (action !== 'check') throw new UsageError(`unknown action 'config ${action}' (known: check)`);
  const args = parse(rest, CONFIG_OPTIONS);
  if (args.help) { console.log(CONFIG_CHECK_HELP); return 0; }
  const sources = configSources(args.values);
  if (!sources.files.length && !sources.dirs.length) throw new UsageError('config check: give at least one --config-file or --config-dir');
  const result = checkConfig(sources);
  console.log(formatCheckReport(result));
  return result.ok ? 0 : 1;
}
