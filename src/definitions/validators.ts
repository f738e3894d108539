/**
 * Attribute validators and converters, after neutron-lib's `type:*` validators: each validator
 * returns Neutron's reason text or undefined. Converters throw InvalidInputError.
 */
import { canonicalIp, ipVersionOf, parseCidr, formatCidr } from '../common/ip.js';

export type Validator = (value: unknown) => string | undefined;

/** Thrown by converters; the API reports it as 400 with the message. */
export class InvalidInputError extends Error {}

/** Renders a value the way Neutron's messages show it. */
export function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return JSON.stringify(value);
}

const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const MAC_RE = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;

export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID_RE.test(v);

export const v = {
  string(maxLen?: number): Validator {
    return (data) => {
      if (typeof data !== 'string') return `'${show(data)}' is not a valid string`;
      if (maxLen !== undefined && data.length > maxLen) return `'${data}' exceeds maximum length of ${maxLen}`;
      return undefined;
    };
  },
  stringOrNone(maxLen?: number): Validator {
    const s = v.string(maxLen);
    return (data) => (data === null ? undefined : s(data));
  },
  uuid(): Validator {
    return (data) => (isUuid(data) ? undefined : `'${show(data)}' is not a valid UUID`);
  },
  uuidOrNone(): Validator {
    return (data) => (data === null || isUuid(data) ? undefined : `'${show(data)}' is not a valid UUID`);
  },
  uuidList(): Validator {
    return (data) => {
      if (!Array.isArray(data)) return `'${show(data)}' is not a list`;
      for (const item of data) if (!isUuid(item)) return `'${show(item)}' is not a valid UUID`;
      const dup = data.find((x, i) => data.indexOf(x) !== i);
      return dup !== undefined ? `Duplicate items in the list: '${dup}'` : undefined;
    };
  },
  values(allowed: readonly unknown[]): Validator {
    return (data) => (allowed.includes(data) ? undefined : `${show(data)} is not in [${allowed.map((a) => (typeof a === 'string' ? `'${a}'` : show(a))).join(', ')}]`);
  },
  range(min: number, max: number): Validator {
    return (data) => {
      if (typeof data !== 'number' || !Number.isInteger(data)) return `'${show(data)}' is not an integer`;
      if (data < min) return `'${data}' is too small - must be at least '${min}'`;
      if (data > max) return `'${data}' is too large - must be no larger than '${max}'`;
      return undefined;
    };
  },
  nonNegative(): Validator {
    return (data) => {
      if (typeof data !== 'number' || !Number.isInteger(data)) return `'${show(data)}' is not an integer`;
      return data < 0 ? `'${data}' should be non-negative` : undefined;
    };
  },
  mac(): Validator {
    return (data) => (typeof data === 'string' && MAC_RE.test(data) && !isBroadcastOrMulticast(data) ? undefined : `'${show(data)}' is not a valid MAC address`);
  },
  ip(): Validator {
    return (data) => (typeof data === 'string' && ipVersionOf(data) ? undefined : `'${show(data)}' is not a valid IP address`);
  },
  ipOrNone(): Validator {
    return (data) => (data === null ? undefined : v.ip()(data));
  },
  subnet(): Validator {
    return (data) => {
      if (typeof data !== 'string' || !data.includes('/')) return `'${show(data)}' is not a valid IP subnet`;
      const c = parseCidr(data);
      if (!c) return `'${show(data)}' is not a valid IP subnet`;
      if (!parseCidr(data, true)) return `'${data}' isn't a recognized IP subnet cidr, '${formatCidr(c)}' is recommended`;
      return undefined;
    };
  },
  subnetOrNone(): Validator {
    return (data) => (data === null ? undefined : v.subnet()(data));
  },
  ipOrSubnetOrNone(): Validator {
    return (data) => {
      if (data === null) return undefined;
      if (typeof data === 'string' && (ipVersionOf(data) || parseCidr(data))) return undefined;
      return `'${show(data)}' is neither a valid IP address, nor is it a valid IP subnet`;
    };
  },
  dict(): Validator {
    return (data) => (isPlainObject(data) ? undefined : `'${show(data)}' is not a dictionary`);
  },
  dictOrEmpty(): Validator {
    return (data) => (data === null || isPlainObject(data) ? undefined : `'${show(data)}' is not a dictionary`);
  },
  list(item?: Validator): Validator {
    return (data) => {
      if (!Array.isArray(data)) return `'${show(data)}' is not a list`;
      if (item) for (const x of data) { const r = item(x); if (r) return r; }
      return undefined;
    };
  },
  listOfUniqueStrings(maxLen?: number): Validator {
    return (data) => {
      if (!Array.isArray(data)) return `'${show(data)}' is not a list`;
      for (const x of data) { const r = v.string(maxLen)(x); if (r) return r; }
      const dup = data.find((x, i) => data.indexOf(x) !== i);
      return dup !== undefined ? `Duplicate items in the list: '${dup}'` : undefined;
    };
  },
  /** Several validators in order; the first failure wins. */
  all(...validators: Validator[]): Validator {
    return (data) => { for (const f of validators) { const r = f(data); if (r) return r; } return undefined; };
  },
};

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isBroadcastOrMulticast(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1 || /^00[:-]00[:-]00[:-]00[:-]00[:-]00$/.test(mac);
}

export const convert = {
  boolean(data: unknown): boolean {
    if (typeof data === 'boolean') return data;
    if (typeof data === 'number' && (data === 0 || data === 1)) return data === 1;
    if (typeof data === 'string') {
      const s = data.toLowerCase();
      if (s === 'true' || s === '1') return true;
      if (s === 'false' || s === '0') return false;
    }
    throw new InvalidInputError(`'${show(data)}' cannot be converted to boolean`);
  },
  int(data: unknown): number {
    if (typeof data === 'number' && Number.isInteger(data)) return data;
    if (typeof data === 'string' && /^[-+]?\d+$/.test(data.trim())) return Number(data);
    if (typeof data === 'boolean') return data ? 1 : 0;
    throw new InvalidInputError(`'${show(data)}' is not an integer`);
  },
  intOrNone(data: unknown): number | null {
    return data === null || data === undefined ? null : convert.int(data);
  },
  noneToEmptyList(data: unknown): unknown {
    return data === null ? [] : data;
  },
  noneToEmptyDict(data: unknown): unknown {
    return data === null ? {} : data;
  },
  lowerMac(data: unknown): unknown {
    return typeof data === 'string' && MAC_RE.test(data) ? data.toLowerCase().replace(/-/g, ':') : data;
  },
  canonicalIp(data: unknown): unknown {
    return typeof data === 'string' ? canonicalIp(data) ?? data : data;
  },
  canonicalCidr(data: unknown): unknown {
    if (typeof data !== 'string') return data;
    const c = parseCidr(data);
    if (!c || !data.includes('/')) return data;
    const [addr, len] = data.split('/');
    return `${canonicalIp(addr) ?? addr}/${len}`;
  },
};
