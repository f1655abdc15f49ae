import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Migrator, sql, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Db } from './connect';

/** The folder holding the forward-only YYYYMMDDHHMM_what.sql files. */
export const MIGRATIONS_DIR = resolve(__dirname, '..', '..', 'migrations');

/** Serves migrations/*.sql to Kysely's Migrator, in name order; each file runs in one transaction. */
export class SqlFileMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string = MIGRATIONS_DIR) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.dir)).filter((f) => f.endsWith('.sql')).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const text = await readFile(join(this.dir, file), 'utf8');
      migrations[file.replace(/\.sql$/, '')] = { up: async (db) => void (await sql.raw(text).execute(db)) };
    }
    return migrations;
  }
}

export type MigrateOutcome = { applied: string[] };

/**
 * Applies pending migrations. Safe to run twice and from two processes at once: Kysely's
 * Migrator holds a Postgres advisory lock while it reads and applies them.
 */
export async function migrateToLatest(db: Db, dir?: string): Promise<MigrateOutcome> {
  // Kysely looks for its bookkeeping tables in every schema unless told which one: name the
  // schema the app works in, so another schema's tables in the same database never count.
  const current = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = current.rows[0]?.schema ?? 'public';
  const migrator = new Migrator({ db, provider: new SqlFileMigrationProvider(dir), migrationTableSchema: schema });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (error !== undefined) {
    const failed = (results ?? []).find((r) => r.status === 'Error')?.migrationName;
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed ?? '(setup)'} failed: ${cause}`, { cause: error });
  }
  return { applied };
}
