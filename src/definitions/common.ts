/** Attribute specs shared by every resource: id, name, project ownership. */
import type { AttributeSpec } from './types.js';
import { v } from './validators.js';

export const NAME_FIELD_SIZE = 255;
export const DESCRIPTION_FIELD_SIZE = 255;
export const PROJECT_ID_FIELD_SIZE = 255;

export const idAttribute: AttributeSpec = {
  allowPost: false, allowPut: false, validate: v.uuid(), isVisible: true, isFilter: true, isSortKey: true, primaryKey: true,
};

export const nameAttribute: AttributeSpec = {
  allowPost: true, allowPut: true, default: '', validate: v.string(NAME_FIELD_SIZE), isVisible: true, isFilter: true, isSortKey: true,
};

/** `tenant_id` is the legacy name of `project_id`; both are accepted and both shown. */
export const tenantIdAttribute: AttributeSpec = {
  allowPost: true, allowPut: false, validate: v.string(PROJECT_ID_FIELD_SIZE), requiredByPolicy: true, isVisible: true, isFilter: true, isSortKey: true,
};

export const projectIdAttribute: AttributeSpec = { ...tenantIdAttribute };
