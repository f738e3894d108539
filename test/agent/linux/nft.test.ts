// nftApply / nftApplyJson go through a temporary file: nft -j -f - opens /dev/stdin, which fails
// (ENXIO) on the socket node gives a child as stdin. Needs root (a namespace of its own).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRunner } from '../../../src/agent/linux/exec.js';
import { nftApply, nftApplyJson, nftListTableJson } from '../../../src/agent/linux/nft.js';

const run = promisify(execFile);
const root = process.getuid?.() === 0;
const leftovers = async () => (await readdir(tmpdir())).filter((n) => n.startsWith('nucleon-nft-'));

test('nft text and JSON transactions apply in a named namespace, leaving no temporary file', { skip: !root && 'needs root' }, async () => {
  const ns = `nftt-${process.pid}`;
  await run('ip', ['netns', 'add', ns]);
  try {
    const r = createRunner();
    const before = await leftovers();
    await nftApply(r, 'table inet nftt {\n  chain c {\n    type filter hook input priority 0; policy accept;\n  }\n}\n', ns);
    assert.ok(await nftListTableJson(r, 'inet', 'nftt', ns));
    await nftApplyJson(r, { nftables: [{ add: { table: { family: 'ip', name: 'nfttj' } } }] }, ns);
    assert.ok(await nftListTableJson(r, 'ip', 'nfttj', ns));
    // A refused script changes nothing (one transaction) and reports nft's message.
    await assert.rejects(nftApply(r, 'delete table inet nftt\nadd rule inet nosuch c accept\n', ns), /nosuch|No such file/);
    assert.ok(await nftListTableJson(r, 'inet', 'nftt', ns));
    assert.deepEqual(await leftovers(), before);
  } finally {
    await run('ip', ['netns', 'del', ns]);
  }
});
