/**
 * Quotas: per-project limits (stored overrides, else [quotas] defaults), checked inside the creating
 * transaction so that a bulk create over the limit leaves nothing behind.
 */
import type { Db, Tx } from '../store/db.js';
import type { CoreDeps } from './deps.js';
import { errors, NeutronError } from './errors.js';
import { show } from '../definitions/validators.js';
import { prepared, param } from '../store/prepared.js';

/** The resources this server counts, and the table each lives in. */
export const QUOTA_TABLES = {
  network: 'networks',
  subnet: 'subnets',
  port: 'ports',
  security_group: 'security_groups',
  security_group_rule: 'security_group_rules',
  router: 'routers',
  floatingip: 'floatingips',
} as const;

export type QuotaResource = keyof typeof QUOTA_TABLES;
export const QUOTA_RESOURCES = Object.keys(QUOTA_TABLES) as QuotaResource[];

export async function quotaLimits(db: Db | Tx, deps: Pick<CoreDeps, 'settings'>, projectId: string): Promise<Record<QuotaResource, number>> {
  const limits = Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, deps.settings.quotaDefaults[r] ?? -1])) as Record<QuotaResource, number>;
  const rows = await db.selectFrom('quotas').select(['resource', 'limit']).where('project_id', '=', projectId).execute();
  for (const row of rows) if (row.resource in limits) limits[row.resource as QuotaResource] = row.limit;
  return limits;
}

export async function usage(db: Db | Tx, projectId: string, resource: QuotaResource): Promise<number> {
  const row = await db.selectFrom(QUOTA_TABLES[resource]).select((eb) => eb.fn.countAll<number>().as('n')).where('project_id', '=', projectId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

// Runs in every create: compiled once per dialect (store/prepared.ts).
const overrideOf = prepared<[string, string], { limit: number }>(2, (db) => db.selectFrom('quotas').select('limit').where('project_id', '=', param(0)).where('resource', '=', param(1)));

/** Throws OverQuota when adding `count` would pass the project's limit (-1 = unlimited). */
export async function checkQuota(tx: Tx, deps: Pick<CoreDeps, 'settings'>, projectId: string, resource: QuotaResource, count: number): Promise<void> {
  const override = (await overrideOf(tx, projectId, resource))[0];
  const limit = override?.limit ?? deps.settings.quotaDefaults[resource] ?? -1;
  if (limit < 0) return;
  if (limit === 0 || (await usage(tx, projectId, resource)) + count > limit) throw errors.overQuota(resource);
}

export interface QuotaService {
  /** Projects with stored limits (admin listing). */
  list(): Promise<{ project_id: string; limits: Record<QuotaResource, number> }[]>;
  show(projectId: string): Promise<Record<QuotaResource, number>>;
  defaults(): Record<QuotaResource, number>;
  details(projectId: string): Promise<Record<QuotaResource, { limit: number; used: number; reserved: number }>>;
  update(projectId: string, changes: Record<string, unknown>): Promise<Record<QuotaResource, number>>;
  reset(projectId: string): Promise<void>;
}

export function quotaService(deps: CoreDeps): QuotaService {
  const { store } = deps;
  return {
    async list() {
      const rows = await store.db.selectFrom('quotas').select('project_id').distinct().orderBy('project_id').execute();
      return Promise.all(rows.map(async (r) => ({ project_id: r.project_id, limits: await quotaLimits(store.db, deps, r.project_id) })));
    },
    show: (projectId) => quotaLimits(store.db, deps, projectId),
    defaults: () => Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, deps.settings.quotaDefaults[r] ?? -1])) as Record<QuotaResource, number>,
    async details(projectId) {
      const limits = await quotaLimits(store.db, deps, projectId);
      const out = {} as Record<QuotaResource, { limit: number; used: number; reserved: number }>;
      for (const r of QUOTA_RESOURCES) out[r] = { limit: limits[r], used: await usage(store.db, projectId, r), reserved: 0 };
      return out;
    },
    async update(projectId, changes) {
      // project_id columns hold 255 characters, as Neutron's.
      if (projectId.length > 255) throw errors.badRequest(`Invalid input for project_id. Reason: '${projectId}' exceeds maximum length of 255.`);
      const unknown = Object.keys(changes).filter((k) => !(k in QUOTA_TABLES));
      if (unknown.length) throw errors.badRequest(`Unrecognized attribute(s) '${unknown.join(', ')}'`);
      const values: [QuotaResource, number][] = [];
      for (const [resource, raw] of Object.entries(changes)) {
        const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
        if (typeof n !== 'number' || !Number.isInteger(n)) throw errors.badRequest(`Invalid input for ${resource}. Reason: '${show(raw)}' is not an integer.`);
        if (n < -1) throw errors.badRequest(`Invalid input for ${resource}. Reason: '${n}' is too small - must be at least '-1'.`);
        if (n > 2 ** 31 - 1) throw errors.badRequest(`Invalid input for ${resource}. Reason: '${n}' is too large - must be no larger than '${2 ** 31 - 1}'.`);
        values.push([resource as QuotaResource, n]);
      }
      await store.transaction(async (tx) => {
        for (const [resource, limit] of values) {
          await tx.deleteFrom('quotas').where('project_id', '=', projectId).where('resource', '=', resource).execute();
          await tx.insertInto('quotas').values({ project_id: projectId, resource, limit }).execute();
        }
      });
      return quotaLimits(store.db, deps, projectId);
    },
    async reset(projectId) {
      await store.db.deleteFrom('quotas').where('project_id', '=', projectId).execute();
    },
  };
}

export { NeutronError };
