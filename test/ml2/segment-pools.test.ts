import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS, createTestDatabase, storeOptions } from '../support/databases.js';
import { openStore, migrateToLatest } from '../../src/store/db.js';
import { freeRanges } from '../../src/store/tables/free-ranges.js';
import { createTypeDrivers, DEFAULT_ML2_SETTINGS } from '../../src/ml2/registry.js';
import { syncPools } from '../../src/core/index.js';
import { DEFAULT_CORE_SETTINGS } from '../../src/core/deps.js';

for (const dialect of DIALECTS) {
  describe(`segment pools (${dialect})`, () => {
    it('stay consistent when replicas sync them at once and while networks take ids', async () => {
      const db = await createTestDatabase(dialect);
      const stores = [await openStore(storeOptions(db.url)), await openStore(storeOptions(db.url))];
      try {
        await migrateToLatest(stores[0]);
        const ml2 = { ...DEFAULT_ML2_SETTINGS, typeDrivers: ['vxlan'], tenantNetworkTypes: ['vxlan'], vxlanVniRanges: [[1, 50]] as [number, number][] };
        const replicas = stores.map((store) => {
          const ranges = freeRanges(store.dialect !== 'sqlite');
          return { store, ml2, typeDrivers: createTypeDrivers(ml2, ranges), ranges, settings: DEFAULT_CORE_SETTINGS, mechanismDrivers: new Map(), onCommit: () => {} } as never as Parameters<typeof syncPools>[0];
        });
        // Several syncs racing each other (first fill of an empty pool included) and allocations racing them.
        const vxlan = (i: number) => replicas[i % 2].typeDrivers.get('vxlan')!;
        const taken: number[] = [];
        await Promise.all([
          ...[0, 1, 0, 1].map((i) => syncPools(replicas[i])),
          ...Array.from({ length: 20 }, async (_, i) => {
            const seg = await replicas[i % 2].store.transaction((tx) => vxlan(i).allocateProjectSegment(tx));
            if (seg) taken.push(seg.segmentation_id!);
          }),
        ]);
        await syncPools(replicas[0]);
        const rows = await stores[0].db.selectFrom('free_ranges').selectAll().where('pool', '=', 'seg:vxlan:').execute();
        const free = rows.flatMap((r) => { const out: number[] = []; for (let v = parseInt(r.first, 16); v <= parseInt(r.last, 16); v++) out.push(v); return out; });
        const used = (await stores[0].db.selectFrom('segment_allocations').select('segmentation_id').execute()).map((r) => r.segmentation_id);
        assert.equal(new Set(taken).size, taken.length, 'an id was handed out twice');
        assert.deepEqual(free.filter((v) => used.includes(v)), [], 'an id in use is in the free pool');
        assert.equal(free.length + used.length, 50);
      } finally {
        for (const s of stores) await s.close();
        await db.drop();
      }
    });
  });
}
