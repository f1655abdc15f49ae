import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import type { Config } from '../../src/config';
import { connectStore, type Store } from '../../src/store/connect';
import { migrateToLatest } from '../../src/store/migrate';

/** Where tests keep data: real Postgres when DATABASE_URL is set (a fresh schema per store), else in-memory PGlite. */
export function testBackend(): 'postgres' | 'pglite' {
  return process.env.DATABASE_URL ? 'postgres' : 'pglite';
}

export type TestStore = Store & { storeConfig: Config['store']; schema: string | undefined };

/**
 * A fresh, empty store: on Postgres a new schema (dropped again on close), on PGlite a new
 * in-memory database. Migrated unless { migrate: false }.
 */
export async function freshStore(opts: { migrate?: boolean; url?: string } = {}): Promise<TestStore> {
  const url = opts.url ?? process.env.DATABASE_URL;
  let store: Store;
  let schema: string | undefined;
  let storeConfig: Config['store'];
  if (url) {
    schema = `t_${randomBytes(6).toString('hex')}`;
    await adminQuery(url, `create schema ${schema}`);
    storeConfig = { kind: 'postgres', url };
    store = await connectStore(storeConfig, { searchPath: schema, poolSize: 4 });
  } else {
    storeConfig = { kind: 'pglite', dataDir: 'memory://' };
    store = await connectStore(storeConfig);
  }
  if (opts.migrate !== false) await migrateToLatest(store.db);
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
