import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import type { Logger } from '../logger';
import type { SessionTurns, Turn } from './embedded-turns';

/**
 * The running app serves its PGlite to local commands on a Unix socket inside DATA_DIR (never a
 * network port), named as Postgres names its own, so node-postgres reaches it with host = the
 * directory and port = SOCKET_PORT. pglite-socket's handler does the wire framing; turns on the
 * one session are ours (SessionTurns), shared with the app's own Kysely driver.
 */

export const SOCKET_PORT = 5432;
export const SOCKET_NAME = `.s.PGSQL.${SOCKET_PORT}`;
/** sun_path holds 108 bytes on Linux, 104 on macOS and the BSDs, including the final NUL. */
export const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;
/** Local clients served at once (each takes the session in turn). */
export const MAX_CLIENTS = 16;
/** A client that holds the session (in a transaction, or between Parse and Sync) and sends nothing this long while others wait for it is disconnected and rolled back. */
export const HOLD_IDLE_MS = 10_000;

/** What a client connecting while the app stops is told (FATAL 53300). */
export const STOPPING = 'the app is stopping';

/** The socket of an absolute directory, and whether that path is too long for a Unix socket. */
export function socketPathFor(dir: string): { path: string; bytes: number; tooLong: boolean } {
  const path = join(dir, SOCKET_NAME);
  const bytes = Buffer.byteLength(path);
  return { path, bytes, tooLong: bytes > MAX_SOCKET_PATH };
}

export type SocketServer = { readonly path: string; clients(): number; close(): Promise<void> };

type Conn = { turn: Turn; socket: Socket; chain: Promise<unknown>; midCycle: boolean; closed: boolean; idle?: NodeJS.Timeout };

const code = (c: string) => c.charCodeAt(0);
const SYNC = new Uint8Array([code('S'), 0, 0, 0, 4]);

/** A FATAL ErrorResponse, as Postgres sends "too many clients". */
function fatal(sqlstate: string, message: string): Buffer {
  const body = Buffer.from(`SFATAL\0VFATAL\0C${sqlstate}\0M${message}\0\0`);
  const head = Buffer.alloc(5);
  head.write('E');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

export type ServeOptions = { logger?: Logger; /** default HOLD_IDLE_MS */ holdIdleMs?: number };

/** Serves db on path (a stale socket file there is replaced: the caller holds the directory's lock). */
export async function serveSession(db: PGlite, turns: SessionTurns, path: string, opts: ServeOptions = {}): Promise<SocketServer> {
  const { logger } = opts;
  const holdIdleMs = opts.holdIdleMs ?? HOLD_IDLE_MS;
  const conns = new Map<number, Conn>();
  let closing = false;
  const quietly = (bytes: Uint8Array) => db.runExclusive(() => db.execProtocolRawStream(bytes, { onRawData: () => undefined }));

  // What PGLiteSocketHandler asks of its queue (pglite-socket's own queue knows nothing of the app's queries).
  const queue = {
    enqueue(id: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
      const c = conns.get(id);
      if (c === undefined || c.closed) return Promise.reject(new Error('Handler disconnected'));
      const step = async (): Promise<number> => {
        clearTimeout(c.idle);
        await turns.take(c.turn);
        if (c.closed) throw new Error('Handler disconnected');
        let bytes = 0;
        try {
          await db.runExclusive(() =>
            db.execProtocolRawStream(message, {
              onRawData: (d) => {
                bytes += d.length;
                onData(d);
              },
            }),
          );
        } catch (err) {
          c.socket.destroy();
          throw err;
        }
        // A startup packet (first byte 0), a simple Query, a Sync or a Terminate ends an exchange;
        // Parse, Bind, Describe, Execute... wait for their Sync on the same turn.
        const type = message[0];
        c.midCycle = !(type === 0 || type === code('Q') || type === code('S') || type === code('X'));
        if (!c.midCycle && !db.isInTransaction()) {
          turns.give(c.turn);
        } else {
          const idle = (): void => {
            if (turns.waiting() === 0) {
              c.idle = setTimeout(idle, holdIdleMs);
              c.idle.unref();
              return;
            }
            logger?.warn({ held_ms: holdIdleMs }, 'a local client held the embedded store without a word while the app waited (idle in a transaction): disconnected, its transaction rolled back');
            c.socket.destroy();
          };
          c.idle = setTimeout(idle, holdIdleMs);
          c.idle.unref();
        }
        return bytes;
      };
      const run = c.chain.then(step, step);
      c.chain = run.catch(() => undefined);
      return run;
    },
    clearQueueForHandler(id: number): void {
      const c = conns.get(id);
      if (c === undefined) return;
      c.closed = true;
      clearTimeout(c.idle);
      turns.cancel(c.turn, new Error('Handler disconnected'));
    },
    async clearTransactionIfNeeded(id: number): Promise<void> {
      const c = conns.get(id);
      if (c === undefined) return;
      await c.chain;
      try {
        if (turns.holds(c.turn)) {
          if (c.midCycle) await quietly(SYNC);
          if (db.isInTransaction()) await db.exec('rollback');
        }
      } catch (err) {
        logger?.warn({ err }, 'could not roll back after a local client left the embedded store');
      } finally {
        turns.give(c.turn);
        conns.delete(id);
        logger?.debug({ clients: conns.size }, 'a local client left the embedded store');
      }
    },
  };

  const server = createServer((socket) => {
    if (closing || conns.size >= MAX_CLIENTS) {
      socket.end(fatal('53300', closing ? STOPPING : `too many local clients on the embedded store (${MAX_CLIENTS})`));
      return;
    }
    const handler = new PGLiteSocketHandler({ queryQueue: queue as never, closeOnDetach: true });
    const conn: Conn = { turn: { kind: 'socket', label: 'a local command on the socket' }, socket, chain: Promise.resolve(), midCycle: false, closed: false };
    conns.set(handler.handlerId, conn);
    logger?.debug({ clients: conns.size }, 'a local client connected to the embedded store');
    handler.attach(socket).catch(() => socket.destroy());
  });

  try {
    unlinkSync(path);
  } catch {
    // no stale socket
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  server.on('error', (err) => logger?.warn({ err }, 'embedded store socket error'));

  return {
    path,
    clients: () => conns.size,
    async close() {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Let a client finish the transaction it is in (up to 3 s), then cut every connection.
      const t0 = Date.now();
      while ([...conns.values()].some((c) => turns.holds(c.turn)) && Date.now() - t0 < 3_000) await new Promise((r) => setTimeout(r, 20));
      for (const c of conns.values()) c.socket.destroy();
      while (conns.size > 0 && Date.now() - t0 < 5_000) await new Promise((r) => setTimeout(r, 10));
      await closed;
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
}
