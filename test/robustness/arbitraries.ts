/**
 * fast-check generators of hostile HTTP requests: garbage JSON (serialised by hand so that keys
 * like `__proto__` stay own keys in the text), malformed JSON text, wrong content types, odd
 * query strings, ids of every kind and If-Match garbage.
 */
import fc from 'fast-check';

/** A JSON value kept as a tree so that any key, `__proto__` included, survives serialisation. */
export type Json = null | boolean | number | string | Json[] | { entries: [string, Json][] };

export function toText(v: Json): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return JSON.stringify(v) ?? 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(toText).join(',')}]`;
  return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${toText(x)}`).join(',')}}`;
}

export const obj = (entries: [string, Json][]): Json => ({ entries });

const POLLUTION = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
const HUGE = 'x'.repeat(70_000);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }), // lone surrogates included
  fc.constantFrom('', ' ', '\u0000', 'null', 'true', '1', '-1', 'None', '10.0.0.1', '10.0.0.0/8', '::/0', '0.0.0.0/0',
    'fa:16:3e:00:00:01', 'ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00', '2001:db8::/129', '256.1.1.1', '1.2.3.4/33',
    "'; DROP TABLE networks; --", '%s%s%n', '../../etc/passwd', 'ingress', 'egress', 'tcp', 'IPv4', 'IPv6',
    'vxlan', 'flat', 'vlan', 'physnet1', 'slaac', 'dhcpv6-stateful', 'ACTIVE', 'normal', '💥'.repeat(100),
    'a'.repeat(256), HUGE, ...POLLUTION),
  fc.uuid(),
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -0, -1, 1, 4, 6, 65535, 65536, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308, -1e308, 5e-324, 0.5, 1e21),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const scalar: fc.Arbitrary<Json> = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));

/** Keys of the nested attribute values (fixed_ips, allocation_pools, host_routes, address pairs, DHCP options). */
const SUB_KEYS = ['subnet_id', 'ip_address', 'start', 'end', 'destination', 'nexthop', 'mac_address', 'opt_name', 'opt_value', 'ip_version', 'ip_address_substr'];

/** Nested garbage, with keys drawn from the given attribute names, nested keys, pollution keys and noise; `extra` adds scalars (e.g. real ids). */
export function garbage(keys: string[], extra: fc.Arbitrary<Json> = scalar): fc.Arbitrary<Json> {
  const key = fc.oneof(fc.constantFrom(...keys, ...SUB_KEYS, ...POLLUTION), fc.string({ maxLength: 8 }));
  const { value } = fc.letrec<{ value: Json }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      extra,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.array(fc.tuple(key, tie('value')), { maxLength: 5 }).map(obj),
    ),
  }));
  return value;
}

/** A resource body whose attributes exist but whose values are garbage; or a valid one with one value replaced. */
export function resourceBody(resource: string, collection: string, attrs: string[], valid: () => [string, Json][], plausible: fc.Arbitrary<Json> = scalar): fc.Arbitrary<Json> {
  // Well-formed values (real ids, addresses in use, ...) reach core and its conflicts; garbage tests validation.
  const value = fc.oneof({ weight: 2, arbitrary: plausible }, { weight: 3, arbitrary: garbage(attrs, plausible) });
  const attr = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...attrs) }, { weight: 1, arbitrary: fc.constantFrom(...POLLUTION) });
  const attrEntries = fc.array(fc.tuple(attr, value), { maxLength: 6 });
  const inner: fc.Arbitrary<Json> = fc.oneof(
    { weight: 2, arbitrary: attrEntries.map(obj) },
    // a valid body with one to three attributes replaced or added: gets past the envelope checks
    { weight: 5, arbitrary: fc.array(fc.tuple(attr, value), { minLength: 1, maxLength: 3 })
      .map((kv) => obj([...valid().filter(([x]) => !kv.some(([k]) => k === x)), ...kv])) },
    { weight: 1, arbitrary: fc.constant(null).map(() => obj(valid())) },
    { weight: 1, arbitrary: value },
  );
  return fc.oneof(
    { weight: 12, arbitrary: inner.map((i) => obj([[resource, i]])) },
    { weight: 2, arbitrary: fc.array(inner.map((i) => obj([[resource, i]])), { minLength: 1, maxLength: 3 }).map((items) => obj([[collection, items]])) },
    { weight: 1, arbitrary: fc.array(inner, { maxLength: 3 }).map((items) => obj([[collection, items]])) },
    { weight: 1, arbitrary: fc.tuple(inner, garbage(attrs)).map(([i, g]) => obj([[resource, i], ['__proto__', g], [collection, g]])) },
    { weight: 1, arbitrary: garbage([resource, collection, ...attrs]) },
  );
}

const DEEP = `${'['.repeat(20_000)}"\u0000"${']'.repeat(20_000)}`;
const firstKey = (j: Json): string => (j !== null && typeof j === 'object' && !Array.isArray(j) && j.entries[0] ? j.entries[0][0] : 'network');

/** The raw request body text: JSON of a generated value, malformed JSON, or nothing. */
export function bodyText(json: fc.Arbitrary<Json>): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 30, arbitrary: json.map(toText) },
    { weight: 1, arbitrary: json.map(toText).chain((t) => fc.nat(Math.max(0, t.length - 1)).map((n) => t.slice(0, n))) }, // truncated
    { weight: 1, arbitrary: fc.constantFrom('{', '}', '[', '{"a":}', '{"a" 1}', "{'a': 1}", 'nul', 'NaN', 'Infinity', '{"a":1}}', '\u0000', '\ufeff{}', '{"a":1,}', '<xml/>', 'a=1&b=2', '{"__proto__":') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: json.map((j) => `{"a":${DEEP}}`.replace('"a"', JSON.stringify(firstKey(j)))) }, // deep nesting where a value goes
  );
}

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  { weight: 2, arbitrary: fc.constantFrom(undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=zz', 'application/json; charset=latin1', 'application/xml', '*/*', ';;;', 'application/json; charset=utf-16') },
);

/** Query strings: repeated, empty and unknown keys, the reserved ones with bad values, raw escapes. */
export function queryString(attrs: string[], ids: string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    fc.constantFrom(...attrs),
    fc.constantFrom('fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse', 'tags', 'tags-any', 'not-tags', 'not-tags-any', 'verbose', 'fixed_ips', 'tenant_id', 'project_id', 'id', 'name'),
    fc.constantFrom('', 'a[b]', 'fields[]', ...POLLUTION),
    fc.string({ maxLength: 10 }),
  );
  const value = fc.oneof(
    fc.constantFrom('', '-1', '0', '1', '2', 'garbage', 'asc', 'desc', 'ASC', 'True', 'False', 'true', 'null', 'id', 'name', 'ip_address=10.0.0.1', 'ip_address_substr=', 'subnet_id=x', 'a,b,,c', '1e3', '99999999999999999999', '2147483648', '-2147483649', '4294967296', ...ids),
    hostileString.filter((s) => s.length < 1000),
  );
  const pair = fc.oneof(
    { weight: 9, arbitrary: fc.tuple(key, value).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, '?'))}`) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', 'a=%E0%A4%A', '&&', '=', 'limit', '=1', 'marker=%00', 'fields=%C0%80', 'a=1=2') },
  );
  return fc.array(pair, { maxLength: 6 }).map((ps) => (ps.length ? `?${ps.join('&')}` : ''));
}

export const ifMatch: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom('revision_number=0', 'revision_number=1', 'revision_number=-1', 'revision_number=abc', 'revision_number=', 'revision_number=99999999999999999999999',
    'revision_number=1, revision_number=2', 'W/"revision_number=1"', '"garbage"', '*', ',', 'revision_number=1.5', 'revision_number=0x10') },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')) },
);

export const method: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') },
  { weight: 2, arbitrary: fc.constantFrom('PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'COPY', 'LOCK', 'SEARCH', 'MKCOL', 'UNLOCK', 'PURGE') },
);

/** Ids: valid ones (of another project's resources), random UUIDs, garbage (encoded for the path). */
export function pathId(ids: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ids) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: hostileString.filter((s) => s.length > 0 && s.length < 2000).map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '?'))) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '..', '.', 'a%2Fb', '%00', 'x'.repeat(600), 'tags', 'default', 'details', 'tenant', 'project') },
  );
}
