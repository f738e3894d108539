import type { ExtensionDefinition } from '../types.js';
import { NOT_SPECIFIED } from '../types.js';
import { convert, v } from '../validators.js';

export const securityGroupExtension: ExtensionDefinition = {
  alias: 'security-group',
  name: 'security-group',
  description: 'The security groups extension.',
  updated: '2012-10-05T10:00:00-00:00',
  extendedAttributes: {
    ports: { security_groups: { allowPost: true, allowPut: true, default: NOT_SPECIFIED, convert: convert.noneToEmptyList, validate: v.uuidList(), isVisible: true, isFilter: true } },
  },
};
