/**
 * SQLite's WAL is checkpointed on a timer after commits (store/db.ts checkpointSqliteWal), not
 * inside the commit that crosses 1,000 pages: committed rows reach the database file itself within
 * about a second, and a store that is closed leaves no WAL behind.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, migrateToLatest } from '../../src/store/db.js';

describe('SQLite WAL checkpoints', () => {
  it('committed rows are in the database file (without its WAL) a second later; close leaves no WAL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-wal-'));
    const path = join(dir, 'neutron.db');
    const store = await openStore({ dialect: 'sqlite', path });
    try {
      await migrateToLatest(store);
      for (let i = 0; i < 50; i++) await store.transaction((tx) => tx.insertInto('tags').values({ resource_id: `r${i}`, tag: 't' }).execute());
      const count = () => {
        // The main file alone, as a crash before any further checkpoint would leave it.
        copyFileSync(path, join(dir, 'copy.db'));
        const copy = new Database(join(dir, 'copy.db'), { readonly: true });
        // Not checkpointed yet: the file may not even have the tables.
        try { return (copy.prepare('select count(*) as n from tags').get() as { n: number }).n; } catch { return -1; } finally { copy.close(); }
      };
      const deadline = Date.now() + 3000;
      let n = count();
      while (n < 50 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        n = count();
      }
      assert.equal(n, 50);
    } finally {
      await store.close();
    }
    assert.equal(existsSync(`${path}-wal`), false, 'the last connection checkpoints and removes the WAL');
    rmSync(dir, { recursive: true, force: true });
  });
});
