/**
 * Security groups and port security (DESIGN.md §6): one kernel object per host, the pair of tables
 * `bridge nucleon` + `inet nucleon`, keyed 'host'. update() renders the whole ruleset, compares it with
 * what the kernel lists (`nft -j`) and, only when different, replaces both tables in ONE `nft -f`
 * transaction. It also makes our bridges hand IP frames to the inet hooks (per-bridge br_netfilter
 * switches `nf_call_iptables`/`nf_call_ip6tables`; the host-wide sysctls are never touched).
 */
import type { PortState } from '../../hoststate/types.js';
import type { FirewallState } from '../../hoststate/firewall.js';
import type { Runner } from '../linux/exec.js';
import { ipBatch, type Link } from '../linux/ip.js';
import { nftApply, nftReadTable, type NftTableView } from '../linux/nft.js';
import {
  assignZones, isFiltered, NFT_TABLE, renderFirewall, renderFirewallRemoval, STATE_CHAIN, type RenderedFirewall,
} from '../render/nftables.js';
import { bridgeName, type LinkView, type Ops } from './types.js';

export const FIREWALL_KEY = 'host';

export interface FirewallDesired {
  ports: PortState[];
  firewall: FirewallState;
}

export interface FirewallActual {
  bridge?: NftTableView;
  inet?: NftTableView;
}

/** Pure: conntrack zones currently programmed, by network id (kept so live connections keep their zone). */
export function currentZones(actual: FirewallActual, networkIds: Iterable<string>): Map<string, number> {
  const byBridge = actual.inet?.maps.get('zones') ?? new Map<string, number>();
  const out = new Map<string, number>();
  for (const id of networkIds) {
    const z = byBridge.get(bridgeName(id));
    if (z !== undefined) out.set(id, z);
  }
  return out;
}

/**
 * Pure: whether the kernel already holds exactly the rendered ruleset. Canonical check: both tables
 * exist, the marker rule carries the render's hash, and every chain (no more, no fewer) has the
 * rendered number of rules — so a hand-deleted rule, chain or table is repaired at the next pass.
 */
export function firewallUpToDate(r: RenderedFirewall, actual: FirewallActual): boolean {
  if (!actual.bridge || !actual.inet) return false;
  if (!(actual.inet.comments.get(STATE_CHAIN) ?? []).includes(`sha256:${r.hash}`)) return false;
  const have = new Map<string, number>();
  for (const [c, n] of actual.bridge.chains) have.set(`bridge ${c}`, n);
  for (const [c, n] of actual.inet.chains) have.set(`inet ${c}`, n);
  const want = Object.entries(r.chains);
  return have.size === want.length && want.every(([c, n]) => have.get(c) === n);
}

/** Pure: `ip -batch` lines letting our bridges' IP frames reach the inet hooks (conntrack, rules). */
export function planBridgeNfCall(networkIds: Iterable<string>, links: ReadonlyMap<string, Link>): string[] {
  const out: string[] = [];
  for (const id of new Set(networkIds)) {
    const l = links.get(bridgeName(id));
    if (!l || l.kind !== 'bridge') continue; // the bridge stage creates it; next pass
    if (l.data?.nf_call_iptables !== 1 || l.data?.nf_call_ip6tables !== 1) {
      out.push(`link set ${l.ifname} type bridge nf_call_iptables 1 nf_call_ip6tables 1`);
    }
  }
  return out;
}

export class FirewallOps implements Ops<FirewallDesired> {
  readonly stage = 'firewall';
  /**
   * The ruleset this process last applied (hash and conntrack zones). Incremental passes render
   * against it and apply without first listing both tables (~200 ms for a big ruleset), so rule
   * changes reach the kernel sooner; every full resync forgets it (prune), so the next pass reads
   * the kernel back and repairs hand edits.
   */
  private applied: { hash: string; zones: Map<string, number> } | undefined;
  constructor(private readonly runner: Runner, private readonly view: LinkView) {}

  keyOf(): string {
    return FIREWALL_KEY;
  }

  async read(): Promise<FirewallActual> {
    return {
      bridge: await nftReadTable(this.runner, 'bridge', NFT_TABLE),
      inet: await nftReadTable(this.runner, 'inet', NFT_TABLE),
    };
  }

  async update(d: FirewallDesired): Promise<number> {
    const networks = d.ports.filter(isFiltered).map((p) => p.network_id);
    let n = 0;
    const lines = planBridgeNfCall(networks, await this.view.byName());
    if (lines.length) {
      try {
        await ipBatch(this.runner, lines);
      } finally {
        this.view.invalidate();
      }
      n += lines.length;
    }
    const trusted = this.applied;
    if (trusted) {
      const zones = assignZones(networks, trusted.zones);
      const rendered = renderFirewall(d.ports, d.firewall, zones);
      if (rendered.hash === trusted.hash) return n;
      return n + (await this.apply(rendered.script, rendered.hash, zones));
    }
    const actual = await this.read();
    const zones = assignZones(networks, currentZones(actual, networks));
    const rendered = renderFirewall(d.ports, d.firewall, zones);
    if (firewallUpToDate(rendered, actual)) {
      this.applied = { hash: rendered.hash, zones };
      return n;
    }
    return n + (await this.apply(rendered.script, rendered.hash, zones));
  }

  private async apply(script: string, hash: string, zones: Map<string, number>): Promise<number> {
    this.applied = undefined; // unknown until the transaction is known to have gone through
    await nftApply(this.runner, script);
    this.applied = { hash, zones };
    return 1;
  }

  async delete(): Promise<number> {
    this.applied = undefined;
    const actual = await this.read();
    if (!actual.bridge && !actual.inet) return 0;
    await nftApply(this.runner, renderFirewallRemoval());
    return 1;
  }

  /** Runs at the end of every full resync: the next update verifies against the kernel. */
  async prune(desiredKeys: ReadonlySet<string>): Promise<number> {
    this.applied = undefined;
    return desiredKeys.has(FIREWALL_KEY) ? 0 : this.delete();
  }
}
