/**
 * l2population on a `vxlan-<vni>` device: a flood entry `00:00:00:00:00:00 dst <vtep>` per remote
 * VTEP, a unicast entry per remote port MAC, and with arp_responder a permanent neighbour per remote
 * IP (the device is created with `proxy`). Only entries with a `dst` (ours) are compared; the bridge's
 * learned entries are left alone. Deleting the vxlan device removes all of them.
 */
import type { NetworkState } from '../../hoststate/types.js';
import type { Runner } from '../linux/exec.js';
import { bridgeBatch, fdbAppend, fdbDel, fdbReplace, listFdb, type FdbEntry } from '../linux/bridge.js';
import { ipBatch } from '../linux/ip.js';
import { vxlanName, type LinkView, type Ops } from './types.js';

export const FLOOD_MAC = '00:00:00:00:00:00';

export interface FdbDesired {
  device: string;
  /** Unique (mac, dst) pairs; FLOOD_MAC once per remote VTEP. */
  entries: { mac: string; dst: string }[];
  neighbours: { ip: string; mac: string }[];
}

export interface Neighbour {
  ip: string;
  mac: string;
  permanent: boolean;
}

/** Pure: l2population entries of a network, excluding this host's own VTEP. */
export function fdbDesired(net: NetworkState, localIp: string | undefined, arpResponder: boolean): FdbDesired | null {
  if (net.segment.network_type !== 'vxlan' || net.segment.segmentation_id == null) return null;
  const entries: FdbDesired['entries'] = [];
  const neighbours: FdbDesired['neighbours'] = [];
  for (const r of net.remotes) {
    if (r.vtep_ip === localIp) continue;
    entries.push({ mac: FLOOD_MAC, dst: r.vtep_ip });
    for (const p of r.ports) {
      const mac = p.mac_address.toLowerCase();
      entries.push({ mac, dst: r.vtep_ip });
      if (arpResponder) for (const ip of p.ips) if (!ip.includes(':')) neighbours.push({ ip, mac });
    }
  }
  return { device: vxlanName(net.segment.segmentation_id), entries, neighbours };
}

/** Pure: `bridge -batch` and `ip -batch` lines from actual to desired. */
export function planFdb(d: FdbDesired, actualFdb: readonly FdbEntry[], actualNeigh: readonly Neighbour[]): { bridge: string[]; ip: string[] } {
  const dev = d.device;
  const ours = actualFdb.filter((e) => e.dst !== undefined);
  const has = new Set(ours.map((e) => `${e.mac}|${e.dst}`));
  const unicastWanted = new Map(d.entries.filter((e) => e.mac !== FLOOD_MAC).map((e) => [e.mac, e.dst]));
  const floodWanted = new Set(d.entries.filter((e) => e.mac === FLOOD_MAC).map((e) => e.dst));
  const bridge: string[] = [];
  for (const e of ours) {
    if (e.mac === FLOOD_MAC ? !floodWanted.has(e.dst!) : !unicastWanted.has(e.mac)) bridge.push(fdbDel(e.mac, dev, e.dst));
  }
  for (const dst of floodWanted) if (!has.has(`${FLOOD_MAC}|${dst}`)) bridge.push(fdbAppend(FLOOD_MAC, dev, dst));
  for (const [mac, dst] of unicastWanted) if (!has.has(`${mac}|${dst}`)) bridge.push(fdbReplace(mac, dev, dst));

  const ip: string[] = [];
  const neighWanted = new Map(d.neighbours.map((n) => [n.ip, n.mac]));
  const neighHave = new Map(actualNeigh.filter((n) => n.permanent).map((n) => [n.ip, n.mac]));
  for (const [addr] of neighHave) if (!neighWanted.has(addr)) ip.push(`neigh del ${addr} dev ${dev}`);
  for (const [addr, mac] of neighWanted) {
    if (neighHave.get(addr) !== mac) ip.push(`neigh replace ${addr} lladdr ${mac} dev ${dev} nud permanent`);
  }
  return { bridge, ip };
}

export class FdbOps implements Ops<FdbDesired> {
  readonly stage = 'fdb';
  constructor(private readonly runner: Runner, private readonly view: LinkView) {}

  keyOf(d: FdbDesired): string {
    return d.device;
  }

  async update(d: FdbDesired): Promise<number> {
    // The device is the segment stage's; without it there is nothing to program yet.
    if (!(await this.view.byName()).has(d.device)) throw new Error(`${d.device} does not exist yet`);
    const plan = planFdb(d, await listFdb(this.runner, d.device), await this.neighbours(d.device));
    await bridgeBatch(this.runner, plan.bridge);
    await ipBatch(this.runner, plan.ip);
    return plan.bridge.length + plan.ip.length;
  }

  /** Clears our entries from a device that stays (its network no longer uses l2population entries). */
  async delete(device: string): Promise<number> {
    if (!(await this.view.byName()).has(device)) return 0;
    return this.update({ device, entries: [], neighbours: [] });
  }

  /** Entries die with their vxlan device, which the segment stage prunes. */
  async prune(): Promise<number> {
    return 0;
  }

  private async neighbours(dev: string): Promise<Neighbour[]> {
    const { stdout } = await this.runner.run(['ip', '-json', 'neigh', 'show', 'dev', dev]);
    if (!stdout.trim()) return [];
    const raw = JSON.parse(stdout) as { dst: string; lladdr?: string; state?: string[] }[];
    return raw.map((n) => ({ ip: n.dst, mac: (n.lladdr ?? '').toLowerCase(), permanent: (n.state ?? []).includes('PERMANENT') }));
  }
}
