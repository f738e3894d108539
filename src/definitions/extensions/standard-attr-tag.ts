import type { ExtensionDefinition } from '../types.js';
import { forStandardCollections } from './standard-attributes.js';

/** Tags are shown on every standard-attr resource and managed through `/{collection}/{id}/tags`. */
export const standardAttrTag: ExtensionDefinition = {
  alias: 'standard-attr-tag',
  name: 'Tag support for resources with standard attribute: port, subnet, subnetpool, network, router, floatingip, security_group, policy',
  description: 'Enables to set tag on resources with standard attribute.',
  updated: '2017-01-01T00:00:00-00:00',
  extendedAttributes: forStandardCollections({
    tags: { allowPost: false, allowPut: false, isVisible: true, isFilter: true },
  }),
};
