import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { connectStore } from '../../src/store/connect';
import { MIGRATIONS_DIR, migrateToLatest } from '../../src/store/migrate';
import { freshStore, testBackend } from '../helpers/store';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
/** Every migrations/*.sql file, in name order, without the extension. */
const ALL = readdirSync(MIGRATIONS_DIR)
  .filter((f) => f.endsWith('.sql'))
  .sort()
  .map((f) => f.replace(/\.sql$/, ''));

async function tableNames(db: Parameters<typeof migrateToLatest>[0]): Promise<string[]> {
  const r = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = current_schema() order by table_name`.execute(db);
  return r.rows.map((x) => x.table_name);
}

describe('migrations', () => {
  it('apply every migrations/*.sql file once; a second run applies nothing', async () => {
    const store = await freshStore({ migrate: false });
    try {
      const first = await migrateToLatest(store.db);
      expect(ALL.length).toBeGreaterThanOrEqual(2);
      expect(first.applied).toEqual(ALL);
      expect(await migrateToLatest(store.db)).toEqual({ applied: [] });
      expect(await tableNames(store.db)).toEqual(expect.arrayContaining(['messages', 'slack_events', 'users', 'channels', 'reactions', 'kysely_migration']));
    } finally {
      await store.close();
    }
  });

  it('are safe when two migrators start at once', async () => {
    const store = await freshStore({ migrate: false });
    const other = store.schema !== undefined ? await connectStore(store.storeConfig, { searchPath: store.schema, poolSize: 2 }) : undefined;
    try {
      const results = await Promise.all([migrateToLatest(store.db), migrateToLatest((other ?? store).db)]);
      expect(results.flatMap((r) => r.applied).sort()).toEqual(ALL);
      const rows = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(store.db);
      expect(rows.rows[0]?.n).toBe(ALL.length);
    } finally {
      await other?.close();
      await store.close();
    }
  });

  it('npm run migrate works from the command line, twice, and from two processes at once', async () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
    let cleanup: () => Promise<void>;
    if (testBackend() === 'postgres') {
      const store = await freshStore({ migrate: false });
      const url = new URL(String(process.env.DATABASE_URL));
      url.searchParams.set('options', `-c search_path=${store.schema}`);
      env.DATABASE_URL = url.toString();
      cleanup = () => store.close();
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'ac-migrate-'));
      env.DATA_DIR = dir;
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    try {
      const migrate = () => run('npm', ['run', '--silent', 'migrate'], { cwd: ROOT, env, timeout: 60_000 });
      // PGlite is one process's database: two at once only applies to Postgres.
      const firstRound = testBackend() === 'postgres' ? await Promise.all([migrate(), migrate()]) : [await migrate()];
      const out = firstRound.map((r) => r.stdout).join('');
      expect(out.match(/applied /g)).toHaveLength(1);
      expect(out).toContain(`applied ${ALL.join(', ')} to`);
      const again = await migrate();
      expect(again.stdout).toMatch(/is up to date/);
    } finally {
      await cleanup();
    }
  });
});
