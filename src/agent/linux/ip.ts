/** `ip -json` reads and `ip -batch -` writes. State is read as JSON, never scraped from text. */
import { ExecError, type Runner } from './exec.js';

/** The part of `ip -json -d link show` the agent uses. */
export interface Link {
  ifname: string;
  ifindex: number;
  mtu: number;
  address?: string;
  /** Bridge this link is enslaved to. */
  master?: string;
  flags: string[];
  operstate?: string;
  /** `ip link add X link Y`: the peer/lower device name (veths show `link` after moves as ifNNN). */
  link?: string;
  /** linkinfo.info_kind: 'bridge' | 'vxlan' | 'veth' | 'vlan' | undefined (physical/unknown). */
  kind?: string;
  /** linkinfo.info_data, e.g. vxlan {id, local, port, learning, ttl, tos}. */
  data?: Record<string, unknown>;
}

export interface Addr {
  ifname: string;
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  scope?: string;
}

interface RawLink {
  ifname: string;
  ifindex: number;
  mtu: number;
  address?: string;
  master?: string;
  flags?: string[];
  operstate?: string;
  link?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
}

export function parseLinks(json: string): Link[] {
  if (!json.trim()) return [];
  return (JSON.parse(json) as RawLink[]).map((l) => ({
    ifname: l.ifname,
    ifindex: l.ifindex,
    mtu: l.mtu,
    address: l.address,
    master: l.master,
    flags: l.flags ?? [],
    operstate: l.operstate,
    link: l.link,
    kind: l.linkinfo?.info_kind,
    data: l.linkinfo?.info_data,
  }));
}

export function isUp(l: Link): boolean {
  return l.flags.includes('UP');
}

export async function listLinks(r: Runner, netns?: string): Promise<Link[]> {
  const { stdout } = await r.run(['ip', '-json', '-d', 'link', 'show'], { netns });
  return parseLinks(stdout);
}

export async function listAddrs(r: Runner, netns?: string, dev?: string): Promise<Addr[]> {
  const argv = ['ip', '-json', 'addr', 'show', ...(dev ? ['dev', dev] : [])];
  const { stdout } = await r.run(argv, { netns });
  if (!stdout.trim()) return [];
  const raw = JSON.parse(stdout) as { ifname: string; addr_info?: Omit<Addr, 'ifname'>[] }[];
  return raw.flatMap((l) =>
    (l.addr_info ?? [])
      .filter((a) => a.family === 'inet' || a.family === 'inet6')
      .map((a) => ({ ifname: l.ifname, family: a.family, local: a.local, prefixlen: a.prefixlen, scope: a.scope })),
  );
}

export interface Route {
  dst: string;
  gateway?: string;
  dev?: string;
}

export async function listRoutes(r: Runner, netns?: string, family: 4 | 6 = 4): Promise<Route[]> {
  const { stdout } = await r.run(['ip', `-${family}`, '-json', 'route', 'show'], { netns });
  if (!stdout.trim()) return [];
  return JSON.parse(stdout) as Route[];
}

/** Runs `ip` commands (one per line, without the leading `ip`) in one process; stops at the first failure. */
export async function ipBatch(r: Runner, lines: readonly string[], netns?: string): Promise<void> {
  if (lines.length === 0) return;
  try {
    await r.run(['ip', '-batch', '-'], { netns, input: lines.join('\n') + '\n' });
  } catch (err) {
    // ip names only the line number ('Command failed -:3'): put the line itself in the error, so
    // logs and agent reports say which change the kernel refused.
    const n = err instanceof ExecError ? Number(/Command failed -:(\d+)/.exec(err.stderr)?.[1]) : NaN;
    const line = lines[n - 1];
    if (!(err instanceof ExecError) || line === undefined) throw err;
    throw new ExecError(err.argv, err.exitCode, `${err.stderr.trim()} (line ${n}: ${line})`, err.stdout, err.signal);
  }
}
