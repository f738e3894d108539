/**
 * Property: whatever the body, query, path, method and headers, the API never answers 5xx, every
 * 4xx is a NeutronError, a 4xx leaves the database exactly as it was, and the server keeps
 * answering. Resources of one project are attacked by others (and by their owner with garbage).
 * A failure prints fast-check's seed and path; replay with NUCLEON_FC_SEED=<seed> NUCLEON_FC_PATH=<path>.
 * NUCLEON_FC_RUNS=N overrides the number of runs per property. NUCLEON_FC_STATS=1 prints how often each method/status/error type came up (to keep the mix aimed).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DIALECTS, type TestDialect } from '../support/databases.js';
import { startTestApi, ADMIN, ALICE, BOB, READER, type Caller, type TestApi } from '../support/api-server.js';
import { effective } from '../../src/definitions/registry.js';
import { snapshotter, type Snapshot } from './snapshot.js';
import {
  bodyText, contentType, garbage, ifMatch, method, obj, pathId, queryString, resourceBody, hostileString, type Json,
} from './arbitraries.js';

// SQLite always (the fast, thorough run); the server databases with fewer runs.
const RUNS: Record<TestDialect, number> = { sqlite: 500, postgres: 100, mysql: 60 };
const dialects = DIALECTS.length ? DIALECTS : ['sqlite' as const];

const ANON: Caller = {};
const LONG_PROJECT: Caller = { project: 'p'.repeat(300), roles: ['member'] };
const ODD_ROLES: Caller = { project: 'project-odd', roles: ['ADMIN ', ' Member', '', 'reader,admin'] };
const CALLERS = [ALICE, BOB, READER, ADMIN, ANON, LONG_PROJECT, ODD_ROLES, BOB, BOB];
/** Callers that may change or delete Alice's resources. */
const privileged = (c: Caller) => c === ALICE || c === ADMIN || c === ANON || c === ODD_ROLES;

interface Sent { method: string; url: string; body?: string; contentType?: string; ifMatch?: string; caller: Caller }

function isNeutronError(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const keys = Object.keys(body);
  const e = (body as { NeutronError?: Record<string, unknown> }).NeutronError;
  return keys.length === 1 && keys[0] === 'NeutronError' && typeof e === 'object' && e !== null
    && typeof e.type === 'string' && typeof e.message === 'string' && typeof e.detail === 'string';
}

for (const dialect of dialects) {
  describe(`hostile input (${dialect})`, { timeout: 300_000 }, () => {
    let api: TestApi;
    let snapshot: () => Promise<Snapshot>;
    const fx: Record<string, string> = {};

    before(async () => {
      api = await startTestApi(dialect);
      snapshot = await snapshotter(api.runtime.store);
      const ok = async (caller: Caller, m: string, url: string, body?: unknown) => {
        const r = await api.request(caller, m, url, body);
        assert.ok(r.status < 300, `${m} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
        return r.body;
      };
      fx.network = (await ok(ALICE, 'POST', '/v2.0/networks', { network: { name: 'victim' } })).network.id;
      fx.subnet = (await ok(ALICE, 'POST', '/v2.0/subnets', { subnet: { network_id: fx.network, ip_version: 4, cidr: '10.77.0.0/24' } })).subnet.id;
      fx.port = (await ok(ALICE, 'POST', '/v2.0/ports', { port: { network_id: fx.network, name: 'victim' } })).port.id;
      fx.securityGroup = (await ok(ALICE, 'POST', '/v2.0/security-groups', { security_group: { name: 'victim' } })).security_group.id;
      fx.securityGroupRule = (await ok(ALICE, 'POST', '/v2.0/security-group-rules', { security_group_rule: { security_group_id: fx.securityGroup, direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22 } })).security_group_rule.id;
      for (const c of ['networks', 'subnets', 'ports', 'security-groups']) {
        const id = fx[{ networks: 'network', subnets: 'subnet', ports: 'port', 'security-groups': 'securityGroup' }[c]!];
        await ok(ALICE, 'PUT', `/v2.0/${c}/${id}/tags/red`);
      }
      // Listing security groups creates a project's default group (as in Neutron): do it once for
      // every caller now, so that this legitimate side effect of a read is not mistaken for a leak.
      for (const c of CALLERS) await api.request(c, 'GET', '/v2.0/security-groups');
    });
    after(async () => { await api?.close(); });

    const ids = () => Object.values(fx);
    /** Values that pass validation, some of them in use: they reach core and its conflicts. */
    const plausible = (): fc.Arbitrary<Json> => fc.constantFrom<Json>(
      ...ids(), true, false, 4, 6, 0, 22, 1500, 'ingress', 'egress', 'tcp', 'icmp', 'IPv4', 'IPv6', 'vxlan', 'flat', 'vlan', 'physnet1', 101, 'slaac',
      '10.77.0.0/24', '10.77.0.0/16', '10.78.0.0/24', '2001:db8::/64', '10.77.0.1', '10.77.0.5', '10.77.0.254', '10.78.0.7', 'fa:16:3e:00:00:01', 'compute-1', 'normal', 'direct', 'vm-1', 'compute:nova',
      [], [obj([['subnet_id', fx.subnet]])], [obj([['ip_address', '10.77.0.9']])], [obj([['subnet_id', fx.subnet], ['ip_address', '10.77.0.2']])],
      [obj([['start', '10.77.0.10'], ['end', '10.77.0.20']])], [obj([['destination', '0.0.0.0/0'], ['nexthop', '10.77.0.1']])], ['8.8.8.8'],
      [obj([['ip_address', '10.77.0.0/24']])], [obj([['opt_name', 'mtu'], ['opt_value', '1400']])], [fx.securityGroup], obj([]));

    /** Sends one request and checks the invariants; returns the status. */
    async function check(s: Sent): Promise<number> {
      const headers: Record<string, string> = {};
      if (s.caller.project) headers['x-project-id'] = s.caller.project;
      if (s.caller.roles) headers['x-roles'] = s.caller.roles.join(',');
      if (s.contentType) headers['content-type'] = s.contentType;
      if (s.ifMatch !== undefined) headers['if-match'] = s.ifMatch;
      const before = await snapshot();
      const res = await api.runtime.app.inject({ method: s.method as 'GET', url: s.url, headers, payload: s.body });
      const what = `${s.method} ${s.url.slice(0, 300)} -> ${res.statusCode} ${res.body.slice(0, 500)}`;
      assert.ok(res.statusCode < 500, what);
      if (res.statusCode >= 400) {
        if (s.method !== 'HEAD') {
          let body: unknown;
          try { body = JSON.parse(res.body); } catch { assert.fail(`not JSON: ${what}`); }
          assert.ok(isNeutronError(body), `not a NeutronError: ${what}`);
        }
        assert.deepEqual(await snapshot(), before, `database changed by a failed request: ${what}`);
      } else if (res.body && s.method !== 'HEAD') {
        assert.doesNotThrow(() => JSON.parse(res.body), what);
      }
      if (process.env.NUCLEON_FC_STATS) {
        let type = '';
        try { type = JSON.parse(res.body).NeutronError?.type ?? ''; } catch { /* not JSON */ }
        const k = `${s.method} ${res.statusCode} ${type}`;
        stats.set(k, (stats.get(k) ?? 0) + 1);
      }
      return res.statusCode;
    }
    const stats = new Map<string, number>();
    after(() => { if (stats.size) console.log([...stats].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}\t${k}`).join('\n')); });

    const seed = process.env.NUCLEON_FC_SEED ? Number(process.env.NUCLEON_FC_SEED) : undefined;
    const params = { numRuns: Number(process.env.NUCLEON_FC_RUNS) || RUNS[dialect], seed, path: process.env.NUCLEON_FC_PATH };

    const common = {
      method, caller: fc.constantFrom(...CALLERS), contentType, ifMatch,
    };

    /** Keeps the fixtures alive: privileged callers delete random ids, never the fixtures. */
    const spare = (s: { method: string; caller: Caller }, id: string) =>
      s.method === 'DELETE' && privileged(s.caller) && ids().includes(id) ? crypto.randomUUID() : id;
    const spareUrl = (s: { method: string; caller: Caller }, url: string) =>
      s.method === 'DELETE' && privileged(s.caller) ? ids().reduce((u, id) => u.replace(`/${id}`, `/${crypto.randomUUID()}`), url) : url;

    const collections = [
      { key: 'network', def: effective.network, valid: (): [string, Json][] => [['name', 'n']] },
      { key: 'subnet', def: effective.subnet, valid: (): [string, Json][] => [['network_id', fx.network], ['ip_version', 4], ['cidr', '10.78.0.0/24']] },
      { key: 'port', def: effective.port, valid: (): [string, Json][] => [['network_id', fx.network]] },
      { key: 'securityGroup', def: effective.securityGroup, valid: (): [string, Json][] => [['name', 'sg']] },
      { key: 'securityGroupRule', def: effective.securityGroupRule, valid: (): [string, Json][] => [['security_group_id', fx.securityGroup], ['direction', 'egress'], ['protocol', 'udp']] },
    ];

    for (const { key, def, valid } of collections) {
      it(`/v2.0/${def.path}: no 5xx, NeutronError bodies, nothing half-written`, async () => {
        const attrs = Object.keys(def.attributes);
        const writable = (flag: 'allowPost' | 'allowPut') => attrs.filter((a) => def.attributes[a][flag]);
        const bodyOf = (names: string[], v = valid) => bodyText(resourceBody(def.resource, def.collection, names, v, plausible()));
        const body = bodyOf(attrs);
        const postBody = bodyOf(writable('allowPost'));
        const putBody = bodyOf(writable('allowPut'), () => []);
        const id = pathId(ids());
        const query = queryString(attrs, ids());
        const owner = fc.constantFrom(ALICE, ALICE, ADMIN, ...CALLERS);
        const json = fc.constantFrom('application/json', 'application/json', undefined);
        const base = `/v2.0/${def.path}`;
        // Aimed requests get past routing and envelopes into validation and core; the rest is anything.
        const req = fc.oneof(
          { weight: 3, arbitrary: fc.record({ method: fc.constant('POST'), caller: owner, contentType: json, body: postBody, path: fc.constant(base), query: fc.constant(''), ifMatch: fc.constant(undefined) }) },
          { weight: 3, arbitrary: fc.record({ method: fc.constant('PUT'), caller: owner, contentType: json, body: putBody, path: id.map((i) => `${base}/${i}`), query: fc.constant(''), ifMatch }) },
          { weight: 2, arbitrary: fc.record({ method: fc.constant('GET'), caller: fc.constantFrom(...CALLERS), path: fc.constantFrom(base, base, `${base}/${fx[key]}`), query, ifMatch }) },
          { weight: 1, arbitrary: fc.record({ method: fc.constant('DELETE'), caller: fc.constantFrom(...CALLERS), path: id.map((i) => `${base}/${i}`), query: fc.constant(''), ifMatch }) },
          { weight: 2, arbitrary: fc.record({
            ...common, body, query,
            path: fc.oneof(fc.constant(base), id.map((i) => `${base}/${i}`),
              fc.tuple(id, hostileString.filter((x) => x.length > 0 && x.length < 100)).map(([i, x]) => `${base}/${i}/${encodeURIComponent(x)}`)),
          }) },
        );
        await fc.assert(fc.asyncProperty(req, async (r) => {
          const sent = r as Sent & { path: string; query: string };
          await check({ ...sent, url: spareUrl(sent, sent.path) + sent.query });
        }), params);
        assert.equal((await api.request(ALICE, 'GET', `${base}/${fx[key]}`)).status, 200);
      });
    }

    it('tags sub-resources: no 5xx, NeutronError bodies, nothing half-written', async () => {
      const req = fc.record({
        ...common,
        collection: fc.constantFrom('networks', 'subnets', 'ports', 'security-groups', 'security-group-rules'),
        id: fc.constant(null).chain(() => pathId(ids())),
        tag: fc.option(pathId(['red', 'blue', 'a'.repeat(256), 'a,b', ''])),
        query: fc.constant(null).chain(() => queryString(['tags'], ids())),
        body: bodyText(fc.oneof(garbage(['tags']).map((g) => obj([['tags', g]])), fc.array(hostileString, { maxLength: 4 }).map((t) => obj([['tags', t]])), garbage(['tags']))),
      });
      await fc.assert(fc.asyncProperty(req, async (r) => {
        const id = spare(r, r.id);
        await check({ ...r, url: `/v2.0/${r.collection}/${id}/tags${r.tag === null ? '' : `/${r.tag}`}${r.query}` });
      }), params);
      assert.equal((await api.request(ALICE, 'GET', `/v2.0/networks/${fx.network}/tags`)).status, 200);
    });

    it('quotas: no 5xx, NeutronError bodies, nothing half-written', async () => {
      const resources = ['network', 'subnet', 'port', 'security_group', 'security_group_rule', 'router', 'floatingip', 'force'];
      const req = fc.record({
        ...common,
        project: fc.oneof(fc.constantFrom('project-alice', 'project-bob', 'admin-project', 'tenant', 'project', 'p'.repeat(300)), hostileString.filter((x) => x.length > 0 && x.length < 600).map(encodeURIComponent)),
        tail: fc.constantFrom(null, null, 'default', 'details', 'garbage'),
        bare: fc.boolean(),
        query: fc.constant(null).chain(() => queryString(resources, [])),
        body: bodyText(fc.oneof(resourceBody('quota', 'quotas', resources, () => [['network', 10]]), garbage(resources))),
      });
      await fc.assert(fc.asyncProperty(req, async (r) => {
        const url = r.bare ? '/v2.0/quotas' : `/v2.0/quotas/${r.project}${r.tail ? `/${r.tail}` : ''}`;
        await check({ ...r, url: url + r.query });
      }), params);
      assert.equal((await api.request(ADMIN, 'GET', '/v2.0/quotas/project-alice')).status, 200);
    });

    it('/, /v2.0, extensions and unknown paths: no 5xx, NeutronError bodies, nothing written', async () => {
      const req = fc.record({
        ...common,
        path: fc.oneof(
          fc.constantFrom('/', '/v2.0', '/v2.0/', '/v2.0/extensions', '/v2.0/extensions/', '/v2.0/extensions/security-group', '/v2.0/extensions/tag',
            '/v3', '//', '/v2.0//networks', '/v2.0/networks.json', '/v2.0/routers', '/v2.0/floatingips', '/internal', '/v2.0/extensions/..%2F'),
          hostileString.filter((x) => x.length > 0 && x.length < 300).map((x) => `/v2.0/extensions/${encodeURIComponent(x)}`),
          hostileString.filter((x) => x.length > 0 && x.length < 300).map((x) => `/v2.0/${encodeURIComponent(x)}`),
        ),
        query: queryString(['alias', 'name'], []),
        body: bodyText(garbage(['extension', 'extensions', 'versions'])),
      });
      await fc.assert(fc.asyncProperty(req, async (r) => { await check({ ...r, url: r.path + r.query }); }), params);
    });

    it('keeps answering, and the fixtures survived the barrage', async () => {
      const list = await api.request(ALICE, 'GET', '/v2.0/networks');
      assert.equal(list.status, 200);
      assert.ok(list.body.networks.some((n: { id: string }) => n.id === fx.network));
      assert.equal((await api.request(BOB, 'GET', `/v2.0/ports/${fx.port}`)).status, 404);
    });
  });
}
