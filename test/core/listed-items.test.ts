/**
 * A list of unchanged rows is answered with the items built the last time (core/listed-items.ts):
 * the database's joined version string must equal the one built from the rows read, or every list
 * would silently be built anew; any change must make the list read its rows again.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, createTestDatabase, storeOptions } from '../support/databases.js';
import { openStore, migrateToLatest, type Store } from '../../src/store/db.js';
import { ListedItems, versionVector, vectorOf } from '../../src/core/listed-items.js';
import type { RowVersion } from '../../src/core/item-cache.js';
import type { Item } from '../../src/core/service.js';

const network = (id: string, project: string) => ({
  id, project_id: project, name: id, description: '', created_at: '2026-12-07T15:00:00Z', updated_at: '2026-12-07T15:00:00Z',
  revision_number: 1, admin_state_up: 1, status: 'ACTIVE', shared: 0, 'router:external': 0, mtu: 1450,
  port_security_enabled: 1, availability_zone_hints: '[]', dns_domain: '',
});

for (const dialect of DIALECTS) {
  describe(`listed items (${dialect})`, () => {
    it('answers an unchanged list with the items it built, and reads the rows again after any change', async () => {
      const db = await createTestDatabase(dialect);
      const store: Store = await openStore(storeOptions(db.url));
      try {
        await migrateToLatest(store);
        await store.db.insertInto('networks').values(['n3', 'n1', 'n2', 'x1'].map((id) => network(id, id === 'x1' ? 'other' : 'p1'))).execute();
        const query = (reverse = false) => store.db.selectFrom('networks').select(['id', 'revision_number', 'updated_at'])
          .where('project_id', '=', 'p1').orderBy('id', reverse ? 'desc' : 'asc');
        const rows = (await query().execute()) as RowVersion[];
        if (dialect === 'mysql') {
          assert.equal(await versionVector(store.db, dialect, query()), null);
        } else {
          assert.equal(await versionVector(store.db, dialect, query()), vectorOf(rows), 'the database joins the versions as the rows read give them');
          assert.equal(await versionVector(store.db, dialect, query().where('id', '=', 'none')), vectorOf([]));
        }

        const listed = new ListedItems(dialect);
        let builds = 0;
        const build = async (r: RowVersion[]): Promise<Item[]> => { builds++; return r.map((x) => ({ id: x.id, revision_number: x.revision_number })); };
        const first = await listed.list(store.db, query(), false, build);
        assert.deepEqual(first.map((i) => i.id), ['n1', 'n2', 'n3']);
        const again = await listed.list(store.db, query(), false, build);
        // MySQL's GROUP_CONCAT is cut at group_concat_max_len: there every list reads its rows.
        assert.equal(builds, dialect === 'mysql' ? 2 : 1);
        if (dialect !== 'mysql') assert.equal(again, first, 'the very items of the last list');

        await store.db.updateTable('networks').set({ revision_number: 2 }).where('id', '=', 'n2').execute();
        const changed = await listed.list(store.db, query(), false, build);
        assert.deepEqual(changed.map((i) => i.revision_number), [1, 2, 1]);
        await store.db.updateTable('networks').set({ updated_at: '2026-12-07T15:00:01Z' }).where('id', '=', 'n3').execute();
        await listed.list(store.db, query(), false, build);
        await store.db.deleteFrom('networks').where('id', '=', 'n1').execute();
        assert.deepEqual((await listed.list(store.db, query(), false, build)).map((i) => i.id), ['n2', 'n3']);
        await store.db.insertInto('networks').values(network('n0', 'p1')).execute();
        assert.deepEqual((await listed.list(store.db, query(), false, build)).map((i) => i.id), ['n0', 'n2', 'n3']);
        assert.equal(builds, dialect === 'mysql' ? 6 : 5, 'each change read the rows again');

        // Another query (here the reversed page) is kept apart; page_reverse hands build the rows in list order.
        assert.deepEqual((await listed.list(store.db, query(true), true, build)).map((i) => i.id), ['n0', 'n2', 'n3']);
        assert.deepEqual((await listed.list(store.db, query(), false, build)).map((i) => i.id), ['n0', 'n2', 'n3']);
        assert.equal(builds, dialect === 'mysql' ? 8 : 6);
      } finally {
        await store.close();
        await db.drop();
      }
    });

    it("sees another process's change to a listed row, and keeps the list through a change to rows it does not list", async () => {
      const db = await createTestDatabase(dialect);
      const mine: Store = await openStore(storeOptions(db.url));
      // A second API process on the same database: its own connection (on SQLite, to the same file).
      const other: Store = await openStore(storeOptions(db.url));
      try {
        await migrateToLatest(mine);
        await mine.db.insertInto('networks').values(['n1', 'n2'].map((id) => network(id, 'p1'))).execute();
        const query = () => mine.db.selectFrom('networks').select(['id', 'revision_number', 'updated_at']).where('project_id', '=', 'p1').orderBy('id');
        const listed = new ListedItems(dialect);
        let builds = 0;
        const build = async (r: RowVersion[]): Promise<Item[]> => { builds++; return r.map((x) => ({ id: x.id, revision_number: x.revision_number })); };
        const first = await listed.list(mine.db, query(), false, build);
        const again = await listed.list(mine.db, query(), false, build);
        if (dialect !== 'mysql') assert.equal(again, first, 'unchanged: the very items of the last list');

        await other.db.updateTable('networks').set({ revision_number: 7 }).where('id', '=', 'n2').execute();
        assert.deepEqual((await listed.list(mine.db, query(), false, build)).map((i) => i.revision_number), [1, 7], "the other process's write is listed");
        await other.db.deleteFrom('networks').where('id', '=', 'n1').execute();
        assert.deepEqual((await listed.list(mine.db, query(), false, build)).map((i) => i.id), ['n2']);

        // Writes that leave the listed rows as they were, by either process: the kept items still answer.
        const before = builds;
        const kept = await listed.list(mine.db, query(), false, build);
        await mine.db.insertInto('networks').values(network('x1', 'other')).execute();
        await other.db.insertInto('networks').values(network('x2', 'other')).execute();
        const after = await listed.list(mine.db, query(), false, build);
        assert.deepEqual(after.map((i) => i.id), ['n2']);
        if (dialect !== 'mysql') {
          assert.equal(after, kept, 'the very items of the last list');
          assert.equal(builds, before, 'no rows read again');
        }
      } finally {
        await other.close();
        await mine.close();
        await db.drop();
      }
    });

    it('keeps lists up to a number of items in all, the least recently listed going first', async () => {
      const db = await createTestDatabase(dialect);
      const store: Store = await openStore(storeOptions(db.url));
      try {
        await migrateToLatest(store);
        await store.db.insertInto('networks').values(['a1', 'a2', 'a3', 'b1', 'b2', 'b3'].map((id) => network(id, `p-${id[0]}`))).execute();
        const query = (project: string) => store.db.selectFrom('networks').select(['id', 'revision_number', 'updated_at']).where('project_id', '=', project).orderBy('id');
        const listed = new ListedItems(dialect, 32, 5);
        const build = async (r: RowVersion[]): Promise<Item[]> => r.map((x) => ({ id: x.id }));
        // MySQL keeps no lists (see versionVector).
        const kept = dialect === 'mysql' ? 0 : 3;
        const a = await listed.list(store.db, query('p-a'), false, build);
        assert.equal(listed.itemCount, kept);
        // Both lists would hold six items: the older one goes.
        const b = await listed.list(store.db, query('p-b'), false, build);
        assert.equal(listed.itemCount, kept);
        if (dialect !== 'mysql') {
          assert.equal(await listed.list(store.db, query('p-b'), false, build), b, 'the newer list is kept');
          assert.notEqual(await listed.list(store.db, query('p-a'), false, build), a, 'the older one is built again');
        }
        // A list over the bound is not kept at all.
        const all = () => store.db.selectFrom('networks').select(['id', 'revision_number', 'updated_at']).orderBy('id');
        const before = listed.itemCount;
        assert.equal((await listed.list(store.db, all(), false, build)).length, 6);
        assert.equal(listed.itemCount, before);
      } finally {
        await store.close();
        await db.drop();
      }
    });
  });
}
