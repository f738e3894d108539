/**
 * The contract of one kind of kernel object (DESIGN.md §5 `Ops<T>`), and the shared per-pass view.
 *
 * - `update(desired)` is idempotent: it reads the actual object, plans with a pure function and applies
 *   only the difference; it returns how many changes it made (0 when already right).
 * - `delete(key)`: absent counts as done.
 * - `prune(desiredKeys)` removes only objects we own (recognised by Neutron's naming: brq*, vxlan-*,
 *   taps enslaved to our bridges, qdhcp-*) whose key is not desired. The reconciler never calls it
 *   before the first full fetch of the host state succeeded.
 * A throw means the kernel refused: the reconciler logs it, reports it and retries with backoff.
 */
import type { Runner } from '../linux/exec.js';
import { listLinks, type Link } from '../linux/ip.js';

export interface Ops<T> {
  readonly stage: string;
  keyOf(desired: T): string;
  update(desired: T): Promise<number>;
  /**
   * Optional: `update` of many objects at once (one read of the kernel, one batch of commands);
   * returns the changes per object, in order. All or throw: on a throw the reconciler calls `update`
   * per object, so a failure is attributed to its key and the others still converge.
   */
  updateMany?(desired: T[]): Promise<number[]>;
  delete(key: string): Promise<number>;
  prune(desiredKeys: ReadonlySet<string>): Promise<number>;
}

/** Host-namespace link list cached until something writes; saves one `ip link` per object. */
export class LinkView {
  private cached?: Promise<Link[]>;
  private named?: Promise<Map<string, Link>>;
  constructor(private readonly runner: Runner) {}

  links(): Promise<Link[]> {
    if (!this.cached) {
      const p = listLinks(this.runner);
      this.cached = p;
      p.catch(() => {
        if (this.cached === p) this.invalidate();
      });
    }
    return this.cached;
  }

  /** The same list by name (built once per read: callers ask for it per port). Do not modify. */
  byName(): Promise<Map<string, Link>> {
    if (!this.named) {
      const p = this.links().then((ls) => new Map(ls.map((l) => [l.ifname, l])));
      this.named = p;
      p.catch(() => {
        if (this.named === p) this.named = undefined;
      });
    }
    return this.named;
  }

  invalidate(): void {
    this.cached = undefined;
    this.named = undefined;
  }
}

/** Neutron's device names (linuxbridge agent, DHCP interface driver). */
export const bridgeName = (networkId: string) => `brq${networkId.slice(0, 11)}`;
export const tapName = (portId: string) => `tap${portId.slice(0, 11)}`;
export const vxlanName = (vni: number) => `vxlan-${vni}`;
export const dhcpNsName = (networkId: string) => `qdhcp-${networkId}`;
export const nsIfName = (portId: string) => `ns-${portId.slice(0, 11)}`;
