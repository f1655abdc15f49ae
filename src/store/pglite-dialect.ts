import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/**
 * Kysely dialect over one embedded PGlite database. PGlite is a single connection, so
 * queries and transactions take turns through a mutex (as Kysely's own SQLite driver does).
 * Queries without parameters go through the simple protocol, so a migration file may hold
 * several statements, exactly as with node-postgres.
 */
export class PGliteDialect implements Dialect {
  constructor(private readonly db: PGlite) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.db);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

class PGliteDriver implements Driver {
  private readonly mutex = new Mutex();
  private readonly connection: PGliteConnection;
  constructor(private readonly db: PGlite) {
    this.connection = new PGliteConnection(db);
  }
  async init(): Promise<void> {
    await this.db.waitReady;
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    await this.mutex.lock();
    return this.connection;
  }
  async beginTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(): Promise<void> {
    this.mutex.unlock();
  }
  async destroy(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly db: PGlite) {}
  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    if (q.parameters.length === 0) {
      const results = await this.db.exec(q.sql);
      const last = results[results.length - 1];
      return toResult<R>(last?.rows ?? [], last?.affectedRows, q);
    }
    const r = await this.db.query<R>(q.sql, q.parameters as unknown[]);
    return toResult<R>(r.rows, r.affectedRows, q);
  }
  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite does not stream query results; page the query instead');
  }
}

function toResult<R>(rows: unknown[], affected: number | undefined, q: CompiledQuery): QueryResult<R> {
  const kind = q.query.kind;
  const writes = kind === 'InsertQueryNode' || kind === 'UpdateQueryNode' || kind === 'DeleteQueryNode' || kind === 'MergeQueryNode';
  return writes ? { rows: rows as R[], numAffectedRows: BigInt(affected ?? 0) } : { rows: rows as R[] };
}

class Mutex {
  private held = false;
  private readonly waiting: Array<() => void> = [];
  async lock(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  unlock(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.held = false;
  }
}
