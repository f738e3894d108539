// Declarative option definitions: what an option is called, its type, its default (Neutron's),
// its deprecated names and whether Nucleon acts on it. Group files under groups/ use the small
// builders below; options.ts assembles them into the registry.

/** A typed option value after conversion. `null` means "unset" (Python's None). */
export type OptionValue =
  | string
  | number
  | boolean
  | null
  | string[]
  | Record<string, string>
  | Record<string, string>[];

export type OptType =
  | { kind: 'str'; choices?: readonly string[] }
  | { kind: 'int'; min?: number; max?: number }
  | { kind: 'float'; min?: number; max?: number }
  | { kind: 'bool' }
  | { kind: 'list'; item?: 'str' | 'dict' }
  | { kind: 'dict' }
  | { kind: 'multistr' }
  | { kind: 'port'; min?: number; max?: number }
  | { kind: 'ip'; version?: 4 | 6 }
  | { kind: 'host' }
  | { kind: 'uri'; schemes?: readonly string[] };

export type OptKind = OptType['kind'];

/** Another (section, name) under which an option may still be written. No section: same group. */
export interface DeprecatedName {
  readonly section?: string;
  readonly name: string;
}

/**
 * - implemented: Nucleon reads and acts on it.
 * - unimplemented: Neutron has it; Nucleon accepts and validates it but ignores it.
 * - removed: Neutron itself dropped it; accepted for old files, ignored, and reported.
 */
export type OptionStatus = 'implemented' | 'unimplemented' | 'removed';

export interface OptionDef {
  readonly name: string;
  readonly type: OptType;
  /** Neutron's default, already typed; a function when it depends on the machine (host). */
  readonly default: OptionValue | (() => OptionValue);
  readonly help: string;
  readonly deprecated?: readonly DeprecatedName[];
  readonly deprecatedForRemoval?: boolean;
  readonly secret?: boolean;
  /** Extra check after type conversion; returns why the value is bad, or undefined. */
  readonly validate?: (value: OptionValue) => string | undefined;
  readonly status: OptionStatus;
  /** Shown with removed options: what replaced them. */
  readonly note?: string;
}

export interface GroupDef {
  readonly name: string;
  readonly help: string;
  readonly options: readonly OptionDef[];
}

/** Builder input: everything but name/type/default/help/status, plus type-specific bounds. */
export interface OptExtra {
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly item?: 'str' | 'dict';
  readonly version?: 4 | 6;
  readonly schemes?: readonly string[];
  readonly deprecated?: readonly DeprecatedName[];
  readonly deprecatedForRemoval?: boolean;
  readonly secret?: boolean;
  readonly validate?: (value: OptionValue) => string | undefined;
  readonly removed?: string;
}

type Default = OptionValue | (() => OptionValue);
type Draft = Omit<OptionDef, 'status'> & { status?: OptionStatus };

function make(name: string, type: OptType, dflt: Default, help: string, x: OptExtra = {}): Draft {
  return {
    name,
    type,
    default: dflt,
    help,
    ...(x.deprecated ? { deprecated: x.deprecated } : {}),
    ...(x.deprecatedForRemoval ? { deprecatedForRemoval: true } : {}),
    ...(x.secret ? { secret: true } : {}),
    ...(x.validate ? { validate: x.validate } : {}),
    ...(x.removed !== undefined ? { status: 'removed' as const, note: x.removed } : {}),
  };
}

const bounds = (x: OptExtra) => ({
  ...(x.min !== undefined ? { min: x.min } : {}),
  ...(x.max !== undefined ? { max: x.max } : {}),
});

export const str = (n: string, d: string | null | (() => string), h: string, x: OptExtra = {}) =>
  make(n, { kind: 'str', ...(x.choices ? { choices: x.choices } : {}) }, d, h, x);
export const int = (n: string, d: number | null, h: string, x: OptExtra = {}) =>
  make(n, { kind: 'int', ...bounds(x) }, d, h, x);
export const float = (n: string, d: number | null, h: string, x: OptExtra = {}) =>
  make(n, { kind: 'float', ...bounds(x) }, d, h, x);
export const bool = (n: string, d: boolean | null, h: string, x: OptExtra = {}) =>
  make(n, { kind: 'bool' }, d, h, x);
export const list = (n: string, d: string[] | Record<string, string>[] | null, h: string, x: OptExtra = {}) =>
  make(n, { kind: 'list', ...(x.item ? { item: x.item } : {}) }, d, h, x);
export const dict = (n: string, d: Record<string, string> | null, h: string, x: OptExtra = {}) =>
  make(n, { kind: 'dict' }, d, h, x);
export const multistr = (n: string, d: string[], h: string, x: OptExtra = {}) =>
  make(n, { kind: 'multistr' }, d, h, x);
export const port = (n: string, d: number | null, h: string, x: OptExtra = {}) =>
  make(n, { kind: 'port', ...bounds(x) }, d, h, x);
export const ip = (n: string, d: string | null, h: string, x: OptExtra = {}) =>
  make(n, { kind: 'ip', ...(x.version ? { version: x.version } : {}) }, d, h, x);
export const host = (n: string, d: string | null | (() => string), h: string, x: OptExtra = {}) =>
  make(n, { kind: 'host' }, d, h, x);
export const uri = (n: string, d: string | null, h: string, x: OptExtra = {}) =>
  make(n, { kind: 'uri', ...(x.schemes ? { schemes: x.schemes } : {}) }, d, h, x);

/**
 * Build a group. `implemented` names the options Nucleon acts on ('all' for every one);
 * the rest are known but unimplemented (or removed, when the builder said so).
 */
export function group(
  name: string,
  help: string,
  implemented: readonly string[] | 'all',
  drafts: readonly Draft[],
): GroupDef {
  const names = new Set(drafts.map((d) => d.name));
  if (implemented !== 'all') {
    for (const n of implemented) {
      if (!names.has(n)) throw new Error(`[${name}] ${n} listed as implemented but not defined`);
    }
  }
  if (names.size !== drafts.length) throw new Error(`[${name}] defines an option twice`);
  const impl = implemented === 'all' ? names : new Set(implemented);
  const options = drafts.map(
    (d): OptionDef => ({ ...d, status: d.status ?? (impl.has(d.name) ? 'implemented' : 'unimplemented') }),
  );
  return { name, help, options };
}
