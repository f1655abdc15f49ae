import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { openEmbedded, openMemory, type EmbeddedMode } from './embedded-store';
import { preparingPool } from './prepared';
import type { Database } from './schema';

export { StoreInUseError } from './embedded-lock';

export type Db = Kysely<Database>;

export type Store = {
  readonly db: Db;
  readonly kind: 'postgres' | 'pglite';
  /** PGlite only: in memory, this process owning DATA_DIR, or through the running app's socket. */
  readonly embedded?: 'memory' | 'owner' | 'socket';
  /** true when the store answers a query within the timeout and the schema is in place. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
};

export type ConnectOptions = {
  logger?: Logger;
  /** Postgres only: a schema to put first on the search_path (tests use a fresh one per file). */
  searchPath?: string;
  /** Postgres (and PGlite through the app's socket): pool size (default 10; 4 on the socket). */
  poolSize?: number;
  /** Postgres: how long a statement may run unless it is marked unbounded (prepared.ts; default 10 s). */
  queryTimeoutMs?: number;
  /**
   * PGlite in a directory: 'serve' (the app) owns DATA_DIR under its lock and serves it to local
   * commands on a Unix socket inside it; 'use' (the default: commands, tools, tests) goes through
   * the running app's socket when it answers, else owns DATA_DIR under the same lock while open.
   * A second app is refused at once (StoreInUseError); anything else waits for the owner, then is refused.
   */
  embedded?: EmbeddedMode;
  /** PGlite in a directory: how long to wait while another process owns it (default: app 30 s, others 60 s). */
  waitMs?: number;
  /** PGlite in memory ("memory://"): start from these files (memoryImage) instead of a new cluster. */
  memoryImage?: Blob;
  /** PGlite in a directory: told once, in one line, when the open has to wait for another process. */
  onWait?: (line: string) => void;
};

/** Kysely over a pg Pool when the config names a database URL, else over PGlite in dataDir ("memory://" keeps it in memory). */
export async function connectStore(cfg: Config['store'], opts: ConnectOptions = {}): Promise<Store> {
  if (cfg.kind === 'postgres') {
    const pool = new Pool({
      connectionString: cfg.url,
      max: opts.poolSize ?? 10,
      // Fail fast when the database is down, so Slack gets its non-2xx answer well inside 3 s.
      connectionTimeoutMillis: 2_000,
      query_timeout: opts.queryTimeoutMs ?? 10_000,
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
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
    return makeStore(db, 'postgres');
  }
  const e = cfg.dataDir.startsWith('memory://')
    ? await openMemory(cfg.dataDir, opts.memoryImage)
    : await openEmbedded(cfg.dataDir, { mode: opts.embedded ?? 'use', logger: opts.logger, poolSize: opts.poolSize, waitMs: opts.waitMs, onWait: opts.onWait });
  return makeStore(e.db, 'pglite', e.close, e.via);
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

function makeStore(db: Db, kind: Store['kind'], close: () => Promise<void> = () => db.destroy(), embedded?: Store['embedded']): Store {
  let closed = false;
  return {
    db,
    kind,
    ...(embedded !== undefined ? { embedded } : {}),
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
      await close();
    },
  };
}
