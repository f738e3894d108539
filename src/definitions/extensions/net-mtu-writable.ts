import type { ExtensionDefinition } from '../types.js';
import { NOT_SPECIFIED } from '../types.js';
import { convert, v } from '../validators.js';

/** net-mtu shows `mtu`; net-mtu-writable lets it be set (68 ≤ mtu, and not above what the segments allow). */
export const netMtuWritable: ExtensionDefinition = {
  alias: 'net-mtu-writable',
  name: 'Network MTU (writable)',
  description: 'Provides a writable MTU attribute for a network resource.',
  updated: '2017-07-12T00:00:00-00:00',
  extendedAttributes: {
    networks: { mtu: { allowPost: true, allowPut: true, default: NOT_SPECIFIED, convert: convert.int, validate: v.range(68, 65535), isVisible: true, isFilter: true, isSortKey: true } },
  },
};
