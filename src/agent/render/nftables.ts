/**
 * Pure renderer: the host's ports + FirewallState → the nftables ruleset of two tables we own, as one
 * `nft -f` transaction (see docs/firewall.md for the why of every piece):
 *
 *   table bridge nucleon   L2, frames FROM filtered ports: source MAC/IP (fixed IPs, allowed address
 *                          pairs, EUI-64 link-local) and ARP sender checks by concatenated-set lookups,
 *                          no DHCP server / RA from the instance; tags each frame's skb mark with the
 *                          ports it comes from / goes to.
 *   table inet nucleon     L3 through br_netfilter: conntrack zone per network (by bridge), notrack for
 *                          stateless groups, per-port egress/ingress chains with the group rules.
 *
 * skb mark layout (frames from our taps get the whole mark; see docs/firewall.md):
 *   0x3fff0000  index of the port the frame came from (1..16383)
 *   0x40000000  the frame touches a stateless port: no conntrack
 *   0x0000ffff  index of the port the frame is going to (set per flooded copy in bridge forward)
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { AllowedAddressPair, PortState } from '../../hoststate/types.js';
import type { FirewallState, SecurityGroupRuleState, SecurityGroupState } from '../../hoststate/firewall.js';
import { cidrContains, cidrNetwork, ipVersionOf } from './ip-util.js';

export const NFT_TABLE = 'nucleon';
/** Name of the chain holding the marker rule whose comment is the ruleset's hash. */
export const STATE_CHAIN = 'nucleon_state';
const NOTRACK_BIT = 0x40000000;
const MAX_PORTS = 0x3fff;

/** Neutron's protocol names (neutron-lib IP_PROTOCOL_MAP) → IP protocol numbers. */
const PROTOCOLS: Record<string, number> = {
  ah: 51, dccp: 33, egp: 8, esp: 50, gre: 47, hopopt: 0, icmp: 1, igmp: 2, ip: 0, ipip: 4, 'ipv6-encap': 41,
  'ipv6-frag': 44, 'ipv6-icmp': 58, icmpv6: 58, 'ipv6-nonxt': 59, 'ipv6-opts': 60, 'ipv6-route': 43, ospf: 89,
  pgm: 113, rsvp: 46, sctp: 132, tcp: 6, udp: 17, udplite: 136, vrrp: 112,
};
/** Protocols whose rules' port ranges are destination ports. */
const PORT_PROTOCOLS = new Set([6, 17, 33, 132, 136]);

export interface RenderedFirewall {
  /** The whole `nft -f` input: (re)creates both tables in one transaction. */
  script: string;
  /** sha256 of the table definitions; stored as the marker rule's comment. */
  hash: string;
  /** `<family> <chain>` → number of rules, marker included: what a canonical read must find. */
  chains: Record<string, number>;
}

/** Ports Neutron's firewall leaves alone: port security off, or trusted network:* owners (DHCP, router). */
export function isFiltered(p: PortState): boolean {
  return p.port_security_enabled && !p.device_owner.startsWith('network:');
}

/** Bridge and tap names as the L2 stages create them. */
const bridgeOf = (networkId: string) => `brq${networkId.slice(0, 11)}`;
const tapOf = (portId: string) => `tap${portId.slice(0, 11)}`;

/** Protocol of a rule as a number, or undefined for any. */
export function protocolNumber(rule: Pick<SecurityGroupRuleState, 'protocol' | 'ethertype'>): number | undefined {
  const p = rule.protocol?.toLowerCase();
  if (p === undefined || p === null || p === '' || p === 'any') return undefined;
  let n = /^\d+$/.test(p) ? Number(p) : PROTOCOLS[p];
  if (n === undefined) throw new Error(`unknown protocol ${rule.protocol}`);
  if (n === 1 && rule.ethertype === 'IPv6') n = 58; // Neutron: 'icmp' on an IPv6 rule is ICMPv6
  return n;
}

/** The IPv6 link-local address an instance derives from its MAC (EUI-64). */
export function linkLocalFromMac(mac: string): string {
  const b = mac.split(':').map((h) => Number.parseInt(h, 16));
  b[0] = b[0]! ^ 0x02;
  const g = [(b[0] << 8) | b[1]!, (b[2]! << 8) | 0xff, 0xfe00 | b[3]!, (b[4]! << 8) | b[5]!];
  return `fe80::${g.map((x) => x.toString(16)).join(':')}`;
}

/** An address or CIDR as nft wants it: host bits cleared, full-length prefixes bare. */
export function nftAddr(a: string): string {
  // Validated: nft would try to resolve anything else as a host name.
  if (!a.includes('/')) {
    if (!isIP(a)) throw new Error(`invalid IP address: ${a}`);
    return a.toLowerCase();
  }
  const [net, len] = cidrNetwork(a);
  return len === (ipVersionOf(net) === 4 ? 32 : 128) ? net : `${net}/${len}`;
}

const uniqSorted = (xs: Iterable<string>) => [...new Set(xs)].sort();
const elems = (xs: Iterable<string>) => `{ ${uniqSorted(xs).join(', ')} }`;

/** Source addresses a port may use, per source MAC (fixed IPs and pairs without MAC use the port's). */
export function allowedSources(p: PortState): Map<string, { v4: string[]; v6: string[] }> {
  const out = new Map<string, { v4: string[]; v6: string[] }>();
  const add = (mac: string, ip: string) => {
    const m = mac.toLowerCase();
    if (!out.has(m)) out.set(m, { v4: [], v6: [] });
    out.get(m)![ipVersionOf(ip) === 4 ? 'v4' : 'v6'].push(nftAddr(ip));
  };
  for (const f of p.fixed_ips) add(p.mac_address, f.ip_address);
  add(p.mac_address, linkLocalFromMac(p.mac_address));
  for (const pair of p.allowed_address_pairs as AllowedAddressPair[]) {
    const mac = pair.mac_address ?? p.mac_address;
    add(mac, pair.ip_address);
    if (mac.toLowerCase() !== p.mac_address.toLowerCase()) add(mac, linkLocalFromMac(mac));
  }
  return out;
}

/** Drops addresses already covered by a wider CIDR of the same list (interval sets refuse overlaps). */
export function dropCovered(addrs: readonly string[]): string[] {
  const xs = uniqSorted(addrs);
  const net = (a: string) => (a.includes('/') ? cidrNetwork(a) : ([a, ipVersionOf(a) === 4 ? 32 : 128] as const));
  return xs.filter((x) => {
    const [xn, xl] = net(x);
    return !xs.some((y) => y !== x && y.includes('/') && net(y)[1] < xl && cidrContains(y, xn));
  });
}

/** The bridge prerouting chain: port security for frames FROM filtered ports, by set lookups. */
const PORT_SECURITY_RULES = [
  'meta mark set iifname map @port_mark',
  `ether daddr @stateless_macs meta mark set meta mark or 0x${NOTRACK_BIT.toString(16)}`,
  'iifname != @ports accept',
  // ARP: sender MAC = frame source, sender IP one of that MAC's IPv4 addresses (probes use 0.0.0.0).
  'arp saddr ip 0.0.0.0 iifname . ether saddr @src_mac accept',
  'iifname . ether saddr . arp saddr ether . arp saddr ip @src_arp accept',
  'ether type arp drop',
  // IPv4: DHCP client from 0.0.0.0; never a DHCP server; otherwise the port's own sources only.
  'ip saddr 0.0.0.0 ip daddr 255.255.255.255 udp sport 68 udp dport 67 iifname . ether saddr @src_mac accept',
  'ether type ip udp sport 67 udp dport 68 drop',
  'iifname . ether saddr . ip saddr @src_v4 accept',
  // IPv6: DAD and MLD from ::; no router advertisements, redirects or DHCPv6 server; own sources incl. link-local.
  'ip6 saddr :: icmpv6 type { mld-listener-report, nd-neighbor-solicit, mld2-listener-report } iifname . ether saddr @src_mac accept',
  'icmpv6 type { nd-router-advert, nd-redirect } drop',
  'ether type ip6 udp sport 547 udp dport 546 drop',
  'iifname . ether saddr . ip6 saddr @src_v6 accept',
  // Wrong MAC, wrong address, other ethertypes.
  'drop',
];

/** Match expression of one rule for a port's chain, or undefined when it can never match. */
export function ruleMatch(rule: SecurityGroupRuleState): string | undefined {
  const v4 = rule.ethertype === 'IPv4';
  const parts = [`meta nfproto ${v4 ? 'ipv4' : 'ipv6'}`];
  const peer = `${v4 ? 'ip' : 'ip6'} ${rule.direction === 'ingress' ? 'saddr' : 'daddr'}`;
  const proto = protocolNumber(rule);
  if (proto !== undefined) parts.push(`meta l4proto ${proto}`);
  const { port_range_min: min, port_range_max: max } = rule;
  if (proto !== undefined && PORT_PROTOCOLS.has(proto) && min !== null) {
    parts.push(`th dport ${max === null || max === min ? min : `${min}-${max}`}`);
  } else if ((proto === 1 || proto === 58) && min !== null) {
    const icmp = proto === 1 ? 'icmp' : 'icmpv6';
    parts.push(`${icmp} type ${min}`);
    if (max !== null) parts.push(`${icmp} code ${max}`);
  }
  if (rule.remote_ip_prefix) {
    if (ipVersionOf(rule.remote_ip_prefix.split('/')[0]!) !== (v4 ? 4 : 6)) return undefined;
    const pfx = nftAddr(rule.remote_ip_prefix);
    if (!pfx.endsWith('/0')) parts.push(`${peer} ${pfx}`);
  }
  if (rule.remote_group_id) parts.push(`${peer} @${setName('rg', rule.remote_group_id, v4)}`);
  if (rule.remote_address_group_id) parts.push(`${peer} @${setName('ag', rule.remote_address_group_id, v4)}`);
  return parts.join(' ');
}

export const setName = (kind: 'rg' | 'ag', id: string, v4: boolean) => `${kind}_${id}_${v4 ? 'v4' : 'v6'}`;

/** Rules of a port's inet chain for one direction: base allowances, conntrack, group rules, drop. */
function portL3Rules(direction: 'ingress' | 'egress', groups: SecurityGroupState[], stateful: boolean): string[] {
  const r: string[] = [];
  if (stateful) r.push('ct state established,related return', 'ct state invalid drop');
  if (direction === 'egress') {
    r.push('udp sport 68 udp dport 67 return', 'udp sport 546 udp dport 547 return');
    r.push('icmpv6 type { mld-listener-report, nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert, mld2-listener-report } return');
  } else {
    r.push('udp sport 67 udp dport 68 return', 'udp sport 547 udp dport 546 return');
    r.push('icmpv6 type { mld-listener-query, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } return');
  }
  const seen = new Set<string>();
  for (const g of groups) {
    for (const rule of g.rules) {
      if (rule.direction !== direction) continue;
      const m = ruleMatch(rule);
      if (m === undefined || seen.has(m)) continue;
      seen.add(m);
      r.push(`${m} return`);
    }
  }
  r.push('drop');
  return r;
}

/** Keeps zones already in use, gives new networks a stable preferred zone (hash of the id) or the next free. */
export function assignZones(networkIds: Iterable<string>, existing: ReadonlyMap<string, number>): Map<string, number> {
  const ids = [...new Set(networkIds)].sort();
  const out = new Map<string, number>();
  const used = new Set<number>();
  for (const id of ids) {
    const z = existing.get(id);
    if (z !== undefined && !used.has(z)) {
      out.set(id, z);
      used.add(z);
    }
  }
  for (const id of ids) {
    if (out.has(id)) continue;
    let z = (createHash('sha256').update(id).digest().readUInt16BE(0) % 65000) + 1;
    while (used.has(z)) z = (z % 65000) + 1;
    out.set(id, z);
    used.add(z);
  }
  return out;
}

const block = (kind: string, name: string, lines: string[]) => `\t${kind} ${name} {\n${lines.map((l) => `\t\t${l}\n`).join('')}\t}\n`;

/**
 * Renders the whole ruleset. `zones`: network id → conntrack zone (see assignZones). With no filtered
 * port the tables still exist (empty dispatch), so "no ports" is also a state we can compare.
 */
export function renderFirewall(ports: readonly PortState[], fw: FirewallState, zones: ReadonlyMap<string, number>): RenderedFirewall {
  const groups = new Map(fw.security_groups.map((g) => [g.id, g]));
  const filtered = [...ports].filter(isFiltered).sort((a, b) => (a.id < b.id ? -1 : 1));
  if (filtered.length > MAX_PORTS) throw new Error(`more than ${MAX_PORTS} filtered ports on one host`);
  const br: [string, string[]][] = [];
  // Ports with the same groups (and statefulness) share their L3 chains: rules scale with distinct
  // group sets, not with ports.
  const inet = new Map<string, string[]>();
  const src = { mac: [] as string[], v4: [] as string[], v6: [] as string[], arp: [] as string[] };
  const portMark: string[] = [];
  const brFwd: string[] = [];
  const inetFwd: string[] = [];
  const toMap: string[] = [], egMap: string[] = [], inMap: string[] = [];
  const statelessMacs: string[] = [];
  const rgUsed = new Set<string>(), agUsed = new Set<string>();

  filtered.forEach((p, i) => {
    const index = i + 1;
    const tap = tapOf(p.id);
    const pg = p.security_groups.map((id) => groups.get(id)).filter((g): g is SecurityGroupState => g !== undefined);
    // Neutron refuses mixing stateful and stateless groups on a port; no group at all = stateful default deny.
    const stateless = pg.length > 0 && pg.every((g) => !g.stateful);
    const sources = allowedSources(p);
    if (stateless) statelessMacs.push(...sources.keys());
    for (const [mac, a] of sources) {
      src.mac.push(`"${tap}" . ${mac}`);
      for (const ip of dropCovered(a.v4)) src.v4.push(`"${tap}" . ${mac} . ${ip}`), src.arp.push(`"${tap}" . ${mac} . ${mac} . ${ip}`);
      for (const ip of dropCovered(a.v6)) src.v6.push(`"${tap}" . ${mac} . ${ip}`);
    }
    for (const g of pg) for (const r of g.rules) {
      if (r.remote_group_id) rgUsed.add(r.remote_group_id);
      if (r.remote_address_group_id) agUsed.add(r.remote_address_group_id);
    }
    portMark.push(`"${tap}" : 0x${((index << 16) | (stateless ? NOTRACK_BIT : 0)).toString(16).padStart(8, '0')}`);
    br.push([`to_${tap}`, [`meta mark set meta mark and 0xffff0000 or 0x${index.toString(16).padStart(8, '0')}`]]);
    toMap.push(`"${tap}" : jump to_${tap}`);
    const sig = createHash('sha256').update(`${stateless}|${uniqSorted(pg.map((g) => g.id)).join(',')}`).digest('hex').slice(0, 12);
    if (!inet.has(`egress_${sig}`)) {
      inet.set(`egress_${sig}`, portL3Rules('egress', pg, !stateless));
      inet.set(`ingress_${sig}`, portL3Rules('ingress', pg, !stateless));
    }
    egMap.push(`0x${(index << 16).toString(16).padStart(8, '0')} : jump egress_${sig}`);
    inMap.push(`0x${index.toString(16).padStart(8, '0')} : jump ingress_${sig}`);
  });

  if (toMap.length) brFwd.push(`oifname vmap { ${toMap.join(', ')} }`);
  if (egMap.length) inetFwd.push(`meta mark & 0x3fff0000 vmap { ${egMap.join(', ')} }`);
  if (inMap.length) inetFwd.push(`meta mark & 0x0000ffff vmap { ${inMap.join(', ')} }`);

  const sets: string[] = [];
  const setDecl = (name: string, v4: boolean, addrs: string[]) => {
    const xs = addrs.filter((a) => ipVersionOf(a.split('/')[0]!) === (v4 ? 4 : 6)).map(nftAddr);
    const lines = [`type ${v4 ? 'ipv4_addr' : 'ipv6_addr'}`, 'flags interval', 'auto-merge'];
    if (xs.length) lines.push(`elements = ${elems(xs)}`);
    sets.push(block('set', name, lines));
  };
  const members = new Map(fw.remote_groups.map((m) => [m.security_group_id, [...m.ipv4, ...m.ipv6]]));
  const addrGroups = new Map(fw.address_groups.map((a) => [a.id, a.addresses]));
  for (const id of uniqSorted(rgUsed)) for (const v4 of [true, false]) setDecl(setName('rg', id, v4), v4, members.get(id) ?? []);
  for (const id of uniqSorted(agUsed)) for (const v4 of [true, false]) setDecl(setName('ag', id, v4), v4, addrGroups.get(id) ?? []);

  const networks = uniqSorted(filtered.map((p) => p.network_id));
  const zoneElems = networks.map((n) => `"${bridgeOf(n)}" : ${zones.get(n) ?? 0}`);
  const zoneMap = ['typeof iifname : ct zone', ...(zoneElems.length ? [`elements = { ${zoneElems.join(', ')} }`] : [])];

  const bset = (kind: 'set' | 'map', name: string, typeof_: string, xs: string[], interval = false) =>
    block(kind, name, [`typeof ${typeof_}`, ...(interval ? ['flags interval'] : []), ...(xs.length ? [`elements = ${elems(xs)}`] : [])]);
  const bridgeBody =
    bset('map', 'port_mark', 'iifname : meta mark', portMark) +
    bset('set', 'ports', 'iifname', filtered.map((p) => `"${tapOf(p.id)}"`)) +
    bset('set', 'stateless_macs', 'ether daddr', statelessMacs) +
    bset('set', 'src_mac', 'iifname . ether saddr', src.mac) +
    bset('set', 'src_v4', 'iifname . ether saddr . ip saddr', src.v4, true) +
    bset('set', 'src_v6', 'iifname . ether saddr . ip6 saddr', src.v6, true) +
    bset('set', 'src_arp', 'iifname . ether saddr . arp saddr ether . arp saddr ip', src.arp, true) +
    block('chain', 'prerouting', ['type filter hook prerouting priority -200; policy accept;', ...PORT_SECURITY_RULES]) +
    block('chain', 'forward', ['type filter hook forward priority -200; policy accept;', ...brFwd]) +
    br.map(([n, rules]) => block('chain', n, rules)).join('');
  const inetBody =
    block('map', 'zones', zoneMap) + sets.join('') +
    block('chain', 'raw_prerouting', [
      'type filter hook prerouting priority raw; policy accept;',
      `meta mark & 0x${NOTRACK_BIT.toString(16)} == 0x${NOTRACK_BIT.toString(16)} notrack`,
      // Not for untracked packets: setting a zone would attach a conntrack template and track them again.
      `meta mark & 0x${NOTRACK_BIT.toString(16)} == 0 ct zone set iifname map @zones`,
    ]) +
    block('chain', 'forward', ['type filter hook forward priority filter; policy accept;', ...inetFwd]) +
    [...inet].map(([n, rules]) => block('chain', n, rules)).join('');
  const hash = createHash('sha256').update(bridgeBody).update('\0').update(inetBody).digest('hex');
  const marker = block('chain', STATE_CHAIN, [`counter comment "sha256:${hash}"`]);

  const chains: Record<string, number> = {
    'bridge prerouting': PORT_SECURITY_RULES.length, 'bridge forward': brFwd.length,
    'inet raw_prerouting': 2, 'inet forward': inetFwd.length, [`inet ${STATE_CHAIN}`]: 1,
  };
  for (const [n, rules] of br) chains[`bridge ${n}`] = rules.length;
  for (const [n, rules] of inet) chains[`inet ${n}`] = rules.length;

  // Create-if-missing then delete then define: one transaction, so no packet ever sees a gap.
  const script =
    `table bridge ${NFT_TABLE} {}\ndelete table bridge ${NFT_TABLE}\ntable bridge ${NFT_TABLE} {\n${bridgeBody}}\n` +
    `table inet ${NFT_TABLE} {}\ndelete table inet ${NFT_TABLE}\ntable inet ${NFT_TABLE} {\n${inetBody}${marker}}\n`;
  return { script, hash, chains };
}

/** The script removing both tables (firewall disabled on this host). */
export function renderFirewallRemoval(): string {
  return `table bridge ${NFT_TABLE} {}\ndelete table bridge ${NFT_TABLE}\ntable inet ${NFT_TABLE} {}\ndelete table inet ${NFT_TABLE}\n`;
}
