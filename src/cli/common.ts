import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { loadDotEnv, loadStoreConfig, processEnv } from '../config';
import { formatProblems, parseCharter, type Charter } from '../domain/charter';
import { connectStore, type Store } from '../store/connect';
import { migrateToLatest } from '../store/migrate';

/** A problem with what the person typed or gave: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Opens the store named by DATABASE_URL / DATA_DIR (reading .env) and applies pending migrations. */
export async function openCliStore(): Promise<Store> {
  loadDotEnv();
  // A CLI runs a handful of queries at a time: a small pool leaves the server's connections to the bot.
  const store = await connectStore(loadStoreConfig(processEnv()), { poolSize: 4 });
  try {
    await migrateToLatest(store.db);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/** Reads a YAML or JSON charter file and validates it; problems name the field. */
export async function readCharterFile(path: string): Promise<Charter> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`charter file ${path}: cannot be read`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new UsageError(`charter file ${path}: not valid YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const r = parseCharter(data ?? {});
  if (!r.ok) throw new UsageError(`charter file ${path} is not valid:\n${formatProblems(r.problems).replace(/^/gm, '  ')}`);
  return r.charter;
}

/** Parses --as-of: ISO-8601 with a time zone or Z; compared at millisecond precision. */
export function parseAsOf(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value);
  const d = new Date(value);
  if (!ok || Number.isNaN(d.getTime())) throw new UsageError(`--as-of ${value}: not an ISO-8601 instant such as 2026-11-23T09:00:00Z`);
  return d;
}

/** Runs a CLI body: UsageError → message and exit 2; anything else → message and exit 1. */
export function runCli(body: () => Promise<number | void>): void {
  // Exit only once stdout has flushed, so a large --json answer is never cut short.
  const exit = (code: number) => process.stdout.write('', () => process.exit(code));
  body().then(
    (code) => exit(code ?? 0),
    (err: unknown) => {
      const usage = err instanceof UsageError || (err as Error)?.name === 'ExportError';
      process.stderr.write(`${usage ? '' : 'error: '}${(err as Error)?.message ?? String(err)}\n`);
      exit(usage ? 2 : 1);
    },
  );
}
