/**
 * nftables: one `nft -f -` transaction per apply; state read with `nft -j` (JSON), never scraped text.
 */
import type { Runner } from './exec.js';
import { ExecError } from './exec.js';

/** Applies a script as ONE transaction (nft -f is all-or-nothing); `netns`: a named namespace. */
export async function nftApply(r: Runner, script: string, netns?: string): Promise<void> {
  await r.run(['nft', '-f', '-'], { input: script, netns });
}

/** Applies a libnftables JSON document (`{nftables: [...]}`) as ONE transaction. */
export async function nftApplyJson(r: Runner, doc: { nftables: unknown[] }, netns?: string): Promise<void> {
  await r.run(['nft', '-j', '-f', '-'], { input: JSON.stringify(doc), netns });
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
