/**
 * The one map from Neutron error type to HTTP status, and the NeutronError body.
 * Types not listed fall back on their suffix (…NotFound → 404, …InUse → 409).
 */
import { NeutronError } from '../core/errors.js';
import { NEUTRON_EXCEPTION_STATUS } from './neutron-error-status.js';

/** Types Nucleon raises that are not neutron-lib exceptions (webob HTTP errors, API-layer checks). */
const API_STATUS: Record<string, number> = {
  HTTPBadRequest: 400,
  HTTPUnauthorized: 401,
  HTTPForbidden: 403,
  PolicyNotAuthorized: 403,
  HTTPNotFound: 404,
  HTTPMethodNotAllowed: 405,
  HTTPNotAcceptable: 406,
  HTTPRequestEntityTooLarge: 413,
  HTTPUnsupportedMediaType: 415,
  HTTPInternalServerError: 500,
  RevisionNumberConstraintFailed: 412,
  PreconditionFailed: 412,
  PortBound: 409,
  SubnetPoolNotFound: 404,
  TagNotFound: 404,
  MacAddressGenerationFailure: 503,
  ServiceUnavailable: 503,
  // neutron/services/portforwarding/common/exceptions.py (not neutron-lib's)
  FipInUseByPortForwarding: 409,
  PortHasBindingFloatingIP: 409,
  PortHasPortForwarding: 400,
  PortForwardingNotSupportFilterField: 400,
};

export function statusOf(type: string): number {
  const status = API_STATUS[type] ?? NEUTRON_EXCEPTION_STATUS[type];
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
