import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isScalar, parseDocument } from 'yaml';
import { DateTime } from 'luxon';
import { loadDotEnv, loadStoreConfig, processEnv } from '../config';
import { formatProblems, parseCharter, type Charter } from '../domain/charter';
import { connectStore, type Store } from '../store/connect';
import { migrateToLatest } from '../store/migrate';

/** A problem with what the person typed or gave: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Opens the store named by DATABASE_URL / DATA_DIR (reading .env) and applies pending migrations.
 * Embedded store: through the running app's socket in DATA_DIR when it answers, else this
 * process owns DATA_DIR while it runs; while another command owns it, this one waits (saying so
 * on stderr) up to 60 s, then gives up with one line naming the directory and the pid.
 */
export async function openCliStore(): Promise<Store> {
  loadDotEnv();
  // A CLI runs a handful of queries at a time: a small pool leaves the server's connections to the bot.
  const store = await connectStore(loadStoreConfig(processEnv()), { poolSize: 4, onWait: (line) => process.stderr.write(`${line}\n`) });
  try {
    await migrateToLatest(store.db);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/** The largest charter file read: 256 KB (a full charter with every holiday for decades is under 10 KB). */
export const CHARTER_FILE_MAX_BYTES = 256 * 1024;

/** Up to max + 1 bytes of a file (pipes and /dev/stdin too), so a huge file is never read whole. */
async function readCapped(path: string, max: number): Promise<{ bytes: Buffer; size: number | null }> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    if (st.isFile() && st.size > max) return { bytes: Buffer.alloc(0), size: st.size };
    const buf = Buffer.alloc(max + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > max) return { bytes: Buffer.alloc(0), size: null };
    }
    return { bytes: buf.subarray(0, n), size: n };
  } finally {
    await fh.close();
  }
}

const kindOf = (v: unknown): string => (Array.isArray(v) ? 'a list' : v === null ? 'null' : `a ${typeof v}`);

/**
 * Reads a YAML or JSON charter file and validates it; problems name the field. Refused with
 * UsageError (exit 2) before anything is stored: a file that cannot be read, over 256 KB,
 * empty (or only whitespace and comments: never taken as "the defaults"), binary or not
 * UTF-8, not YAML or JSON, YAML/JSON that is not a mapping (a list, a scalar, null), or a
 * charter that does not validate. `{}` is a charter: all the defaults.
 */
export async function readCharterFile(path: string): Promise<Charter> {
  const refuse = (why: string): never => {
    throw new UsageError(`charter file ${path}: ${why}: nothing saved`);
  };
  let read: { bytes: Buffer; size: number | null };
  try {
    read = await readCapped(path, CHARTER_FILE_MAX_BYTES);
  } catch {
    throw new UsageError(`charter file ${path}: cannot be read`);
  }
  if (read.size === null || read.size > CHARTER_FILE_MAX_BYTES) return refuse(`over 256 KB${read.size === null ? '' : ` (${Math.ceil(read.size / 1024)} KB)`}`);
  if (read.bytes.length === 0) return refuse('empty file');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
  } catch {
    return refuse('not YAML or JSON (binary content, not UTF-8 text)');
  }
  if (text.includes('\u0000')) return refuse('not YAML or JSON (binary content, not UTF-8 text)');
  let doc;
  try {
    doc = parseDocument(text);
  } catch (err) {
    return refuse(`not YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const [error] = doc.errors;
  if (error !== undefined) return refuse(`not YAML or JSON (${error.message.split('\n')[0]})`);
  // No content at all ('', blanks, comments, a bare '---'): empty, never "the defaults".
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && doc.contents.source === '')) return refuse('empty file');
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    return refuse(`not YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return refuse(`not a YAML or JSON mapping (it is ${kindOf(data)})`);
  const r = parseCharter(data);
  if (!r.ok) throw new UsageError(`charter file ${path} is not valid:\n${formatProblems(r.problems).replace(/^/gm, '  ')}`);
  return r.charter;
}

/**
 * A file or folder named on the command line, where the person meant it: npm runs a script from
 * the package's root, so a relative path is taken from the directory `npm run` was typed in
 * (INIT_CWD, which npm sets), else from the working directory.
 */
export function userPath(path: string, env: Readonly<Record<string, string | undefined>> = processEnv()): string {
  return resolve(env.INIT_CWD || process.cwd(), path);
}

/** Parses --as-of: ISO-8601 with a time zone or Z; compared at millisecond precision. */
export function parseAsOf(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value);
  const d = new Date(value);
  if (!ok || Number.isNaN(d.getTime())) throw new UsageError(`--as-of ${value}: not an ISO-8601 instant such as 2026-11-23T09:00:00Z`);
  // Date rolls a day past the month's end over (2026-02-30 → 2026-03-02); luxon refuses it.
  if (!DateTime.fromISO(value, { setZone: true }).isValid) throw new UsageError(`--as-of ${value}: not a date and time of the calendar (such as 2026-11-23T09:00:00Z)`);
  return d;
}

/**
 * Arguments of a command that takes none but --help (-h): true when --help was given (the usage is
 * then printed on stdout); anything else is a UsageError naming it, with the usage.
 */
export function onlyHelp(usage: string): boolean {
  let args;
  try {
    args = parseArgs({ options: { help: { type: 'boolean', short: 'h', default: false } } });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`);
  }
  if (args.values.help) process.stdout.write(`${usage}\n`);
  return args.values.help;
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
