/**
 * Simulated hosts for fullstack tests (DESIGN.md §7), all on the real kernel and all inside namespaces
 * this test creates, named `<prefix>-...`; nothing gets an address or route in the root namespace.
 *
 *   <prefix>-ul        underlay namespace holding bridge `br-ul`
 *   <prefix>-ul        also bridge `br-phys`, the "physical" provider network
 *   <prefix>-hN        host N: veth `ul0` (peer `hN` in br-ul) with 192.0.2.N/24, veth `eth1` (peer `pN` in
 *                      br-phys, no address; map it in physical_interface_mappings); the agent's kernel work
 *   <prefix>-<name>    instance namespaces: veth `eth0` (port MAC) ↔ `tap<port[:11]>` in the host ns
 *
 * Each host has its own mount namespace, kept alive by a holder process (`unshare --mount
 * --propagation private ... sleep infinity`) so that it outlives agent restarts like a real host's
 * /run/netns does. In it a tmpfs hides /run/netns: the qdhcp-* namespaces the agent creates are private
 * to that host and cannot collide with other hosts or the machine's. Before the tmpfs goes on, the
 * host's network namespace file is bind-mounted to <stateDir>/host.netns.
 * The agent process is started with `nsenter --mount=/proc/<holder>/ns/mnt`, so it stays in the ROOT
 * network namespace (it reaches the stand-in server on 127.0.0.1 as a real agent reaches its server)
 * and gets `hostNetns` = <stateDir>/host.netns: every host-level command runs as
 * `nsenter --net=<it> ...`, named namespaces via `ip netns exec` in its private /run/netns.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { AgentConfig } from '../../src/agent/config.js';
import type { ReconcilerStats } from '../../src/agent/reconciler.js';
import { parseLinks, type Link } from '../../src/agent/linux/ip.js';
import { parseFdb, type FdbEntry } from '../../src/agent/linux/bridge.js';

const exec = promisify(execFile);
const REPO = new URL('../../', import.meta.url).pathname;

export async function sh(argv: string[], input?: string): Promise<string> {
  if (input === undefined) return (await exec(argv[0]!, argv.slice(1), { maxBuffer: 16 << 20 })).stdout;
  return new Promise((resolve, reject) => {
    const c = execFile(argv[0]!, argv.slice(1), (err, stdout, stderr) => (err ? reject(new Error(`${argv.join(' ')}: ${stderr}`)) : resolve(stdout)));
    c.stdin!.end(input);
  });
}

/** Why fullstack tests cannot run here, or undefined when they can. */
export async function fullstackSkipReason(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'fullstack tests need Linux';
  if (process.getuid?.() !== 0) return 'fullstack tests need root (network namespaces); run as root';
  for (const bin of ['ip', 'bridge', 'unshare', 'nsenter', 'dnsmasq', 'udhcpc', 'ping']) {
    try {
      await exec('sh', ['-c', `command -v ${bin}`]);
    } catch {
      return `fullstack tests need '${bin}' installed`;
    }
  }
  const probe = `nfprobe${randomBytes(3).toString('hex')}`;
  try {
    await exec('ip', ['netns', 'add', probe]);
    await exec('ip', ['netns', 'delete', probe]);
  } catch (err) {
    return `'ip netns' is unavailable: ${(err as Error).message}`;
  }
  return undefined;
}

export function newPrefix(): string {
  return `nf${randomBytes(3).toString('hex')}`;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export class SimHost {
  readonly ns: string;
  readonly stateDir: string;
  readonly underlayIp: string;
  private child?: ChildProcess;
  private holder?: ChildProcess;
  private stderr = '';

  constructor(readonly topo: Topology, readonly index: number) {
    this.ns = `${topo.prefix}-h${index}`;
    this.stateDir = `${topo.baseDir}/h${index}`;
    this.underlayIp = `192.0.2.${index}`;
  }

  get name(): string {
    return `host${this.index}`;
  }

  async create(): Promise<void> {
    await sh(['ip', 'netns', 'add', this.ns]);
    this.topo.track(this.ns);
    await sh(['ip', '-n', this.topo.underlayNs, 'link', 'add', `h${this.index}`, 'type', 'veth', 'peer', 'name', 'ul0', 'netns', this.ns]);
    await sh(['ip', '-n', this.topo.underlayNs, 'link', 'set', `h${this.index}`, 'master', 'br-ul', 'up']);
    await sh(['ip', '-n', this.ns, '-batch', '-'], `link set lo up\nlink set ul0 up\naddr add ${this.underlayIp}/24 dev ul0\n`);
    // A second, address-less "physical" NIC `eth1` on the provider bridge `br-phys` (flat networks).
    await sh(['ip', '-n', this.topo.underlayNs, 'link', 'add', `p${this.index}`, 'type', 'veth', 'peer', 'name', 'eth1', 'netns', this.ns]);
    await sh(['ip', '-n', this.topo.underlayNs, 'link', 'set', `p${this.index}`, 'master', 'br-phys', 'up']);
    await mkdir(this.stateDir, { recursive: true, mode: 0o755 });
    await this.startHolder();
  }

  private get hostNetns(): string {
    return `${this.stateDir}/host.netns`;
  }

  /** The host's mount namespace (private /run/netns), held by a `sleep` we kill in destroy(). */
  private async startHolder(): Promise<void> {
    await writeFile(this.hostNetns, '');
    const script = `mount --bind /run/netns/${this.ns} ${this.hostNetns} && mount -t tmpfs -o mode=755 nucleon-netns /run/netns && echo ready && exec sleep infinity`;
    const h = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.holder = h;
    await writeFile(`${this.stateDir}/holder.pid`, String(h.pid));
    await new Promise<void>((resolve, reject) => {
      h.stdout!.once('data', () => resolve());
      h.once('exit', (code) => reject(new Error(`mount namespace holder for ${this.ns} exited with ${code}`)));
    });
  }

  async stopHolder(): Promise<void> {
    const h = this.holder;
    if (!h || h.exitCode !== null || h.signalCode !== null) return;
    const exited = new Promise((r) => h.once('exit', r));
    h.kill('SIGKILL');
    await exited;
  }

  mountNs(): string {
    if (!this.holder?.pid) throw new Error(`${this.ns} has no mount namespace holder`);
    return `/proc/${this.holder.pid}/ns/mnt`;
  }

  /** Runs `ip ...` in the host namespace. */
  ip(...args: string[]): Promise<string> {
    return sh(['ip', '-n', this.ns, ...args]);
  }

  async links(): Promise<Link[]> {
    return parseLinks(await this.ip('-json', '-d', 'link', 'show'));
  }

  async link(name: string): Promise<Link | undefined> {
    return (await this.links()).find((l) => l.ifname === name);
  }

  async fdb(dev: string): Promise<FdbEntry[]> {
    return parseFdb(await sh(['bridge', '-n', this.ns, '-json', 'fdb', 'show', 'dev', dev]));
  }

  /** `ip netns list` as the agent sees it (its private /run/netns). */
  async agentNetns(): Promise<string[]> {
    const out = await sh(['nsenter', `--mount=${this.mountNs()}`, 'ip', '-json', 'netns', 'list']);
    return out.trim() ? (JSON.parse(out) as { name: string }[]).map((n) => n.name) : [];
  }

  async startAgent(config: AgentConfig, baseUrl: string, timings = { resyncIntervalMs: 5_000, pollIntervalMs: 300, reportIntervalMs: 2_000 }): Promise<void> {
    const input = `${this.stateDir}/agent.json`;
    await rm(`${this.stateDir}/stats.json`, { force: true });
    await writeFile(input, JSON.stringify({ config, hostNetns: this.hostNetns, baseUrl, statsFile: `${this.stateDir}/stats.json`, timings, debug: !!process.env.NUCLEON_FULLSTACK_DEBUG }));
    this.stderr = '';
    const argv = ['nsenter', `--mount=${this.mountNs()}`, `--wd=${REPO}`, '--', process.execPath, '--import', 'tsx', 'test/fullstack/agent-main.ts', input];
    this.child = spawn(argv[0]!, argv.slice(1), { cwd: REPO, stdio: ['ignore', 'inherit', 'pipe'] });
    this.child.stderr!.on('data', (c: Buffer) => {
      this.stderr += c.toString();
      if (process.env.NUCLEON_FULLSTACK_DEBUG) process.stderr.write(c);
    });
    await writeFile(`${this.stateDir}/agent.pid`, String(this.child.pid));
  }

  agentLog(): string {
    return this.stderr;
  }

  async stats(): Promise<ReconcilerStats | undefined> {
    try {
      return JSON.parse(await readFile(`${this.stateDir}/stats.json`, 'utf8')) as ReconcilerStats;
    } catch {
      return undefined;
    }
  }

  async stopAgent(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(t);
    this.child = undefined;
  }

  /** Kills the dnsmasq processes this host's agent started (PID files under its state dir). */
  async killDnsmasqs(): Promise<void> {
    const dir = `${this.stateDir}/dhcp`;
    if (!existsSync(dir)) return;
    const out = await sh(['find', dir, '-name', 'pid']).catch(() => '');
    for (const file of out.split('\n').filter(Boolean)) {
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (!pid) continue;
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmd.split('\0').includes(`--pid-file=${file}`)) process.kill(pid, 'SIGKILL');
    }
  }

  /** SIGKILLs the metadata proxies (routers' and DHCP namespaces') the agents left: <dir>/<id>/metadata-proxy.pid, argv naming <dir>/<id>/metadata-proxy.json. */
  async killMetadataProxies(): Promise<void> {
    const out = await sh(['find', this.stateDir, '-name', 'metadata-proxy.pid']).catch(() => '');
    for (const file of out.split('\n').filter(Boolean)) {
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      const cmd = pid ? await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '') : '';
      if (cmd.split('\0').includes(file.replace(/\.pid$/, '.json'))) process.kill(pid, 'SIGKILL');
    }
  }
}

export interface Instance {
  ns: string;
  portId: string;
  mac: string;
  host: SimHost;
}

export class Topology {
  readonly underlayNs: string;
  readonly baseDir: string;
  readonly hosts: SimHost[] = [];
  private readonly namespaces: string[] = [];

  constructor(readonly prefix: string = newPrefix()) {
    this.underlayNs = `${prefix}-ul`;
    this.baseDir = `/tmp/nucleon-fullstack/${prefix}`;
  }

  track(ns: string): void {
    this.namespaces.push(ns);
  }

  async create(hostCount: number): Promise<void> {
    // If this run is killed, `scripts/cleanup-test-netns.sh <prefix>` removes what it left.
    console.log(`# fullstack prefix ${this.prefix} (state in ${this.baseDir})`);
    await mkdir(this.baseDir, { recursive: true, mode: 0o755 });
    await sh(['ip', 'netns', 'add', this.underlayNs]);
    this.track(this.underlayNs);
    await sh(['ip', '-n', this.underlayNs, '-batch', '-'], 'link set lo up\nlink add br-ul type bridge\nlink set br-ul up\nlink add br-phys type bridge\nlink set br-phys up\n');
    for (let i = 1; i <= hostCount; i++) {
      const h = new SimHost(this, i);
      await h.create();
      this.hosts.push(h);
    }
  }

  /** An "instance": a namespace whose eth0 (with the port's MAC) is the peer of `tap<port[:11]>` on `host`. */
  async plug(host: SimHost, name: string, portId: string, mac: string, mtu = 0): Promise<Instance> {
    const ns = `${this.prefix}-${name}`;
    await sh(['ip', 'netns', 'add', ns]);
    this.track(ns);
    const tap = `tap${portId.slice(0, 11)}`;
    await host.ip('link', 'add', tap, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    const lines = ['link set lo up', `link set eth0 address ${mac}`, ...(mtu ? [`link set eth0 mtu ${mtu}`] : []), 'link set eth0 up'];
    await sh(['ip', '-n', ns, '-batch', '-'], lines.join('\n') + '\n');
    return { ns, portId, mac, host };
  }

  async unplug(inst: Instance): Promise<void> {
    await sh(['ip', 'netns', 'delete', inst.ns]).catch(() => {});
  }

  /** Runs udhcpc in the instance; the script applies the lease and records udhcpc's variables. */
  async dhcp(inst: Instance): Promise<Record<string, string>> {
    // udhcpc event script; classless static routes (option 121: the metadata route) are applied as cloud-init would.
    const script = `${this.baseDir}/udhcpc-${inst.ns}.sh`;
    const out = `${this.baseDir}/lease-${inst.ns}.env`;
    await writeFile(
      script,
      `#!/bin/sh\n# udhcpc event script: apply the lease, record what we got\ncase "$1" in\n  deconfig) ip addr flush dev "$interface" ;;\n  bound|renew)\n    ip addr flush dev "$interface"\n    ip addr add "$ip/$subnet" dev "$interface"\n    [ -n "$router" ] && ip route replace default via "$(echo $router | cut -d' ' -f1)" dev "$interface"\n    set -- $staticroutes\n    while [ $# -ge 2 ]; do [ "$2" != 0.0.0.0 ] && ip route replace "$1" via "$2" dev "$interface" 2>/dev/null; shift 2; done\n    env > ${out}\n    ;;\nesac\nexit 0\n`,
      { mode: 0o755 },
    );
    await sh(['ip', 'netns', 'exec', inst.ns, 'udhcpc', '-i', 'eth0', '-n', '-q', '-f', '-t', '8', '-T', '1', '-A', '1', '-O', 'staticroutes', '-s', script]);
    const env = await readFile(out, 'utf8');
    return Object.fromEntries(env.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  }

  /** Static address for instances on networks without DHCP. */
  async address(inst: Instance, cidr: string): Promise<void> {
    await sh(['ip', '-n', inst.ns, 'addr', 'add', cidr, 'dev', 'eth0']);
  }

  async ping(from: Instance, ip: string, count = 2): Promise<boolean> {
    try {
      await sh(['ip', 'netns', 'exec', from.ns, 'ping', '-c', String(count), '-W', '1', '-i', '0.2', ip]);
      return true;
    } catch {
      return false;
    }
  }

  /** Stops agents and their dnsmasqs, deletes every namespace of ours, removes the state. Never throws. */
  async destroy(): Promise<void> {
    for (const h of this.hosts) {
      await h.stopAgent().catch(() => {});
      await h.killDnsmasqs().catch(() => {});
      await h.killMetadataProxies().catch(() => {});
      await h.stopHolder().catch(() => {});
    }
    for (const ns of [...this.namespaces].reverse()) await sh(['ip', 'netns', 'delete', ns]).catch(() => {});
    await rm(this.baseDir, { recursive: true, force: true }).catch(() => {});
  }
}
