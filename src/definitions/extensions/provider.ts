import type { ExtensionDefinition } from '../types.js';
import { NOT_SPECIFIED } from '../types.js';
import { convert, v } from '../validators.js';

export const PHYSICAL_NETWORK_MAX_LEN = 64;

export const provider: ExtensionDefinition = {
  alias: 'provider',
  name: 'Provider Network',
  description: 'Expose mapping of virtual networks to physical networks',
  updated: '2012-09-07T10:00:00-00:00',
  extendedAttributes: {
    networks: {
      'provider:network_type': { allowPost: true, allowPut: true, default: NOT_SPECIFIED, validate: v.string(255), enforcePolicy: true, isVisible: true, isFilter: true },
      'provider:physical_network': { allowPost: true, allowPut: true, default: NOT_SPECIFIED, validate: v.string(PHYSICAL_NETWORK_MAX_LEN), enforcePolicy: true, isVisible: true, isFilter: true },
      'provider:segmentation_id': { allowPost: true, allowPut: true, default: NOT_SPECIFIED, convert: convert.int, enforcePolicy: true, isVisible: true, isFilter: true },
    },
  },
};
