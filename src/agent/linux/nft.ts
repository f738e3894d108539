/**
 * nftables: one `nft -f <file>` transaction per apply; state read with `nft -j` (JSON), never scraped text.
 *
 * Why a file and not `nft -f -`: nft turns `-` into `/dev/stdin` and, in JSON mode (and in text mode
 * before nft 0.9.9), open()s that path. Node gives a child's stdin as a socketpair end, and opening a
 * socket through /proc/self/fd fails with ENXIO ("Could not open file /dev/stdin: No such device or
 * address"). A private temporary file works whatever the child's stdio is; it is written 0600 in a
 * fresh 0700 directory and removed after the run. `ip netns exec` / nsenter --net keep our mount
 * namespace's /tmp, so the path resolves where nft runs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runner } from './exec.js';
import { ExecError } from './exec.js';

/** Applies `content` as ONE nft transaction (nft -f is all-or-nothing): text syntax, or a libnftables
 *  JSON document (`{nftables: [...]}`) when `json`; `netns`: a named namespace (default: the host's). */
export async function nftApplyFile(r: Runner, content: string, o: { json?: boolean; netns?: string } = {}): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nucleon-nft-'));
  try {
    const path = join(dir, o.json ? 'ruleset.json' : 'ruleset.nft');
    await writeFile(path, content, { mode: 0o600 });
    await r.run(['nft', ...(o.json ? ['-j'] : []), '-f', path], { netns: o.netns });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Applies an nft text script as ONE transaction. */
export async function nftApply(r: Runner, script: string, netns?: string): Promise<void> {
  await nftApplyFile(r, script, { netns });
}

/** Applies a libnftables JSON document (`{nftables: [...]}`) as ONE transaction. */
export async function nftApplyJson(r: Runner, doc: { nftables: unknown[] }, netns?: string): Promise<void> {
  await nftApplyFile(r, JSON.stringify(doc), { json: true, netns });
}

/** `nft -j list table` as its raw objects (metainfo dropped); undefined when the table does not exist. */
export async function nftListTableJson(r: Runner, family: string, name: string, netns?: string): Promise<Record<string, any>[] | undefined> {
  try {
    const { stdout } = await r.run(['nft', '-j', 'list', 'table', family, name], { netns });
    return ((JSON.parse(stdout) as { nftables?: Record<string, any>[] }).nftables ?? []).filter((o) => !o.metainfo);
  } catch (err) {
    if (err instanceof ExecError && /No such file or directory/.test(err.stderr)) return undefined;
    throw err;
  }
}

/** What we read back from one of our tables. */
export interface NftTableView {
  /** chain name → number of rules. */
  chains: Map<string, number>;
  /** Comments of the rules, per chain. */
  comments: Map<string, string[]>;
  /** Elements of the named maps whose data is a number (name → key → value). */
  maps: Map<string, Map<string, number>>;
}

type NftObject = Record<string, Record<string, unknown>>;

/** Pure: parses `nft -j list table <family> <name>` output. */
export function parseNftTable(json: string): NftTableView {
  const view: NftTableView = { chains: new Map(), comments: new Map(), maps: new Map() };
  const objs = (JSON.parse(json) as { nftables?: NftObject[] }).nftables ?? [];
  for (const o of objs) {
    if (o.chain) view.chains.set(String(o.chain.name), view.chains.get(String(o.chain.name)) ?? 0);
    if (o.rule) {
      const chain = String(o.rule.chain);
      view.chains.set(chain, (view.chains.get(chain) ?? 0) + 1);
      if (typeof o.rule.comment === 'string') view.comments.set(chain, [...(view.comments.get(chain) ?? []), o.rule.comment]);
    }
    if (o.map) {
      const m = new Map<string, number>();
      for (const e of (o.map.elem as unknown[] | undefined) ?? []) {
        if (Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number') m.set(e[0], e[1]);
      }
      view.maps.set(String(o.map.name), m);
    }
  }
  return view;
}

/** Reads one table; undefined when it does not exist. */
export async function nftReadTable(r: Runner, family: string, name: string, netns?: string): Promise<NftTableView | undefined> {
  const objs = await nftListTableJson(r, family, name, netns);
  return objs && parseNftTable(JSON.stringify({ nftables: objs }));
}
