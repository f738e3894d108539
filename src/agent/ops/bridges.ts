/** Bridges: one `brq<net id[:11]>` per network on this host, with the network's MTU, up. */
import type { Runner } from '../linux/exec.js';
import { ipBatch, isUp, type Link } from '../linux/ip.js';
import { bridgeName, type LinkView, type Ops } from './types.js';

export interface BridgeDesired {
  networkId: string;
  /** 0 = leave the MTU alone. */
  mtu: number;
}

/** Pure: the `ip -batch` lines turning `actual` (undefined = absent) into `desired`. */
export function planBridge(desired: BridgeDesired, actual: Link | undefined): string[] {
  const name = bridgeName(desired.networkId);
  if (actual && actual.kind !== 'bridge') {
    // Someone else's device has our name: replacing it is the only way to converge.
    return [`link del ${name}`, ...planBridge(desired, undefined)];
  }
  const lines: string[] = [];
  if (!actual) lines.push(`link add ${name} type bridge`);
  if (desired.mtu > 0 && actual?.mtu !== desired.mtu) lines.push(`link set ${name} mtu ${desired.mtu}`);
  if (!actual || !isUp(actual)) lines.push(`link set ${name} up`);
  return lines;
}

/** Pure: our bridges (by name) whose network is not desired. */
export function planBridgePrune(desiredNetworkIds: ReadonlySet<string>, links: readonly Link[]): string[] {
  const keep = new Set([...desiredNetworkIds].map(bridgeName));
  return links
    .filter((l) => l.kind === 'bridge' && l.ifname.startsWith('brq') && !keep.has(l.ifname))
    .map((l) => `link del ${l.ifname}`);
}

export class BridgeOps implements Ops<BridgeDesired> {
  readonly stage = 'bridge';
  constructor(private readonly runner: Runner, private readonly view: LinkView) {}

  keyOf(d: BridgeDesired): string {
    return d.networkId;
  }

  async update(d: BridgeDesired): Promise<number> {
    const lines = planBridge(d, (await this.view.byName()).get(bridgeName(d.networkId)));
    return this.apply(lines);
  }

  async delete(networkId: string): Promise<number> {
    const name = bridgeName(networkId);
    const exists = (await this.view.byName()).has(name);
    return this.apply(exists ? [`link del ${name}`] : []);
  }

  async prune(desiredKeys: ReadonlySet<string>): Promise<number> {
    return this.apply(planBridgePrune(desiredKeys, await this.view.links()));
  }

  private async apply(lines: string[]): Promise<number> {
    if (lines.length === 0) return 0;
    try {
      await ipBatch(this.runner, lines);
    } finally {
      this.view.invalidate();
    }
    return lines.length;
  }
}
