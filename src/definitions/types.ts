/**
 * Declarative resource and extension definitions, after neutron-lib's attribute maps.
 * Request validation, `fields`, filters, sorting and policy are all derived from these flags;
 * a route file never lists attributes itself.
 */
import type { Validator } from './validators.js';

/** Marker for "the client did not send this attribute" (neutron-lib's ATTR_NOT_SPECIFIED). */
export const NOT_SPECIFIED: unique symbol = Symbol('ATTR_NOT_SPECIFIED');
export type NotSpecified = typeof NOT_SPECIFIED;

export interface AttributeSpec {
  allowPost: boolean;
  allowPut: boolean;
  /** Value used when a POST omits the attribute; absent = the attribute is required on POST. */
  default?: unknown;
  /** Converts the raw JSON value before validation (convert_to). Throws ValidationError on garbage. */
  convert?: (value: unknown) => unknown;
  /** Returns an error message, or undefined when the value is valid. */
  validate?: Validator;
  isVisible: boolean;
  isFilter?: boolean;
  isSortKey?: boolean;
  /** The value is needed by policy checks even when `fields` leaves it out. */
  requiredByPolicy?: boolean;
  /** Setting or showing this attribute is subject to a policy rule `<action>:<attr>`. */
  enforcePolicy?: boolean;
  primaryKey?: boolean;
}

export type AttributeMap = Record<string, AttributeSpec>;

export interface ResourceDefinition {
  /** Singular body key, e.g. `network`. */
  resource: string;
  /** URL segment and plural body key, e.g. `networks`, `security_group_rules` (body) / `security-group-rules` (URL). */
  collection: string;
  path: string;
  attributes: AttributeMap;
  /** Policy target name used in rule names, e.g. `create_network`. */
  policyName: string;
  /** Whether the resource carries Neutron's standard attributes (tags, revision, timestamps). */
  standardAttributes: boolean;
  /** Neutron's exception type when an id is not found, e.g. `NetworkNotFound`. */
  notFoundType: string;
  /** Human name used in not-found messages, e.g. `Network`. */
  displayName: string;
  /** Neutron's not-found message when it is not `<displayName> <id> could not be found.` */
  notFoundMessage?: (id: string) => string;
  /** Whether POST accepts `{"<collection>": [...]}`. */
  allowBulk: boolean;
}

/** An API extension: metadata as Neutron lists it, plus the attributes it adds to existing resources. */
export interface ExtensionDefinition {
  alias: string;
  name: string;
  description: string;
  updated: string;
  /** Attributes added per collection, e.g. `{ networks: { mtu: {...} } }`. */
  extendedAttributes?: Record<string, AttributeMap>;
}
