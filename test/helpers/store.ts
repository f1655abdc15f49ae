import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { Pool } from 'pg';
import type { Config } from '../../src/config';
import { connectStore, type Store } from '../../src/store/connect';
import { memoryImage } from '../../src/store/embedded-store';
import { migrateToLatest, MIGRATIONS_DIR } from '../../src/store/migrate';
import { TcpProxy } from './tcp-proxy';

/** Where tests keep data: real Postgres when DATABASE_URL is set (a fresh schema per store), else in-memory PGlite. */
export function testBackend(): 'postgres' | 'pglite' {
  return process.env.DATABASE_URL ? 'postgres' : 'pglite';
}

export type TestStore = Store & { storeConfig: Config['store']; schema: string | undefined };

/**
 * PGlite's initdb and the migrations cost 5-8 s of CPU, which every test file paid once (jest loads
 * this module per file). Their results are kept on disk instead, shared by test files and jest
 * workers, under a key that changes with anything they depend on: PGlite's version, the migrations,
 * and the store's code (src/store). Written to a temporary name and renamed, so a
 * reader never sees half a file and two workers building at once only waste work.
 */
const CACHE_DIR = join(tmpdir(), `async-charter-test-cache-${String(process.getuid?.() ?? 0)}`);
const ROOT = resolve(__dirname, '..', '..');

function cacheKey(): string {
  const h = createHash('sha256');
  h.update(readFileSync(join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json')));
  const storeCode = join(ROOT, 'src', 'store');
  for (const f of readdirSync(storeCode).sort()) h.update(f).update(readFileSync(join(storeCode, f)));
  for (const f of readdirSync(MIGRATIONS_DIR).sort()) h.update(f).update(readFileSync(join(MIGRATIONS_DIR, f)));
  return h.digest('hex').slice(0, 16);
}

/** The cached result named `name`, made by `make` into a fresh path when missing. */
async function cached(name: string, make: (path: string) => Promise<void>): Promise<string> {
  const key = cacheKey();
  const path = join(CACHE_DIR, `${name}-${key}`);
  if (existsSync(path)) return path;
  mkdirSync(CACHE_DIR, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${String(process.pid)}.${randomBytes(4).toString('hex')}`;
  await make(tmp);
  try {
    renameSync(tmp, path);
  } catch {
    // Another worker's copy got there first (a directory cannot replace a non-empty one): keep it.
    rmSync(tmp, { recursive: true, force: true });
  }
  pruneCache(key);
  return path;
}

/** Results of other keys (older code, another checkout) made over a day ago go, so the cache does not grow with every change. */
const CACHE_MAX_AGE_MS = 24 * 3600 * 1000;
function pruneCache(key: string): void {
  for (const entry of readdirSync(CACHE_DIR)) {
    if (entry.endsWith(`-${key}`)) continue;
    const path = join(CACHE_DIR, entry);
    try {
      if (Date.now() - statSync(path).mtimeMs > CACHE_MAX_AGE_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone already (another worker pruned it).
    }
  }
}

/** PGlite: the files of a migrated in-memory store. */
let migratedImage: Promise<Blob> | undefined;
function migratedStoreImage(): Promise<Blob> {
  migratedImage ??= cached('migrated.tar', async (path) => {
    const image = await memoryImage((db) => migrateToLatest(db));
    writeFileSync(path, Buffer.from(await image.arrayBuffer()));
  }).then((path) => new Blob([readFileSync(path)]));
  return migratedImage;
}

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
    // A migrated store starts from the files of one migrated once (~1 s instead of 5-8 s).
    store = await connectStore(storeConfig, opts.migrate !== false ? { memoryImage: await migratedStoreImage() } : {});
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
 * PGlite: a data directory as `npm run migrate` leaves a new one (initialised and migrated, nothing
 * stored), made once (see `cached`). Tests that hand a process a new DATA_DIR copy it: a copy takes
 * ~0.1 s, where initdb takes 5-6 s and the migrations another ~1.2 s in each process. The process
 * still runs the migrations (none pending); test/store/migrate.test.ts migrates a new directory.
 */
let migratedDir: Promise<string> | undefined;
export function migratedDataDir(): Promise<string> {
  migratedDir ??= cached('migrated-data-dir', async (path) => {
    mkdirSync(path, { mode: 0o700 });
    const store = await connectStore({ kind: 'pglite', dataDir: path });
    try {
      await migrateToLatest(store.db);
    } finally {
      await store.close();
    }
  });
  return migratedDir;
}

/** PGlite: a data directory as the app leaves a new one before migrating (initialised, no tables), made once (see `cached`). */
let emptyDir: Promise<string> | undefined;
export function emptyDataDir(): Promise<string> {
  emptyDir ??= cached('empty-data-dir', async (path) => {
    mkdirSync(path, { mode: 0o700 });
    await (await connectStore({ kind: 'pglite', dataDir: path })).close();
  });
  return emptyDir;
}

/** A new DATA_DIR under the system's temporary directory: a copy of the migrated data directory, or of the initialised-only one with { migrated: false }. */
export async function newDataDir(prefix: string, opts: { migrated?: boolean } = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(await (opts.migrated === false ? emptyDataDir() : migratedDataDir()), dir, { recursive: true });
  return dir;
}
