import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { COPY_COLUMNS } from '../src/store/import-copy';

/**
 * The import's baseline on Postgres, the database's own speed: the same export imported into a new
 * schema (a store holding nothing else, as for an audit before a pilot), then the messages it
 * stored dumped and loaded again with a plain `COPY … FROM` into another new schema (the same
 * table, indexes and triggers; requests deferred as the import defers them), both timed; prints
 * messages/s of each and their ratio. The import writes the export's people and channels too.
 */
export function importBesideCopy(databaseUrl: string, exportDir: string, teamId: string, rowsFile: string): void {
  const tsx = join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const schemas = [`bench_${process.pid}_import`, `bench_${process.pid}_copy`] as const;
  const urlOf = (schema: string) => {
    const url = new URL(databaseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    // libpq (psql) reads %20, not the + that URLSearchParams writes for a space.
    return url.toString().replace(/\+/g, '%20');
  };
  const psql = (url: string, ...commands: string[]) => execFileSync('psql', [url, '-qAt', ...commands.flatMap((c) => ['-c', c])], { encoding: 'utf8' });
  const columns = COPY_COLUMNS.join(', ');
  try {
    for (const schema of schemas) psql(databaseUrl, `set client_min_messages = warning; drop schema if exists ${schema} cascade; create schema ${schema}`);
    const [importSchema, copySchema] = schemas;
    const out = execFileSync(tsx, [join(__dirname, 'audit-once.ts'), exportDir, '--import-only'], { env: { ...process.env, DATABASE_URL: urlOf(importSchema) }, encoding: 'utf8', maxBuffer: 1 << 20 });
    const imported = JSON.parse(out) as { messages: number; import_s: number; import_msgs_per_s: number };
    psql(urlOf(importSchema), `\\copy (select ${columns} from messages where team_id = '${teamId}' order by ctid) to '${rowsFile}'`);
    execFileSync(tsx, [join(__dirname, '..', 'src', 'cli', 'migrate.ts')], { env: { ...process.env, DATABASE_URL: urlOf(copySchema) }, stdio: 'ignore' });
    const c0 = performance.now();
    psql(urlOf(copySchema), 'set async_charter.defer_requests = on', `\\copy messages (${columns}) from '${rowsFile}'`);
    const copyS = (performance.now() - c0) / 1000;
    const rows = Number(psql(urlOf(copySchema), 'select count(*) from messages').trim());
    process.stdout.write(
      `import postgres, new schema: ${imported.import_msgs_per_s} msg/s (${imported.messages} messages in ${imported.import_s.toFixed(1)} s); ` +
        `baseline, the database's COPY of the same ${rows} rows into a new schema: ${Math.round(rows / copyS)} rows/s (${copyS.toFixed(1)} s); ` +
        `import / COPY ${(imported.import_msgs_per_s / (rows / copyS)).toFixed(2)}×\n`,
    );
  } finally {
    rmSync(rowsFile, { force: true });
    for (const schema of schemas) psql(databaseUrl, `set client_min_messages = warning; drop schema if exists ${schema} cascade`);
  }
}
