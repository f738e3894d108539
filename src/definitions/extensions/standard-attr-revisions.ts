import type { ExtensionDefinition } from '../types.js';
import { forStandardCollections } from './standard-attributes.js';
import { convert } from '../validators.js';

export const standardAttrRevisions: ExtensionDefinition = {
  alias: 'standard-attr-revisions',
  name: 'Resource revision numbers',
  description: 'This extension will display the revision number of neutron resources.',
  updated: '2016-04-11T10:00:00-00:00',
  extendedAttributes: forStandardCollections({
    revision_number: { allowPost: false, allowPut: false, convert: convert.int, isVisible: true, isFilter: true, isSortKey: true },
  }),
};
