// Loading configuration with oslo.config semantics: several files in order, then each
// --config-dir's *.conf in sorted order; for a single-valued option the last file that sets it
// wins (and within a file, its last occurrence); a MultiStrOpt collects every occurrence in file
// order; in each file the current name beats deprecated names. Values are substituted ($opt,
// ${group.opt}, $$ for a literal $) and converted when loading, so a bad value fails at start.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { convert, ValueProblem } from './convert.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { normalizeSection, parseIni, type IniFile, type IniValue } from './ini.js';
import { registry as defaultRegistry, type OptionRegistry } from './options.js';
import type { OptionDef, OptionValue } from './types.js';

export { ConfigError, type ConfigIssue } from './errors.js';

export interface LoadOptions {
  /** --config-file arguments, in order. */
  files: string[];
  /** --config-dir arguments; their *.conf files are read after `files`, sorted by name. */
  dirs?: string[];
  /** Defaults to every option Nucleon knows. */
  registry?: OptionRegistry;
}

/** A known option set in a file that Nucleon ignores (unimplemented, or removed from Neutron). */
export interface UnimplementedUse {
  section: string;
  option: string;
  file: string;
  line: number;
}

/** Where an option's value came from. */
export interface ValueOrigin {
  file: string;
  line: number;
  /** Section and name as found; differ from the option's own when a deprecated name was used. */
  section: string;
  name: string;
}

export interface LoadedConfig {
  /** Typed value with defaults applied; throws if the option is not registered. */
  get<T = unknown>(section: string, option: string): T;
  /** True when some file sets the option (under its name or a deprecated one). */
  isSet(section: string, option: string): boolean;
  /** File and line of the value in effect; undefined when it is the default. */
  origin(section: string, option: string): ValueOrigin | undefined;
  /** Sections present in the files read (normalised: DEFAULT, others lower case), first seen first. */
  sections(): string[];
  /** Unknown sections/options, deprecated names used, ignored options set, keys repeated in a file. */
  warnings: ConfigIssue[];
  /** Known options that were set but that Nucleon does not act on. */
  unimplemented: UnimplementedUse[];
  /** Files read, in the order they were applied. */
  sources: string[];
}

/** Load and validate; throws the first ConfigError (missing file, syntax, bad value). */
export function loadConfig(opts: LoadOptions): LoadedConfig {
  const { config, errors } = loadConfigCollecting(opts);
  if (errors.length > 0) throw errors[0]!;
  return config;
}

/**
 * Load, collecting every error instead of stopping at the first (for `nucleon config check`).
 * Options whose value is bad read as their default in the returned config.
 */
export function loadConfigCollecting(opts: LoadOptions): { config: LoadedConfig; errors: ConfigError[] } {
  const reg = opts.registry ?? defaultRegistry;
  const errors: ConfigError[] = [];
  const sources = expandSources(opts, errors);
  const files: IniFile[] = [];
  for (const path of sources) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      errors.push(new ConfigError(code === 'ENOENT' ? 'config file not found' : `cannot read config file (${code ?? String(e)})`, { file: path }));
      continue;
    }
    try {
      files.push(parseIni(text, path));
    } catch (e) {
      if (e instanceof ConfigError) errors.push(e);
      else throw e;
    }
  }
  const state = new Resolver(reg, files);
  state.resolveAll(errors);
  const { warnings, unimplemented } = reviewKeys(reg, files);
  const seen: string[] = [];
  for (const f of files) for (const s of f.sections.keys()) if (!seen.includes(s)) seen.push(s);

  const config: LoadedConfig = {
    get<T>(section: string, option: string): T {
      return state.value(section, option) as T;
    },
    isSet: (section, option) => state.found(section, option) !== undefined,
    origin: (section, option) => {
      const f = state.found(section, option);
      return f ? { file: f.file, line: f.values[f.values.length - 1]!.line, section: f.section, name: f.name } : undefined;
    },
    sections: () => [...seen],
    warnings,
    unimplemented,
    sources: files.map((f) => f.file),
  };
  return { config, errors };
}

/** --config-file paths, then each --config-dir's *.conf files in sorted order. */
function expandSources(opts: LoadOptions, errors: ConfigError[]): string[] {
  const out = [...opts.files];
  for (const dir of opts.dirs ?? []) {
    let names: string[];
    try {
      if (!statSync(dir).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
      names = readdirSync(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      errors.push(new ConfigError(code === 'ENOENT' ? 'config directory not found' : `cannot read config directory (${code})`, { file: dir }));
      continue;
    }
    for (const n of names.filter((n) => n.endsWith('.conf')).sort()) {
      const p = join(dir, n);
      try {
        if (statSync(p).isFile()) out.push(p);
      } catch {
        // vanished or dangling link: skip like a glob would
      }
    }
  }
  return out;
}

interface Found {
  file: string;
  section: string;
  name: string;
  deprecated: boolean;
  /** The winning occurrence last; for multistr every occurrence in file order. */
  values: IniValue[];
}

/** Looks values up across files and converts them lazily, caching results. */
class Resolver {
  private readonly cache = new Map<string, OptionValue>();
  private readonly foundCache = new Map<string, Found | undefined>();
  private readonly active = new Set<string>();

  constructor(
    private readonly reg: OptionRegistry,
    private readonly files: IniFile[],
  ) {}

  private def(section: string, option: string): { sec: string; def: OptionDef } {
    const sec = normalizeSection(section);
    const def = this.reg.get(sec, option);
    if (!def) throw new Error(`configuration option [${sec}] ${option} is not registered`);
    return { sec, def };
  }

  found(section: string, option: string): Found | undefined {
    const { sec, def } = this.def(section, option);
    const key = `${sec}\0${option}`;
    if (this.foundCache.has(key)) return this.foundCache.get(key);
    const names: { section: string; name: string; deprecated: boolean }[] = [
      { section: sec, name: def.name, deprecated: false },
      ...(def.deprecated ?? []).map((d) => ({ section: normalizeSection(d.section ?? sec), name: d.name, deprecated: true })),
    ];
    let result: Found | undefined;
    if (def.type.kind === 'multistr') {
      const all: IniValue[] = [];
      let last: Omit<Found, 'values'> | undefined;
      for (const f of this.files) {
        for (const n of names) {
          const vs = f.sections.get(n.section)?.values.get(n.name);
          if (!vs) continue;
          all.push(...vs);
          last = { file: f.file, section: n.section, name: n.name, deprecated: n.deprecated };
        }
      }
      if (last) result = { ...last, values: all };
    } else {
      outer: for (let i = this.files.length - 1; i >= 0; i--) {
        const f = this.files[i]!;
        for (const n of names) {
          const vs = f.sections.get(n.section)?.values.get(n.name);
          if (vs && vs.length > 0) {
            result = { file: f.file, section: n.section, name: n.name, deprecated: n.deprecated, values: [vs[vs.length - 1]!] };
            break outer;
          }
        }
      }
    }
    this.foundCache.set(key, result);
    return result;
  }

  /** Typed value; throws ConfigError for a bad value. */
  value(section: string, option: string): OptionValue {
    const { sec, def } = this.def(section, option);
    const key = `${sec}\0${option}`;
    if (this.cache.has(key)) return this.cache.get(key)!;
    if (this.active.has(key)) throw new ConfigError(`substitution refers back to itself`, { section: sec, option });
    this.active.add(key);
    try {
      const v = this.compute(sec, def);
      this.cache.set(key, v);
      return v;
    } finally {
      this.active.delete(key);
    }
  }

  private compute(sec: string, def: OptionDef): OptionValue {
    const f = this.found(sec, def.name);
    if (!f) {
      const d = typeof def.default === 'function' ? def.default() : def.default;
      return this.substituteDefault(d, sec, def);
    }
    const where = (v: IniValue) => ({ file: f.file, line: v.line, section: f.section, option: f.name });
    const alias = f.deprecated ? ` (deprecated name of [${sec}] ${def.name})` : '';
    const convertOne = (v: IniValue): OptionValue => {
      try {
        const raw = this.substitute(v.value, sec);
        const out = convert(raw, def.type);
        const why = def.validate?.(out);
        if (why) throw new ValueProblem(why);
        return out;
      } catch (e) {
        if (e instanceof ValueProblem) throw new ConfigError(`bad value${alias}: ${e.message}`, where(v));
        if (e instanceof ConfigError && !e.file) throw new ConfigError(e.reason + alias, where(v));
        throw e;
      }
    };
    if (def.type.kind === 'multistr') return f.values.map((v) => convertOne(v) as string[]).flat();
    return convertOne(f.values[0]!);
  }

  private substituteDefault(d: OptionValue, sec: string, def: OptionDef): OptionValue {
    if (typeof d === 'string') {
      try {
        return this.substitute(d, sec);
      } catch (e) {
        if (e instanceof ValueProblem) throw new ConfigError(`default "${d}": ${e.message}`, { section: sec, option: def.name });
        throw e;
      }
    }
    if (Array.isArray(d) && d.every((x) => typeof x === 'string')) {
      return (d as string[]).map((x) => this.substitute(x, sec));
    }
    return d;
  }

  /** oslo's template substitution: $name or ${name} (own group, then DEFAULT), ${group.name}, $$. */
  private substitute(raw: string, sec: string): string {
    if (!raw.includes('$')) return raw;
    const s = raw.replace(/\\\$/g, '$$$$');
    return s.replace(/\$(?:(\$)|([_a-z][._a-z0-9]*)|\{([_a-z][._a-z0-9]*)\})/gi, (m, dollar, bare, braced) => {
      if (dollar) return '$';
      const ref: string = bare ?? braced;
      let v: OptionValue | undefined;
      const dot = ref.indexOf('.');
      const candidates: [string, string][] = [];
      if (dot > 0) candidates.push([ref.slice(0, dot), ref.slice(dot + 1)]);
      candidates.push([sec, ref], ['DEFAULT', ref]);
      const hit = candidates.find(([g, n]) => this.reg.get(g, n));
      if (!hit) {
        throw new ValueProblem(`"${m}" names no known option (write $$ for a literal $)`);
      }
      v = this.value(hit[0], hit[1]);
      if (v === null || v === undefined) return '';
      if (typeof v === 'boolean') return v ? 'True' : 'False';
      return String(v);
    });
  }

  /** Convert every option some file sets, collecting errors. */
  resolveAll(errors: ConfigError[]): void {
    for (const sec of this.reg.sections()) {
      for (const def of this.reg.options(sec)) {
        if (!this.found(sec, def.name)) continue;
        try {
          this.value(sec, def.name);
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          errors.push(e);
          // Read as the default from now on, so check can carry on.
          const d = typeof def.default === 'function' ? def.default() : def.default;
          this.cache.set(`${sec}\0${def.name}`, d);
        }
      }
    }
  }
}

/** Warnings about what the files contain: unknown, deprecated, ignored, repeated. */
function reviewKeys(reg: OptionRegistry, files: IniFile[]): { warnings: ConfigIssue[]; unimplemented: UnimplementedUse[] } {
  const warnings: ConfigIssue[] = [];
  const unimplemented: UnimplementedUse[] = [];
  for (const f of files) {
    for (const [sec, s] of f.sections) {
      const unknownKeys: string[] = [];
      for (const [key, vs] of s.values) {
        const first = vs[0]!;
        const at = { file: f.file, line: first.line, section: sec, option: key };
        const def = reg.get(sec, key);
        if (def) {
          if (def.status !== 'implemented') {
            unimplemented.push({ section: sec, option: key, file: f.file, line: first.line });
            warnings.push({
              ...at,
              message: def.status === 'removed'
                ? `[${sec}] ${key} is ignored: ${def.note ?? 'Neutron no longer has this option'}`
                : `[${sec}] ${key} is a Neutron option Nucleon does not implement; ignored`,
            });
          } else if (def.deprecatedForRemoval) {
            warnings.push({ ...at, message: `[${sec}] ${key} is deprecated for removal in Neutron` });
          }
          if (vs.length > 1 && def.type.kind !== 'multistr') {
            warnings.push({ ...at, line: vs[vs.length - 1]!.line, message: `[${sec}] ${key} is set ${vs.length} times in this file; the last value (line ${vs[vs.length - 1]!.line}) wins` });
          }
          continue;
        }
        const repl = reg.replacementsOf(sec, key);
        if (repl.length > 0) {
          const names = repl.map((r) => `[${r.section}] ${r.option.name}`).join(' or ');
          warnings.push({ ...at, message: `[${sec}] ${key} is a deprecated name; use ${names}` });
          for (const r of repl) {
            if (r.option.status !== 'implemented') unimplemented.push({ section: r.section, option: r.option.name, file: f.file, line: first.line });
          }
          continue;
        }
        unknownKeys.push(key);
        if (reg.hasSection(sec)) warnings.push({ ...at, message: `unknown option [${sec}] ${key}; ignored` });
      }
      if (!reg.hasSection(sec) && unknownKeys.length > 0) {
        const hint = sec.toUpperCase() === 'DEFAULT' ? ' (section names are case-sensitive: write [DEFAULT])' : '';
        warnings.push({
          file: f.file, line: s.line, section: sec, option: '',
          message: `unknown section [${s.name}]${hint}; its options are ignored: ${unknownKeys.join(', ')}`,
        });
      }
    }
  }
  return { warnings, unimplemented };
}
