/**
 * One Kysely instance per dialect, the migrator, and the transaction helper every write goes through.
 */
import { sql, Kysely, Migrator, PostgresAdapter, SqliteDialect, PostgresDialect, MysqlDialect, type Migration, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import * as m0001 from './migrations/0001-initial.js';
import * as m0002 from './migrations/0002-agents.js';
import * as m0003 from './migrations/0003-l3.js';
import * as m0004 from './migrations/0004-l3-agents.js';
import * as m0005 from './migrations/0005-address-groups.js';
import * as m0006 from './migrations/0006-port-list-indexes.js';
import * as m0007 from './migrations/0007-drop-ports-network-id-index.js';
import * as m0008 from './migrations/0008-rbac-policies.js';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

export type DatabaseOptions =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres' | 'mysql'; host: string; port?: number; user?: string; password?: string; database: string; poolSize?: number };

export type Tx = Transaction<Database>;
export type Db = Kysely<Database>;

export interface Store {
  db: Db;
  dialect: DialectName;
  /**
   * Runs `fn` in one transaction and retries it on deadlocks, serialization failures and lock
   * timeouts (the normal outcome of row locks under concurrency across several API processes).
   * `fn` must be free of side effects outside the database: it may run more than once.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** One trivial round trip: is the database answering? */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const MIGRATIONS: Record<string, Migration> = { '0001-initial': m0001, '0002-agents': m0002, '0003-l3': m0003, '0004-l3-agents': m0004, '0005-address-groups': m0005, '0006-port-list-indexes': m0006, '0007-drop-ports-network-id-index': m0007, '0008-rbac-policies': m0008 };

export async function openStore(options: DatabaseOptions): Promise<Store> {
  const db = new Kysely<Database>({ dialect: await createDialect(options) });
  const statistics = options.dialect === 'sqlite' ? keepSqliteStatistics(db) : () => {};
  const wal = options.dialect === 'sqlite' && options.path !== ':memory:' ? checkpointSqliteWal(db) : undefined;
  const run = options.dialect === 'sqlite' ? batchSqliteTransactions(db) : <T>(fn: (tx: Tx) => Promise<T>) => withRetries(() => db.transaction().execute(fn));
  return {
    db,
    dialect: options.dialect,
    async transaction(fn) {
      const result = await run(fn);
      statistics();
      wal?.committed();
      return result;
    },
    async ping() { await sql`select 1`.execute(db); },
    close: async () => { wal?.stop(); await db.destroy(); },
  };
}

interface QueuedTransaction {
  fn: (tx: Tx) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit on SQLite: the transactions asked for in one turn of the event loop (concurrent
 * requests that reached their write in the same I/O poll) run one after another in ONE database
 * transaction, each inside its own savepoint, and share its BEGIN and COMMIT. The commit is the
 * costliest statement of a port create (it writes every changed page to the WAL), and pages that
 * several of them change (the ports table, its indexes, the address pool) are written once.
 *
 * Each transaction still sees exactly what it would alone, run serially (one connection; the
 * batch's transactions run in the order asked), and fails alone: its savepoint is rolled back and
 * only its caller gets the error. A result is given only once the shared COMMIT has succeeded. If
 * the batch as a whole fails (busy, the commit, a savepoint SQLite already rolled back), every
 * transaction of it runs again on its own, with the usual retries: `fn` may run more than once,
 * as Store.transaction already requires. A transaction alone in its turn runs as before.
 */
function batchSqliteTransactions(db: Db): <T>(fn: (tx: Tx) => Promise<T>) => Promise<T> {
  let queue: QueuedTransaction[] = [];
  const alone = (m: QueuedTransaction) => { withRetries(() => db.transaction().execute(m.fn)).then(m.resolve, m.reject); };

  async function runBatch(batch: QueuedTransaction[]): Promise<void> {
    if (batch.length === 1) return alone(batch[0]!);
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      await db.transaction().execute(async (tx) => {
        for (const m of batch) {
          await sql`savepoint nucleon_batch`.execute(tx);
          try {
            const value = await m.fn(tx);
            await sql`release savepoint nucleon_batch`.execute(tx);
            outcomes.push({ ok: true, value });
          } catch (error) {
            if (isRetryable(error)) throw error;
            await sql`rollback to savepoint nucleon_batch`.execute(tx);
            await sql`release savepoint nucleon_batch`.execute(tx);
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch {
      for (const m of batch) alone(m);
      return;
    }
    batch.forEach((m, i) => {
      const o = outcomes[i]!;
      if (o.ok) m.resolve(o.value); else m.reject(o.error);
    });
  }

  return <T>(fn: (tx: Tx) => Promise<T>) => new Promise<T>((resolve, reject) => {
    // The first of a turn schedules the batch after the turn's I/O callbacks (setImmediate).
    if (queue.length === 0) setImmediate(() => { const batch = queue; queue = []; void runBatch(batch); });
    queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
  });
}

/** How often the WAL is checkpointed after writes (ms), and SQLite's own fallback (pages). */
const SQLITE_CHECKPOINT_EVERY_MS = 1000;
const SQLITE_AUTOCHECKPOINT_PAGES = 20_000;

/**
 * SQLite's default checkpoints the WAL into the database inside the commit that passes 1,000 pages,
 * with an fsync of the database: every ~60 port creates one of them paid for all, about half of the
 * average commit. Instead a PASSIVE checkpoint runs once a second when something was committed,
 * outside any transaction (Kysely's connection mutex; no other writer in this process, so it gets
 * through the whole WAL and the next commit starts it over): a hot index page rewritten by a
 * thousand commits is copied once, and a commit at a low rate reaches the disk within a second
 * (synchronous = NORMAL syncs the WAL only at checkpoints). SQLite's own checkpoint stays as the
 * fallback at SQLITE_AUTOCHECKPOINT_PAGES.
 */
function checkpointSqliteWal(db: Db): { committed(): void; stop(): void } {
  let dirty = false;
  let running = false;
  const timer = setInterval(() => {
    if (!dirty || running) return;
    dirty = false;
    running = true;
    sql`pragma wal_checkpoint(PASSIVE)`.execute(db).catch(() => {}).finally(() => { running = false; });
  }, SQLITE_CHECKPOINT_EVERY_MS);
  timer.unref();
  return { committed: () => { dirty = true; }, stop: () => clearInterval(timer) };
}

/** Transactions between two `PRAGMA optimize` runs on SQLite. */
const SQLITE_OPTIMIZE_EVERY = 256;

/**
 * SQLite plans joins from index statistics (sqlite_stat1), which a new database lacks: without them
 * a join may start from the wrong side, e.g. from every port of a project's default security group
 * rather than from the few bound ports, a cost that grows with each port created (0.28 vs 0.035 ms
 * with 1,000 ports). As SQLite advises for long-lived connections, `PRAGMA optimize` runs at open
 * and then after every SQLITE_OPTIMIZE_EVERY transactions, outside any transaction (through Kysely's
 * connection mutex) and without holding up the request: it re-analyses only tables that changed
 * much since, on a bounded sample, so it costs little.
 */
function keepSqliteStatistics(db: Db): () => void {
  let transactions = 0;
  let running = false;
  return () => {
    if (++transactions % SQLITE_OPTIMIZE_EVERY !== 0 || running) return;
    running = true;
    sql`pragma optimize`.execute(db).catch(() => {}).finally(() => { running = false; });
  };
}

async function createDialect(options: DatabaseOptions) {
  switch (options.dialect) {
    case 'sqlite': {
      const { default: SQLite } = await import('better-sqlite3');
      const database = new SQLite(options.path);
      // WAL lets readers proceed during a write; NORMAL sync is durable across process crashes.
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
      // Each request of a group commit runs in a savepoint (nucleon_batch), whose statement journal
      // keeps the pages it changes; past 64 KiB SQLite spills it to a temp file, made and unlinked
      // every few requests: ~27 of a port create's ~42 writes. In memory, it is freed on release.
      database.pragma('temp_store = MEMORY');
      database.pragma('foreign_keys = ON');
      database.pragma('busy_timeout = 5000');
      // The WAL is checkpointed on a timer (checkpointSqliteWal); this is the fallback.
      database.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
      // All tables: statistics of a database used before (see keepSqliteStatistics).
      database.pragma('optimize = 0x10002');
      return new SqliteDialect({ database: withStatementCache(database) });
    }
    case 'postgres': {
      const pg = await import('pg');
      // BIGINT comes back as a string by default; our bigints (revision numbers) fit a JS number.
      pg.default.types.setTypeParser(20, (v: string) => Number(v));
      const pool = new pg.default.Pool({
        host: options.host, port: options.port ?? 5432, user: options.user, password: options.password,
        database: options.database, max: options.poolSize ?? 10,
      });
      // An idle connection killed by the server (restart, failover) must not crash the process.
      pool.on('error', () => {});
      return new PostgresDialect({ pool });
    }
    case 'mysql': {
      const mysql = await import('mysql2');
      const pool = mysql.createPool({
        host: options.host, port: options.port ?? 3306, user: options.user, password: options.password,
        database: options.database, connectionLimit: options.poolSize ?? 10, supportBigNumbers: true, bigNumberStrings: false,
      });
      return new MysqlDialect({ pool });
    }
  }
}

/** What Kysely's SQLite driver uses of a database: prepare() and close(). */
export interface PreparingDatabase<S> { prepare(sql: string): S; close(): void }

/**
 * Kysely prepares every query anew, and compiling SQL in SQLite costs about as much as running
 * these short statements. Query texts repeat (values are bound parameters), so prepared statements
 * are kept, the least recently used dropped first. Safe because Kysely runs each statement to
 * completion synchronously (all()/run(); nothing here streams), so none is ever in use twice.
 */
export function withStatementCache<S>(database: PreparingDatabase<S>, size = 500): PreparingDatabase<S> {
  const cache = new Map<string, S>();
  return {
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
      } else {
        cache.delete(sql); // re-inserted below: Map order is recency order
      }
      cache.set(sql, statement);
      return statement;
    },
    close: () => database.close(),
  };
}

/** Applies pending migrations (forward-only; applying twice is a no-op). */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'nucleon_migrations',
    migrationLockTableName: 'nucleon_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

const RETRYABLE = new Set([
  '40001', '40P01', '55P03', // PostgreSQL: serialization failure, deadlock, lock not available
  'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', // MySQL
  'SQLITE_BUSY', 'SQLITE_LOCKED',
]);

export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === '23505' || code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

async function withRetries<T>(fn: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isRetryable(error) || attempt >= attempts) throw error;
      // Jittered backoff so that colliding transactions do not collide again.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}

/**
 * Runs `fn` (one or more statements) inside a savepoint and reports a unique violation as false:
 * everything `fn` wrote is undone, and on PostgreSQL the transaction stays usable.
 */
export async function insertUnlessDuplicate(tx: Tx, fn: () => Promise<unknown>): Promise<boolean> {
  await sql`savepoint nucleon_insert`.execute(tx);
  try {
    await fn();
    await sql`release savepoint nucleon_insert`.execute(tx);
    return true;
  } catch (error) {
    // A deadlock has already rolled the whole transaction back: let the retry loop take it.
    if (isRetryable(error)) throw error;
    await sql`rollback to savepoint nucleon_insert`.execute(tx);
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/**
 * The same for ONE statement: SQLite and MySQL undo just the failed statement and carry on, so
 * only PostgreSQL, which aborts the transaction, pays for a savepoint (the hot path of port create).
 */
export async function insertOneUnlessDuplicate(tx: Tx, statement: () => Promise<unknown>): Promise<boolean> {
  // getExecutor() is marked internal in Kysely but is the only way to learn a transaction's dialect.
  if (tx.getExecutor().adapter instanceof PostgresAdapter) return insertUnlessDuplicate(tx, statement);
  try {
    await statement();
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}
