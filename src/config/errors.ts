// Error and warning shapes of configuration loading. Every one names where the problem is.

/** Something worth telling the operator that does not stop loading. */
export interface ConfigIssue {
  file: string;
  line: number;
  section: string;
  option: string;
  message: string;
}

export interface ConfigErrorWhere {
  file?: string;
  line?: number;
  section?: string;
  option?: string;
}

/**
 * A configuration value (or file) Nucleon cannot use. `message` names file, line, section and
 * option; `reason` is the bare why, for callers that rebuild the message with a location.
 */
export class ConfigError extends Error {
  readonly file: string;
  readonly line: number;
  readonly section: string;
  readonly option: string;
  readonly reason: string;

  constructor(reason: string, where: ConfigErrorWhere = {}) {
    super(formatWhere(where) + reason);
    this.name = 'ConfigError';
    this.file = where.file ?? '';
    this.line = where.line ?? 0;
    this.section = where.section ?? '';
    this.option = where.option ?? '';
    this.reason = reason;
  }
}

function formatWhere(w: ConfigErrorWhere): string {
  let s = '';
  if (w.file) s += w.line ? `${w.file}:${w.line}: ` : `${w.file}: `;
  if (w.section !== undefined && w.section !== '') s += `[${w.section}]`;
  if (w.option) s += `${s.endsWith(']') ? ' ' : ''}${w.option}`;
  if (w.section || w.option) s += ': ';
  return s;
}
