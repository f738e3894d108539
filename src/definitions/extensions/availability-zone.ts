import type { ExtensionDefinition } from '../types.js';

/** `/v2.0/availability_zones` from the agents' zones (api/routes/availability-zones.ts), and agents' `availability_zone`. */
export const availabilityZone: ExtensionDefinition = {
  alias: 'availability_zone',
  name: 'Availability Zone',
  description: 'The availability zone extension.',
  updated: '2015-01-01T10:00:00-00:00',
  extendedAttributes: {
    agents: {
      availability_zone: { allowPost: false, allowPut: false, isFilter: true, isVisible: true, isSortKey: true },
    },
  },
};

/** The `/v2.0/availability_zones` collection's attributes (filters). */
export const AVAILABILITY_ZONE_ATTRIBUTES = {
  name: { allowPost: false, allowPut: false, isVisible: true, isFilter: true },
  resource: { allowPost: false, allowPut: false, isVisible: true, isFilter: true },
  state: { allowPost: false, allowPut: false, isVisible: true, isFilter: true },
};
