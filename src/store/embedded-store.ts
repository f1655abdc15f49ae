import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { Logger } from '../logger';
import { ensurePrivateDir, privatizeTree } from './embedded-files';
import { describeHolder, StoreInUseError, tryLock, type DirLock, type LockHolder } from './embedded-lock';
import { serveSession, socketPathFor, SOCKET_PORT, MAX_SOCKET_PATH, STOPPING, type SocketServer } from './embedded-socket';
import { SessionTurns } from './embedded-turns';
import { PGliteDialect } from './pglite-dialect';
import type { Database } from './schema';

/**
 * The embedded store (PGlite in DATA_DIR) has one owner at a time. The app ('serve') owns the
 * directory and serves it to local commands on a Unix socket inside it; a command ('use') goes
 * through that socket when the app answers, else owns the directory itself while it runs.
 */

/**
 * Postgres settings for every PGlite this app opens. shared_buffers is what bounds the idle
 * footprint most: PGlite touches its whole buffer pool at start. Measured, a bare Node process
 * with PGlite open idles at ~170 MB RSS with 16 MB, ~190 with 32, ~215 with 64 and ~300-325 with
 * the default 128 MB; the data directory's pages stay in the OS page cache, outside the process.
 */
export const SHARED_BUFFERS = '16MB';

export type EmbeddedMode = 'serve' | 'use';

export type EmbeddedOptions = {
  mode: EmbeddedMode;
  logger?: Logger;
  /** How the lock names this process to others (default: the script's file name). */
  label?: string;
  /** How long to wait for the directory while another process owns it (default: app 30 s, command 60 s). */
  waitMs?: number;
  /** Told once, in one line, when the open waits for another process. */
  onWait?: (line: string) => void;
  /** Pool size when going through the app's socket. */
  poolSize?: number;
};

export type EmbeddedStore = { db: Kysely<Database>; via: 'memory' | 'owner' | 'socket'; close(): Promise<void> };

/** PGlite's options here: the default start parameters plus a small buffer pool. */
export function pgliteOptions(PGliteClass: { defaultStartParams: string[] }): PGliteOptions {
  return { startParams: [...PGliteClass.defaultStartParams, '-c', `shared_buffers=${SHARED_BUFFERS}`] };
}

/** An in-memory PGlite (tests): no lock, no socket. From `image` (see memoryImage) when given, else a new cluster (initdb). */
export async function openMemory(dataDir: string, image?: Blob): Promise<EmbeddedStore> {
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create({ dataDir, ...pgliteOptions(PGlite), ...(image !== undefined ? { loadDataDir: image } : {}) });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return { db, via: 'memory', close: () => closeBoth(db, pglite) };
}

/**
 * The files of an in-memory cluster after `prepare` ran on it (PGlite's dumpDataDir), for
 * openMemory: loading them takes ~1 s where initdb takes 2.5-4 s (tests open hundreds of stores).
 */
export async function memoryImage(prepare: (db: Kysely<Database>) => Promise<unknown>): Promise<Blob> {
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = await PGlite.create('memory://', pgliteOptions(PGlite));
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  try {
    await prepare(db);
    return await pglite.dumpDataDir('none');
  } finally {
    await closeBoth(db, pglite);
  }
}

/** Kysely's destroy leaves a driver it never initialized (no query ran) alone, so PGlite is closed here too: left open, its timers keep the process alive. */
async function closeBoth(db: Kysely<Database>, pglite: PGlite): Promise<void> {
  await db.destroy();
  if (!pglite.closed) await pglite.close();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens the embedded store in dataDir as opts.mode says; refuses with StoreInUseError (one line) when another process owns it past the wait. */
export async function openEmbedded(dataDir: string, opts: EmbeddedOptions): Promise<EmbeddedStore> {
  const dir = resolve(dataDir);
  ensurePrivateDir(dir);
  const label = opts.label ?? scriptLabel(process.argv[1]);
  const socket = socketPathFor(dir);
  const waitMs = opts.waitMs ?? (opts.mode === 'serve' ? 30_000 : 60_000);
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    if (opts.mode === 'use' && !socket.tooLong) {
      const viaApp = await connectSocket(dir, opts.poolSize ?? 4, opts.logger);
      if (viaApp !== null) return viaApp;
    }
    const r = tryLock(dir, opts.mode === 'serve' ? 'app' : 'cli', opts.mode === 'serve' ? 'the app' : label);
    if ('lock' in r) return own(dir, r.lock, opts);
    const h = r.holder;
    if (opts.mode === 'serve' && h.role === 'app') throw new StoreInUseError(`DATA_DIR ${dir} is in use by another Async Charter app (pid ${h.pid}): stop it first, or give this one its own DATA_DIR`, h);
    if (opts.mode === 'use' && h.role === 'app' && socket.tooLong) throw new StoreInUseError(tooLongToReach(dir, h, socket.bytes), h);
    if (Date.now() >= deadline) throw new StoreInUseError(`DATA_DIR ${dir} is in use by ${describeHolder(h)}${h.role === 'app' ? ', which does not answer on its socket' : ''}; waited ${Math.round(waitMs / 1000)} s: try again when it is done`, h);
    if (!told) {
      told = true;
      const line = `DATA_DIR ${dir} is in use by ${describeHolder(h)}: waiting up to ${Math.round(waitMs / 1000)} s for it`;
      opts.onWait?.(line);
      opts.logger?.warn(line);
    }
    await sleep(200);
  }
}

/** How a command is named to others: `npm run digest` for src/cli/digest.ts (or dist/cli/digest.js), else the script's file name. */
function scriptLabel(script: string | undefined): string {
  if (script === undefined) return 'node';
  const name = basename(script).replace(/\.[cm]?[jt]s$/, '');
  return basename(dirname(script)) === 'cli' ? `npm run ${name}` : basename(script);
}

const tooLongToReach = (dir: string, h: LockHolder, bytes: number) =>
  `DATA_DIR ${dir} is in use by ${describeHolder(h)}, and its socket path is too long to reach it (${bytes} bytes, over ${MAX_SOCKET_PATH}): stop the app first, or use a shorter DATA_DIR`;

/** node-postgres over the app's socket; null when no app answers there. */
async function connectSocket(dir: string, poolSize: number, logger?: Logger): Promise<EmbeddedStore | null> {
  const pool = new Pool({ host: dir, port: SOCKET_PORT, user: 'postgres', database: 'postgres', ssl: false, max: poolSize, connectionTimeoutMillis: 5_000 });
  pool.on('error', (err) => logger?.warn({ err }, 'embedded store socket connection lost'));
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    // Nobody there (a socket file left by a crash, or none), or the app is stopping: the lock decides.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || (code === '53300' && (err as Error).message === STOPPING)) return null;
    throw err;
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // Kysely ends the pool only if it ran a query; the probe's idle connection would keep the process up for 10 s.
  const close = async () => {
    await db.destroy();
    if (!pool.ended) await pool.end();
  };
  return { db, via: 'socket', close };
}

/** Opens the directory as its owner (lock held): PGlite, then (serve) the socket. The lock is released on close or at exit. */
async function own(dir: string, lock: DirLock, opts: EmbeddedOptions): Promise<EmbeddedStore> {
  const onExit = () => lock.release();
  process.once('exit', onExit);
  let pglite: PGlite | undefined;
  let server: SocketServer | null = null;
  try {
    await initInChild(dir);
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = await PGlite.create(dir, pgliteOptions(PGlite));
    privatizeTree(dir);
    const turns = new SessionTurns();
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite, turns) });
    if (opts.mode === 'serve') {
      const socket = socketPathFor(dir);
      if (socket.tooLong) opts.logger?.warn(`DATA_DIR ${dir} is too long a path for the socket (${socket.bytes} bytes, over ${MAX_SOCKET_PATH}): commands cannot reach the running app; use a shorter DATA_DIR`);
      else server = await serveSession(pglite, turns, socket.path, { logger: opts.logger });
    }
    let closed = false;
    return {
      db,
      via: 'owner',
      async close() {
        if (closed) return;
        closed = true;
        try {
          await server?.close();
          await closeBoth(db, pglite as PGlite);
        } finally {
          lock.release();
          process.off('exit', onExit);
        }
      },
    };
  } catch (err) {
    await server?.close().catch(() => undefined);
    if (pglite !== undefined && !pglite.closed) await pglite.close().catch(() => undefined);
    lock.release();
    process.off('exit', onExit);
    throw err;
  }
}

/**
 * A new data directory is initialized (initdb) in a short-lived child process: initdb runs a
 * second PGlite and copies its whole heap, which would leave this process ~450 MB larger for
 * good; the child gives it all back when it exits.
 */
async function initInChild(dir: string): Promise<void> {
  if (existsSync(join(dir, 'PG_VERSION'))) return;
  const entry = require.resolve('@electric-sql/pglite');
  const script = [
    'const [entry, dir] = process.argv.slice(1);',
    'const { PGlite } = require(entry);',
    'PGlite.create(dir).then((db) => db.close()).then(() => process.exit(0), (e) => { process.stderr.write(String((e && e.stack) || e)); process.exit(1); });',
  ].join('\n');
  await new Promise<void>((resolvePromise, reject) => {
    execFile(process.execPath, ['-e', script, entry, dir], { timeout: 120_000, maxBuffer: 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err === null) resolvePromise();
      else reject(new Error(`could not initialize the embedded database in ${dir}: ${stderr.trim() || err.message}`));
    });
  });
}
