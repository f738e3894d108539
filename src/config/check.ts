// `nucleon config check`: load every file, collect every error (not just the first), and
// report warnings and the options Nucleon ignores.
import type { ConfigError, ConfigIssue } from './errors.js';
import { loadConfigCollecting, type LoadOptions } from './load.js';

export interface CheckResult {
  ok: boolean;
  errors: ConfigError[];
  warnings: ConfigIssue[];
  unimplemented: { section: string; option: string; file: string }[];
  /** Files read, in order. */
  sources: string[];
}

export function checkConfig(opts: LoadOptions): CheckResult {
  const { config, errors } = loadConfigCollecting(opts);
  return {
    ok: errors.length === 0,
    errors,
    warnings: config.warnings,
    unimplemented: config.unimplemented.map(({ section, option, file }) => ({ section, option, file })),
    sources: config.sources,
  };
}

/** A human-readable report: errors, then warnings, then ignored options grouped by section. */
export function formatCheckReport(result: CheckResult): string {
  const out: string[] = [];
  out.push(`Read ${result.sources.length} file(s)${result.sources.length ? ': ' + result.sources.join(', ') : ''}`);
  if (result.errors.length) {
    out.push('', `Errors (${result.errors.length}):`);
    for (const e of result.errors) out.push(`  ${e.message}`);
  }
  // Unimplemented options get their own list below; don't repeat them as warnings.
  const ignoredKeys = new Set(result.unimplemented.map((u) => `${u.file}\0${u.section}\0${u.option}`));
  const warnings = result.warnings.filter((w) => !ignoredKeys.has(`${w.file}\0${w.section}\0${w.option}`) || / deprecated name| set \d+ times/.test(w.message));
  if (warnings.length) {
    out.push('', `Warnings (${warnings.length}):`);
    for (const w of warnings) out.push(`  ${w.file}:${w.line}: ${w.message}`);
  }
  if (result.unimplemented.length) {
    out.push('', `Set but not implemented by Nucleon (ignored) (${result.unimplemented.length}):`);
    const bySection = new Map<string, Set<string>>();
    for (const u of result.unimplemented) {
      const s = bySection.get(u.section) ?? new Set<string>();
      s.add(u.option);
      bySection.set(u.section, s);
    }
    for (const [section, names] of bySection) out.push(`  [${section}] ${[...names].join(', ')}`);
  }
  out.push('', result.ok ? 'OK: configuration is usable.' : `FAILED: ${result.errors.length} error(s).`);
  return out.join('\n');
}
