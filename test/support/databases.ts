/**
 * Fresh databases for tests on each dialect: a temp SQLite file, or a new database on the local
 * PostgreSQL (127.0.0.1:5432, trust) / MariaDB (127.0.0.1:3306, root) servers, dropped afterwards.
 * NUCLEON_TEST_DIALECTS=sqlite,postgres,mysql chooses which run (all by default).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseDatabaseUrl } from '../../src/config/index.js';
import type { DatabaseOptions } from '../../src/store/db.js';

export type TestDialect = 'sqlite' | 'postgres' | 'mysql';

export const DIALECTS: TestDialect[] = (process.env.NUCLEON_TEST_DIALECTS ?? 'sqlite,postgres,mysql')
  .split(',').map((d) => d.trim()).filter(Boolean) as TestDialect[];

export interface TestDatabase {
  /** A Neutron-style [database] connection URL. */
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const name = `nucleon_t_${randomBytes(5).toString('hex')}`;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'nucleon-test-'));
    return { url: `sqlite:///${join(dir, 'neutron.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (dialect === 'postgres') {
    const pg = (await import('pg')).default;
    const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return {
      url: `postgresql://postgres@127.0.0.1:5432/${name}`,
      async drop() {
        const c = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const mysql = (await import('mysql2/promise')).default;
  const admin = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
  await admin.end();
  return {
    url: `mysql+pymysql://root@127.0.0.1:3306/${name}`,
    async drop() {
      const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.end();
    },
  };
}

/** openStore's options for a test database's connection URL. */
export function storeOptions(url: string): DatabaseOptions {
  const u = parseDatabaseUrl(url);
  return u.dialect === 'sqlite' ? { dialect: 'sqlite', path: u.path! } : { dialect: u.dialect, host: u.host!, port: u.port, user: u.user, password: u.password, database: u.database! };
}
