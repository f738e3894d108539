/**
 * Port devices: `tap<port id[:11]>` appear when an instance plugs in (Nova, `nucleon port plug`, or the
 * DHCP veth); the agent enslaves them to their network's bridge, sets the MTU and the admin state.
 * It never creates or deletes taps: releasing one from the bridge is the delete.
 */
import type { DeviceStatus } from '../../hoststate/types.js';
import type { Runner } from '../linux/exec.js';
import { ipBatch, isUp, type Link } from '../linux/ip.js';
import { bridgeName, tapName, type LinkView, type Ops } from './types.js';

export interface TapDesired {
  portId: string;
  networkId: string;
  adminStateUp: boolean;
  /** 0 = leave alone. */
  mtu: number;
}

/** Pure: lines making an existing tap match; nothing while the tap does not exist. */
export function planTap(d: TapDesired, actual: Link | undefined): string[] {
  if (!actual) return [];
  const name = tapName(d.portId);
  const br = bridgeName(d.networkId);
  const lines: string[] = [];
  if (d.adminStateUp) {
    if (d.mtu > 0 && actual.mtu !== d.mtu) lines.push(`link set ${name} mtu ${d.mtu}`);
    if (actual.master !== br) lines.push(`link set ${name} master ${br}`);
    if (!isUp(actual)) lines.push(`link set ${name} up`);
  } else {
    // Neutron's linuxbridge agent takes an admin-down port out of the bridge and sets it down.
    if (actual.master !== undefined) lines.push(`link set ${name} nomaster`);
    if (isUp(actual)) lines.push(`link set ${name} down`);
  }
  return lines;
}

/** Pure: taps in one of our bridges whose port is not desired here are released. */
export function planTapPrune(desiredPortIds: ReadonlySet<string>, links: readonly Link[]): string[] {
  const keep = new Set([...desiredPortIds].map(tapName));
  return links
    .filter((l) => l.ifname.startsWith('tap') && l.master?.startsWith('brq') && !keep.has(l.ifname))
    .map((l) => `link set ${l.ifname} nomaster`);
}

/** Pure: the status the agent reports for a port after its pass. */
export function tapStatus(d: TapDesired, actual: Link | undefined): DeviceStatus {
  if (!actual || !d.adminStateUp) return 'DOWN';
  return actual.master === bridgeName(d.networkId) && isUp(actual) ? 'ACTIVE' : 'DOWN';
}

export class TapOps implements Ops<TapDesired> {
  readonly stage = 'tap';
  constructor(private readonly runner: Runner, private readonly view: LinkView) {}

  keyOf(d: TapDesired): string {
    return d.portId;
  }

  async update(d: TapDesired): Promise<number> {
    return this.apply(planTap(d, (await this.view.byName()).get(tapName(d.portId))));
  }

  /** All taps of a pass: one link read, one `ip -batch` (it stops at the first failing line). */
  async updateMany(ds: TapDesired[]): Promise<number[]> {
    const links = await this.view.byName();
    const plans = ds.map((d) => planTap(d, links.get(tapName(d.portId))));
    await this.apply(plans.flat());
    return plans.map((p) => p.length);
  }

  async delete(portId: string): Promise<number> {
    const l = (await this.view.byName()).get(tapName(portId));
    return this.apply(l ? planTapPrune(new Set(), [l]) : []);
  }

  async prune(desiredKeys: ReadonlySet<string>): Promise<number> {
    return this.apply(planTapPrune(desiredKeys, await this.view.links()));
  }

  async status(d: TapDesired): Promise<DeviceStatus> {
    return tapStatus(d, (await this.view.byName()).get(tapName(d.portId)));
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
