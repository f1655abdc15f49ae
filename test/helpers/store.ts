import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { Pool } from 'pg';
import type { Config } from '../../src/config';
import { connectStore, type Store } from '../../src/store/connect';
import { memoryImage } from '../../src/store/embedded-store';
import { migrateToLatest } from '../../src/store/migrate';
import { TcpProxy } from './tcp-proxy';

/** Where tests keep data: real Postgres when DATABASE_URL is set (a fresh schema per store), else in-memory PGlite. */
export function testBackend(): 'postgres' | 'pglite' {
  return process.env.DATABASE_URL ? 'postgres' : 'pglite';
}

export type TestStore = Store & { storeConfig: Config['store']; schema: string | undefined };

/** PGlite: the files of a migrated in-memory store, made once per test file (jest loads this module per file). */
let migratedImage: Promise<Blob> | undefined;

/**
 * A fresh, empty store: on Postgres a new schema (dropped again on close), on PGlite a new
 * in-memory database. Migrated unless { migrate: false }.
 */
export async function freshStore(opts: { migrate?: boolean; url?: string; connectUrl?: string } = {}): Promise<TestStore> {
  const url = opts.url ?? process.env.DATABASE_URL;
  let store: Store;
  let schema: string | undefined;
  let storeConfig: Config['store'];
  if (url) {
    schema = `t_${randomBytes(6).toString('hex')}`;
    await adminQuery(url, `create schema ${schema}`);
    storeConfig = { kind: 'postgres', url: opts.connectUrl ?? url };
    store = await connectStore(storeConfig, { searchPath: schema, poolSize: 4 });
  } else {
    storeConfig = { kind: 'pglite', dataDir: 'memory://' };
    // A migrated store starts from the files of one migrated once in this test file (~1 s instead of ~3-4 s).
    if (opts.migrate !== false) migratedImage ??= memoryImage((db) => migrateToLatest(db));
    store = await connectStore(storeConfig, opts.migrate !== false ? { memoryImage: await migratedImage } : {});
  }
  if (opts.migrate !== false && url) await migrateToLatest(store.db);
  const close = store.close.bind(store);
  return {
    ...store,
    storeConfig,
    schema,
    async close() {
      await close();
      if (url && schema) await adminQuery(url, `drop schema if exists ${schema} cascade`);
    },
  };
}

export async function adminQuery(url: string, text: string): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    await pool.query(text);
  } finally {
    await pool.end();
  }
}

/**
 * A store that can be made unavailable and brought back. On Postgres the app talks to it
 * through a TCP proxy that is cut; on PGlite (one process, no network) the events table is
 * renamed away, so every claim fails the way a broken database does.
 */
export async function breakableStore(): Promise<{ store: TestStore; down(): Promise<void>; up(): Promise<void>; dispose(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const target = new URL(url);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.start();
    const via = new URL(url);
    via.hostname = '127.0.0.1';
    via.port = String(port);
    const store = await freshStore({ url, connectUrl: via.toString() });
    return { store, down: async () => proxy.cut(), up: async () => proxy.restore(), dispose: () => proxy.stop() };
  }
  const store = await freshStore();
  return {
    store,
    down: async () => void (await sql`alter table slack_events rename to slack_events_offline`.execute(store.db)),
    up: async () => void (await sql`alter table slack_events_offline rename to slack_events`.execute(store.db)),
    dispose: async () => undefined,
  };
}

/**
 * PGlite: a data directory as the app leaves a new one (initialised, nothing in it), made once per
 * test file; tests that hand a process a new DATA_DIR copy it (a copy takes ~0.1 s, initdb 5-6 s).
 */
let template: Promise<string> | undefined;
export function emptyDataDir(): Promise<string> {
  template ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-template-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    await (await connectStore({ kind: 'pglite', dataDir: dir })).close();
    return dir;
  })();
  return template;
}
