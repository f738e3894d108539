/** Tunnel types (vxlan, geneve, gre): ids from configured ranges, no physical network. */
import type { Segment, SegmentRequest, TypeDriver } from '../driver-api.js';
import type { Tx } from '../../store/db.js';
import type { FreeRanges } from '../../store/tables/free-ranges.js';
import { errors, NeutronError } from '../../common/errors.js';
import { SegmentPool, inRanges } from './segment-pool.js';

const MAX_TUNNEL_ID: Record<string, number> = { vxlan: 2 ** 24 - 1, geneve: 2 ** 24 - 1, gre: 2 ** 32 - 1 };
const IP_HEADER: Record<4 | 6, number> = { 4: 20, 6: 40 };

export interface TunnelOptions {
  networkType: 'vxlan' | 'geneve' | 'gre';
  ranges: [number, number][];
  /** Encapsulation overhead beyond the outer IP header (vxlan 30, gre 22, geneve max_header_size). */
  encapOverhead: number;
  overlayIpVersion: 4 | 6;
  globalPhysnetMtu: number;
  pathMtu: number;
}

export function tunnelTypeDriver(ranges: FreeRanges, o: TunnelOptions): TypeDriver {
  const pool = new SegmentPool(ranges, o.networkType);
  const upper = o.networkType.toUpperCase();
  return {
    networkType: o.networkType,
    validateProviderSegment(req: SegmentRequest) {
      if (req.physical_network) throw errors.invalidInput(`provider:physical_network specified for ${upper} network`);
      const id = req.segmentation_id;
      if (id !== undefined && id !== null && (id < 1 || id > MAX_TUNNEL_ID[o.networkType])) {
        throw errors.invalidInput(`${o.networkType === 'gre' ? 'GRE' : upper} tunnel ID ${id} is out of range (1 through ${MAX_TUNNEL_ID[o.networkType]})`);
      }
    },
    async reserveProviderSegment(tx: Tx, req: SegmentRequest): Promise<Segment> {
      if (req.segmentation_id === undefined || req.segmentation_id === null) {
        const id = await pool.allocate(tx, '');
        if (id === null) throw new NeutronError('NoNetworkAvailable', 'Unable to create the network. No tenant network is available for allocation.');
        return { network_type: o.networkType, physical_network: null, segmentation_id: id };
      }
      const id = req.segmentation_id;
      if (!(await pool.take(tx, '', id, inRanges(o.ranges, id)))) {
        throw errors.conflict('TunnelIdInUse', `Unable to create the network. The tunnel ID ${id} is in use.`);
      }
      return { network_type: o.networkType, physical_network: null, segmentation_id: id };
    },
    async allocateProjectSegment(tx: Tx) {
      const id = await pool.allocate(tx, '');
      return id === null ? null : { network_type: o.networkType, physical_network: null, segmentation_id: id };
    },
    async releaseSegment(tx: Tx, seg: Segment) {
      if (seg.segmentation_id !== null) await pool.release(tx, '', seg.segmentation_id, inRanges(o.ranges, seg.segmentation_id));
    },
    mtu() {
      const limits = [o.globalPhysnetMtu, o.pathMtu].filter((m) => m > 0);
      return limits.length ? Math.min(...limits) - o.encapOverhead - IP_HEADER[o.overlayIpVersion] : 0;
    },
    syncPools: (tx: Tx) => pool.sync(tx, '', o.ranges),
  };
}
