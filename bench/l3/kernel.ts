/**
 * Reads one router's kernel state on a simulated host (bench/l3): the qrouter namespace lives in the
 * host's private /run/netns, so every command runs in the host's mount namespace (nsenter --mount of
 * the harness's holder process). Read-only: this never changes anything.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sh, type SimHost } from '../../test/fullstack/harness.js';

export interface RouterKernel {
  exists: boolean;
  /** IPv4 addresses on qg-* (gateway + floating /32s). */
  qg: Set<string>;
  /** qr-* devices that carry an IPv4 address. */
  qr: number;
  /** Floating addresses with a DNAT rule in the NAT table. */
  dnat: Set<string>;
}

export class RouterProbe {
  private mnt?: string;
  constructor(private readonly host: SimHost, readonly ns: string) {}

  private async mount(): Promise<string> {
    this.mnt ??= `--mount=/proc/${Number((await readFile(join(this.host.stateDir, 'holder.pid'), 'utf8')).trim())}/ns/mnt`;
    return this.mnt;
  }

  async read(): Promise<RouterKernel> {
    const mnt = await this.mount();
    const empty: RouterKernel = { exists: false, qg: new Set(), qr: 0, dnat: new Set() };
    let addrs: { ifname: string; addr_info: { family: string; local: string }[] }[];
    try {
      addrs = JSON.parse(await sh(['nsenter', mnt, 'ip', '-n', this.ns, '-json', 'addr', 'show']));
    } catch {
      return empty;
    }
    const v4 = (l: (typeof addrs)[number]) => l.addr_info.filter((a) => a.family === 'inet').map((a) => a.local);
    const qg = new Set(addrs.filter((l) => l.ifname.startsWith('qg-')).flatMap(v4));
    const qr = addrs.filter((l) => l.ifname.startsWith('qr-') && v4(l).length > 0).length;
    const nat = await sh(['nsenter', mnt, 'ip', 'netns', 'exec', this.ns, 'nft', 'list', 'table', 'ip', 'nucleon-nat']).catch(() => '');
    const dnat = new Set([...nat.matchAll(/ip daddr (\d+\.\d+\.\d+\.\d+) dnat to \d/g)].map((m) => m[1]!));
    return { exists: true, qg, qr, dnat };
  }

  /** Whether every wanted floating address is on qg- and DNATed, with `interfaces` qr- devices up. */
  static converged(k: RouterKernel, fips: string[], interfaces: number): boolean {
    return k.exists && k.qr === interfaces && fips.every((ip) => k.qg.has(ip) && k.dnat.has(ip));
  }

  /** Deletes the router's namespace (and so its veth pairs): the host as if the router was never built. */
  async wipe(): Promise<void> {
    await sh(['nsenter', await this.mount(), 'ip', 'netns', 'delete', this.ns]).catch(() => {});
  }
}
