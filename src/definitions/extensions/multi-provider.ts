import type { ExtensionDefinition } from '../types.js';
import { NOT_SPECIFIED } from '../types.js';
import { isPlainObject, show, type Validator } from '../validators.js';

const SEGMENT_KEYS = new Set(['provider:network_type', 'provider:physical_network', 'provider:segmentation_id']);

const segmentsValidator: Validator = (data) => {
  if (!Array.isArray(data)) return `'${show(data)}' is not a list`;
  for (const seg of data) {
    if (!isPlainObject(seg)) return `'${show(seg)}' is not a dictionary`;
    const extra = Object.keys(seg).filter((k) => !SEGMENT_KEYS.has(k));
    if (extra.length) return `Unrecognized attribute(s) '${extra.join(', ')}'`;
  }
  return undefined;
};

export const multiProvider: ExtensionDefinition = {
  alias: 'multi-provider',
  name: 'Multi Provider Network',
  description: 'Expose mapping of virtual networks to multiple physical networks',
  updated: '2013-06-27T10:00:00-00:00',
  extendedAttributes: {
    networks: {
      segments: { allowPost: true, allowPut: true, default: NOT_SPECIFIED, validate: segmentsValidator, enforcePolicy: true, isVisible: true },
    },
  },
};
