import type { ExtensionDefinition } from '../types.js';

/** `normalized_cidr`: a rule's remote_ip_prefix with the host bits cleared (core/security-group-rules.ts). */
export const securityGroupsNormalizedCidr: ExtensionDefinition = {
  alias: 'security-groups-normalized-cidr',
  name: 'Normalized CIDR field for security group rules',
  description: 'Add new field with normalized remote_ip_prefix cidr in SG rule',
  updated: '2020-07-28T10:00:00-00:00',
  extendedAttributes: {
    security_group_rules: { normalized_cidr: { allowPost: false, allowPut: false, isVisible: true } },
  },
};
