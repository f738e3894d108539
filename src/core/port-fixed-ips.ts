/**
 * Which addresses a port gets, as Neutron decides it: requested addresses and subnets checked and
 * reserved; otherwise one IPv4 address and one stateful IPv6 address from the first subnet of each
 * kind with room; and an EUI-64 address on every SLAAC / DHCPv6-stateless subnet.
 */
import type { Tx } from '../store/db.js';
import { insertOneUnlessDuplicate } from '../store/db.js';
import { insertAllocations } from '../store/tables/ports.js';
import { NeutronError, errors } from './errors.js';
import { parseCidr, parseIp, cidrContains, canonicalIp } from '../common/ip.js';
import { isAutoAddressSubnet, autoAddress, type Ipam, type SubnetShape } from './ipam.js';

export interface FixedIpRequest { subnet_id?: string; ip_address?: string }
export interface FixedIp { subnet_id: string; ip_address: string }
/** An address just taken; `fromPool` ones came off the free ranges, so no other port can hold them. */
export interface NewFixedIp extends FixedIp { fromPool?: boolean }

const ROUTER_OWNERS = new Set(['network:router_interface', 'network:router_interface_distributed', 'network:ha_router_replicated_interface', 'network:router_centralized_snat']);

export interface AllocationInput {
  networkId: string;
  subnets: SubnetShape[];
  mac: string;
  deviceOwner: string;
  maxFixedIps: number;
}

function containing(subnets: SubnetShape[], ip: string): SubnetShape | undefined {
  const p = parseIp(ip)!;
  return subnets.find((s) => cidrContains(parseCidr(s.cidr)!, p.version, p.value));
}

/** Resolves requests to (subnet, address?) pairs, with Neutron's errors for what does not fit. */
function resolve(requests: FixedIpRequest[], input: AllocationInput): { subnet: SubnetShape; ip?: string }[] {
  return requests.map((r) => {
    let subnet: SubnetShape | undefined;
    if (r.subnet_id) {
      subnet = input.subnets.find((s) => s.id === r.subnet_id);
      if (!subnet) throw errors.badRequest(`Invalid input for operation: Failed to create port on network ${input.networkId}, because fixed_ips included invalid subnet ${r.subnet_id}.`);
      if (r.ip_address) {
        const p = parseIp(r.ip_address)!;
        if (!cidrContains(parseCidr(subnet.cidr)!, p.version, p.value)) throw new NeutronError('InvalidIpForSubnet', `IP address ${r.ip_address} is not a valid IP for the specified subnet.`);
      }
    } else if (r.ip_address) {
      subnet = containing(input.subnets, r.ip_address);
      if (!subnet) throw new NeutronError('InvalidIpForNetwork', `IP address ${r.ip_address} is not a valid IP for any of the subnets on the specified network.`);
    } else {
      throw errors.badRequest('Invalid input for operation: IP allocation requires subnet_id or ip_address.');
    }
    if (r.ip_address && isAutoAddressSubnet(subnet) && !ROUTER_OWNERS.has(input.deviceOwner)) {
      throw errors.invalidInput(`IPv6 address ${r.ip_address} can not be directly assigned to a port on subnet ${subnet.id} with ${subnet.ipv6_address_mode} address mode`);
    }
    return { subnet, ip: r.ip_address ? canonicalIp(r.ip_address)! : undefined };
  });
}

async function take(tx: Tx, ipam: Ipam, s: SubnetShape, ip: string): Promise<boolean> {
  const result = await ipam.reserve(tx, s, ip);
  if (result === 'used') throw new NeutronError('IpAddressAlreadyAllocated', `IP address ${ip} already allocated in subnet ${s.id}`);
  return result === 'taken';
}

async function next(tx: Tx, ipam: Ipam, s: SubnetShape, networkId: string): Promise<string> {
  const ip = await ipam.allocate(tx, s);
  if (!ip) throw new NeutronError('IpAddressGenerationFailure', `No more IP addresses available on network ${networkId}.`);
  return ip;
}

/**
 * Allocates addresses for a new port (requests = null: not specified) or for new entries of an
 * update (`keep` = addresses the port already holds and keeps). Reserved addresses are not yet
 * written to ip_allocations: `recordAllocations` does that.
 */
export async function allocateFixedIps(tx: Tx, ipam: Ipam, input: AllocationInput, requests: FixedIpRequest[] | null, keep: FixedIp[] = []): Promise<NewFixedIp[]> {
  const out: NewFixedIp[] = [];
  const router = ROUTER_OWNERS.has(input.deviceOwner);
  if (requests === null) {
    const v4 = input.subnets.filter((s) => s.ip_version === 4);
    const v6Stateful = input.subnets.filter((s) => s.ip_version === 6 && !isAutoAddressSubnet(s));
    for (const group of [v4, v6Stateful]) {
      if (!group.length) continue;
      let got: NewFixedIp | null = null;
      for (const s of group) {
        const ip = await ipam.allocate(tx, s);
        if (ip) { got = { subnet_id: s.id, ip_address: ip, fromPool: true }; break; }
      }
      if (!got) throw new NeutronError('IpAddressGenerationFailure', `No more IP addresses available on network ${input.networkId}.`);
      out.push(got);
    }
  } else {
    for (const { subnet, ip } of resolve(requests, input)) {
      if (keep.some((k) => k.subnet_id === subnet.id && (!ip || k.ip_address === ip))) continue;
      if (isAutoAddressSubnet(subnet) && !ip) out.push({ subnet_id: subnet.id, ip_address: autoAddress(subnet, input.mac) });
      else if (ip) out.push({ subnet_id: subnet.id, ip_address: ip, fromPool: await take(tx, ipam, subnet, ip) });
      else out.push({ subnet_id: subnet.id, ip_address: await next(tx, ipam, subnet, input.networkId), fromPool: true });
    }
  }
  // Every auto-address subnet gives the port an address (router ports choose theirs).
  if (!router) {
    for (const s of input.subnets) {
      if (!isAutoAddressSubnet(s)) continue;
      if ([...out, ...keep].some((f) => f.subnet_id === s.id)) continue;
      out.push({ subnet_id: s.id, ip_address: autoAddress(s, input.mac) });
    }
  }
  if (out.length + keep.length > input.maxFixedIps) throw errors.invalidInput('Exceeded maximum amount of fixed ips per port.');
  return out;
}

/** Writes allocations; an address already held (outside the pools, or SLAAC on the same MAC) is a 409. */
export async function recordAllocations(tx: Tx, portId: string, networkId: string, ips: NewFixedIp[]): Promise<void> {
  const pooled = ips.filter((f) => f.fromPool);
  await insertAllocations(tx, portId, networkId, pooled);
  for (const f of ips.filter((x) => !x.fromPool)) {
    const ok = await insertOneUnlessDuplicate(tx, () => insertAllocations(tx, portId, networkId, [f]));
    if (!ok) throw new NeutronError('IpAddressAlreadyAllocated', `IP address ${f.ip_address} already allocated in subnet ${f.subnet_id}`);
  }
}
