/**
 * Fullstack with the real server (DESIGN.md §7): a `nucleon server` child (SQLite, noauth, 127.0.0.1,
 * ephemeral port), real `nucleon agent` processes per simulated host (harness.ts) — started in the
 * host's mount namespace (private /run/netns) but the root network namespace (HTTP, AMQP), with
 * `--host-netns` for the kernel work — and instances plugged with `nucleon port plug`.
 * Every process here is stopped by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NUCLEON, spawnNucleon, type Child } from '../cmd/process.js';
import { sh, type Instance, type SimHost, type Topology } from './harness.js';

export interface ServerConfig {
  dir: string;
  transportUrl?: string;
  agentDownTime?: number;
  dhcpAgentsPerNetwork?: number;
  /** More `key = value` lines for [DEFAULT] (e.g. allow_automatic_l3agent_failover = true). */
  defaults?: string[];
}

export class RealServer {
  child?: Child;
  url = '';
  constructor(readonly c: ServerConfig) {}

  get confFile(): string {
    return join(this.c.dir, 'neutron.conf');
  }

  async start(): Promise<void> {
    const lines = [
      '[DEFAULT]', 'auth_strategy = noauth', 'bind_host = 127.0.0.1', 'api_workers = 1', 'core_plugin = ml2',
      `agent_down_time = ${this.c.agentDownTime ?? 4}`, `dhcp_agents_per_network = ${this.c.dhcpAgentsPerNetwork ?? 1}`,
      ...(this.c.transportUrl ? [`transport_url = ${this.c.transportUrl}`] : []),
      ...(this.c.defaults ?? []),
      '[database]', `connection = sqlite:///${join(this.c.dir, 'neutron.db')}`,
      '[ml2]', 'type_drivers = flat,vxlan', 'tenant_network_types = vxlan', 'mechanism_drivers = linuxbridge,l2population',
      '[ml2_type_flat]', 'flat_networks = physnet1', '[ml2_type_vxlan]', 'vni_ranges = 1000:1999',
    ];
    await writeFile(this.confFile, lines.join('\n') + '\n');
    this.child = spawnNucleon(['server', '--config-file', this.confFile, '--migrate', '--port', '0']);
    const m = await this.child.waitFor(/"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"ready"/, 60_000);
    this.url = m[1]!;
  }

  async stop(): Promise<void> {
    await this.child?.stop('SIGTERM');
  }

  /** JSON API call; noauth: admin by default, `project` makes it that project's member. */
  async api<T = any>(method: string, path: string, body?: unknown, project?: string): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(project ? { 'x-project-id': project, 'x-roles': 'member' } : { 'x-roles': 'admin' }) };
    const res = await fetch(`${this.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async ok<T = any>(method: string, path: string, body?: unknown, project?: string): Promise<T> {
    const r = await this.api<T>(method, path, body, project);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}

export interface AgentFiles { neutronConf: string; agentIni: string; dhcpIni?: string }

/** Writes a host's neutron.conf + linuxbridge_agent.ini (+ dhcp_agent.ini) as an operator would. */
/** `dhcpExtra`: [DEFAULT] lines appended to dhcp_agent.ini. */
export async function writeAgentConfig(h: SimHost, o: { serverUrl: string; transportUrl?: string; dhcp: boolean; pollingInterval?: number; dhcpExtra?: string[] }): Promise<AgentFiles> {
  const neutronConf = join(h.stateDir, 'neutron.conf');
  const agentIni = join(h.stateDir, 'linuxbridge_agent.ini');
  await writeFile(neutronConf, [
    '[DEFAULT]', `host = ${h.name}`, `state_path = ${h.stateDir}`, 'auth_strategy = noauth', 'dhcp_lease_duration = 600',
    ...(o.transportUrl ? [`transport_url = ${o.transportUrl}`, '[oslo_messaging_rabbit]', 'rabbit_retry_interval = 1', 'rabbit_interval_max = 2'] : []),
    '[agent]', `nucleon_server_url = ${o.serverUrl}`, `polling_interval = ${o.pollingInterval ?? 1}`, 'report_interval = 1',
  ].join('\n') + '\n');
  await writeFile(agentIni, [
    '[linux_bridge]', 'physical_interface_mappings = physnet1:eth1',
    '[vxlan]', 'enable_vxlan = true', `local_ip = ${h.underlayIp}`, 'l2_population = true',
    '[securitygroup]', 'firewall_driver = iptables_hybrid',
  ].join('\n') + '\n');
  const files: AgentFiles = { neutronConf, agentIni };
  if (o.dhcp) {
    files.dhcpIni = join(h.stateDir, 'dhcp_agent.ini');
    await writeFile(files.dhcpIni, ['[DEFAULT]', 'interface_driver = linuxbridge', 'dhcp_driver = neutron.agent.linux.dhcp.Dnsmasq', ...(o.dhcpExtra ?? [])].join('\n') + '\n');
  }
  return files;
}

const configArgs = (f: AgentFiles) => ['--config-file', f.neutronConf, '--config-file', f.agentIni, ...(f.dhcpIni ? ['--config-file', f.dhcpIni] : [])];

async function holderPid(h: SimHost): Promise<number> {
  return Number((await readFile(join(h.stateDir, 'holder.pid'), 'utf8')).trim());
}

/** A `nucleon agent` (or any nucleon command) in host h's mount namespace, root network namespace. */
export class HostProcess {
  private proc?: ChildProcess;
  private text = '';
  constructor(readonly host: SimHost) {}

  async start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
    const argv = ['--mount=/proc/' + (await holderPid(this.host)) + '/ns/mnt', '--', process.execPath, NUCLEON, ...args, '--host-netns', join(this.host.stateDir, 'host.netns')];
    this.text = '';
    const p = spawn('nsenter', argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.proc = p;
    const on = (c: Buffer) => {
      this.text += c.toString();
      if (process.env.NUCLEON_FULLSTACK_DEBUG) process.stderr.write(c);
    };
    p.stdout!.on('data', on);
    p.stderr!.on('data', on);
  }

  output(): string {
    return this.text;
  }

  running(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** SIGTERM by PID (nsenter execs node, so the PID is the agent's); SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || !this.running()) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }

  /** SIGKILL by PID (a crash: nothing is cleaned up, no last report). */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || !this.running()) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  exitCode(): number | null {
    return this.proc?.exitCode ?? null;
  }
}

export async function startAgent(h: SimHost, files: AgentFiles): Promise<HostProcess> {
  const p = new HostProcess(h);
  await p.start(['agent', ...configArgs(files)]);
  return p;
}

/**
 * `nucleon port plug` for host h (its namespace via --host-netns; the instance namespace, named
 * `<prefix>-<name>`, in the machine's /run/netns where the test's helpers find it).
 */
export async function portPlug(topo: Topology, h: SimHost, portId: string, name: string, auth: { files?: AgentFiles; env?: NodeJS.ProcessEnv }): Promise<Instance> {
  const ns = `${topo.prefix}-${name}`;
  topo.track(ns);
  // In the root mount namespace the host's namespace is /run/netns/<ns> (host.netns is bound only in the host's).
  const args = ['port', 'plug', portId, '--netns', ns, '--host', h.name, ...(auth.files ? ['--config-file', auth.files.neutronConf] : []), '--host-netns', `/run/netns/${h.ns}`];
  const out = await runWithEnv(args, auth.env);
  const mac = /\(([0-9a-f:]{17})/.exec(out)?.[1];
  if (!mac) throw new Error(`port plug printed no MAC: ${out}`);
  return { ns, portId, mac, host: h };
}

export async function portUnplug(h: SimHost, portId: string, auth: { files?: AgentFiles; env?: NodeJS.ProcessEnv }): Promise<string> {
  return runWithEnv(['port', 'unplug', portId, ...(auth.files ? ['--config-file', auth.files.neutronConf] : []), '--host-netns', `/run/netns/${h.ns}`], auth.env);
}

async function runWithEnv(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [NUCLEON, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`nucleon ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout));
  });
}

/** Pings continuously (5/s) until stopped; resolves with sent/received. */
export function startPing(from: Instance, ip: string): { stop(): Promise<{ sent: number; received: number }> } {
  const p = spawn('ip', ['netns', 'exec', from.ns, 'ping', '-i', '0.2', '-W', '1', ip], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  return {
    async stop() {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGINT');
      await exited;
      const m = /(\d+) packets transmitted, (\d+) received/.exec(out);
      if (!m) throw new Error(`no ping summary: ${out}`);
      return { sent: Number(m[1]), received: Number(m[2]) };
    },
  };
}

export { sh };
