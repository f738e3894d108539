// A parser for oslo.config INI files, following oslo's iniparser: `key = value` or `key: value`
// (whichever separator comes first), `#`/`;` comments at line start, indented continuation lines
// joined with "\n", a blank line ending a value, surrounding matching quotes removed, and every
// occurrence of a key kept (MultiStrOpt needs them all; single-valued options take the last).
import { ConfigError } from './errors.js';

export interface IniValue {
  value: string;
  /** 1-based line of the key. */
  line: number;
}

export interface IniSection {
  /** Name as written in the file (between the brackets). */
  name: string;
  /** Line of the first header of this section in the file. */
  line: number;
  /** Values of each key, in file order; a repeated key has several. */
  values: Map<string, IniValue[]>;
}

export interface IniFile {
  file: string;
  /** Keyed by normalised section name (see normalizeSection), in order of first appearance. */
  sections: Map<string, IniSection>;
}

/** oslo's rule: "DEFAULT" stays as is, every other section name is compared lower-cased. */
export function normalizeSection(name: string): string {
  return name === 'DEFAULT' ? name : name.toLowerCase();
}

/** Parse INI text. `file` is used in error messages only. Throws ConfigError with file and line. */
export function parseIni(text: string, file: string): IniFile {
  const sections = new Map<string, IniSection>();
  let current: IniSection | undefined;
  let key: string | undefined;
  let keyLine = 0;
  let parts: string[] = [];
  const fail = (why: string, line: number) =>
    new ConfigError(why, { file, line, ...(current ? { section: current.name } : {}) });

  const flush = () => {
    if (key === undefined) return;
    if (!current) throw fail('option set before any [section] header', keyLine);
    const list = current.values.get(key) ?? [];
    list.push({ value: parts.join('\n'), line: keyLine });
    current.values.set(key, list);
    key = undefined;
    parts = [];
  };

  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.trimEnd();
    if (line === '') {
      flush(); // a blank line ends a multi-line value
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (key === undefined) throw fail('unexpected continuation line (indented line with no option before it)', lineNo);
      parts.push(line.trimStart());
      continue;
    }
    flush();
    if (line.startsWith('[')) {
      if (!line.endsWith(']')) throw fail('invalid section header (must end with ])', lineNo);
      if (line.length <= 2) throw fail('empty section name', lineNo);
      const name = line.slice(1, -1);
      const norm = normalizeSection(name);
      current = sections.get(norm) ?? { name, line: lineNo, values: new Map() };
      sections.set(norm, current);
    } else if (line.startsWith('#') || line.startsWith(';')) {
      continue;
    } else {
      const colon = line.indexOf(':');
      const equal = line.indexOf('=');
      if (colon < 0 && equal < 0) throw fail(`no "=" or ":" in "${line}"`, lineNo);
      const at = colon < 0 || (equal >= 0 && equal < colon) ? equal : colon;
      const k = line.slice(0, at).trim();
      if (k === '') throw fail('option name is empty', lineNo);
      let v = line.slice(at + 1).trim();
      if (v.length >= 1 && v[0] === v[v.length - 1] && (v[0] === '"' || v[0] === "'")) v = v.slice(1, -1);
      key = k;
      keyLine = lineNo;
      parts = [v];
    }
  }
  flush();
  return { file, sections };
}
