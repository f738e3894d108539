/**
 * Routers (L3 agent role): one `qrouter-<id>` namespace per router scheduled here, planned by
 * router-plan.ts, plus its metadata proxy. Keys are router ids.
 * - update: read the namespace, apply only the planned differences (one `ip -batch` per namespace side,
 *   one `nft -j -f` for the NAT table), keep the proxy's files and process right. 0 when converged.
 * - delete: stop the proxy, delete the namespace (its veths go with it), remove the files. Absent = done.
 * - prune: only `qrouter-*` namespaces and state directories of routers not desired.
 */
import { readdir, rm } from 'node:fs/promises';
import type { RouterState } from '../../hoststate/l3.js';
import type { L3Config } from '../config.js';
import type { Runner } from '../linux/exec.js';
import { ipBatch, listAddrs, listLinks, listRoutes, type Link } from '../linux/ip.js';
import { addNetns, deleteNetns, listNetns } from '../linux/netns.js';
import { nftApplyJson, nftListTableJson } from '../linux/nft.js';
import { getSysctl, setSysctl } from '../linux/sysctl.js';
import { metadataPaths, renderProxyConfig, routerInstances } from '../metadata/files.js';
import { reconcileProxy, stopProxy } from '../metadata/supervisor.js';
import type { Logger } from '../reconciler.js';
import { NAT_FAMILY, NAT_TABLE, nftReplaceDocument, tableFromListing } from '../render/router-nft.js';
import { planRouter, routerNsName, type RouterActual } from './router-plan.js';
import type { LinkView, Ops } from './types.js';

export interface RouterDesired {
  router: RouterState;
}

export class RouterOps implements Ops<RouterDesired> {
  readonly stage = 'router';
  constructor(
    private readonly runner: Runner,
    private readonly view: LinkView,
    private readonly cfg: L3Config,
    private readonly log?: Logger,
  ) {}

  keyOf(d: RouterDesired): string {
    return d.router.id;
  }

  async read(r: RouterState): Promise<RouterActual> {
    const ns = routerNsName(r.id);
    const [netns, hostLinks] = await Promise.all([listNetns(this.runner), this.view.byName()]);
    const nsExists = netns.includes(ns);
    if (!nsExists) return { nsExists, hostLinks, nsLinks: new Map(), addrs: [], routes: [] };
    // Independent reads, at once: each is a process of its own (~15–30 ms), and this read is most of
    // a converged router's pass (bench/l3: associate → first packet through).
    const [nat, links, addrs, routes, ipForward] = await Promise.all([
      nftListTableJson(this.runner, NAT_FAMILY, NAT_TABLE, ns), listLinks(this.runner, ns), listAddrs(this.runner, ns),
      listRoutes(this.runner, ns, 4), getSysctl(this.runner, 'net.ipv4.ip_forward', ns),
    ]);
    return {
      nsExists,
      hostLinks,
      nsLinks: new Map(links.map((l): [string, Link] => [l.ifname, l])),
      addrs,
      routes,
      ipForward,
      nat: nat ? tableFromListing(nat) : undefined,
    };
  }

  async update(d: RouterDesired): Promise<number> {
    const r = d.router;
    const ns = routerNsName(r.id);
    const metadataPort = this.cfg.enableMetadataProxy ? this.cfg.metadataPort : undefined;
    const actions = planRouter(r, await this.read(r), { metadataPort });
    let n = 0;
    const garps: string[] = [];
    let garpDev = '';
    for (const a of actions) {
      switch (a.op) {
        case 'netns-add':
          await addNetns(this.runner, ns);
          n++;
          break;
        case 'ip':
          try {
            await ipBatch(this.runner, a.lines, a.where === 'ns' ? ns : undefined);
          } finally {
            this.view.invalidate();
          }
          n += a.lines.length;
          break;
        case 'sysctl':
          if (await setSysctl(this.runner, a.key, a.value, ns)) n++;
          break;
        case 'nft':
          await nftApplyJson(this.runner, nftReplaceDocument(a.table), ns);
          n++;
          // Established flows must not keep using a floating IP that moved or went away.
          for (const ip of a.flushConntrack) n += await this.flushConntrack(ns, ip);
          break;
        case 'garp':
          // Only qg- gets them (one device per router); sent together after the loop.
          garpDev = a.dev;
          garps.push(a.ip);
          break;
      }
    }
    if (garps.length) this.garp(ns, garpDev, garps);
    return n + (await this.updateMetadata(r));
  }

  /**
   * Gratuitous ARP in the background (arping -U, iputils; one address per arping): the pass need not
   * wait ~count seconds. All of a pass's addresses go through one `sh` in the namespace: spawning
   * one `ip netns exec arping` per address from node cost ~5 ms of the pass each (1 s for a router
   * with 200 floating IPs built from scratch; bench/l3).
   */
  private garp(ns: string, dev: string, ips: string[]): void {
    if (this.cfg.sendArpCount <= 0) return;
    // -w is whole seconds for iputils' arping (20221126 refuses '4.5'); one per second plus slack.
    const arping = `arping -U -I "$0" -c ${this.cfg.sendArpCount} -w ${Math.ceil(1.5 * this.cfg.sendArpCount)}`;
    // Every arping in parallel; exit 1 when any failed (each one's stderr reaches the warning).
    const script = `p=; for ip do ${arping} "$ip" >/dev/null & p="$p $!"; done; rc=0; for x in $p; do wait $x || rc=1; done; exit $rc`;
    this.runner.run(['sh', '-c', script, dev, ...ips], { netns: ns, timeoutMs: 10_000 + 20 * ips.length })
      .catch((err) => this.log?.warn({ err: (err as Error).message, dev, ips: ips.length }, 'gratuitous ARP failed'));
  }

  private async flushConntrack(ns: string, ip: string): Promise<number> {
    let n = 0;
    for (const dir of ['-d', '-q']) {
      // conntrack -D exits 1 when nothing matched: that is "already done".
      await this.runner.run(['conntrack', '-D', dir, ip], { netns: ns }).then(() => n++, () => {});
    }
    return n;
  }

  private updateMetadata(r: RouterState): Promise<number> {
    const paths = metadataPaths(this.cfg.stateDir, r.id);
    return reconcileProxy({
      enabled: this.cfg.enableMetadataProxy, paths, render: () => ({ config: renderProxyConfig(r.id, this.cfg, paths), instances: routerInstances(r) }),
      netns: routerNsName(r.id), logFields: { router: r.id },
    }, this.log);
  }

  async delete(routerId: string): Promise<number> {
    const paths = metadataPaths(this.cfg.stateDir, routerId);
    let n = 0;
    if (await stopProxy(paths)) n++;
    const ns = routerNsName(routerId);
    if ((await listNetns(this.runner)).includes(ns)) {
      await deleteNetns(this.runner, ns);
      this.view.invalidate();
      n++;
    }
    await rm(paths.dir, { recursive: true, force: true });
    return n;
  }

  async prune(desiredKeys: ReadonlySet<string>): Promise<number> {
    const ids = new Set<string>();
    for (const name of await listNetns(this.runner)) if (name.startsWith('qrouter-')) ids.add(name.slice('qrouter-'.length));
    for (const dir of await readdir(this.cfg.stateDir).catch(() => [] as string[])) ids.add(dir);
    let n = 0;
    for (const id of ids) if (!desiredKeys.has(id)) n += await this.delete(id);
    return n;
  }
}
