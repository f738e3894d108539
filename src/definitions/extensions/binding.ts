import type { ExtensionDefinition } from '../types.js';
import { NOT_SPECIFIED } from '../types.js';
import { v } from '../validators.js';

export const VNIC_TYPES = ['normal', 'direct', 'macvtap', 'baremetal', 'direct-physical', 'virtio-forwarder', 'smart-nic', 'vdpa', 'accelerator-direct', 'accelerator-direct-physical', 'remote-managed'] as const;

export const binding: ExtensionDefinition = {
  alias: 'binding',
  name: 'Port Binding',
  description: 'Expose port bindings of a virtual port to external application',
  updated: '2014-02-03T10:00:00-00:00',
  extendedAttributes: {
    ports: {
      'binding:vif_type': { allowPost: false, allowPut: false, default: NOT_SPECIFIED, enforcePolicy: true, isVisible: true },
      'binding:vif_details': { allowPost: false, allowPut: false, default: NOT_SPECIFIED, enforcePolicy: true, isVisible: true },
      'binding:vnic_type': { allowPost: true, allowPut: true, default: 'normal', enforcePolicy: true, validate: v.values(VNIC_TYPES), isVisible: true, isFilter: true },
      'binding:host_id': { allowPost: true, allowPut: true, default: NOT_SPECIFIED, validate: v.string(255), isVisible: true, isFilter: true, enforcePolicy: true },
      'binding:profile': { allowPost: true, allowPut: true, default: NOT_SPECIFIED, validate: v.dictOrEmpty(), enforcePolicy: true, isVisible: true },
    },
  },
};
