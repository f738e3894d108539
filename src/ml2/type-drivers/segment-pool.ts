/**
 * The shared mechanics of types with numbered segments (vlan, vxlan, geneve, gre): a uniqueness row
 * per id in use, and free ranges for allocation (see store/tables/free-ranges.ts).
 */
import type { Tx } from '../../store/db.js';
import { insertOneUnlessDuplicate } from '../../store/db.js';
import type { FreeRanges } from '../../store/tables/free-ranges.js';
import { subtractKeys } from '../../store/tables/free-ranges.js';

const KEY_WIDTH = 8;

export class SegmentPool {
  constructor(private readonly ranges: FreeRanges, private readonly networkType: string) {}

  private pool(physnet: string) {
    return `seg:${this.networkType}:${physnet}`;
  }

  /** Marks `id` as used; false when another network holds it. */
  async take(tx: Tx, physnet: string, id: number, inPool: boolean): Promise<boolean> {
    const taken = await insertOneUnlessDuplicate(tx, () =>
      tx.insertInto('segment_allocations').values({ network_type: this.networkType, physical_network: physnet, segmentation_id: id }).execute());
    if (taken && inPool) await this.ranges.reserve(tx, this.pool(physnet), BigInt(id), KEY_WIDTH);
    return taken;
  }

  /** Takes the lowest free id of the pool; null when exhausted. */
  async allocate(tx: Tx, physnet: string): Promise<number | null> {
    const key = await this.ranges.allocate(tx, this.pool(physnet), KEY_WIDTH);
    if (key === null) return null;
    const id = Number(key);
    await tx.insertInto('segment_allocations').values({ network_type: this.networkType, physical_network: physnet, segmentation_id: id }).execute();
    return id;
  }

  async release(tx: Tx, physnet: string, id: number, inPool: boolean): Promise<void> {
    await tx.deleteFrom('segment_allocations')
      .where('network_type', '=', this.networkType).where('physical_network', '=', physnet).where('segmentation_id', '=', id).execute();
    if (inPool) await this.ranges.release(tx, this.pool(physnet), BigInt(id), KEY_WIDTH);
  }

  /** Rebuilds the free ranges of `physnet` as configured minus ids in use: a shrunk pool keeps its allocations. */
  async sync(tx: Tx, physnet: string, configured: [number, number][]): Promise<void> {
    // Lock the pool first: an allocation in flight on another replica commits before we read
    // what is in use, so its id cannot be put back as free.
    await this.ranges.lock(tx, this.pool(physnet));
    const used = await tx.selectFrom('segment_allocations').select('segmentation_id')
      .where('network_type', '=', this.networkType).where('physical_network', '=', physnet).execute();
    const free = subtractKeys(configured.map(([a, b]) => ({ first: BigInt(a), last: BigInt(b) })), used.map((u) => BigInt(u.segmentation_id)));
    await this.ranges.replace(tx, this.pool(physnet), free, KEY_WIDTH);
  }

  /** Drops pools of physical networks no longer configured (their allocations stay). */
  async dropOthers(tx: Tx, keep: string[]): Promise<void> {
    const prefix = `seg:${this.networkType}:`;
    const pools = await tx.selectFrom('free_ranges').select('pool').distinct().where('pool', 'like', `${prefix}%`).execute();
    for (const { pool } of pools) if (!keep.includes(pool.slice(prefix.length))) await this.ranges.drop(tx, pool);
  }
}

export const inRanges = (ranges: [number, number][], id: number) => ranges.some(([a, b]) => id >= a && id <= b);
