import { z } from 'zod';
import { toMessageRecord, toUserRecord, type MessageRecord, type SlackMessage, type SlackUser, type UserRecord } from '../domain/activity';
import type { Charter } from '../domain/charter';
import { insertMessages } from '../store/activity';
import { addChannel } from '../store/channels';
import type { Store } from '../store/connect';
import { upsertUser } from '../store/users';
import { ExportError, type ExportArchive, type ExportFile } from './export-reader';

export type ImportOptions = {
  charter: Charter;
  /** Private channels, group DMs and DMs are left out unless this is set. */
  includePrivate: boolean;
  onProgress?: (done: number, total: number) => void;
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
  /** Newest human message instant (ms), the default as_of; null when there is none. */
  newestAt: number | null;
  warnings: string[];
};

export const UNKNOWN_TEAM = 'unknown';

const userList = z.array(z.looseObject({ id: z.string({ error: 'every user needs an "id"' }).min(1, 'every user needs an "id"') }), { error: 'must be a JSON array of users' });
const channelList = z.array(z.looseObject({ id: z.string({ error: 'every channel needs an "id"' }).min(1, 'every channel needs an "id"'), name: z.string().optional() }), { error: 'must be a JSON array of channels' });
const messageList = z.array(z.looseObject({}), { error: 'must be a JSON array of messages' });
const DAY_FILE = /^([^/]+)\/(\d{4}-\d{2}-\d{2})\.json$/;
/** Rows per insert (15 columns each: well under Postgres's 65,535 parameters). */
const BATCH = 2000;

async function parseFile<T>(file: ExportFile, schema: z.ZodType<T>): Promise<T> {
  let data: unknown;
  try {
    data = JSON.parse((await file.read()).toString('utf8'));
  } catch (err) {
    if (err instanceof ExportError) throw err;
    throw new ExportError(file.path, `is not valid JSON (${(err as Error).message})`);
  }
  const r = schema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` (at ${issue.path.join('.')})` : '';
    throw new ExportError(file.path, `${issue?.message ?? 'has an unexpected shape'}${where}`);
  }
  return r.data;
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
  const addList = async (name: string, type: 'channel' | 'group', folderKey: 'name' | 'id') => {
    const f = byPath.get(name);
    if (!f) return 0;
    const list = await parseFile(f, channelList);
    for (const c of list) {
      const folder = folderKey === 'name' ? (c.name ?? c.id) : c.id;
      if (!excluded.has(c.id)) folders.set(folder, { id: c.id, type, name: c.name ?? null });
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

  await store.db.transaction().execute(async (trx) => {
    for (const u of users) await upsertUser(trx, storeTeamId, u, 'refresh');
    for (const channel of folders.values()) await addChannel(trx, storeTeamId, channel);
    let batch: MessageRecord[] = [];
    // One insert on the wire while the next files are read and parsed: flush waits for the
    // previous insert only, then starts this one without waiting for it.
    let pending: Promise<void> = Promise.resolve();
    const flush = async () => {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      await pending;
      pending = insertMessages(trx, storeTeamId, rows).then((n) => {
        inserted += n;
      });
      // Handled here so a failure is not an unhandled rejection meanwhile; it surfaces at the next await.
      pending.catch(() => undefined);
    };
    for (let i = 0; i < dayFiles.length; i += 1) {
      const file = dayFiles[i] as ExportFile;
      const folder = (DAY_FILE.exec(file.path) as RegExpExecArray)[1] as string;
      const channel = folders.get(folder);
      if (channel === undefined) {
        skippedFolders.add(folder);
      } else {
        const list = (await parseFile(file, messageList)) as SlackMessage[];
        for (const m of list) {
          const record = toMessageRecord(m, channel.id);
          if (record === null) continue;
          messages += 1;
          const at = record.postedAt.getTime();
          if (newestAt === null || at > newestAt) newestAt = at;
          batch.push(record);
          if (batch.length >= BATCH) await flush();
        }
      }
      opts.onProgress?.(i + 1, total);
    }
    await flush();
    await pending;
  });

  const notListed = [...skippedFolders].filter((f) => !opts.includePrivate || !folders.has(f));
  if (notListed.length > 0) warnings.push(`left out ${notListed.length} folder(s) not among the counted channels${opts.includePrivate ? '' : ' (private conversations need --include-private)'}: ${notListed.slice(0, 5).join(', ')}${notListed.length > 5 ? ', …' : ''}`);
  return { teamId, storeTeamId, users: users.length, channels: channelCount, files: dayFiles.length, messages, inserted, newestAt, warnings };
}
