/**
 * The generic handlers of a collection (list, show, create incl. bulk, update, delete, tags),
 * driven by the resource's definition and calling the typed functions of its core service.
 * Policy is applied here the way Neutron's controller applies it: a resource the caller may not
 * see is 404, an action it may not take is 403, attributes it may not see are left out.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EffectiveResource } from '../definitions/registry.js';
import type { ResourceService, Item, Body } from '../core/service.js';
import type { Caller } from '../core/caller.js';
import { attributeWriteRules, type PolicyEnforcer } from './policy/index.js';
import { NOT_SPECIFIED } from '../definitions/types.js';
import { parseListQuery, selectFields, type RawQuery, type ExtraFilters } from './query.js';
import { unwrapBody, prepareCreate, prepareUpdate, parseIfMatch } from './body.js';
import { errors, NeutronError } from '../core/errors.js';
import { callerOf } from './request-context.js';
import type { TagService } from '../core/tags.js';
import { ListAnswers } from './list-answers.js';

export interface CollectionOptions {
  def: EffectiveResource;
  service: ResourceService;
  policy: PolicyEnforcer;
  tags?: TagService;
  extraFilters?: ExtraFilters;
  paginationMaxLimit?: number;
}

/** Policy targets of one request's items (see requestTargets). */
interface RequestTargets {
  of(item: Item): Promise<Item>;
  learn(item: Item, context: Item): void;
}

export function registerCollection(app: FastifyInstance, o: CollectionOptions): void {
  const { def, service, policy } = o;
  const base = `/v2.0/${def.path}`;
  const res = def.policyName;
  const enforced = Object.entries(def.attributes).filter(([, s]) => s.enforcePolicy).map(([a]) => a);
  const hidden = Object.entries(def.attributes).filter(([, s]) => !s.isVisible).map(([a]) => a);
  // Like Neutron, every shown attribute that has a `get_<res>:<attr>` rule is subject to it.
  const readRules = Object.keys(def.attributes).filter((a) => a !== 'id' && policy.hasRule(`get_${res}:${a}`)).map((a) => [a, `get_${res}:${a}`] as const);

  async function target(caller: Caller, item: Item): Promise<Item> {
    return service.policyContext ? { ...item, ...(await service.policyContext(caller, item)) } : item;
  }

  /**
   * `target` for one request: items with the same policyContextKey share one context lookup, and
   * a context read with the item (getWithContext) is learnt for the rest of the request.
   */
  function requestTargets(caller: Caller): RequestTargets {
    const memo = new Map<string, Item>();
    return {
      async of(item) {
        if (!service.policyContext) return item;
        const key = service.policyContextKey?.(item);
        let context = key === undefined ? undefined : memo.get(key);
        if (!context) {
          context = await service.policyContext(caller, item);
          if (key !== undefined) memo.set(key, context);
        }
        return { ...item, ...context };
      },
      learn(item, context) {
        const key = service.policyContextKey?.(item);
        if (key !== undefined) memo.set(key, context);
      },
    };
  }

  const hiddenSet = new Set(hidden);
  const readRuleOf = new Map<string, string>(readRules);
  const getAction = `get_${res}`;

  /**
   * The item as the caller may see it, or null when `get_<res>` denies it. Built by copying the
   * attributes that stay (never by deleting from a copy: deletes turn objects into slow
   * dictionaries for JSON serialisation).
   */
  function present(caller: Caller, item: Item, t: Item, fields: string[]): Item | null {
    if (!policy.check(getAction, t, caller)) return null;
    const out: Item = {};
    for (const attr in item) {
      if (hiddenSet.has(attr)) continue;
      const action = readRuleOf.get(attr);
      if (action !== undefined && !policy.check(action, t, caller)) continue;
      out[attr] = item[attr];
    }
    return selectFields(out, fields);
  }

  /**
   * present() as UTF-8 JSON after a comma (`,{...}`: a list element), for items a service shares
   * between requests (`sharedItems`, core/item-cache.ts): kept per item and set of readable
   * attributes, so listing unchanged ports again is copying bytes (and a Buffer goes to the socket
   * without a string conversion).
   */
  const shownJson = new WeakMap<Item, Map<string, Buffer>>();
  const answers = new ListAnswers();
  function presentJson(caller: Caller, item: Item, t: Item): Buffer | null {
    if (!policy.check(getAction, t, caller)) return null;
    let readable = '';
    for (const [, action] of readRules) readable += policy.check(action, t, caller) ? '1' : '0';
    let forms = shownJson.get(item);
    let json = forms?.get(readable);
    if (json === undefined) {
      json = Buffer.from(`,${JSON.stringify(present(caller, item, t, []))}`);
      if (!forms) shownJson.set(item, (forms = new Map()));
      forms.set(readable, json);
    }
    return json;
  }

  /** The item and its policy target; 404 when absent or hidden from the caller. */
  async function visibleOr404(caller: Caller, id: string, targets?: RequestTargets): Promise<{ item: Item; t: Item }> {
    let item: Item;
    let t: Item;
    if (service.getWithContext) {
      const read = await service.getWithContext(caller, id);
      item = read.item;
      t = { ...item, ...read.context };
      targets?.learn(item, read.context);
    } else {
      item = await service.get(caller, id);
      t = targets ? await targets.of(item) : await target(caller, item);
    }
    if (!policy.check(getAction, t, caller)) throw notFound(id);
    return { item, t };
  }

  const notFound = (id: string) => new NeutronError(def.notFoundType, def.notFoundMessage?.(id) ?? `${def.displayName} ${id} could not be found.`);

  /**
   * Neutron's match rule for a write: the action, the rule of every policy-enforced attribute the
   * client set to a non-default value (its "explicitly set") and the rules of the keys inside it
   * (write-rules.ts), all of which must pass; refused, the error names them all, as oslo.policy
   * names the AndCheck.
   */
  function enforceWrite(action: string, body: Body, given: Set<string>, t: Item, caller: Caller): void {
    const set: [string, unknown][] = [];
    for (const attr of enforced) {
      if (!given.has(attr)) continue;
      const value = body[attr];
      const spec = def.attributes[attr];
      if (value === NOT_SPECIFIED || value === undefined || (action.startsWith('create') && 'default' in spec && JSON.stringify(value) === JSON.stringify(spec.default))) continue;
      set.push([attr, value]);
    }
    const rules = set.length ? attributeWriteRules(policy, action, set) : [];
    if (!policy.check(action, t, caller) || rules.some((r) => r.names.some((name) => !policy.check(name, t, caller)))) {
      throw errors.policyNotAuthorized(action, rules.map((r) => r.text));
    }
  }

  app.get(base, async (req, reply) => {
    const caller = callerOf(req);
    const query = parseListQuery(req.query as RawQuery, def.attributes, o.extraFilters, o.paginationMaxLimit);
    const items = await service.list(caller, query);
    // One query for the whole list's policy context where the service can (no query per item).
    const contexts = service.policyContexts ? await service.policyContexts(caller, items) : null;
    // Shared items without `fields`: the answer is joined from each item's JSON (presentJson).
    const joined = service.sharedItems && query.fields.length === 0;
    const links = query.limit ? paginationLinks(req, items, query.limit, query.marker, query.pageReverse) : [];
    // What JSON.stringify of the body below gives after the items, byte for byte.
    const tail = links.length ? `,${JSON.stringify(`${def.collection}_links`)}:${JSON.stringify(links)}` : '';
    // The same items under the same contexts for the same caller: the same answer (list-answers.ts).
    const answerKey = joined && (contexts || !service.policyContext) ? ListAnswers.keyOf(caller, req.url) : null;
    const kept = answerKey === null ? undefined : answers.get(answerKey, items, contexts, tail);
    if (kept !== undefined) return reply.type('application/json; charset=utf-8').send(kept);
    const out: Item[] = [];
    const parts: Buffer[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      // The policy target: the item with its context (items may be shared: copied, never written to;
      // not made the prototype of the target either, which gives every cached item a map of its own
      // and slows every later read of it).
      const t = contexts ? { ...item, ...contexts[i] } : await target(caller, item);
      if (joined) {
        const json = presentJson(caller, item, t);
        if (json !== null) parts.push(json);
      } else {
        const shown = present(caller, item, t, query.fields);
        if (shown) out.push(shown);
      }
    }
    if (joined) {
      const body = joinList(`{${JSON.stringify(def.collection)}:[`, parts, `]${tail}}`);
      if (answerKey !== null) answers.set(answerKey, items, contexts, tail, body);
      return reply.type('application/json; charset=utf-8').send(body);
    }
    const body: Record<string, unknown> = { [def.collection]: out };
    if (links.length) body[`${def.collection}_links`] = links;
    return reply.send(body);
  });

  app.get(`${base}/:id`, async (req, reply) => {
    const caller = callerOf(req);
    const { id } = req.params as { id: string };
    const { item, t } = await visibleOr404(caller, id);
    const fields = parseListQuery({ fields: (req.query as RawQuery).fields }, def.attributes).fields;
    if (service.sharedItems && fields.length === 0) {
      // The kept JSON of a shared item, as for lists (visibleOr404 has let get_<res> through).
      const json = presentJson(caller, item, t);
      if (json !== null) return reply.type('application/json; charset=utf-8').send(joinList(`{${JSON.stringify(def.resource)}:`, [json], '}'));
    }
    return reply.send({ [def.resource]: present(caller, item, t, fields) });
  });

  app.post(base, async (req, reply) => {
    const caller = callerOf(req);
    const { items, bulk } = unwrapBody(def, req.body, true);
    const targets = requestTargets(caller);
    const prepared: Body[] = [];
    const givenOf = new Map<Body, Set<string>>();
    for (const raw of items) {
      const given = new Set(Object.keys(raw));
      const body = prepareCreate(def, raw, caller);
      if (service.authorizesCreates) givenOf.set(body, given);
      else enforceWrite(`create_${res}`, body, given, await targets.of(body), caller);
      prepared.push(body);
    }
    // The service checks each body in its transaction with the context it reads there.
    const created = await service.create(caller, prepared, service.authorizesCreates ? (body, context) => {
      targets.learn(body, context);
      enforceWrite(`create_${res}`, body, givenOf.get(body)!, { ...body, ...context }, caller);
    } : undefined);
    const shown: Item[] = [];
    for (const item of created) shown.push(present(caller, item, await targets.of(item), []) ?? selectFields(item, ['id']));
    reply.code(201);
    return reply.send(bulk ? { [def.collection]: shown } : { [def.resource]: shown[0] });
  });

  app.put(`${base}/:id`, async (req, reply) => {
    const caller = callerOf(req);
    const { id } = req.params as { id: string };
    const { items } = unwrapBody(def, req.body, false);
    const given = new Set(Object.keys(items[0]));
    const body = prepareUpdate(def, items[0], caller);
    const targets = requestTargets(caller);
    const { item, t } = await visibleOr404(caller, id, targets);
    const merged = { ...t, ...body };
    enforceWrite(`update_${res}`, body, given, merged, caller);
    void item;
    const updated = await service.update(caller, id, body, { ifMatch: parseIfMatch(req.headers['if-match']) });
    return reply.send({ [def.resource]: present(caller, updated, await targets.of(updated), []) });
  });

  app.delete(`${base}/:id`, async (req, reply) => {
    const caller = callerOf(req);
    const { id } = req.params as { id: string };
    const { t } = await visibleOr404(caller, id);
    if (!policy.check(`delete_${res}`, t, caller)) throw errors.policyNotAuthorized(`delete_${res}`);
    await service.delete(caller, id, { ifMatch: parseIfMatch(req.headers['if-match']) });
    return reply.code(204).send();
  });

  if (o.tags && def.standardAttributes) registerTags(app, base, o, visibleOr404);
}

function registerTags(
  app: FastifyInstance, base: string, o: CollectionOptions,
  visibleOr404: (caller: Caller, id: string) => Promise<{ item: Item; t: Item }>,
): void {
  const tags = o.tags!;
  const res = o.def.policyName;
  const may = (action: string, t: Item, caller: Caller) => {
    // Tags follow the parent's update rule, as Neutron's tagging extension does.
    if (!o.policy.check(`${action}_${res}`, t, caller)) throw errors.policyNotAuthorized(`${action}_${res}`);
  };
  app.get(`${base}/:id/tags`, async (req) => {
    const { id } = req.params as { id: string };
    await visibleOr404(callerOf(req), id);
    return { tags: await tags.list(id) };
  });
  app.get(`${base}/:id/tags/:tag`, async (req, reply) => {
    const { id, tag } = req.params as { id: string; tag: string };
    await visibleOr404(callerOf(req), id);
    if (!(await tags.list(id)).includes(tag)) throw new NeutronError('TagNotFound', `Tag ${tag} could not be found for ${o.def.resource} ${id}.`);
    return reply.code(204).send();
  });
  app.put(`${base}/:id/tags`, async (req) => {
    const caller = callerOf(req);
    const { id } = req.params as { id: string };
    const { t } = await visibleOr404(caller, id);
    may('update', t, caller);
    const body = req.body as { tags?: unknown };
    if (!body || !Array.isArray(body.tags) || body.tags.some((x) => typeof x !== 'string' || x.length === 0 || x.length > 255 || x.includes(',') || x.includes('/'))) {
      throw errors.badRequest('Invalid input for tags. Reason: Invalid tags body.');
    }
    return { tags: await tags.replace(id, body.tags as string[]) };
  });
  app.put(`${base}/:id/tags/:tag`, async (req, reply) => {
    const caller = callerOf(req);
    const { id, tag } = req.params as { id: string; tag: string };
    const { t } = await visibleOr404(caller, id);
    may('update', t, caller);
    if (tag.length > 255 || tag.includes(',')) throw errors.badRequest(`Invalid input for tag. Reason: '${tag}' is not a valid tag.`);
    await tags.add(id, tag);
    return reply.code(201).send();
  });
  app.delete(`${base}/:id/tags`, async (req, reply) => {
    const caller = callerOf(req);
    const { id } = req.params as { id: string };
    const { t } = await visibleOr404(caller, id);
    may('update', t, caller);
    await tags.replace(id, []);
    return reply.code(204).send();
  });
  app.delete(`${base}/:id/tags/:tag`, async (req, reply) => {
    const caller = callerOf(req);
    const { id, tag } = req.params as { id: string; tag: string };
    const { t } = await visibleOr404(caller, id);
    may('update', t, caller);
    if (!(await tags.remove(id, tag))) throw new NeutronError('TagNotFound', `Tag ${tag} could not be found for ${o.def.resource} ${id}.`);
    return reply.code(204).send();
  });
}

/** head + the elements (each `,{...}`, the first without its comma) + tail, in one buffer. */
function joinList(head: string, elements: Buffer[], tail: string): Buffer {
  let size = Buffer.byteLength(head) + Buffer.byteLength(tail);
  for (const e of elements) size += e.length;
  if (elements.length) size -= 1;
  const out = Buffer.allocUnsafe(size);
  let at = out.write(head, 0);
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i]!;
    out.set(i === 0 ? e.subarray(1) : e, at);
    at += i === 0 ? e.length - 1 : e.length;
  }
  out.write(tail, at);
  return out;
}

function paginationLinks(req: FastifyRequest, items: Item[], limit: number, marker: string | null, pageReverse: boolean) {
  const url = new URL(req.url, `${req.protocol}://${req.headers.host ?? 'localhost'}`);
  const link = (rel: string, markerId: string, reverse: boolean) => {
    const params = new URLSearchParams(url.search);
    params.set('marker', markerId);
    params.set('limit', String(limit));
    if (reverse) params.set('page_reverse', 'True'); else params.delete('page_reverse');
    return { rel, href: `${url.origin}${url.pathname}?${params.toString()}` };
  };
  const links = [];
  // Forward: more pages follow when the page is full. Reverse paging mirrors it.
  if (!pageReverse) {
    if (items.length >= limit) links.push(link('next', String(items[items.length - 1].id), false));
    if (marker && items.length) links.push(link('previous', String(items[0].id), true));
  } else {
    if (items.length >= limit) links.push(link('previous', String(items[0].id), true));
    if (marker && items.length) links.push(link('next', String(items[items.length - 1].id), false));
  }
  return links;
}

export type { FastifyReply };
