import { z } from 'zod';
import { refreshEmbeddedStatistics } from '../store/statistics';
import { toUserRecord, tsToDate, type MessageRecord, type SlackUser, type UserRecord } from '../domain/activity';
import type { Charter } from '../domain/charter';
import { insertMessages } from '../store/activity';
import { addChannel } from '../store/channels';
import type { Store } from '../store/connect';
import { openMessageCopy } from '../store/import-copy';
import { deferRequests } from '../store/requests';
import { upsertUser } from '../store/users';
import { checkShape, messageList, parseJson, type ParsedDay } from './export-parse';
import { defaultParseWorkers, startDayParser, type DayParser } from './export-parse-pool';
import { ExportError, type ExportArchive, type ExportFile } from './export-reader';

export type ImportOptions = {
  charter: Charter;
  /** Private channels, group DMs and DMs are left out unless this is set. */
  includePrivate: boolean;
  onProgress?: (done: number, total: number) => void;
  /**
   * How messages are written: 'copy' (COPY in chunks, straight into messages until a row is
   * already there, then through a staging table; Postgres only) or 'insert' (batches of 2,000
   * rows). Default: copy on Postgres, insert on the embedded store. Both store the same rows.
   */
  method?: 'copy' | 'insert';
  /** Threads that parse and classify day files; 0 parses in this thread. Default: defaultParseWorkers. */
  parseWorkers?: number;
  /** Messages per COPY chunk (default 50,000: about 6 MB of COPY text, well inside a statement timeout). */
  copyChunk?: number;
};

export type ImportSummary = {
  /** The team_id most users in users.json carry; null when the export has no users.json. */
  teamId: string | null;
  /** The key the export's rows are stored under (teamId, or "unknown"). */
  storeTeamId: string;
  users: number;
  channels: number;
  files: number;
  /** Human messages read from the export, and how many of them were new to the store. */
  messages: number;
  inserted: number;
  /**
   * Newest message instant (ms) in the export, any kind, in the channels the charter excludes too
   * (the default as_of, SPEC §5); null when there is none. Private conversations left out (no
   * includePrivate) are not opened for it.
   */
  newestAt: number | null;
  warnings: string[];
};

export const UNKNOWN_TEAM = 'unknown';

const userList = z.array(z.looseObject({ id: z.string({ error: 'every user needs an "id"' }).min(1, 'every user needs an "id"') }), { error: 'must be a JSON array of users' });
const channelList = z.array(z.looseObject({ id: z.string({ error: 'every channel needs an "id"' }).min(1, 'every channel needs an "id"'), name: z.string().optional() }), { error: 'must be a JSON array of channels' });
const DAY_FILE = /^([^/]+)\/(\d{4}-\d{2}-\d{2})\.json$/;
/** Rows per insert (15 columns each: well under Postgres's 65,535 parameters). */
const BATCH = 2000;

async function parseFile<T>(file: ExportFile, schema: z.ZodType<T>): Promise<T> {
  return checkShape(file.path, schema, parseJson(file.path, await file.read()));
}

function majority(values: readonly (string | undefined)[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  let n = 0;
  for (const [v, c] of [...counts.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (c > n) {
      best = v;
      n = c;
    }
  }
  return best;
}

/**
 * Streams a Slack workspace export into the store, file by file, in one transaction: a
 * malformed file aborts the import with an error naming it, and nothing is half-imported.
 * Idempotent: messages are keyed by (team, channel, ts), so importing twice counts once.
 * Message text is read only to find mentions and is never stored.
 */
export async function importExport(store: Store, archive: ExportArchive, opts: ImportOptions): Promise<ImportSummary> {
  const byPath = new Map(archive.files.map((f) => [f.path, f]));
  const warnings: string[] = [];
  const channelsFile = byPath.get('channels.json');
  if (channelsFile === undefined) throw new ExportError(archive.label, 'has no channels.json at its top level: is this a Slack workspace export (Settings → Import/export data)?');

  const usersFile = byPath.get('users.json');
  const rawUsers = usersFile ? ((await parseFile(usersFile, userList)) as SlackUser[]) : [];
  if (!usersFile) warnings.push('users.json is missing: nobody is known to the workspace, so no requests can be counted and everyone is in the charter timezone');
  const users = rawUsers.map(toUserRecord).filter((u): u is UserRecord => u !== null);
  const teamId = majority(rawUsers.map((u) => u.team_id));
  const storeTeamId = teamId ?? UNKNOWN_TEAM;

  // Folder name → channel id, for the conversations that are counted.
  const excluded = new Set(opts.charter.excluded_channels);
  const folders = new Map<string, { id: string; type: 'channel' | 'group'; name: string | null }>();
  // Folders of the conversations the charter excludes: only their newest message's time is read.
  const excludedFolders = new Set<string>();
  const addList = async (name: string, type: 'channel' | 'group', folderKey: 'name' | 'id') => {
    const f = byPath.get(name);
    if (!f) return 0;
    const list = await parseFile(f, channelList);
    for (const c of list) {
      const folder = folderKey === 'name' ? (c.name ?? c.id) : c.id;
      if (!excluded.has(c.id)) folders.set(folder, { id: c.id, type, name: c.name ?? null });
      else excludedFolders.add(folder);
    }
    return list.length;
  };
  let channelCount = await addList('channels.json', 'channel', 'name');
  if (opts.includePrivate) {
    channelCount += await addList('groups.json', 'group', 'name');
    channelCount += await addList('mpims.json', 'group', 'name');
    channelCount += await addList('dms.json', 'group', 'id');
  }

  const dayFiles = archive.files.filter((f) => DAY_FILE.test(f.path)).sort((a, b) => a.path.localeCompare(b.path));
  const skippedFolders = new Set<string>();
  let messages = 0;
  let inserted = 0;
  let newestAt: number | null = null;
  const total = dayFiles.length;
  opts.onProgress?.(0, total);

  const method = opts.method ?? (store.kind === 'postgres' ? 'copy' : 'insert');
  if (method === 'copy' && store.kind !== 'postgres') throw new Error('a COPY import needs Postgres; the embedded store imports with batched inserts');
  const workers = opts.parseWorkers ?? defaultParseWorkers(total);
  const parser = startDayParser(workers, method === 'copy' ? { kind: 'copy', teamId: storeTeamId } : { kind: 'records' });
  try {
    await store.db.transaction().execute(async (trx) => {
      // The team's requests are computed anew at the next drain, set-based, rather than queued row by row.
      await deferRequests(trx, storeTeamId);
      for (const u of users) await upsertUser(trx, storeTeamId, u, 'refresh');
      for (const channel of folders.values()) await addChannel(trx, storeTeamId, channel);
      // One write on the wire while the next files are read and parsed: send waits for the
      // previous write only, then starts this one without waiting for it.
      let pending: Promise<void> = Promise.resolve();
      const send = async (write: () => Promise<number>) => {
        await pending;
        pending = write().then((n) => {
          inserted += n;
        });
        // Handled here so a failure is not an unhandled rejection meanwhile; it surfaces at the next await.
        pending.catch(() => undefined);
      };
      let add: (day: ParsedDay) => Promise<void>;
      let flush: () => Promise<void>;
      let finish: () => Promise<void> = async () => undefined;
      if (method === 'copy') {
        const copy = await openMessageCopy(trx, storeTeamId);
        const copyChunk = opts.copyChunk ?? 50_000;
        finish = () => copy.finish();
        let chunk: Uint8Array[] = [];
        let rows = 0;
        flush = async () => {
          if (rows === 0) return;
          const data = chunk;
          chunk = [];
          rows = 0;
          await send(() => copy.load(data));
        };
        add = async (day) => {
          if (day.count === 0 || day.copy === undefined) return;
          chunk.push(day.copy);
          rows += day.count;
          if (rows >= copyChunk) await flush();
        };
      } else {
        let batch: MessageRecord[] = [];
        flush = async () => {
          if (batch.length === 0) return;
          const rows = batch;
          batch = [];
          await send(() => insertMessages(trx, storeTeamId, rows));
        };
        add = async (day) => {
          for (const record of day.records ?? []) {
            batch.push(record);
            if (batch.length >= BATCH) await flush();
          }
        };
      }
      let done = 0;
      try {
        for await (const { folder, day } of parsedDays(dayFiles, folders, parser, Math.max(8, workers * 8))) {
          if (day === null) {
            skippedFolders.add(folder);
          } else {
            messages += day.count;
            if (day.newestAt !== null && (newestAt === null || day.newestAt > newestAt)) newestAt = day.newestAt;
            await add(day);
          }
          done += 1;
          opts.onProgress?.(done, total);
        }
        await flush();
      } catch (err) {
        // The write on the wire ends before the transaction is rolled back: none of its statements may come after.
        await pending.catch(() => undefined);
        throw err;
      }
      await pending;
      await finish();
    });
  } finally {
    await parser.close();
  }

  // The embedded store has no autovacuum: statistics for what was just imported (reports read it next).
  await refreshEmbeddedStatistics(store);
  const newestExcluded = await newestInFolders(dayFiles, excludedFolders, warnings);
  if (newestExcluded !== null && (newestAt === null || newestExcluded > newestAt)) newestAt = newestExcluded;
  const leftOut = [...skippedFolders].filter((f) => excludedFolders.has(f));
  if (leftOut.length > 0) warnings.push(`left out ${leftOut.length} channel(s) the charter excludes (excluded_channels): ${leftOut.slice(0, 5).join(', ')}${leftOut.length > 5 ? ', …' : ''}`);
  const notListed = [...skippedFolders].filter((f) => !excludedFolders.has(f) && (!opts.includePrivate || !folders.has(f)));
  if (notListed.length > 0) warnings.push(`left out ${notListed.length} folder(s) not among the counted channels${opts.includePrivate ? '' : ' (private conversations need --include-private)'}: ${notListed.slice(0, 5).join(', ')}${notListed.length > 5 ? ', …' : ''}`);
  return { teamId, storeTeamId, users: users.length, channels: channelCount, files: dayFiles.length, messages, inserted, newestAt, warnings };
}

/**
 * The newest message instant (ms) in these folders, from each one's newest day file (day files
 * are named by date), any kind of message; null when there is none. Reads only the `ts` of each
 * message there. These folders are not imported, so a file that cannot be read only adds a warning.
 */
async function newestInFolders(files: readonly ExportFile[], folders: ReadonlySet<string>, warnings: string[]): Promise<number | null> {
  const newestFile = new Map<string, ExportFile>();
  for (const f of files) {
    const folder = (DAY_FILE.exec(f.path) as RegExpExecArray)[1] as string;
    // files are in path order: the last one of a folder is its newest day.
    if (folders.has(folder)) newestFile.set(folder, f);
  }
  let newest: number | null = null;
  for (const f of newestFile.values()) {
    let list: Array<{ ts?: unknown }>;
    try {
      list = checkShape(f.path, messageList, parseJson(f.path, await f.read())) as Array<{ ts?: unknown }>;
    } catch (err) {
      if (!(err instanceof ExportError)) throw err;
      warnings.push(`${err.message}: not used for as_of (its channel is excluded, nothing else of it is read)`);
      continue;
    }
    for (const m of list) {
      const at = tsToDate(typeof m.ts === 'string' ? m.ts : undefined)?.getTime() ?? null;
      if (at !== null && (newest === null || at > newest)) newest = at;
    }
  }
  return newest;
}

/**
 * The day files parsed, in order (null for a folder that is not counted), while up to `ahead`
 * files further on are read and parsed meanwhile. A file that cannot be read or parsed fails
 * when its turn comes, so the first bad file in order is the one reported.
 */
async function* parsedDays(
  files: readonly ExportFile[],
  folders: ReadonlyMap<string, { id: string }>,
  parser: DayParser,
  ahead: number,
): AsyncGenerator<{ folder: string; day: ParsedDay | null }> {
  const queue: Array<{ folder: string; day: Promise<ParsedDay | null> }> = [];
  let next = 0;
  const launch = () => {
    const file = files[next] as ExportFile;
    next += 1;
    const folder = (DAY_FILE.exec(file.path) as RegExpExecArray)[1] as string;
    const channel = folders.get(folder);
    const day = channel === undefined ? Promise.resolve(null) : file.read().then((bytes) => parser.parse(file.path, bytes, channel.id));
    // Awaited in its turn; until then a failure must not count as unhandled.
    day.catch(() => undefined);
    queue.push({ folder, day });
  };
  while (next < files.length || queue.length > 0) {
    while (next < files.length && queue.length < ahead) launch();
    const head = queue.shift() as { folder: string; day: Promise<ParsedDay | null> };
    yield { folder: head.folder, day: await head.day };
  }
}
