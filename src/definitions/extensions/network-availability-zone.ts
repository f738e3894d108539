import type { ExtensionDefinition } from '../types.js';
import { v } from '../validators.js';

export const networkAvailabilityZone: ExtensionDefinition = {
  alias: 'network_availability_zone',
  name: 'Network Availability Zone',
  description: 'Availability zone support for network.',
  updated: '2015-01-01T10:00:00-00:00',
  extendedAttributes: {
    networks: {
      availability_zone_hints: { allowPost: true, allowPut: false, default: [], validate: v.listOfUniqueStrings(255), isVisible: true },
      availability_zones: { allowPost: false, allowPut: false, isVisible: true },
    },
  },
};
