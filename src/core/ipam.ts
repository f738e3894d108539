/**
 * IPAM: allocation pools and addresses of subnets. Free addresses live as ranges in free_ranges
 * (pool `ip:<subnet id>`): allocation takes the first free address in constant time, and the
 * ip_allocations primary key (subnet, address) is the final guard against double allocation.
 */
import type { Tx } from '../store/db.js';
import type { FreeRanges, KeyRange } from '../store/tables/free-ranges.js';
import { subtractKeys } from '../store/tables/free-ranges.js';
import {
  parseCidr, parseIp, formatIp, cidrLast, cidrContains, eui64Address, type Cidr, type IpVersion,
} from '../common/ip.js';
import { NeutronError } from './errors.js';

export interface Pool { start: string; end: string }

export interface SubnetShape {
  id: string;
  cidr: string;
  ip_version: number;
  gateway_ip: string | null;
  ipv6_address_mode: string | null;
  ipv6_ra_mode: string | null;
  pools: Pool[];
}

const AUTO_ADDRESS_MODES = new Set(['slaac', 'dhcpv6-stateless']);

/** SLAAC and DHCPv6-stateless subnets: addresses come from the MAC (EUI-64), not from the pools. */
export function isAutoAddressSubnet(s: Pick<SubnetShape, 'ip_version' | 'ipv6_address_mode' | 'ipv6_ra_mode'>): boolean {
  if (s.ip_version !== 6) return false;
  return AUTO_ADDRESS_MODES.has(s.ipv6_address_mode ?? '') || (!s.ipv6_address_mode && AUTO_ADDRESS_MODES.has(s.ipv6_ra_mode ?? ''));
}

export const keyWidth = (version: number) => (version === 4 ? 8 : 32);
export const poolKey = (subnetId: string) => `ip:${subnetId}`;

/** Usable host range of a CIDR: IPv4 leaves out the network and broadcast addresses (except /31, /32). */
export function hostRange(c: Cidr): KeyRange {
  const last = cidrLast(c);
  if (c.version === 4 && c.prefixLength < 31) return { first: c.network + 1n, last: last - 1n };
  // IPv6 leaves out the subnet-router anycast address (the prefix itself).
  if (c.version === 6 && c.prefixLength < 127) return { first: c.network + 1n, last };
  return { first: c.network, last };
}

/** Neutron's default pools: the host range minus the gateway. */
export function defaultPools(cidr: string, gateway: string | null): Pool[] {
  const c = parseCidr(cidr)!;
  const range = hostRange(c);
  const gw = gateway ? parseIp(gateway)?.value : undefined;
  const ranges = gw !== undefined ? subtractKeys([range], [gw]) : [range];
  return ranges.map((r) => ({ start: formatIp(c.version, r.first), end: formatIp(c.version, r.last) }));
}

/** Checks requested pools against the subnet (Neutron's messages and types). */
export function validatePools(cidr: string, pools: Pool[], gateway: string | null): KeyRange[] {
  const c = parseCidr(cidr)!;
  const ranges: KeyRange[] = [];
  for (const pool of pools) {
    const start = parseIp(pool.start);
    const end = parseIp(pool.end);
    const text = `{'start': '${pool.start}', 'end': '${pool.end}'}`;
    if (!start || !end || start.version !== c.version || end.version !== c.version) {
      throw new NeutronError('InvalidAllocationPool', `The allocation pool ${text} is not valid.`);
    }
    if (!cidrContains(c, start.version, start.value) || !cidrContains(c, end.version, end.value)) {
      throw new NeutronError('OutOfBoundsAllocationPool', `The allocation pool ${pool.start}-${pool.end} spans beyond the subnet cidr ${cidr}.`);
    }
    if (start.value > end.value) throw new NeutronError('InvalidAllocationPool', `The allocation pool ${text} is not valid.`);
    const host = hostRange(c);
    if (c.version === 4 && (start.value < host.first || end.value > host.last)) {
      throw new NeutronError('InvalidAllocationPool', `The allocation pool ${text} is not valid.`);
    }
    ranges.push({ first: start.value, last: end.value });
  }
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : 1));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].first <= sorted[i - 1].last) {
      const f = (r: KeyRange) => `${formatIp(c.version, r.first)}-${formatIp(c.version, r.last)}`;
      throw new NeutronError('OverlappingAllocationPools', `Found overlapping allocation pools: ${f(sorted[i - 1])} and ${f(sorted[i])} for subnet ${cidr}.`);
    }
  }
  const gw = gateway ? parseIp(gateway) : null;
  if (gw && ranges.some((r) => gw.value >= r.first && gw.value <= r.last)) {
    throw new NeutronError('GatewayConflictWithAllocationPools', `Gateway ip ${gateway} conflicts with allocation pool ${pools.map((p) => `${p.start}-${p.end}`).join(', ')}`);
  }
  return ranges;
}

export function poolRanges(s: SubnetShape): KeyRange[] {
  return s.pools.map((p) => ({ first: parseIp(p.start)!.value, last: parseIp(p.end)!.value }));
}

export interface Ipam {
  /** Locks the subnet's pool: call before reading the addresses in use for a rebuild. */
  lock(tx: Tx, subnetId: string): Promise<void>;
  /** (Re)builds the free ranges of a subnet: its pools minus `used` addresses. */
  rebuild(tx: Tx, s: SubnetShape, used: string[]): Promise<void>;
  /** Next free address of the subnet, or null when the pools are exhausted. */
  allocate(tx: Tx, s: SubnetShape): Promise<string | null>;
  /** Takes a specific address: 'taken' from the pool, 'outside' the pools (allowed), or 'used'. */
  reserve(tx: Tx, s: SubnetShape, ip: string): Promise<'taken' | 'outside' | 'used'>;
  /** Returns an address to the pool when it lies inside one. */
  release(tx: Tx, s: SubnetShape, ip: string): Promise<void>;
  drop(tx: Tx, subnetId: string): Promise<void>;
}

export function createIpam(ranges: FreeRanges): Ipam {
  const inPools = (s: SubnetShape, value: bigint) => poolRanges(s).some((r) => value >= r.first && value <= r.last);
  return {
    lock: (tx, subnetId) => ranges.lock(tx, poolKey(subnetId)),
    async rebuild(tx, s, used) {
      const values = used.map((ip) => parseIp(ip)!.value);
      await ranges.replace(tx, poolKey(s.id), subtractKeys(poolRanges(s), values), keyWidth(s.ip_version));
    },
    async allocate(tx, s) {
      const v = await ranges.allocate(tx, poolKey(s.id), keyWidth(s.ip_version));
      return v === null ? null : formatIp(s.ip_version as IpVersion, v);
    },
    async reserve(tx, s, ip) {
      const value = parseIp(ip)!.value;
      if (await ranges.reserve(tx, poolKey(s.id), value, keyWidth(s.ip_version))) return 'taken';
      if (!inPools(s, value)) return 'outside';
      return 'used';
    },
    async release(tx, s, ip) {
      const value = parseIp(ip)!.value;
      if (inPools(s, value)) await ranges.release(tx, poolKey(s.id), value, keyWidth(s.ip_version));
    },
    drop: (tx, subnetId) => ranges.drop(tx, poolKey(subnetId)),
  };
}

/** The SLAAC address of `mac` on an auto-address subnet. */
export function autoAddress(s: SubnetShape, mac: string): string {
  const c = parseCidr(s.cidr)!;
  return formatIp(6, eui64Address(c, mac));
}
