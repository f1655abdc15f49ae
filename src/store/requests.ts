import { sql } from 'kysely';
import type { Db } from './connect';
import { UNBOUNDED } from './prepared';

/**
 * The `requests` table (migrations/202612100001_requests.sql): SPEC §4's requests with their first
 * responses, read by the weekly report. Triggers on messages and reactions only queue what changed
 * (`requests_queue`); a drain applies the queue, off the acknowledgement path: the app's `requests`
 * job every few seconds, and every report before it reads.
 */

/** Queued rows a drain statement applies at most: a share the store applies in tens of milliseconds. */
export const DRAIN_SHARE = 500;

/**
 * A bulk load: the triggers queue nothing for the rest of the transaction, and the team's requests
 * are computed anew, set-based, at the next drain (for a 1M-message import, looking up the answers
 * chunk by chunk costs more than the COPY itself). Call inside the load's transaction.
 */
export async function deferRequests(trx: Db, teamId: string): Promise<void> {
  await sql`select set_config('async_charter.defer_requests', 'on', true)`.execute(trx);
  await sql`insert into requests_stale (team_id) values (${teamId}) on conflict (team_id) do nothing`.execute(trx);
}

/** Channels of a stale team computed anew per statement (migrations/202612110002_requests_rebuild_by_channel.sql). */
export const REBUILD_CHANNELS = 1;

/**
 * Computes stale teams anew (after an import), channel by channel, then applies the whole queue (as
 * it stands when each share is taken; writes committed meanwhile are applied too); with `team`, that
 * team's only; `maxShares` bounds the statements of each of the two parts. Returns how many queued
 * rows it applied. Each channel and each share is a statement of its own, so that other work on the
 * store (an embedded store's acknowledgements) runs between them: one statement for a whole
 * 1M-message team held the embedded app for 10-12 s.
 */
export async function drainRequests(db: Db, opts: { team?: string; share?: number; maxShares?: number } = {}): Promise<number> {
  const share = opts.share ?? DRAIN_SHARE;
  const team = opts.team ?? null;
  const maxShares = opts.maxShares ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < maxShares; i += 1) {
    const r = await sql<{ n: number }>`${sql.raw(UNBOUNDED)} select requests_rebuild_step(${team}::text, ${REBUILD_CHANNELS}) as n`.execute(db);
    if (Number(r.rows[0]?.n ?? 0) < REBUILD_CHANNELS) break;
  }
  let applied = 0;
  for (let i = 0; i < maxShares; i += 1) {
    const r = await sql<{ n: number }>`${sql.raw(UNBOUNDED)} select requests_drain(${share}, ${team}::text) as n`.execute(db);
    const n = Number(r.rows[0]?.n ?? 0);
    applied += n;
    if (n < share) break;
  }
  return applied;
}

/**
 * ANALYZE for `messages` and `requests` when they hold rows but were never analysed (a new install,
 * a new schema). Without statistics the planner looked the drain's queued messages up by
 * messages_channel_user_ts with the author unbound instead of by the primary key: 150-210 ms for a
 * share of 500 instead of ~55 ms, the largest part of the database's CPU under the first minutes of
 * load, before autovacuum's first analyse. A table analysed once stays with autovacuum (Postgres)
 * or the embedded store's own refresh (statistics.ts). Returns the tables analysed.
 */
export async function analyzeIfNever(db: Db): Promise<string[]> {
  const r = await sql<{ relname: string }>`
    select c.relname from pg_class c
    where c.oid in (to_regclass('messages'), to_regclass('requests')) and c.reltuples < 0 and pg_relation_size(c.oid) > 0
    order by c.relname`.execute(db);
  const tables = r.rows.map((row) => row.relname);
  for (const table of tables) await sql`${sql.raw(UNBOUNDED)} analyze ${sql.table(table)}`.execute(db);
  return tables;
}

/**
 * VACUUM of `requests_queue`, for the embedded store: PGlite runs no autovacuum, and every message
 * queues a row that the next drain deletes. Unvacuumed, the deleted rows' pages were never reused:
 * the queue grew by ~90 bytes per message ever written (18 MB after 200k messages) and each drain
 * read all of it to find the live rows (an empty drain took 0.5 ms at 20k messages, 7.4 ms at 240k,
 * on the app's event loop every 5 s). Vacuumed after each drain that applied rows, it stays at a few
 * pages (an empty drain 0.25 ms at any size; the VACUUM itself 1.3-1.5 ms). On Postgres autovacuum
 * does this.
 */
export async function vacuumQueue(db: Db): Promise<void> {
  await sql`${sql.raw(UNBOUNDED)} vacuum requests_queue`.execute(db);
}
