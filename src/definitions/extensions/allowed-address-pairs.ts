import type { ExtensionDefinition } from '../types.js';
import { NOT_SPECIFIED } from '../types.js';
import { convert, isPlainObject, show, type Validator } from '../validators.js';
import { ipVersionOf, parseCidr } from '../../common/ip.js';

const MAC_RE = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;

const pairsValidator: Validator = (data) => {
  if (!Array.isArray(data)) return `Allowed address pairs must be a list.`;
  const seen = new Set<string>();
  for (const pair of data) {
    if (!isPlainObject(pair)) return `Allowed address pairs must be a list.`;
    const extra = Object.keys(pair).filter((k) => k !== 'ip_address' && k !== 'mac_address');
    if (extra.length) return `Unrecognized attribute(s) '${extra.join(', ')}'`;
    if (!('ip_address' in pair)) return `AllowedAddressPair missing ip_address`;
    const ip = pair.ip_address;
    if (typeof ip !== 'string' || !(ipVersionOf(ip) || (ip.includes('/') && parseCidr(ip)))) return `'${show(ip)}' is not a valid IP address`;
    if (pair.mac_address !== undefined && (typeof pair.mac_address !== 'string' || !MAC_RE.test(pair.mac_address))) return `'${show(pair.mac_address)}' is not a valid MAC address`;
    const key = `${pair.mac_address ?? ''}|${ip}`;
    if (seen.has(key)) return `Duplicate address detected`;
    seen.add(key);
  }
  return undefined;
};

export const allowedAddressPairs: ExtensionDefinition = {
  alias: 'allowed-address-pairs',
  name: 'Allowed Address Pairs',
  description: 'Provides allowed address pairs',
  updated: '2013-07-23T10:00:00-00:00',
  extendedAttributes: {
    ports: { allowed_address_pairs: { allowPost: true, allowPut: true, default: NOT_SPECIFIED, convert: convert.noneToEmptyList, validate: pairsValidator, enforcePolicy: true, isVisible: true } },
  },
};
