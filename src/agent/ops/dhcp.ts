/**
 * DHCP for one network: namespace `qdhcp-<net>`, a veth `tap<port[:11]>` (host side, enslaved to the
 * bridge) / `ns-<port[:11]>` (inside, the DHCP port's MAC and IPs), and one dnsmasq whose files are
 * replaced atomically then SIGHUPed; a changed command line (subnets, MTU) restarts it. When the
 * network gets isolated metadata (render/dnsmasq.ts servesMetadata), `ns-` also holds
 * 169.254.169.254/32 and a metadata proxy listens on it (metadata/supervisor.ts).
 * Delete = stop dnsmasq and the proxy, delete the namespace (which deletes the veth pair), remove the files.
 */
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import type { DhcpNetworkState } from '../../hoststate/types.js';
import type { DhcpConfig } from '../config.js';
import { hupDnsmasq, killDnsmasq, runningPid, spawnDnsmasq } from '../linux/dnsmasq.js';
import type { Runner } from '../linux/exec.js';
import { ipBatch, isUp, listAddrs, listLinks, type Addr, type Link } from '../linux/ip.js';
import { addNetns, deleteNetns, listNetns } from '../linux/netns.js';
import { dnsmasqPaths, renderDnsmasq, servesMetadata, type DnsmasqPaths } from '../render/dnsmasq.js';
import { dhcpInstances, metadataPaths, METADATA_ADDRESS, renderDhcpProxyConfig } from '../metadata/files.js';
import { reconcileProxy, stopProxy } from '../metadata/supervisor.js';
import type { Logger } from '../reconciler.js';
import { cidrNetwork } from '../render/ip-util.js';
import { bridgeName, dhcpNsName, nsIfName, tapName, type LinkView, type Ops } from './types.js';

export interface DhcpDesired {
  network: DhcpNetworkState;
}

/** What the DHCP ops read before planning. */
export interface DhcpActual {
  nsExists: boolean;
  tap?: Link;
  nsIf?: Link;
  nsLo?: Link;
  addrs: Addr[];
  files: { hosts?: string; opts?: string; addnHosts?: string };
  /** dnsmasq's leases file (undefined: none yet). */
  leases?: string;
  /** dnsmasq's argv after the binary when running. */
  runningArgs?: string[];
}

export type DhcpAction =
  | { op: 'netns-add' }
  | { op: 'ip'; where: 'host' | 'ns'; lines: string[] }
  | { op: 'write'; file: 'hosts' | 'opts' | 'addnHosts' | 'leases'; content: string }
  | { op: 'spawn' | 'hup' | 'kill' }
  /** Stop dnsmasq, replace its leases file when `leases` is given, start it again. */
  | { op: 'restart'; leases?: string };

/**
 * Pure: the leases file without the IPv4 leases whose address a host entry now gives to ANOTHER MAC
 * (a deleted port's address reused by a new port: dnsmasq will not hand out a configured address
 * while it is leased to someone else — "not using configured address ... because it is leased to"
 * — until that lease expires, dhcp_lease_duration later). Neutron releases such leases with
 * dhcp_release (_release_unused_leases); dnsmasq-utils is not required here, so the agent edits the
 * file while dnsmasq is stopped instead. Undefined when no lease conflicts.
 */
export function releaseConflictingLeases(net: DhcpNetworkState, leases: string | undefined): string | undefined {
  if (!leases) return undefined;
  const macOf = new Map<string, string>();
  for (const h of net.hosts) for (const f of h.fixed_ips) macOf.set(f.ip_address, h.mac_address.toLowerCase());
  const lines = leases.split('\n');
  // IPv4 lease line: <expiry> <mac> <ip> <hostname> <client id>; IPv6 lines (duid, iaid) are kept.
  const keep = lines.filter((l) => {
    const [, mac, ip] = l.split(' ');
    if (!mac || !ip || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac) || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return true;
    const want = macOf.get(ip);
    return want === undefined || want === mac.toLowerCase();
  });
  return keep.length === lines.length ? undefined : keep.join('\n');
}

/** Pure: the actions from `actual` to the desired DHCP service of one network. */
export function planDhcp(d: DhcpDesired, actual: DhcpActual, cfg: DhcpConfig, paths: DnsmasqPaths): DhcpAction[] {
  const net = d.network;
  const tap = tapName(net.port.id);
  const nsIf = nsIfName(net.port.id);
  const ns = dhcpNsName(net.network_id);
  const out: DhcpAction[] = [];
  if (!actual.nsExists) out.push({ op: 'netns-add' });
  const host: string[] = [];
  const inner: string[] = [];
  let fresh = false;
  if (!actual.tap || !actual.nsIf || actual.tap.kind !== 'veth') {
    // Half a pair (or someone else's device) cannot be repaired in place: recreate it.
    if (actual.tap) host.push(`link del ${tap}`);
    host.push(`link add ${tap} type veth peer name ${nsIf} netns ${ns}`);
    fresh = true;
  }
  const t = fresh ? undefined : actual.tap;
  const i = fresh ? undefined : actual.nsIf;
  if (net.mtu > 0 && t?.mtu !== net.mtu) host.push(`link set ${tap} mtu ${net.mtu}`);
  if (t?.master !== bridgeName(net.network_id)) host.push(`link set ${tap} master ${bridgeName(net.network_id)}`);
  if (!t || !isUp(t)) host.push(`link set ${tap} up`);
  if (!actual.nsLo || !isUp(actual.nsLo)) inner.push('link set lo up');
  if (i?.address?.toLowerCase() !== net.port.mac_address.toLowerCase()) inner.push(`link set ${nsIf} address ${net.port.mac_address}`);
  if (net.mtu > 0 && i?.mtu !== net.mtu) inner.push(`link set ${nsIf} mtu ${net.mtu}`);
  if (!i || !isUp(i)) inner.push(`link set ${nsIf} up`);
  const prefixOf = new Map(net.subnets.map((s) => [s.id, cidrNetwork(s.cidr)[1]]));
  const want = new Set(
    net.port.fixed_ips.filter((f) => prefixOf.has(f.subnet_id)).map((f) => `${f.ip_address}/${prefixOf.get(f.subnet_id)}`),
  );
  if (servesMetadata(net, cfg)) want.add(`${METADATA_ADDRESS}/32`);
  const have = new Set(fresh ? [] : actual.addrs.filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}`));
  for (const a of have) if (!want.has(a)) inner.push(`addr del ${a} dev ${nsIf}`);
  for (const a of want) if (!have.has(a)) inner.push(`addr add ${a} dev ${nsIf}`);
  if (host.length) out.push({ op: 'ip', where: 'host', lines: host });
  if (inner.length) out.push({ op: 'ip', where: 'ns', lines: inner });

  const r = renderDnsmasq(net, cfg, paths);
  let filesChanged = false;
  for (const [file, content] of [['hosts', r.hosts], ['opts', r.opts], ['addnHosts', r.addnHosts]] as const) {
    if (actual.files[file] !== content) {
      out.push({ op: 'write', file, content });
      filesChanged = true;
    }
  }
  const args = [`--interface=${nsIf}`, ...r.args];
  const leases = r.enabled ? releaseConflictingLeases(net, actual.leases) : undefined;
  if (!r.enabled) {
    if (actual.runningArgs) out.push({ op: 'kill' });
  } else if (!actual.runningArgs) {
    if (leases !== undefined) out.push({ op: 'write', file: 'leases', content: leases });
    out.push({ op: 'spawn' });
  } else if (leases !== undefined) {
    out.push({ op: 'restart', leases });
  } else if (actual.runningArgs.join('\0') !== args.join('\0')) {
    out.push({ op: 'restart' });
  } else if (filesChanged) {
    out.push({ op: 'hup' });
  }
  return out;
}

/** The dnsmasq arguments the ops run (the render plus the interface to serve). */
export function dnsmasqArgs(d: DhcpDesired, cfg: DhcpConfig, paths: DnsmasqPaths): string[] {
  return [`--interface=${nsIfName(d.network.port.id)}`, ...renderDnsmasq(d.network, cfg, paths).args];
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

/** Replace a file atomically (write a temp file, rename over). */
async function replaceFile(path: string, content: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, content, { mode: 0o644 });
  await rename(tmp, path);
}

export class DhcpOps implements Ops<DhcpDesired> {
  readonly stage = 'dhcp';
  constructor(private readonly runner: Runner, private readonly view: LinkView, private readonly cfg: DhcpConfig, private readonly log?: Logger) {}

  keyOf(d: DhcpDesired): string {
    return d.network.network_id;
  }

  async read(d: DhcpDesired, paths: DnsmasqPaths): Promise<DhcpActual> {
    const ns = dhcpNsName(d.network.network_id);
    const nsIfname = nsIfName(d.network.port.id);
    // Independent reads run together: this runs on every pass that changes the network's ports.
    const [nsExists, hostLinks, runningArgs, hosts, opts, addnHosts, leases] = await Promise.all([
      listNetns(this.runner).then((names) => names.includes(ns)),
      this.view.byName(),
      runningPid(paths.pid).then(async (pid) => pid === undefined ? undefined
        : (await readOrUndefined(`/proc/${pid}/cmdline`))?.split('\0').filter((s) => s !== '').slice(1)),
      readOrUndefined(paths.hosts), readOrUndefined(paths.opts), readOrUndefined(paths.addnHosts), readOrUndefined(paths.leases),
    ]);
    const [links, allAddrs] = nsExists ? await Promise.all([listLinks(this.runner, ns), listAddrs(this.runner, ns)]) : [[], []];
    const nsLinks = new Map<string, Link>(links.map((l) => [l.ifname, l]));
    const nsIf = nsLinks.get(nsIfname);
    return {
      nsExists,
      tap: hostLinks.get(tapName(d.network.port.id)),
      nsIf,
      nsLo: nsLinks.get('lo'),
      addrs: nsIf ? allAddrs.filter((a) => a.ifname === nsIfname) : [],
      files: { hosts, opts, addnHosts },
      leases,
      runningArgs,
    };
  }

  async update(d: DhcpDesired): Promise<number> {
    const paths = dnsmasqPaths(this.cfg.stateDir, d.network.network_id);
    const ns = dhcpNsName(d.network.network_id);
    const actions = planDhcp(d, await this.read(d, paths), this.cfg, paths);
    let n = 0;
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
        case 'write':
          await mkdir(paths.dir, { recursive: true, mode: 0o755 });
          await replaceFile(paths[a.file], a.content);
          n++;
          break;
        case 'hup':
          await hupDnsmasq(paths.pid);
          n++;
          break;
        case 'kill':
          await killDnsmasq(paths.pid);
          n++;
          break;
        case 'restart':
        case 'spawn':
          if (a.op === 'restart') await killDnsmasq(paths.pid);
          // dnsmasq reads its leases file only at start: replaced while it is stopped.
          if (a.op === 'restart' && a.leases !== undefined) await replaceFile(paths.leases, a.leases);
          await mkdir(paths.dir, { recursive: true, mode: 0o755 });
          await spawnDnsmasq(this.runner, [this.cfg.dnsmasqBinary, ...dnsmasqArgs(d, this.cfg, paths)], ns);
          n++;
          break;
      }
    }
    return n + (await this.updateMetadata(d.network));
  }

  /** The isolated-metadata proxy, after the address it listens on is in place. */
  private updateMetadata(net: DhcpNetworkState): Promise<number> {
    const paths = metadataPaths(this.cfg.stateDir, net.network_id);
    return reconcileProxy({
      enabled: servesMetadata(net, this.cfg), paths,
      render: () => ({ config: renderDhcpProxyConfig(net.network_id, this.cfg, paths), instances: dhcpInstances(net) }),
      netns: dhcpNsName(net.network_id), logFields: { network: net.network_id },
    }, this.log);
  }

  async delete(networkId: string): Promise<number> {
    const paths = dnsmasqPaths(this.cfg.stateDir, networkId);
    const ns = dhcpNsName(networkId);
    let n = 0;
    if (await stopProxy(metadataPaths(this.cfg.stateDir, networkId))) n++;
    if ((await runningPid(paths.pid)) !== undefined) {
      await killDnsmasq(paths.pid);
      n++;
    }
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
    for (const name of await listNetns(this.runner)) if (name.startsWith('qdhcp-')) ids.add(name.slice('qdhcp-'.length));
    for (const dir of await readdir(this.cfg.stateDir).catch(() => [] as string[])) ids.add(dir);
    let n = 0;
    for (const id of ids) if (!desiredKeys.has(id)) n += await this.delete(id);
    return n;
  }
}
