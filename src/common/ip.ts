/** IP address and prefix arithmetic on BigInt: pure, shared by validation, IPAM and rendering. */
import { isIPv4, isIPv6 } from 'node:net';

export type IpVersion = 4 | 6;

export interface Cidr {
  version: IpVersion;
  /** Network address (host bits cleared unless `strict` parsing kept them). */
  network: bigint;
  prefixLength: number;
}

const BITS = { 4: 32, 6: 128 } as const;

export function ipVersionOf(address: string): IpVersion | null {
  if (isIPv4(address)) return 4;
  if (isIPv6(address)) return 6;
  return null;
}

export function bitsOf(version: IpVersion): number {
  return BITS[version];
}

export function parseIp(address: string): { version: IpVersion; value: bigint } | null {
  const version = ipVersionOf(address);
  if (version === 4) {
    const value = address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    return { version, value };
  }
  if (version === 6) return { version, value: parseIpv6(address) };
  return null;
}

function parseIpv6(address: string): bigint {
  let text = address;
  let tail: bigint[] = [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = parseIp(maybeV4)!.value;
    tail = [v4 >> 16n, v4 & 0xffffn];
    text = text.slice(0, lastColon + 1) + (text.endsWith('::' + maybeV4) ? '' : '0');
    if (text.endsWith(':0')) text = text.slice(0, -2);
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':').filter((g) => g !== '') : [];
  const restGroups = rest !== undefined && rest !== '' ? rest.split(':').filter((g) => g !== '') : [];
  const groups = [...headGroups.map((g) => BigInt('0x' + g))];
  const tailGroups = [...restGroups.map((g) => BigInt('0x' + g)), ...tail];
  const missing = 8 - groups.length - tailGroups.length;
  const all = rest !== undefined ? [...groups, ...Array(missing).fill(0n), ...tailGroups] : [...groups, ...tailGroups];
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

export function formatIp(version: IpVersion, value: bigint): string {
  if (version === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (>= 2) of zero groups, leftmost on ties.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}

/** Canonical text of an address (`2001:DB8::0001` → `2001:db8::1`); null when not an address. */
export function canonicalIp(address: string): string | null {
  const ip = parseIp(address);
  return ip ? formatIp(ip.version, ip.value) : null;
}

/** Parses `a.b.c.d/n` or `x::/n`; with `strict`, host bits must be zero. */
export function parseCidr(text: string, strict = false): Cidr | null {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const ip = parseIp(addr);
  if (!ip) return null;
  const bits = BITS[ip.version];
  let prefixLength: number = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    prefixLength = Number(p);
    if (prefixLength > bits) return null;
  }
  const network = ip.value & netmask(ip.version, prefixLength);
  if (strict && network !== ip.value) return null;
  return { version: ip.version, network, prefixLength };
}

export function netmask(version: IpVersion, prefixLength: number): bigint {
  const bits = BigInt(BITS[version]);
  const all = (1n << bits) - 1n;
  return (all << (bits - BigInt(prefixLength))) & all;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.version, c.network)}/${c.prefixLength}`;
}

export function cidrLast(c: Cidr): bigint {
  return c.network | (~netmask(c.version, c.prefixLength) & ((1n << BigInt(BITS[c.version])) - 1n));
}

export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(BITS[c.version] - c.prefixLength);
}

export function cidrContains(c: Cidr, version: IpVersion, value: bigint): boolean {
  return c.version === version && value >= c.network && value <= cidrLast(c);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.network <= cidrLast(b) && b.network <= cidrLast(a);
}

/** Fixed-width hex of an address: lexical order equals numeric order, so ranges can be compared in SQL. */
export function ipKey(version: IpVersion, value: bigint): string {
  return value.toString(16).padStart(version === 4 ? 8 : 32, '0');
}

export function ipFromKey(version: IpVersion, key: string): bigint {
  return BigInt('0x' + key);
}

/** Modified EUI-64 interface identifier of a MAC within a /64 prefix (SLAAC). */
export function eui64Address(prefix: Cidr, mac: string): bigint {
  const bytes = mac.split(':').map((h) => parseInt(h, 16));
  const iid = [bytes[0] ^ 0x02, bytes[1], bytes[2], 0xff, 0xfe, bytes[3], bytes[4], bytes[5]];
  const id = iid.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  return prefix.network | id;
}
