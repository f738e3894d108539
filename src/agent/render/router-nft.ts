/**
 * Pure: a router's NAT as one nftables table, `table ip nucleon-nat` inside its namespace.
 *
 * Rules are built directly in nft's JSON expression form, exactly as `nft -j list table` prints them, so
 * the same model is (a) applied as one JSON transaction (create-if-absent, delete, re-create: atomic
 * replacement) and (b) compared with the kernel's listing: equal = nothing to do (zero changes on restart).
 *
 * What it holds (Neutron's legacy router, iptables → nft):
 *   prerouting: metadata redirect 169.254.169.254:80 from qr-* → metadata_port; port forwardings; FIP DNAT
 *   output:     FIP DNAT for traffic the router itself originates
 *   postrouting: FIP SNAT out qg-; with enable_snat: SNAT out qg- to the gateway IP, and DNATed traffic from
 *                an attached subnet back into the router (hairpin to a FIP) SNATed to the gateway IP
 *   input:      the metadata port only from qr-* (an outside peer cannot reach the proxy)
 */
import type { PortForwardingState, RouterState } from '../../hoststate/l3.js';
import { cidrNetwork, ipVersionOf } from './ip-util.js';

export const NAT_TABLE = 'nucleon-nat';
export const NAT_FAMILY = 'ip';
export const METADATA_IP = '169.254.169.254';

export type NftExpr = Record<string, unknown>;

export interface NftChain {
  name: string;
  type: 'nat' | 'filter';
  hook: 'prerouting' | 'output' | 'postrouting' | 'input';
  prio: number;
  policy: 'accept';
  rules: NftExpr[][];
}

export interface NftTable {
  family: string;
  name: string;
  chains: NftChain[];
}

export interface RouterNatOptions {
  /** The qg- device name (undefined without a gateway). */
  qgName?: string;
  /** metadata_port when the metadata proxy is enabled. */
  metadataPort?: number;
}

/** A rendering problem in the desired state (an unsupported port-forwarding range shape, ...). */
export class RouterRenderError extends Error {
  override name = 'RouterRenderError';
}

const match = (left: unknown, right: unknown, op = '=='): NftExpr => ({ match: { op, left, right } });
const payload = (protocol: string, field: string) => ({ payload: { protocol, field } });
const meta = (key: string) => ({ meta: { key } });
const daddr = (ip: string) => match(payload('ip', 'daddr'), ip);
const saddrPrefix = (cidr: string) => {
  const [net, len] = cidrNetwork(cidr);
  return match(payload('ip', 'saddr'), len === 32 ? net : { prefix: { addr: net, len } });
};

/** Neutron's port range 'a:b' (or a single port as 'a'/'a:a') → [a, b]. */
export function parsePortRange(s: string): [number, number] {
  const [a, b] = s.split(':').map((x) => Number(x));
  const lo = a!, hi = b ?? a!;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi > 65535 || lo > hi) throw new RouterRenderError(`invalid port range '${s}'`);
  return [lo, hi];
}

/** The prerouting rule of one port forwarding. */
export function portForwardingRule(pf: PortForwardingState): NftExpr[] {
  const ext = pf.external_port_range ? parsePortRange(pf.external_port_range) : [pf.external_port!, pf.external_port!];
  const int = pf.internal_port_range ? parsePortRange(pf.internal_port_range) : [pf.internal_port!, pf.internal_port!];
  if (!Number.isInteger(ext[0]) || !Number.isInteger(int[0])) throw new RouterRenderError(`port forwarding ${pf.id}: no port`);
  const dport = payload(pf.protocol, 'dport');
  const extMatch = match(dport, ext[0] === ext[1] ? ext[0] : { range: ext });
  let dnat: NftExpr;
  if (int[0] === int[1]) {
    // One internal port (1:1, or N:1 as Neutron allows).
    dnat = { dnat: { addr: pf.internal_ip_address, port: int[0] } };
  } else if (int[1] - int[0] !== ext[1] - ext[0]) {
    throw new RouterRenderError(`port forwarding ${pf.id}: internal range ${pf.internal_port_range} and external range ${pf.external_port_range} differ in size`);
  } else if (int[0] === ext[0]) {
    dnat = { dnat: { addr: pf.internal_ip_address } }; // same ports: keep the destination port
  } else {
    // Shifted range: an explicit port map, one entry per port.
    const pairs = Array.from({ length: ext[1] - ext[0] + 1 }, (_, i) => [ext[0] + i, int[0] + i]);
    dnat = { dnat: { addr: pf.internal_ip_address, port: { map: { key: dport, data: { set: pairs } } } } };
  }
  return [daddr(pf.floating_ip_address), extMatch, dnat];
}

/** The router's NAT table. Deterministic: lists are sorted so the server's order does not matter. */
export function renderRouterNat(router: RouterState, o: RouterNatOptions): NftTable {
  const pre: NftExpr[][] = [];
  const out: NftExpr[][] = [];
  const post: NftExpr[][] = [];
  const input: NftExpr[][] = [];
  if (o.metadataPort !== undefined) {
    pre.push([match(meta('iifname'), 'qr-*'), daddr(METADATA_IP), match(payload('tcp', 'dport'), 80), { redirect: { port: o.metadataPort } }]);
    input.push([match(payload('tcp', 'dport'), o.metadataPort), match(meta('iifname'), 'qr-*', '!='), { drop: null }]);
  }
  const gw = router.gateway;
  const qg = o.qgName;
  const gwIp = gw?.fixed_ips.map((f) => f.ip_address).find((ip) => ipVersionOf(ip) === 4);
  if (gw && qg) {
    const pfs = [...router.port_forwardings].sort((a, b) => a.id.localeCompare(b.id));
    for (const pf of pfs) pre.push(portForwardingRule(pf));
    const fips = router.floating_ips.filter((f) => ipVersionOf(f.floating_ip_address) === 4)
      .sort((a, b) => a.floating_ip_address.localeCompare(b.floating_ip_address));
    for (const f of fips) {
      pre.push([daddr(f.floating_ip_address), { dnat: { addr: f.fixed_ip_address } }]);
      out.push([daddr(f.floating_ip_address), { dnat: { addr: f.fixed_ip_address } }]);
      post.push([match(meta('oifname'), qg), match(payload('ip', 'saddr'), f.fixed_ip_address), { snat: { addr: f.floating_ip_address } }]);
    }
    if (gw.enable_snat && gwIp) {
      post.push([match(meta('oifname'), qg), { snat: { addr: gwIp } }]);
      const cidrs = [...new Set(router.interfaces.flatMap((i) => i.fixed_ips.map((f) => f.cidr)).filter((c) => ipVersionOf(c.split('/')[0]!) === 4))].sort();
      for (const c of cidrs) {
        post.push([match(meta('oifname'), qg, '!='), match({ ct: { key: 'status' } }, 'dnat', 'in'), saddrPrefix(c), { snat: { addr: gwIp } }]);
      }
    }
  }
  const chains: NftChain[] = [
    { name: 'prerouting', type: 'nat', hook: 'prerouting', prio: -100, policy: 'accept', rules: pre },
    { name: 'output', type: 'nat', hook: 'output', prio: -100, policy: 'accept', rules: out },
    { name: 'postrouting', type: 'nat', hook: 'postrouting', prio: 100, policy: 'accept', rules: post },
  ];
  if (o.metadataPort !== undefined) chains.push({ name: 'input', type: 'filter', hook: 'input', prio: 0, policy: 'accept', rules: input });
  return { family: NAT_FAMILY, name: NAT_TABLE, chains };
}

/** The JSON transaction replacing the table atomically (works whether or not it exists). */
export function nftReplaceDocument(t: NftTable): { nftables: unknown[] } {
  const table = { family: t.family, name: t.name };
  const cmds: unknown[] = [{ add: { table } }, { delete: { table } }, { add: { table } }];
  for (const c of t.chains) cmds.push({ add: { chain: { ...table, table: t.name, name: c.name, type: c.type, hook: c.hook, prio: c.prio, policy: c.policy } } });
  for (const c of t.chains) for (const expr of c.rules) cmds.push({ add: { rule: { family: t.family, table: t.name, chain: c.name, expr } } });
  return { nftables: cmds };
}

/** The model of a `nft -j list table` listing (handles dropped), comparable with a rendered table. */
export function tableFromListing(objs: Record<string, any>[], family = NAT_FAMILY, name = NAT_TABLE): NftTable {
  const chains = new Map<string, NftChain>();
  for (const o of objs) {
    if (o.chain) {
      const c = o.chain;
      chains.set(c.name, { name: c.name, type: c.type, hook: c.hook, prio: c.prio, policy: c.policy, rules: [] });
    }
  }
  for (const o of objs) if (o.rule) chains.get(o.rule.chain)?.rules.push(o.rule.expr);
  return { family, name, chains: [...chains.values()] };
}

/** Canonical text of a table for equality (chain order irrelevant, rule order kept). */
export function canonicalTable(t: NftTable): string {
  const chains = [...t.chains].sort((a, b) => a.name.localeCompare(b.name));
  return JSON.stringify({ family: t.family, name: t.name, chains });
}

/** Floating address → the DNAT rules that send traffic for it somewhere (FIP 1:1 and port forwardings). */
export function natTargets(t: NftTable | undefined): Map<string, string> {
  const out = new Map<string, string[]>();
  for (const r of t?.chains.find((c) => c.name === 'prerouting')?.rules ?? []) {
    const m = r[0] as { match?: { left?: { payload?: { field?: string } }; right?: unknown } };
    if (m.match?.left?.payload?.field !== 'daddr' || typeof m.match.right !== 'string' || m.match.right === METADATA_IP) continue;
    out.set(m.match.right, [...(out.get(m.match.right) ?? []), JSON.stringify(r)]);
  }
  return new Map([...out].map(([k, v]) => [k, v.sort().join('\n')]));
}
