/** Flat: one untagged network per physical network listed in [ml2_type_flat] flat_networks ('*' = any). */
import type { Segment, SegmentRequest, TypeDriver } from '../driver-api.js';
import type { Tx } from '../../store/db.js';
import { insertUnlessDuplicate } from '../../store/db.js';
import { errors } from '../../common/errors.js';
import { physnetMtu } from './physnet-mtu.js';

export interface FlatOptions { flatNetworks: string[]; globalPhysnetMtu: number; physicalNetworkMtus: Record<string, number> }

export function flatTypeDriver(o: FlatOptions): TypeDriver {
  const anyPhysnet = o.flatNetworks.includes('*');
  return {
    networkType: 'flat',
    validateProviderSegment(req: SegmentRequest) {
      if (!req.physical_network) throw errors.invalidInput('physical_network required for flat provider network');
      if (!anyPhysnet && !o.flatNetworks.includes(req.physical_network)) throw errors.invalidInput(`physical_network '${req.physical_network}' unknown for flat provider network`);
      if (req.segmentation_id !== undefined && req.segmentation_id !== null) throw errors.invalidInput('segmentation_id specified for flat provider network');
    },
    async reserveProviderSegment(tx: Tx, req: SegmentRequest): Promise<Segment> {
      const physnet = req.physical_network!;
      // A flat physical network carries one network: segmentation id 0 is its uniqueness key.
      const taken = await insertUnlessDuplicate(tx, () =>
        tx.insertInto('segment_allocations').values({ network_type: 'flat', physical_network: physnet, segmentation_id: 0 }).execute());
      if (!taken) throw errors.conflict('FlatNetworkInUse', `Unable to create the flat network. Physical network ${physnet} is in use.`);
      return { network_type: 'flat', physical_network: physnet, segmentation_id: null };
    },
    allocateProjectSegment: async () => null,
    async releaseSegment(tx: Tx, seg: Segment) {
      await tx.deleteFrom('segment_allocations').where('network_type', '=', 'flat').where('physical_network', '=', seg.physical_network ?? '').execute();
    },
    mtu: (physnet) => physnetMtu(physnet, o.globalPhysnetMtu, o.physicalNetworkMtus),
    syncPools: async () => {},
  };
}
