/**
 * Extension address-group (neutron-lib api/definitions/address_group.py): a named list of CIDRs,
 * referenced by security group rules (remote_address_group_id). Addresses are given on create and
 * changed only through the add_addresses / remove_addresses member actions (allow_put false).
 * Address groups carry Neutron's standard attributes (timestamps, revision) but not tags here.
 */
import type { ExtensionDefinition, ResourceDefinition } from './types.js';
import { NOT_SPECIFIED } from './types.js';
import { idAttribute, tenantIdAttribute, projectIdAttribute, NAME_FIELD_SIZE } from './common.js';
import { convert, v, show, type Validator } from './validators.js';
import { parseCidr } from '../common/ip.js';

/** neutron-lib db_const.LONG_DESCRIPTION_FIELD_SIZE. */
export const LONG_DESCRIPTION_FIELD_SIZE = 1024;

/** neutron-lib type:subnet_list: CIDRs (host bits allowed: they are cleared when stored), no duplicates. */
export const subnetList: Validator = (data) => {
  if (!Array.isArray(data)) return `'${show(data)}' is not a list`;
  for (const x of data) {
    if (typeof x !== 'string' || !x.includes('/') || /\s/.test(x) || !parseCidr(x)) return `'${show(x)}' is not a valid IP subnet`;
  }
  const dup = data.find((x, i) => data.indexOf(x) !== i);
  return dup !== undefined ? `Duplicate items in the list: '${dup}'` : undefined;
};

export const addressGroup: ResourceDefinition = {
  resource: 'address_group',
  collection: 'address_groups',
  path: 'address-groups',
  policyName: 'address_group',
  standardAttributes: false,
  notFoundType: 'AddressGroupNotFound',
  displayName: 'Address group',
  allowBulk: true,
  attributes: {
    id: idAttribute,
    name: { allowPost: true, allowPut: true, default: '', validate: v.string(NAME_FIELD_SIZE), isVisible: true, isFilter: true, isSortKey: true },
    description: { allowPost: true, allowPut: true, default: '', validate: v.string(LONG_DESCRIPTION_FIELD_SIZE), isVisible: true, isFilter: true, isSortKey: true },
    project_id: projectIdAttribute,
    tenant_id: tenantIdAttribute,
    addresses: { allowPost: true, allowPut: false, default: NOT_SPECIFIED, convert: convert.noneToEmptyList, validate: subnetList, isVisible: true },
    shared: { allowPost: false, allowPut: false, default: false, convert: convert.boolean, isVisible: false },
    created_at: { allowPost: false, allowPut: false, isVisible: true, isFilter: true, isSortKey: true },
    updated_at: { allowPost: false, allowPut: false, isVisible: true, isFilter: true, isSortKey: true },
    revision_number: { allowPost: false, allowPut: false, convert: convert.int, isVisible: true, isFilter: true, isSortKey: true },
  },
};

export const addressGroupExtension: ExtensionDefinition = {
  alias: 'address-group',
  name: 'Address group',
  description: 'Support address group',
  updated: '2020-07-15T10:00:00-00:00',
};

/** security_group_rules.remote_address_group_id (core/security-group-rules.ts validates it). */
export const securityGroupsRemoteAddressGroup: ExtensionDefinition = {
  alias: 'security-groups-remote-address-group',
  name: 'Remote address group id field for security group rules',
  description: 'Add new field of remote address group id in SG rules',
  updated: '2020-08-25T10:00:00-00:00',
  extendedAttributes: {
    security_group_rules: {
      // No format check in Neutron: an unknown id is AddressGroupNotFound (404) from the plugin.
      remote_address_group_id: { allowPost: true, allowPut: false, default: null, validate: v.stringOrNone(), isVisible: true, isFilter: true, isSortKey: true },
    },
  },
};
