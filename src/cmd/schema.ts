/**
 * Migration state for `nucleon server` (which must not run on an old schema) and
 * `nucleon db upgrade`. The migrations the store knows are its files under store/migrations/
 * (store/db.ts names each by its file name), so the list is read from that folder next to this
 * one, in src/ and in dist/ alike.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Store } from '../store/db.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../store/migrations/', import.meta.url));
const MIGRATION_TABLE = 'nucleon_migrations';

export async function knownMigrations(): Promise<string[]> {
  const names = new Set<string>();
  for (const f of await readdir(MIGRATIONS_DIR)) {
    const m = /^(\d+[^.]*)\.(ts|js)$/.exec(f);
    if (m) names.add(m[1]!);
  }
  return [...names].sort();
}

/** Names recorded as applied; empty when the migration table does not exist yet. */
export async function appliedMigrations(store: Store): Promise<string[]> {
  try {
    const r = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(store.db);
    return r.rows.map((row) => row.name).sort();
  } catch (err) {
    // Only a missing table means "nothing applied"; anything else (unreachable, denied) is real.
    if (/no such table|does not exist|doesn't exist|42P01|ER_NO_SUCH_TABLE/i.test(`${(err as { code?: string }).code} ${(err as Error).message}`)) return [];
    throw err;
  }
}

export async function pendingMigrations(store: Store): Promise<string[]> {
  const applied = new Set(await appliedMigrations(store));
  return (await knownMigrations()).filter((n) => !applied.has(n));
}
