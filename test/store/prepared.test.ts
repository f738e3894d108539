import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, createTestDatabase, storeOptions } from '../support/databases.js';
import { openStore, migrateToLatest } from '../../src/store/db.js';
import { prepared, preparedIn, preparedWrite, param } from '../../src/store/prepared.js';

const tagged = prepared<[string, string], { resource_id: string; tag: string }>(2, (db) =>
  db.selectFrom('tags').selectAll().where('resource_id', '=', param(0)).where('tag', '!=', param(1)).orderBy('tag'));
const addTag = preparedWrite<[string, string]>(2, (db) => db.insertInto('tags').values({ resource_id: param(0), tag: param(1) }));
const renameTag = preparedWrite<[string, string, string]>(3, (db) => db.updateTable('tags').set({ tag: param(0) }).where('resource_id', '=', param(1)).where('tag', '=', param(2)));
const tagsIn = preparedIn((db, ids: string[]) => db.selectFrom('tags').select(['resource_id', 'tag']).where('resource_id', 'in', ids).orderBy('resource_id').orderBy('tag'));

for (const dialect of DIALECTS) {
  describe(`prepared queries (${dialect})`, () => {
    it('bind each call\'s values, inside and outside transactions, for in-lists of every length', async () => {
      const db = await createTestDatabase(dialect);
      const store = await openStore(storeOptions(db.url));
      try {
        await migrateToLatest(store);
        const rows = [['a', 'x'], ['a', 'y'], ['b', 'x'], ...Array.from({ length: 12 }, (_, i) => [`n${i}`, 't'])];
        await store.db.insertInto('tags').values(rows.map(([resource_id, tag]) => ({ resource_id, tag }))).execute();

        assert.deepEqual(await tagged(store.db, 'a', 'x'), [{ resource_id: 'a', tag: 'y' }]);
        assert.deepEqual(await tagged(store.db, 'a', 'z'), [{ resource_id: 'a', tag: 'x' }, { resource_id: 'a', tag: 'y' }]);
        assert.deepEqual(await tagged(store.db, 'b', 'y'), [{ resource_id: 'b', tag: 'x' }]);

        // A transaction sees its own uncommitted write through the same compiled query.
        await store.transaction(async (tx) => {
          await tx.insertInto('tags').values({ resource_id: 'b', tag: 'z' }).execute();
          assert.deepEqual((await tagged(tx, 'b', 'x')).map((r) => r.tag), ['z']);
        });

        assert.deepEqual(await tagsIn(store.db, ['b']), [{ resource_id: 'b', tag: 'x' }, { resource_id: 'b', tag: 'z' }]);
        assert.deepEqual((await tagsIn(store.db, ['a', 'missing'])).map((r) => r.tag), ['x', 'y']);
        // Beyond the compiled lengths the query is built anew, with the same result.
        // Writes report the rows they changed.
        assert.equal(await addTag(store.db, 'c', 'p'), 1);
        assert.equal(await renameTag(store.db, 'q', 'c', 'p'), 1);
        assert.equal(await renameTag(store.db, 'q', 'c', 'p'), 0);
        assert.deepEqual(await tagsIn(store.db, ['c']), [{ resource_id: 'c', tag: 'q' }]);
        const many = Array.from({ length: 12 }, (_, i) => `n${i}`);
        assert.equal((await tagsIn(store.db, many)).length, 12);
        assert.deepEqual((await tagsIn(store.db, many.slice(0, 3))).map((r) => r.resource_id), ['n0', 'n1', 'n2']);
      } finally {
        await store.close();
        await db.drop();
      }
    });
  });
}

describe('prepared query shapes', () => {
  it('refuse a build that leaves an argument out of the SQL (a value would be baked in)', async () => {
    const store = await openStore({ dialect: 'sqlite', path: ':memory:' });
    try {
      await migrateToLatest(store);
      const broken = prepared<[string, string], unknown>(2, (db) => db.selectFrom('tags').selectAll().where('resource_id', '=', param(0)));
      await assert.rejects(broken(store.db, 'a', 'b'), /uses 1 of its 2 parameters/);
    } finally {
      await store.close();
    }
  });
});
