/**
 * Queries of fixed shape built and compiled to SQL once per dialect, then executed with new values.
 *
 * Building a Kysely query (immutable node trees, frozen at every step) and compiling it to SQL costs
 * more than running a short indexed statement on SQLite, and the hottest statements (a port by id,
 * a network by id, a port's addresses) have the same text on every request. A prepared query is
 * written with `param(i)` where the i-th argument goes; its compiled form is cached per dialect
 * adapter (one Kysely instance per dialect, shared by its transactions) and executed through the
 * same executor, connection and transaction as the built query would be.
 *
 * Only for shapes that do not depend on the values: an `in` list is prepared per length
 * (`preparedIn`).
 */
import type { Compilable, CompiledQuery, RawBuilder } from 'kysely';
import type { Db, Tx } from './db.js';

/** Stands for the i-th argument of a prepared query while it is compiled. */
export class Param {
  constructor(readonly index: number) {}
}

/** The placeholder of the i-th argument, typed as the value it stands for. */
export function param<T = string>(index: number): T {
  return new Param(index) as unknown as T;
}

type Executor = Db | Tx;

function compileOnce<R>(db: Executor, build: (db: Executor) => Compilable<R>, arity: number): CompiledQuery<R> {
  const compiled = build(db).compile();
  const seen = new Set<number>();
  for (const p of compiled.parameters) if (p instanceof Param) seen.add(p.index);
  // Every argument must reach the SQL as a bound parameter, else a value would be baked in.
  if (seen.size !== arity) throw new Error(`prepared query uses ${seen.size} of its ${arity} parameters: ${compiled.sql}`);
  return compiled;
}

function bind<R>(compiled: CompiledQuery<R>, args: readonly unknown[]): CompiledQuery<R> {
  const parameters = compiled.parameters.map((p) => (p instanceof Param ? args[p.index] : p));
  return { sql: compiled.sql, query: compiled.query, queryId: compiled.queryId, parameters };
}

/** A raw `sql` query as a prepared query's build result (a RawBuilder compiles with its executor). */
export function raw<R>(db: Executor, query: RawBuilder<R>): Compilable<R> {
  return { compile: () => query.compile(db) };
}

/** The dialect adapter: one per Kysely instance, shared by its transactions. */
const adapterOf = (db: Executor): object => db.getExecutor().adapter;

/**
 * A query compiled once per dialect; call it with the database or a transaction and the arguments.
 * `build` must use `param(0) .. param(arity - 1)` for the arguments and nothing value-dependent.
 */
export function prepared<A extends unknown[], R>(arity: A['length'], build: (db: Executor) => Compilable<R>): (db: Executor, ...args: A) => Promise<R[]> {
  const cache = new WeakMap<object, CompiledQuery<R>>();
  return async (db, ...args) => {
    const adapter = adapterOf(db);
    let compiled = cache.get(adapter);
    if (!compiled) cache.set(adapter, (compiled = compileOnce(db, build, arity)));
    return (await db.executeQuery(bind(compiled, args))).rows;
  };
}

/** The same for a write: resolves to the number of rows it changed. */
export function preparedWrite<A extends unknown[]>(arity: A['length'], build: (db: Executor) => Compilable<unknown>): (db: Executor, ...args: A) => Promise<number> {
  const cache = new WeakMap<object, CompiledQuery<unknown>>();
  return async (db, ...args) => {
    const adapter = adapterOf(db);
    let compiled = cache.get(adapter);
    if (!compiled) cache.set(adapter, (compiled = compileOnce(db, build, arity)));
    return Number((await db.executeQuery(bind(compiled, args))).numAffectedRows ?? 0);
  };
}

/** Lengths of `in` lists kept compiled per query (one statement text each); longer lists are built anew. */
const MAX_PREPARED_IN = 8;

/**
 * A query whose only argument is a list for `in (...)`: compiled once per dialect and list length
 * up to a small bound (the common one-id case of a show or an update), built anew beyond it.
 */
export function preparedIn<V, R>(build: (db: Executor, values: V[]) => Compilable<R>): (db: Executor, values: V[]) => Promise<R[]> {
  const cache = new WeakMap<object, (CompiledQuery<R> | undefined)[]>();
  return async (db, values) => {
    if (values.length > MAX_PREPARED_IN) return (await db.executeQuery(build(db, values).compile())).rows;
    const adapter = adapterOf(db);
    let byLength = cache.get(adapter);
    if (!byLength) cache.set(adapter, (byLength = []));
    let compiled = byLength[values.length];
    if (!compiled) {
      const placeholders = values.map((_, i) => param<V>(i));
      byLength[values.length] = compiled = compileOnce(db, (d) => build(d, placeholders), values.length);
    }
    return (await db.executeQuery(bind(compiled, values))).rows;
  };
}
