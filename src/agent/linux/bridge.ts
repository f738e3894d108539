/** Bridge forwarding database: `bridge -json fdb` reads, append/replace/del writes via `bridge -batch -`. */
import type { Runner } from './exec.js';

export interface FdbEntry {
  mac: string;
  dev: string;
  dst?: string;
  /** e.g. ['self', 'permanent']. */
  flags: string[];
  state?: string;
  master?: string;
}

export function parseFdb(json: string): FdbEntry[] {
  if (!json.trim()) return [];
  const raw = JSON.parse(json) as { mac: string; ifname?: string; dev?: string; dst?: string; flags?: string[]; state?: string; master?: string }[];
  return raw.map((e) => ({
    mac: e.mac.toLowerCase(),
    dev: (e.ifname ?? e.dev)!,
    dst: e.dst,
    flags: e.flags ?? [],
    state: e.state,
    master: e.master,
  }));
}

export async function listFdb(r: Runner, dev: string, netns?: string): Promise<FdbEntry[]> {
  const { stdout } = await r.run(['bridge', '-json', 'fdb', 'show', 'dev', dev], { netns });
  return parseFdb(stdout).map((e) => ({ ...e, dev: e.dev ?? dev }));
}

/** Runs `bridge` commands (lines without the leading `bridge`) in one process. */
export async function bridgeBatch(r: Runner, lines: readonly string[], netns?: string): Promise<void> {
  if (lines.length === 0) return;
  await r.run(['bridge', '-batch', '-'], { netns, input: lines.join('\n') + '\n' });
}

export const fdbAppend = (mac: string, dev: string, dst: string) => `fdb append ${mac} dev ${dev} dst ${dst}`;
export const fdbReplace = (mac: string, dev: string, dst: string) => `fdb replace ${mac} dev ${dev} dst ${dst}`;
export const fdbDel = (mac: string, dev: string, dst?: string) => `fdb del ${mac} dev ${dev}${dst ? ` dst ${dst}` : ''}`;
