import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { ensurePrivateDir, privatizeTree } from './embedded-files';
import { PGliteDialect } from './pglite-dialect';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export type Store = {
  readonly db: Db;
  readonly kind: 'postgres' | 'pglite';
  /** true when the store answers a query within the timeout and the schema is in place. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
};

export type ConnectOptions = {
  logger?: Logger;
  /** Postgres only: a schema to put first on the search_path (tests use a fresh one per file). */
  searchPath?: string;
  /** Postgres only: pool size (default 10). */
  poolSize?: number;
};

/** Kysely over a pg Pool when the config names a database URL, else over PGlite in dataDir ("memory://" keeps it in memory). */
export async function connectStore(cfg: Config['store'], opts: ConnectOptions = {}): Promise<Store> {
  if (cfg.kind === 'postgres') {
    const pool = new Pool({
      connectionString: cfg.url,
      max: opts.poolSize ?? 10,
      // Fail fast when the database is down, so Slack gets its non-2xx answer well inside 3 s.
      connectionTimeoutMillis: 2_000,
      query_timeout: 10_000,
      ...(opts.searchPath !== undefined ? { options: `-c search_path=${opts.searchPath}` } : {}),
    });
    // A client losing its server must not take the process down; the query in flight (if any)
    // fails and reports it, and the pool drops the client and connects anew when asked. The pool's
    // 'error' covers idle clients only, so every client gets its own listener too, which speaks only
    // while the client is checked out (an idle one's loss is the pool's to log: one line per loss).
    const checkedOut = new WeakSet<object>();
    pool.on('acquire', (client) => checkedOut.add(client));
    pool.on('release', (_err, client) => checkedOut.delete(client));
    pool.on('error', (err, client) => opts.logger?.warn({ err: lostConnection(err), backend_pid: backendPid(client), idle: true }, 'postgres connection lost'));
    pool.on('connect', (client) =>
      client.on('error', (err) => {
        if (checkedOut.has(client)) opts.logger?.warn({ err: lostConnection(err), backend_pid: backendPid(client), idle: false }, 'postgres connection lost');
      }),
    );
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return makeStore(db, 'postgres');
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const onDisk = !cfg.dataDir.startsWith('memory://');
  if (onDisk) ensurePrivateDir(cfg.dataDir);
  const pglite = await PGlite.create(cfg.dataDir);
  if (onDisk) privatizeTree(cfg.dataDir);
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return makeStore(db, 'pglite');
}

/** pg's error as a log line wants it: pg-pool hangs the whole client on an idle client's error (its connection parameters included), which stays out. */
function lostConnection(err: Error): Error {
  const { client: _client, ...fields } = err as Error & { client?: unknown };
  const copy = Object.assign(new Error(err.message), fields);
  copy.name = err.name;
  if (err.stack !== undefined) copy.stack = err.stack;
  return copy;
}

/** The server process id of a pg client (undefined before it connected). */
function backendPid(client: unknown): number | undefined {
  const pid = (client as { processID?: unknown }).processID;
  return typeof pid === 'number' ? pid : undefined;
}

function makeStore(db: Db, kind: Store['kind']): Store {
  let closed = false;
  return {
    db,
    kind,
    async ping(timeoutMs = 2_000) {
      if (closed) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const probe = sql`select 1 from slack_events limit 0`
        .execute(db)
        .then(() => true)
        .catch(() => false);
      try {
        return await Promise.race([probe, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
