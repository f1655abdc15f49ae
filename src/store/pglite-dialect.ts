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
import { SessionTurns, type Turn } from './embedded-turns';

/** How long the app's query waits while a local command on the socket holds the session before it fails (SessionBusyError). */
export const APP_PATIENCE_MS = 15_000;

/**
 * Kysely dialect over one embedded PGlite database. PGlite is a single connection, so
 * queries and transactions take turns (as Kysely's own SQLite driver does), through the
 * SessionTurns the app shares with the local clients it serves on its socket.
 * Queries without parameters go through the simple protocol, so a migration file may hold
 * several statements, exactly as with node-postgres.
 */
export class PGliteDialect implements Dialect {
  constructor(
    private readonly db: PGlite,
    private readonly turns: SessionTurns = new SessionTurns(),
  ) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.db, this.turns);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

class PGliteDriver implements Driver {
  private readonly connection: PGliteConnection;
  /** The turn of the Kysely connection in use (one at a time). */
  private turn: Turn | null = null;
  constructor(
    private readonly db: PGlite,
    private readonly turns: SessionTurns,
  ) {
    this.connection = new PGliteConnection(db);
  }
  async init(): Promise<void> {
    await this.db.waitReady;
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const turn: Turn = { kind: 'local', label: 'the app' };
    await this.turns.take(turn, APP_PATIENCE_MS);
    this.turn = turn;
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
    const turn = this.turn;
    this.turn = null;
    if (turn !== null) this.turns.give(turn);
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
