import { z } from 'zod';
import { toMessageRecord, tsToDate, type MessageRecord, type SlackMessage } from '../domain/activity';
import { encodeMessageRows } from '../store/import-copy';
import { ExportError } from './export-reader';

/**
 * One day file of an export (`<channel>/<YYYY-MM-DD>.json`) → its human messages, as records or
 * as COPY text rows. Pure apart from the text it is given; runs in this thread or in a parse
 * worker (export-parse-worker.ts), with the same result either way. Message text is read to
 * classify it and find mentions, and is not kept.
 */

/** What a day file is turned into: records (for batched inserts) or COPY text rows for a team. */
export type DayFormat = { kind: 'records' } | { kind: 'copy'; teamId: string };

export type ParsedDay = {
  /** Human messages in the file. */
  count: number;
  /** Newest of their instants (ms), null when there is none. */
  newestAt: number | null;
  /** Records (format "records"), or UTF-8 COPY rows (format "copy"). */
  records?: MessageRecord[];
  copy?: Uint8Array;
};

export const messageList = z.array(z.looseObject({}), { error: 'must be a JSON array of messages' });

/** Data checked against a schema; an ExportError naming the file and zod's first problem ("… (at 3.user)") otherwise. */
export function checkShape<T>(path: string, schema: z.ZodType<T>, data: unknown): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` (at ${issue.path.join('.')})` : '';
  throw new ExportError(path, `${issue?.message ?? 'has an unexpected shape'}${where}`);
}

/** JSON.parse of a file's bytes; an ExportError naming the file when it is not JSON. */
export function parseJson(path: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    throw new ExportError(path, `is not valid JSON (${(err as Error).message})`);
  }
}

const UTF8 = new TextEncoder();
const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses one day file of a channel. Throws ExportError (naming the file) when it is not a JSON array of messages. */
export function parseDay(path: string, bytes: Uint8Array, channelId: string, format: DayFormat): ParsedDay {
  const data = parseJson(path, bytes);
  // The common case checked by hand (zod would copy every message); zod words the problem otherwise.
  const list = Array.isArray(data) && data.every(isObject) ? (data as SlackMessage[]) : (checkShape(path, messageList, data) as SlackMessage[]);
  const records: MessageRecord[] = [];
  let newestAt: number | null = null;
  for (const m of list) {
    const record = toMessageRecord(m, channelId);
    // as_of defaults to the newest message in the export (SPEC §5): any message, a bot's or a join too.
    const at = record !== null ? record.postedAt.getTime() : (tsToDate(typeof m.ts === 'string' ? m.ts : undefined)?.getTime() ?? null);
    if (at !== null && (newestAt === null || at > newestAt)) newestAt = at;
    if (record !== null) records.push(record);
  }
  if (format.kind === 'records') return { count: records.length, newestAt, records };
  // A buffer of its own (never Buffer's shared pool), so that a worker can transfer it.
  return { count: records.length, newestAt, copy: UTF8.encode(encodeMessageRows(format.teamId, records)) };
}
