/**
 * Request bodies checked against the effective attribute map, as Neutron's controller does:
 * envelope, project ownership, unknown and read-only attributes, defaults, conversion, validation.
 */
import type { EffectiveResource } from '../definitions/registry.js';
import type { Caller } from '../core/caller.js';
import { NOT_SPECIFIED, type AttributeMap, type AttributeSpec } from '../definitions/types.js';
import { InvalidInputError, isPlainObject } from '../definitions/validators.js';
import { errors } from '../core/errors.js';
import type { Body } from '../core/service.js';

/** Extracts `{resource: {...}}` or, where bulk is allowed, `{collection: [...]}`. */
export function unwrapBody(def: EffectiveResource, body: unknown, allowBulk: boolean): { items: Body[]; bulk: boolean } {
  if (!isPlainObject(body)) throw errors.badRequest('Resource body required');
  if (allowBulk && def.allowBulk && def.collection in body) {
    const list = body[def.collection];
    if (!Array.isArray(list) || !list.length) throw errors.badRequest('Resources required');
    return {
      items: list.map((item) => {
        const inner = isPlainObject(item) && isPlainObject(item[def.resource]) ? item[def.resource] : item;
        if (!isPlainObject(inner)) throw errors.badRequest(`Unable to find '${def.resource}' in request body`);
        return { ...inner };
      }),
      bulk: true,
    };
  }
  const inner = body[def.resource];
  if (!isPlainObject(inner)) throw errors.badRequest(`Unable to find '${def.resource}' in request body`);
  return { items: [{ ...inner }], bulk: false };
}

function populateProject(body: Body, caller: Caller, isCreate: boolean): void {
  if ('tenant_id' in body && !('project_id' in body)) body.project_id = body.tenant_id;
  else if ('project_id' in body && !('tenant_id' in body)) body.tenant_id = body.project_id;
  if (body.project_id !== body.tenant_id) throw errors.badRequest("'project_id' and 'tenant_id' do not match");
  if ('project_id' in body && body.project_id !== caller.projectId && !caller.isAdmin) {
    throw errors.badRequest("Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin or advsvc privileges");
  }
  if (isCreate && !('project_id' in body)) {
    if (!caller.projectId) throw errors.badRequest('Running without keystone AuthN requires that tenant_id is specified');
    body.project_id = caller.projectId;
    body.tenant_id = caller.projectId;
  }
}

/** A resource's attributes as [name, spec] pairs, built once per attribute map (they never change). */
const entriesOf = new WeakMap<AttributeMap, [string, AttributeSpec][]>();
function attributeEntries(def: EffectiveResource): [string, AttributeSpec][] {
  let entries = entriesOf.get(def.attributes);
  if (entries === undefined) entriesOf.set(def.attributes, (entries = Object.entries(def.attributes)));
  return entries;
}

function convertAndValidate(def: EffectiveResource, body: Body): void {
  for (const [attr, spec] of attributeEntries(def)) {
    if (!(attr in body) || body[attr] === NOT_SPECIFIED) continue;
    try {
      if (spec.convert) body[attr] = spec.convert(body[attr]);
    } catch (e) {
      if (e instanceof InvalidInputError) throw errors.badRequest(`Invalid input for ${attr}. Reason: ${e.message}.`);
      throw e;
    }
    const reason = spec.validate?.(body[attr]);
    if (reason) throw errors.badRequest(`Invalid input for ${attr}. Reason: ${reason}.`);
  }
}

function rejectUnknown(def: EffectiveResource, body: Body): void {
  const extra = Object.keys(body).filter((k) => !Object.hasOwn(def.attributes, k)); // not `in`: `constructor` is no attribute
  if (extra.length) throw errors.badRequest(`Unrecognized attribute(s) '${extra.join(', ')}'`);
}

/** A create body with defaults filled; attributes still unspecified hold NOT_SPECIFIED. */
export function prepareCreate(def: EffectiveResource, body: Body, caller: Caller): Body {
  populateProject(body, caller, true);
  rejectUnknown(def, body);
  for (const [attr, spec] of attributeEntries(def)) {
    if (!spec.allowPost) {
      if (attr in body) throw errors.badRequest(`Attribute '${attr}' not allowed in POST`);
      continue;
    }
    if (!(attr in body)) {
      if (!('default' in spec)) throw errors.badRequest(`Failed to parse request. Required attribute '${attr}' not specified`);
      const d = spec.default;
      body[attr] = Array.isArray(d) ? [...d] : d;
    }
  }
  convertAndValidate(def, body);
  return body;
}

export function prepareUpdate(def: EffectiveResource, body: Body, caller: Caller): Body {
  populateProject(body, caller, false);
  rejectUnknown(def, body);
  for (const attr of Object.keys(body)) {
    if (!def.attributes[attr].allowPut) throw errors.badRequest(`Cannot update read-only attribute ${attr}`);
  }
  convertAndValidate(def, body);
  return body;
}

/** Parses `If-Match: revision_number=N` (other etags are ignored, as Neutron does). */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (!header) return undefined;
  const text = Array.isArray(header) ? header.join(',') : header;
  let revision: number | undefined;
  for (const raw of text.split(',')) {
    const etag = raw.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    if (!etag.startsWith('revision_number=')) continue;
    if (revision !== undefined) throw errors.badRequest('Invalid input for operation: Multiple revision_number etags are not supported..');
    const n = etag.slice('revision_number='.length);
    if (!/^\d+$/.test(n)) throw errors.badRequest('Invalid input for operation: Revision number etag must be in the format of revision_number=<int>.');
    revision = Number(n);
  }
  return revision;
}
