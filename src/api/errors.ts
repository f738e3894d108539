/**
 * The one map from Neutron error type to HTTP status, and the NeutronError body.
 * Types not listed fall back on their suffix (…NotFound → 404, …InUse → 409), as neutron-lib's
 * exception hierarchy does.
 */
import { NeutronError } from '../core/errors.js';

const STATUS_BY_TYPE: Record<string, number> = {
  HTTPBadRequest: 400,
  InvalidInput: 400,
  BadRequest: 400,
  InvalidAllocationPool: 400,
  InvalidIpForSubnet: 400,
  InvalidIpForNetwork: 400,
  GatewayConflictWithAllocationPools: 400,
  OverlappingAllocationPools: 400,
  HostRoutesExhausted: 400,
  DNSNameServersExhausted: 400,
  InvalidCIDRRange: 400,
  SecurityGroupRuleInvalidProtocol: 400,
  SecurityGroupInvalidPortRange: 400,
  SecurityGroupInvalidIcmpValue: 400,
  SecurityGroupRemoteGroupAndRemoteIpPrefix: 400,
  SecurityGroupConflictingRemoteParameters: 400,
  SecurityGroupCannotRemoveDefault: 409,
  SecurityGroupCannotUpdateDefault: 409,
  SecurityGroupRuleParameterConflict: 400,
  SecurityGroupRuleExists: 409,
  SecurityGroupInUse: 409,
  SecurityGroupNotFound: 404,
  SecurityGroupRuleNotFound: 404,
  InvalidSharedSetting: 409,
  NetworkInUse: 409,
  SubnetInUse: 409,
  PortInUse: 409,
  MacAddressInUse: 409,
  IpAddressInUse: 409,
  IpAddressAlreadyAllocated: 409,
  IpAddressGenerationFailure: 409,
  MacAddressGenerationFailure: 503,
  OverQuota: 409,
  NoNetworkAvailable: 503,
  TunnelIdInUse: 409,
  VlanIdInUse: 409,
  SegmentationIdInUse: 409,
  FlatNetworkInUse: 409,
  InvalidNetworkType: 400,
  NetworkTypeNotSupported: 400,
  PhysicalNetworkNameError: 400,
  InvalidProviderSegment: 400,
  AddressPairAndPortSecurityRequired: 409,
  PortSecurityAndIPRequiredForSecurityGroups: 400,
  PortSecurityPortHasSecurityGroup: 409,
  DuplicateAddressPairInRequest: 400,
  RevisionNumberConstraintFailed: 412,
  PreconditionFailed: 412,
  HTTPForbidden: 403,
  PolicyNotAuthorized: 403,
  AdminRequired: 403,
  HTTPUnauthorized: 401,
  HTTPNotFound: 404,
  HTTPMethodNotAllowed: 405,
  HTTPNotAcceptable: 406,
  HTTPUnsupportedMediaType: 415,
  HTTPRequestEntityTooLarge: 413,
  TagNotFound: 404,
  QuotaResourceUnknown: 404,
  ExtensionNotFound: 404,
  InvalidConfigurationOption: 400,
  InvalidSubnetRequest: 400,
  SubnetAllocationError: 400,
  InvalidIpv6AddressMode: 400,
  InvalidAddressType: 400,
  InvalidExtraDhcpOpt: 400,
  ServiceUnavailable: 503,
};

export function statusOf(type: string): number {
  const status = STATUS_BY_TYPE[type];
  if (status) return status;
  if (type.endsWith('NotFound')) return 404;
  if (type.endsWith('InUse') || type.endsWith('Exists') || type.endsWith('Conflict')) return 409;
  return 500;
}

export interface NeutronErrorBody {
  NeutronError: { type: string; message: string; detail: string };
}

export function errorBody(error: NeutronError): NeutronErrorBody {
  return { NeutronError: { type: error.type, message: error.message, detail: error.detail } };
}
