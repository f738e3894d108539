/**
 * Extension rbac-policies (neutron/extensions/rbac.py): `/v2.0/rbac-policies`, entries sharing one
 * object with a project or with every project (`*`). Nucleon shares the object types of the shim
 * extensions rbac-security-groups and rbac-address-group (neutron-lib api/definitions); with them
 * comes security-groups-shared-filtering, the `shared` attribute of security groups.
 * Neutron's map has no sort keys (sorting is a 400) and is not paginated.
 */
import type { AttributeSpec, ExtensionDefinition, ResourceDefinition } from './types.js';
import { DESCRIPTION_FIELD_SIZE, PROJECT_ID_FIELD_SIZE } from './common.js';
import { convert, show, v } from './validators.js';
import { errors } from '../common/errors.js';

/** The object types whose sharing works here, as the API names them (rbac_db_models object_type). */
export const RBAC_OBJECT_TYPES = ['security_group', 'address_group'] as const;
export type RbacObjectType = typeof RBAC_OBJECT_TYPES[number];

/** Neutron's convert_valid_object_type: trimmed, lower-cased, one of the known types (InvalidInput otherwise). */
export function convertObjectType(otype: unknown): RbacObjectType {
  const normalized = typeof otype === 'string' ? otype.trim().toLowerCase() : otype;
  if ((RBAC_OBJECT_TYPES as readonly unknown[]).includes(normalized)) return normalized as RbacObjectType;
  throw errors.invalidInput(`'${show(otype)}' is not a valid RBAC object type`);
}

const project: AttributeSpec = {
  allowPost: true, allowPut: false, validate: v.string(PROJECT_ID_FIELD_SIZE), requiredByPolicy: true, isVisible: true, isFilter: true,
};

export const rbacPolicy: ResourceDefinition = {
  resource: 'rbac_policy',
  collection: 'rbac_policies',
  path: 'rbac-policies',
  policyName: 'rbac_policy',
  standardAttributes: false,
  notFoundType: 'RbacPolicyNotFound',
  displayName: 'RBAC policy',
  // Neutron finds the type by scanning its tables; an id the caller cannot see has none.
  notFoundMessage: (id) => `RBAC policy of type unknown with ID ${id} not found`,
  allowBulk: true,
  attributes: {
    id: { allowPost: false, allowPut: false, validate: v.uuid(), isVisible: true, primaryKey: true, isFilter: true },
    object_type: { allowPost: true, allowPut: false, convert: convertObjectType, isVisible: true, default: null, isFilter: true, enforcePolicy: true },
    object_id: { allowPost: true, allowPut: false, validate: v.uuid(), isVisible: true, enforcePolicy: true, isFilter: true },
    target_tenant: { allowPost: true, allowPut: true, validate: v.string(PROJECT_ID_FIELD_SIZE), isVisible: true, enforcePolicy: true, isFilter: true },
    tenant_id: project,
    project_id: { ...project },
    // Which actions exist depends on the type: core checks it (InvalidActionForType).
    action: { allowPost: true, allowPut: false, validate: v.string(DESCRIPTION_FIELD_SIZE), isVisible: true, enforcePolicy: true, isFilter: true },
  },
};

export const rbacPolicies: ExtensionDefinition = {
  alias: 'rbac-policies',
  name: 'RBAC Policies',
  description: 'Allows creation and modification of policies that control tenant access to resources.',
  updated: '2015-06-17T12:15:12-00:00',
};

export const rbacSecurityGroups: ExtensionDefinition = {
  alias: 'rbac-security-groups',
  name: 'Add security_group type to network RBAC',
  description: 'Add security_group type to network RBAC',
  updated: '2019-02-14T00:00:00-00:00',
};

export const rbacAddressGroup: ExtensionDefinition = {
  alias: 'rbac-address-group',
  name: 'Add address_group type to RBAC',
  description: 'Add address_group type to network RBAC',
  updated: '2021-01-20T00:00:00-00:00',
};

/** `shared`: whether an access_as_shared entry targets the caller's project or `*`. */
export const securityGroupsSharedFiltering: ExtensionDefinition = {
  alias: 'security-groups-shared-filtering',
  name: 'Security group filtering on the shared field',
  description: 'Support filtering security groups on the shared field',
  updated: '2021-10-05T09:00:00-00:00',
  extendedAttributes: {
    security_groups: {
      shared: { allowPost: false, allowPut: false, convert: convert.boolean, isVisible: true, isFilter: true, requiredByPolicy: true, enforcePolicy: true },
    },
  },
};
