import type { ExtensionDefinition } from '../types.js';
import { DESCRIPTION_FIELD_SIZE } from '../common.js';
import { v } from '../validators.js';
import { forStandardCollections } from './standard-attributes.js';

export const standardAttrDescription: ExtensionDefinition = {
  alias: 'standard-attr-description',
  name: 'standard-attr-description',
  description: 'Extension to add descriptions to standard attributes',
  updated: '2016-02-10T10:00:00-00:00',
  extendedAttributes: forStandardCollections({
    description: { allowPost: true, allowPut: true, default: '', validate: v.string(DESCRIPTION_FIELD_SIZE), isVisible: true, isFilter: true, isSortKey: true },
  }),
};
