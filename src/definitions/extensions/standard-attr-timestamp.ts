import type { ExtensionDefinition } from '../types.js';
import { forStandardCollections } from './standard-attributes.js';

export const standardAttrTimestamp: ExtensionDefinition = {
  alias: 'standard-attr-timestamp',
  name: 'Resource timestamps',
  description: 'Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes.',
  updated: '2016-09-12T10:00:00-00:00',
  extendedAttributes: forStandardCollections({
    created_at: { allowPost: false, allowPut: false, isVisible: true, isFilter: true, isSortKey: true },
    updated_at: { allowPost: false, allowPut: false, isVisible: true, isFilter: true, isSortKey: true },
  }),
};
