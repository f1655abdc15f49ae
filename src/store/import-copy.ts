import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CompiledQuery, sql, type Transaction } from 'kysely';
import { from as copyFrom, type CopyStreamQuery } from 'pg-copy-streams';
import type { MessageRecord } from '../domain/activity';
import type { Database } from './schema';

/**
 * Export imports into Postgres at COPY speed. Rows are written in COPY's text format, straight
 * into `messages` while nothing conflicts, else through a staging table and one insert … on
 * conflict do nothing per chunk, so a re-import stays idempotent and what lands is exactly what
 * insertMessages (the batched insert the embedded store keeps using) would store.
 */

/** The messages columns an import writes, in the order encodeMessageRows writes them. */
export const COPY_COLUMNS = [
  'team_id',
  'channel_id',
  'ts',
  'posted_at',
  'thread_ts',
  'root_ts',
  'is_reply',
  'user_id',
  'subtype',
  'mentions',
  'edited_ts',
  'source',
  'is_meeting_request',
  'is_where_is',
  'is_question',
] as const;

const COLUMNS = COPY_COLUMNS.join(', ');
const STAGING = 'import_messages';

/**
 * A value as the text Postgres receives for it, as node-postgres writes a query parameter
 * (so a COPY-imported row equals an inserted one): strings as they are, numbers and booleans
 * with toString(), arrays as array literals with every element quoted, dates as ISO instants,
 * other objects as JSON; null and undefined are SQL NULL (null here).
 */
export function pgText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v !== 'object') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return pgArray(v);
  return JSON.stringify(v);
}

function pgArray(items: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < items.length; i += 1) {
    if (i > 0) out += ',';
    const item = items[i];
    if (item === null || item === undefined) out += 'NULL';
    else if (Array.isArray(item)) out += pgArray(item);
    else out += `"${(pgText(item) as string).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  }
  return `${out}}`;
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIAL_ALL = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One field in COPY's text format: \N for NULL; backslash, tab, newline and carriage return escaped. */
export function copyField(v: unknown): string {
  const s = typeof v === 'string' ? v : pgText(v);
  if (s === null) return '\\N';
  return COPY_SPECIAL.test(s) ? s.replace(COPY_SPECIAL_ALL, (c) => COPY_ESCAPES[c] as string) : s;
}

const bool = (b: boolean) => (b ? 't' : 'f');

/** Message records as COPY text rows (COPY_COLUMNS, one line each), as insertMessages would store them. */
export function encodeMessageRows(teamId: string, records: readonly MessageRecord[], source: 'event' | 'export' = 'export'): string {
  const team = copyField(teamId);
  let out = '';
  for (const m of records) {
    out += `${team}\t${copyField(m.channelId)}\t${copyField(m.ts)}\t${m.postedAt.toISOString()}\t${copyField(m.threadTs)}\t${copyField(m.rootTs)}\t${bool(m.isReply)}\t${copyField(m.userId)}\t${copyField(m.subtype)}\t${copyField(m.mentions)}\t${copyField(m.editedTs)}\t${source}\t${bool(m.meetingRequest)}\t${bool(m.whereIs)}\t${bool(m.question)}\n`;
  }
  return out;
}

/**
 * Runs COPY … FROM STDIN on the transaction's own connection and streams `data` into it,
 * waiting for the socket to drain (memory stays at one chunk). Kysely hands a compiled query's
 * `sql` to pg's client.query() as it is, and pg runs any object with submit() as a custom query
 * (how pg-copy-streams plugs in): that keeps the COPY inside the caller's transaction. Postgres only.
 * Returns the rows copied.
 */
async function copyIn(trx: Transaction<Database>, statement: string, data: readonly Uint8Array[]): Promise<number> {
  const stream: CopyStreamQuery = copyFrom(statement);
  await trx.executeQuery(CompiledQuery.raw(stream as unknown as string));
  await pipeline(Readable.from(data, { objectMode: false }), stream);
  return stream.rowCount;
}

/** A bulk load of one team's messages inside one transaction (Postgres only): load() chunk by chunk, in order, then finish(). */
export type MessageCopy = {
  /**
   * Stores one chunk of COPY text rows (encodeMessageRows): rows already stored (team,
   * channel, ts) are left alone, and of two copies of a message in the import the first is
   * kept. Returns how many rows were new, counted as insertMessages counts them (messages
   * deleted earlier included: finish() takes them out again).
   */
  load(data: readonly Uint8Array[]): Promise<number>;
  /** Takes out again the messages the import brought back that were deleted earlier (deleted messages stay deleted). */
  finish(): Promise<void>;
};

const isUniqueViolation = (err: unknown) => (err as { code?: unknown })?.code === '23505';

/**
 * Opens a bulk load. Each chunk is first copied straight into messages (a new team's first
 * import: nothing to skip); the first chunk that meets a row already there (a re-import, a
 * message twice in the export, a live delivery) is rolled back to its savepoint and, like every
 * chunk after it, copied into a staging table (dropped when the transaction ends) and moved with
 * one insert … on conflict do nothing. So at most one chunk's work is done twice.
 */
export async function openMessageCopy(trx: Transaction<Database>, teamId: string): Promise<MessageCopy> {
  let direct = true;
  let staged = false;
  let inserted = 0;
  const viaStaging = async (data: readonly Uint8Array[]) => {
    if (!staged) {
      await sql
        .raw(
          `create temp table ${STAGING} (
            seq bigint generated always as identity,
            team_id text, channel_id text, ts text, posted_at timestamptz, thread_ts text, root_ts text, is_reply boolean,
            user_id text, subtype text, mentions text[], edited_ts text, source text,
            is_meeting_request boolean, is_where_is boolean, is_question boolean
          ) on commit drop`,
        )
        .execute(trx);
      staged = true;
    }
    await copyIn(trx, `copy ${STAGING} (${COLUMNS}) from stdin`, data);
    // In copy order, so that of two rows with one key the first is kept, as a batched insert keeps it.
    const r = await sql.raw(`insert into messages (${COLUMNS}) select ${COLUMNS} from ${STAGING} order by seq on conflict (team_id, channel_id, ts) do nothing`).execute(trx);
    await sql.raw(`truncate ${STAGING}`).execute(trx);
    return Number(r.numAffectedRows ?? 0n);
  };
  return {
    async load(data) {
      if (data.length === 0) return 0;
      let n: number | null = null;
      if (direct) {
        await sql.raw('savepoint import_copy').execute(trx);
        try {
          n = await copyIn(trx, `copy messages (${COLUMNS}) from stdin`, data);
          await sql.raw('release savepoint import_copy').execute(trx);
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
          await sql.raw('rollback to savepoint import_copy').execute(trx);
          direct = false;
        }
      }
      n ??= await viaStaging(data);
      inserted += n;
      return n;
    },
    async finish() {
      if (inserted === 0) return;
      await sql`delete from messages m using deleted_messages d
        where d.team_id = ${teamId} and m.team_id = ${teamId} and m.channel_id = d.channel_id and m.ts = d.ts`.execute(trx);
    },
  };
}
