import type { ExtensionDefinition } from '../types.js';
import { show, type Validator } from '../validators.js';

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** type:dns_host_name: a host name or FQDN whose labels are valid. */
const dnsNameValidator: Validator = (data) => {
  if (typeof data !== 'string') return `'${show(data)}' is not a valid string`;
  if (data === '') return undefined;
  if (data.length > 255) return `'${data}' exceeds the 255 character FQDN limit`;
  const labels = data.replace(/\.$/, '').split('.');
  for (const label of labels) if (!DNS_LABEL.test(label)) return `'${data}' not a valid PQDN or FQDN. Reason: Encountered an empty component or a component longer than 63 characters or containing invalid characters`;
  if (/^\d+$/.test(labels[labels.length - 1]) && labels.length > 1) return `TLD '${labels[labels.length - 1]}' must not be all numeric`;
  return undefined;
};

export const dnsIntegration: ExtensionDefinition = {
  alias: 'dns-integration',
  name: 'DNS Integration',
  description: 'Provides integration with DNS.',
  updated: '2015-08-15T18:00:00-00:00',
  extendedAttributes: {
    ports: {
      dns_name: { allowPost: true, allowPut: true, default: '', convert: (x) => (typeof x === 'string' ? x.toLowerCase() : x), validate: dnsNameValidator, isVisible: true, isFilter: true },
      dns_assignment: { allowPost: false, allowPut: false, isVisible: true },
    },
    networks: {
      dns_domain: { allowPost: true, allowPut: true, default: '', validate: (x) => (x === '' ? undefined : dnsNameValidator(x)), isVisible: true, isFilter: true },
    },
  },
};
