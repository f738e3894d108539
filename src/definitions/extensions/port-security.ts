import type { ExtensionDefinition } from '../types.js';
import { NOT_SPECIFIED } from '../types.js';
import { convert } from '../validators.js';

export const portSecurity: ExtensionDefinition = {
  alias: 'port-security',
  name: 'Port Security',
  description: 'Provides port security',
  updated: '2012-07-23T10:00:00-00:00',
  extendedAttributes: {
    networks: { port_security_enabled: { allowPost: true, allowPut: true, default: true, convert: convert.boolean, enforcePolicy: true, isVisible: true, isFilter: true } },
    ports: { port_security_enabled: { allowPost: true, allowPut: true, default: NOT_SPECIFIED, convert: convert.boolean, enforcePolicy: true, isVisible: true, isFilter: true } },
  },
};
