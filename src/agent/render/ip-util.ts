/** Small pure IP helpers for the renderers (no dependency needed for this much). */
import { isIPv4, isIPv6 } from 'node:net';

export function ipVersionOf(ip: string): 4 | 6 {
  return ip.includes(':') ? 6 : 4;
}

function v4ToBig(ip: string): bigint {
  return ip.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
}

function bigToV4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
}

function v6ToBig(ip: string): bigint {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g || '0', 16)), 0n);
}

function bigToV6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((n >> BigInt(16 * (7 - i))) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** `10.0.0.5/24` → ['10.0.0.0', 24]. Throws on a malformed CIDR. */
export function cidrNetwork(cidr: string): [string, number] {
  const [ip, p] = cidr.split('/');
  const prefix = Number(p);
  if (ip && isIPv4(ip) && Number.isInteger(prefix) && prefix >= 0 && prefix <= 32) {
    const mask = prefix === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - prefix)) - 1n);
    return [bigToV4(v4ToBig(ip) & mask), prefix];
  }
  if (ip && isIPv6(ip) && Number.isInteger(prefix) && prefix >= 0 && prefix <= 128) {
    const all = (1n << 128n) - 1n;
    const mask = prefix === 0 ? 0n : all ^ ((1n << BigInt(128 - prefix)) - 1n);
    return [bigToV6(v6ToBig(ip) & mask), prefix];
  }
  throw new Error(`invalid CIDR: ${cidr}`);
}

export function prefixToNetmask(prefix: number): string {
  const mask = prefix === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - prefix)) - 1n);
  return bigToV4(mask);
}

/** Whether `ip` lies in `cidr`. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [net, prefix] = cidrNetwork(cidr);
  if (ipVersionOf(ip) !== ipVersionOf(net)) return false;
  return cidrNetwork(`${ip}/${prefix}`)[0] === net;
}
