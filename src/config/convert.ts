// String → typed value conversion with oslo.config's rules. Each function returns the value or
// throws a ValueProblem whose message says why (the caller adds file, section and option).
import { isIP } from 'node:net';
import type { OptionValue, OptType } from './types.js';

export class ValueProblem extends Error {}

const TRUE = new Set(['true', '1', 'on', 'yes']);
const FALSE = new Set(['false', '0', 'off', 'no']);

export function parseBool(raw: string): boolean {
  const s = raw.trim().toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new ValueProblem(`"${raw}" is not a boolean (true/false, yes/no, on/off, 1/0)`);
}

/** oslo's list syntax: comma-separated, items stripped, one trailing comma ignored, "" → []. */
export function parseList(raw: string): string[] {
  const s = raw.trim().replace(/,+$/, '');
  if (s === '') return [];
  return s.split(',').map((x) => x.trim());
}

/** oslo's dict syntax: "k1:v1, k2:v2"; keys and values stripped; a value may contain ':'. */
export function parseDict(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  const s = raw.trim();
  if (s === '') return out;
  for (const pair of s.split(',')) {
    const c = pair.indexOf(':');
    if (c < 0) throw new ValueProblem(`"${pair.trim()}" is not a key:value pair (dict syntax is k1:v1,k2:v2)`);
    out[pair.slice(0, c).trim()] = pair.slice(c + 1).trim();
  }
  return out;
}

function parseNumber(raw: string, integer: boolean, min: number | undefined, max: number | undefined): number | null {
  const s = raw.trim();
  if (s === '') return null; // oslo: an empty number means "unset"
  const ok = integer ? /^[+-]?\d+$/.test(s) : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s);
  if (!ok) throw new ValueProblem(`"${raw}" is not ${integer ? 'an integer' : 'a number'}`);
  const n = Number(s);
  if (min !== undefined && n < min) throw new ValueProblem(`${n} is below the minimum ${min}`);
  if (max !== undefined && n > max) throw new ValueProblem(`${n} is above the maximum ${max}`);
  return n;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** RFC 1123 host name, as oslo's Hostname type checks it. */
export function isHostname(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  const v = value.endsWith('.') ? value.slice(0, -1) : value;
  const labels = v.split('.');
  if (!/[a-z-]/i.test(labels[labels.length - 1]!)) return false;
  return labels.every((l) => LABEL.test(l));
}

export function convert(raw: string, type: OptType): OptionValue {
  switch (type.kind) {
    case 'str':
      if (type.choices && !type.choices.includes(raw)) {
        throw new ValueProblem(`"${raw}" is not one of ${type.choices.join(', ')}`);
      }
      return raw;
    case 'int':
      return parseNumber(raw, true, type.min, type.max);
    case 'float':
      return parseNumber(raw, false, type.min, type.max);
    case 'port':
      return parseNumber(raw, true, type.min ?? 0, type.max ?? 65535);
    case 'bool':
      return parseBool(raw);
    case 'list':
      if (type.item === 'dict') return parseList(raw).map(parseDict);
      return parseList(raw);
    case 'dict':
      return parseDict(raw);
    case 'multistr':
      return [raw];
    case 'ip': {
      const v = isIP(raw.trim());
      if (v === 0) throw new ValueProblem(`"${raw}" is not an IP address`);
      if (type.version && v !== type.version) throw new ValueProblem(`"${raw}" is not an IPv${type.version} address`);
      return raw.trim();
    }
    case 'host': {
      const s = raw.trim();
      if (isIP(s) === 0 && !isHostname(s)) throw new ValueProblem(`"${raw}" is not an IP address or host name`);
      return s;
    }
    case 'uri': {
      const s = raw.trim();
      if (s === '') return null;
      let u: URL;
      try {
        u = new URL(s);
      } catch {
        throw new ValueProblem(`"${raw}" is not a URI (scheme://host[:port]/path)`);
      }
      if (!u.host) throw new ValueProblem(`"${raw}" has no host`);
      const scheme = u.protocol.slice(0, -1);
      if (type.schemes && !type.schemes.includes(scheme)) {
        throw new ValueProblem(`"${raw}": scheme must be one of ${type.schemes.join(', ')}`);
      }
      return s;
    }
  }
}
