import type { ExtensionDefinition } from '../types.js';
import { NOT_SPECIFIED } from '../types.js';
import { convert } from '../validators.js';

export const externalNet: ExtensionDefinition = {
  alias: 'external-net',
  name: 'Neutron external network',
  description: 'Adds external network attribute to network resource.',
  updated: '2013-01-14T10:00:00-00:00',
  extendedAttributes: {
    networks: {
      'router:external': { allowPost: true, allowPut: true, default: NOT_SPECIFIED, convert: convert.boolean, enforcePolicy: true, isVisible: true, isFilter: true },
    },
  },
};
