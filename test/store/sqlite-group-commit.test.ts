/**
 * Group commit on SQLite (store/db.ts batchSqliteTransactions): transactions asked for in one turn
 * of the event loop share one database transaction, yet each behaves as if it ran alone, in order:
 * it sees the ones before it, fails alone, and its caller learns the outcome only after COMMIT.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, migrateToLatest, type Store, type Tx } from '../../src/store/db.js';

describe('SQLite group commit', () => {
  let dir: string;
  let path: string;
  let store: Store;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nucleon-group-commit-'));
    path = join(dir, 'neutron.db');
    store = await openStore({ dialect: 'sqlite', path });
    await migrateToLatest(store);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const tagsOf = async (resource: string) =>
    (await store.db.selectFrom('tags').select('tag').where('resource_id', '=', resource).orderBy('tag').execute()).map((r) => r.tag);
  const insert = (tx: Tx, resource: string, tag: string) => tx.insertInto('tags').values({ resource_id: resource, tag }).execute();

  it('concurrent transactions share one transaction, run in order, and a failing one is undone alone', async () => {
    const seen: number[] = [];
    const txs = new Set<Tx>();
    const count = async (tx: Tx) => Number((await tx.selectFrom('tags').select((eb) => eb.fn.countAll().as('n')).where('resource_id', '=', 'g1').executeTakeFirstOrThrow()).n);
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((tag) => store.transaction(async (tx) => {
      txs.add(tx);
      seen.push(await count(tx));
      await insert(tx, 'g1', tag);
      if (tag === 'b') {
        await insert(tx, 'g1', 'b2');
        throw new Error('b refuses');
      }
      return tag;
    })));
    assert.equal(txs.size, 1, 'the four ran in one database transaction');
    assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)), ['a', 'b refuses', 'c', 'd']);
    // Each saw the rows of those before it, less the failed one's (its savepoint rolled back).
    assert.deepEqual(seen, [0, 1, 1, 2]);
    assert.deepEqual(await tagsOf('g1'), ['a', 'c', 'd']);
  });

  it('a result is given only after the shared commit: the rows are in the database file for another connection', async () => {
    await Promise.all(['x', 'y'].map((tag) => store.transaction((tx) => insert(tx, 'g2', tag))));
    const other = new Database(path, { readonly: true });
    try {
      assert.deepEqual(other.prepare("select tag from tags where resource_id = 'g2' order by tag").all(), [{ tag: 'x' }, { tag: 'y' }]);
    } finally {
      other.close();
    }
  });

  it('when the batch as a whole fails (busy), each transaction runs again on its own and commits', async () => {
    const attempts = new Map<string, number>();
    const values = await Promise.all(['p', 'q', 'r'].map((tag) => store.transaction(async (tx) => {
      attempts.set(tag, (attempts.get(tag) ?? 0) + 1);
      await insert(tx, 'g3', tag);
      if (tag === 'q' && attempts.get(tag) === 1) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      return tag.toUpperCase();
    })));
    assert.deepEqual(values, ['P', 'Q', 'R']);
    // The batch was rolled back whole at q (p had run in it, r had not yet), then all three ran alone.
    assert.deepEqual([...attempts], [['p', 2], ['q', 2], ['r', 1]]);
    assert.deepEqual(await tagsOf('g3'), ['p', 'q', 'r']);
  });

  it('a transaction alone still rolls back whole on error', async () => {
    await assert.rejects(store.transaction(async (tx) => {
      await insert(tx, 'g4', 'one');
      throw new Error('no');
    }), /no/);
    assert.deepEqual(await tagsOf('g4'), []);
  });
});
