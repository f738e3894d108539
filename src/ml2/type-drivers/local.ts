/** Local: a network that exists on one host only, with no segmentation. */
import type { SegmentRequest, TypeDriver } from '../driver-api.js';
import { errors } from '../../common/errors.js';

export function localTypeDriver(): TypeDriver {
  return {
    networkType: 'local',
    validateProviderSegment(req: SegmentRequest) {
      for (const key of ['physical_network', 'segmentation_id'] as const) {
        if (req[key] !== undefined && req[key] !== null) throw errors.invalidInput(`${key} prohibited for local provider network`);
      }
    },
    reserveProviderSegment: async () => ({ network_type: 'local', physical_network: null, segmentation_id: null }),
    allocateProjectSegment: async () => ({ network_type: 'local', physical_network: null, segmentation_id: null }),
    releaseSegment: async () => {},
    mtu: () => 0,
    syncPools: async () => {},
  };
}
