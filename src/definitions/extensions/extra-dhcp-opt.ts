import type { ExtensionDefinition } from '../types.js';
import { isPlainObject, show, type Validator } from '../validators.js';

const optsValidator: Validator = (data) => {
  if (data === null) return undefined;
  if (!Array.isArray(data)) return `'${show(data)}' is not a list`;
  for (const opt of data) {
    if (!isPlainObject(opt)) return `'${show(opt)}' is not a dictionary`;
    const extra = Object.keys(opt).filter((k) => !['opt_name', 'opt_value', 'ip_version'].includes(k));
    if (extra.length) return `Validation of dictionary's keys failed. Expected keys: {'opt_name', 'opt_value'} Provided keys: ${Object.keys(opt).join(', ')}`;
    if (typeof opt.opt_name !== 'string' || opt.opt_name.length === 0 || opt.opt_name.length > 64) return `'${show(opt.opt_name)}' is not a valid string`;
    if (opt.opt_value !== null && (typeof opt.opt_value !== 'string' || opt.opt_value.length > 255)) return `'${show(opt.opt_value)}' is not a valid string`;
    if (opt.ip_version !== undefined && ![4, 6, '4', '6'].includes(opt.ip_version as number)) return `${show(opt.ip_version)} is not in [4, 6]`;
  }
  return undefined;
};

export const extraDhcpOpt: ExtensionDefinition = {
  alias: 'extra_dhcp_opt',
  name: 'Neutron Extra DHCP options',
  description: 'Extra options configuration for DHCP. For example PXE boot options to DHCP clients can be specified (e.g. tftp-server, server-ip-address, bootfile-name)',
  updated: '2013-03-17T12:00:00-00:00',
  extendedAttributes: {
    ports: { extra_dhcp_opts: { allowPost: true, allowPut: true, default: null, validate: optsValidator, isVisible: true } },
  },
};
