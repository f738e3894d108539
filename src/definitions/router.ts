import type { ResourceDefinition, AttributeSpec } from './types.js';
import { NOT_SPECIFIED } from './types.js';
import { idAttribute, nameAttribute, tenantIdAttribute } from './common.js';
import { convert, v, isPlainObject, show, InvalidInputError, type Validator } from './validators.js';
import { fixedIpsValidator } from './port.js';

/** Keys of external_gateway_info (l3 + ext-gw-mode): network_id is required when the dict is given. */
const GW_KEYS = ['network_id', 'enable_snat', 'external_fixed_ips'];

/** type:dict_or_nodata with l3/ext-gw-mode's key specs (neutron-lib validate_dict). */
export const externalGatewayInfoValidator: Validator = (data) => {
  if (data === null || data === undefined || data === '' || (isPlainObject(data) && !Object.keys(data).length)) return undefined;
  if (!isPlainObject(data)) return `'${show(data)}' is not a dictionary`;
  if (!('network_id' in data)) {
    return `Validation of dictionary's keys failed. Expected keys: {'network_id'} Provided keys: {${Object.keys(data).map((k) => `'${k}'`).join(', ')}}`;
  }
  const unexpected = Object.keys(data).filter((k) => !GW_KEYS.includes(k));
  if (unexpected.length) return `Unexpected keys supplied: ${unexpected.join(', ')}`;
  const uuid = v.uuid()(data.network_id);
  if (uuid) return uuid;
  if ('enable_snat' in data && typeof data.enable_snat !== 'boolean') return `'${show(data.enable_snat)}' is not a valid boolean value`;
  if ('external_fixed_ips' in data) return fixedIpsValidator(data.external_fixed_ips);
  return undefined;
};

/** Converts enable_snat inside the dict (convert_to_boolean), and an empty dict to null. */
const convertGatewayInfo = (data: unknown): unknown => {
  if (!isPlainObject(data)) return data === '' ? null : data;
  if (!Object.keys(data).length) return null;
  const out = { ...data };
  if ('enable_snat' in out) {
    try { out.enable_snat = convert.boolean(out.enable_snat); } catch (e) { if (!(e instanceof InvalidInputError)) throw e; }
  }
  return out;
};

/** `ha` and `distributed` (l3-ha, dvr): always false here; setting true is refused by core. */
const modeFlag: AttributeSpec = {
  allowPost: true, allowPut: true, default: NOT_SPECIFIED, convert: (x) => (x === null ? null : convert.boolean(x)), enforcePolicy: true, isVisible: true,
};

export const router: ResourceDefinition = {
  resource: 'router',
  collection: 'routers',
  path: 'routers',
  policyName: 'router',
  standardAttributes: true,
  notFoundType: 'RouterNotFound',
  displayName: 'Router',
  notFoundMessage: (id) => `Router ${id} could not be found`,
  allowBulk: true,
  attributes: {
    id: idAttribute,
    name: nameAttribute,
    admin_state_up: { allowPost: true, allowPut: true, default: true, convert: convert.boolean, isVisible: true, isFilter: true, isSortKey: true },
    status: { allowPost: false, allowPut: false, isVisible: true, isSortKey: true },
    tenant_id: tenantIdAttribute,
    external_gateway_info: { allowPost: true, allowPut: true, default: null, convert: convertGatewayInfo, validate: externalGatewayInfoValidator, enforcePolicy: true, isVisible: true },
    ha: modeFlag,
    distributed: modeFlag,
  },
};
