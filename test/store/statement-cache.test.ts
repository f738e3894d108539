import { test } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { withStatementCache, openStore, migrateToLatest } from '../../src/store/db.js';

function countingDatabase() {
  const db = new SQLite(':memory:');
  const prepared: string[] = [];
  let closed = false;
  return {
    db,
    prepared,
    isClosed: () => closed,
    wrapped: { prepare: (text: string) => { prepared.push(text); return db.prepare(text); }, close: () => { closed = true; db.close(); } },
  };
}

test('a repeated SQL text is prepared once and the statement reused', () => {
  const c = countingDatabase();
  const cached = withStatementCache(c.wrapped);
  const a = cached.prepare('select 1 as x');
  const b = cached.prepare('select 1 as x');
  assert.equal(a, b);
  assert.deepEqual(c.prepared, ['select 1 as x']);
  assert.deepEqual(b.all(), [{ x: 1 }]);
  cached.close();
  assert.equal(c.isClosed(), true);
});

test('the least recently used statement is dropped when the cache is full', () => {
  const c = countingDatabase();
  const cached = withStatementCache(c.wrapped, 2);
  cached.prepare('select 1');
  cached.prepare('select 2');
  cached.prepare('select 1'); // now 2 is the least recently used
  cached.prepare('select 3'); // evicts 2
  cached.prepare('select 1');
  assert.deepEqual(c.prepared, ['select 1', 'select 2', 'select 3']);
  cached.prepare('select 2');
  assert.deepEqual(c.prepared, ['select 1', 'select 2', 'select 3', 'select 2']);
  c.db.close();
});

test('a store on SQLite answers repeated queries right, also after a schema change and across transactions', async () => {
  const store = await openStore({ dialect: 'sqlite', path: ':memory:' });
  try {
    await migrateToLatest(store);
    const insert = (id: string, project: string) => store.db.insertInto('quotas').values({ project_id: project, resource: id, limit: 1 }).execute();
    const count = async (project: string) => (await store.db.selectFrom('quotas').select('resource').where('project_id', '=', project).execute()).length;
    await insert('network', 'p1');
    await insert('port', 'p1');
    await insert('port', 'p2');
    assert.equal(await count('p1'), 2);
    assert.equal(await count('p2'), 1);
    // A rolled-back transaction leaves nothing behind, and the same statements still work after it.
    await assert.rejects(store.transaction(async (tx) => {
      await tx.insertInto('quotas').values({ project_id: 'p2', resource: 'subnet', limit: 1 }).execute();
      throw new Error('abort');
    }));
    assert.equal(await count('p2'), 1);
    // SQLite re-prepares a kept statement when the schema changed under it.
    await sql`alter table quotas add column bench_note varchar(10)`.execute(store.db);
    assert.equal(await count('p1'), 2);
    const rows = await store.db.selectFrom('quotas').selectAll().where('project_id', '=', 'p2').execute();
    assert.equal((rows[0] as Record<string, unknown>).bench_note, null);
  } finally {
    await store.close();
  }
});
