import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sql, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './connect';
import { UNBOUNDED } from './prepared';

/** The folder holding the forward-only YYYYMMDDHHMM_what.sql files. */
export const MIGRATIONS_DIR = resolve(__dirname, '..', '..', 'migrations');

/** One advisory lock id for "migrating this database". */
const MIGRATION_LOCK_ID = 7_140_241_118;

/** Serves migrations/*.sql in name order, each file as one migration (one statement text, without the pool's query timeout: a migration may fill a table from a large store). */
export class SqlFileMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string = MIGRATIONS_DIR) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.dir)).filter((f) => f.endsWith('.sql')).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const text = await readFile(join(this.dir, file), 'utf8');
      migrations[file.replace(/\.sql$/, '')] = { up: async (db) => void (await sql.raw(`${UNBOUNDED}\n${text}`).execute(db)) };
    }
    return migrations;
  }
}

export type MigrateOutcome = { applied: string[] };

/**
 * Applies pending migrations, all in one transaction that first takes a transaction-scoped
 * advisory lock: safe to run twice and from two processes at once, and a failing file leaves
 * nothing half-applied. Bookkeeping is Kysely's `kysely_migration` table in the current schema.
 * (Kysely's own Migrator checks for that table by introspecting every table of every schema,
 * which fails now and then while another schema of the same database is being dropped.)
 */
export async function migrateToLatest(db: Db, dir?: string): Promise<MigrateOutcome> {
  const migrations = await new SqlFileMigrationProvider(dir).getMigrations();
  const names = Object.keys(migrations).sort();
  let current = '(setup)';
  try {
    return await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_ID)})`.execute(trx);
      await sql`create table if not exists kysely_migration (name varchar(255) primary key, timestamp varchar(255) not null)`.execute(trx);
      const done = await sql<{ name: string }>`select name from kysely_migration`.execute(trx);
      const seen = new Set(done.rows.map((r) => r.name));
      const applied: string[] = [];
      for (const name of names) {
        if (seen.has(name)) continue;
        current = name;
        await (migrations[name] as Migration).up(trx as unknown as Db);
        await sql`insert into kysely_migration (name, timestamp) values (${name}, ${new Date().toISOString()})`.execute(trx);
        applied.push(name);
      }
      return { applied };
    });
  } catch (err) {
    throw new Error(`migration ${current} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
