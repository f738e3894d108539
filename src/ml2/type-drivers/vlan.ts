/** VLAN: ids 1–4094 per physical network, pools from [ml2_type_vlan] network_vlan_ranges. */
import type { Segment, SegmentRequest, TypeDriver } from '../driver-api.js';
import type { Tx } from '../../store/db.js';
import type { FreeRanges } from '../../store/tables/free-ranges.js';
import { errors, NeutronError } from '../../common/errors.js';
import { SegmentPool, inRanges } from './segment-pool.js';
import { physnetMtu } from './physnet-mtu.js';

export interface VlanOptions {
  /** Physical networks with their ranges; a physnet listed without ranges is usable for provider networks only. */
  ranges: { physicalNetwork: string; ranges: [number, number][] }[];
  globalPhysnetMtu: number;
  physicalNetworkMtus: Record<string, number>;
}

export function vlanTypeDriver(free: FreeRanges, o: VlanOptions): TypeDriver {
  const pool = new SegmentPool(free, 'vlan');
  const rangesOf = (physnet: string) => o.ranges.find((r) => r.physicalNetwork === physnet)?.ranges ?? [];
  const known = (physnet: string) => o.ranges.some((r) => r.physicalNetwork === physnet);
  return {
    networkType: 'vlan',
    validateProviderSegment(req: SegmentRequest) {
      const physnet = req.physical_network;
      const id = req.segmentation_id;
      if (physnet && !known(physnet)) throw errors.invalidInput(`physical_network '${physnet}' unknown for VLAN provider network`);
      if (id !== undefined && id !== null) {
        if (!physnet) throw errors.invalidInput('segmentation_id requires physical_network for VLAN provider network');
        if (id < 1 || id > 4094) throw errors.invalidInput('segmentation_id out of range (1 through 4094)');
      }
    },
    async reserveProviderSegment(tx: Tx, req: SegmentRequest): Promise<Segment> {
      const physnet = req.physical_network ?? null;
      if (req.segmentation_id === undefined || req.segmentation_id === null) {
        const candidates = physnet ? [physnet] : o.ranges.map((r) => r.physicalNetwork);
        for (const p of candidates) {
          const id = await pool.allocate(tx, p);
          if (id !== null) return { network_type: 'vlan', physical_network: p, segmentation_id: id };
        }
        throw new NeutronError('NoNetworkAvailable', 'Unable to create the network. No tenant network is available for allocation.');
      }
      const id = req.segmentation_id;
      if (!(await pool.take(tx, physnet!, id, inRanges(rangesOf(physnet!), id)))) {
        throw errors.conflict('VlanIdInUse', `Unable to create the network. The VLAN ${id} on physical network ${physnet} is in use.`);
      }
      return { network_type: 'vlan', physical_network: physnet, segmentation_id: id };
    },
    async allocateProjectSegment(tx: Tx) {
      for (const r of o.ranges) {
        if (!r.ranges.length) continue;
        const id = await pool.allocate(tx, r.physicalNetwork);
        if (id !== null) return { network_type: 'vlan', physical_network: r.physicalNetwork, segmentation_id: id };
      }
      return null;
    },
    async releaseSegment(tx: Tx, seg: Segment) {
      if (seg.segmentation_id === null || !seg.physical_network) return;
      await pool.release(tx, seg.physical_network, seg.segmentation_id, inRanges(rangesOf(seg.physical_network), seg.segmentation_id));
    },
    mtu: (physnet) => physnetMtu(physnet, o.globalPhysnetMtu, o.physicalNetworkMtus),
    async syncPools(tx: Tx) {
      for (const r of o.ranges) await pool.sync(tx, r.physicalNetwork, r.ranges);
      await pool.dropOthers(tx, o.ranges.map((r) => r.physicalNetwork));
    },
  };
}
