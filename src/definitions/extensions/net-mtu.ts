import type { ExtensionDefinition } from '../types.js';

export const netMtu: ExtensionDefinition = {
  alias: 'net-mtu',
  name: 'Network MTU',
  description: 'Provides MTU attribute for a network resource.',
  updated: '2015-03-25T10:00:00-00:00',
};
