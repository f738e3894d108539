import type { ResourceDefinition } from './types.js';
import { NOT_SPECIFIED } from './types.js';
import { idAttribute, nameAttribute, tenantIdAttribute } from './common.js';
import { convert, v } from './validators.js';
import { poolsValidator, nameserversValidator, hostRoutesValidator } from './subnet-validators.js';

export const IPV6_MODES = ['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac'] as const;

export const subnet: ResourceDefinition = {
  resource: 'subnet',
  collection: 'subnets',
  path: 'subnets',
  policyName: 'subnet',
  standardAttributes: true,
  notFoundType: 'SubnetNotFound',
  displayName: 'Subnet',
  allowBulk: true,
  attributes: {
    id: idAttribute,
    name: nameAttribute,
    ip_version: { allowPost: true, allowPut: false, convert: convert.int, validate: v.values([4, 6]), isVisible: true, isFilter: true, isSortKey: true },
    network_id: { allowPost: true, allowPut: false, requiredByPolicy: true, validate: v.uuid(), isVisible: true, isFilter: true, isSortKey: true },
    subnetpool_id: { allowPost: true, allowPut: false, default: NOT_SPECIFIED, validate: v.uuidOrNone(), isVisible: true, isFilter: true, isSortKey: true },
    prefixlen: { allowPost: true, allowPut: false, default: NOT_SPECIFIED, convert: convert.int, validate: v.nonNegative(), isVisible: false },
    cidr: { allowPost: true, allowPut: false, default: NOT_SPECIFIED, convert: convert.canonicalCidr, validate: v.subnetOrNone(), isVisible: true, isFilter: true, isSortKey: true },
    gateway_ip: { allowPost: true, allowPut: true, default: NOT_SPECIFIED, convert: convert.canonicalIp, validate: v.ipOrNone(), isVisible: true, isFilter: true, isSortKey: true },
    allocation_pools: { allowPost: true, allowPut: true, default: NOT_SPECIFIED, validate: poolsValidator, isVisible: true },
    dns_nameservers: { allowPost: true, allowPut: true, default: NOT_SPECIFIED, convert: convert.noneToEmptyList, validate: nameserversValidator, isVisible: true },
    host_routes: { allowPost: true, allowPut: true, default: NOT_SPECIFIED, convert: convert.noneToEmptyList, validate: hostRoutesValidator, isVisible: true },
    tenant_id: tenantIdAttribute,
    enable_dhcp: { allowPost: true, allowPut: true, default: true, convert: convert.boolean, isVisible: true, isFilter: true, isSortKey: true },
    ipv6_ra_mode: { allowPost: true, allowPut: false, default: NOT_SPECIFIED, validate: v.values([...IPV6_MODES, null]), isVisible: true, isFilter: true, isSortKey: true },
    ipv6_address_mode: { allowPost: true, allowPut: false, default: NOT_SPECIFIED, validate: v.values([...IPV6_MODES, null]), isVisible: true, isFilter: true, isSortKey: true },
    shared: { allowPost: false, allowPut: false, default: false, convert: convert.boolean, isVisible: false, isFilter: true, requiredByPolicy: true, enforcePolicy: true },
  },
};
