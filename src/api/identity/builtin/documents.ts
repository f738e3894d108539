/** JSON documents of the built-in identity, shaped like Keystone v3's (version discovery, tokens, catalog). */
import { createHash } from 'node:crypto';
import { DEFAULT_REGION } from './init.js';
import type { ProjectRecord } from './store.js';
import type { ResolvedToken } from './session.js';

/** Keystone's version of its v3 API in Zed; clients check only the major version. */
const V3 = { id: 'v3.14', status: 'stable', updated: '2020-04-07T00:00:00Z' };
const MEDIA_TYPES = [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }];

export interface Urls {
  /** The API server's public URL, e.g. http://127.0.0.1:9696 (the `network` endpoint). */
  publicUrl: string;
  /** Public URL of the identity mount, e.g. http://127.0.0.1:9696/identity. */
  identityUrl: string;
}

export function versionDocument(identityUrl: string) {
  return { ...V3, links: [{ rel: 'self', href: `${identityUrl}/v3/` }], 'media-types': MEDIA_TYPES };
}

/** Keystone's time format: microseconds and a Z. */
export function keystoneTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Stable ids for catalog entries, so every replica lists the same ones. */
function stableId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

export function catalogDocument(urls: Urls) {
  const service = (type: string, name: string, url: string) => ({
    endpoints: ['public', 'internal', 'admin'].map((iface) => ({
      id: stableId(type, iface, url), interface: iface, region_id: DEFAULT_REGION, url, region: DEFAULT_REGION,
    })),
    id: stableId('service', type, name),
    type,
    name,
  });
  return [
    service('identity', 'keystone', `${urls.identityUrl}/v3/`),
    service('network', 'neutron', urls.publicUrl.replace(/\/+$/, '')),
  ];
}

export function tokenDocument(t: ResolvedToken, urls: Urls, withCatalog: boolean) {
  const token: Record<string, unknown> = {
    methods: t.payload.m,
    user: {
      domain: { id: t.userDomain.id, name: t.userDomain.name },
      id: t.user.id, name: t.user.name, password_expires_at: null,
    },
    audit_ids: t.payload.a,
    expires_at: keystoneTime(t.payload.exp),
    issued_at: keystoneTime(t.payload.iat),
  };
  if (t.project && t.projectDomain) {
    token.project = {
      domain: { id: t.projectDomain.id, name: t.projectDomain.name }, id: t.project.id, name: t.project.name,
    };
    token.is_domain = false;
    token.roles = t.roles.map((r) => ({ id: r.id, name: r.name }));
    // Keystone puts a catalog only in scoped tokens.
    if (withCatalog) token.catalog = catalogDocument(urls);
  }
  return { token };
}

export function projectDocument(p: ProjectRecord, identityUrl: string) {
  return {
    id: p.id, name: p.name, domain_id: p.domain_id, description: p.description, enabled: p.enabled,
    parent_id: p.domain_id, is_domain: false, tags: [], options: {},
    links: { self: `${identityUrl}/v3/projects/${p.id}` },
  };
}
