/**
 * `nft -f <file>`: nft opens /dev/stdin for `-f -`, which fails (ENXIO) on the socket node gives a child
 * as stdin, so a ruleset goes through a private temporary file. One call = one nft transaction.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runner } from './exec.js';

/** Applies `content` (nft text syntax, or a `{nftables: [...]}` JSON document when `json`) inside `netns`. */
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
