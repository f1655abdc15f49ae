import { sql } from 'kysely';
import type { Executor } from './activity';
import type { Db } from './connect';

/** Claims on weekly digests: (team, week) is posted once, however many replicas or CLIs try. */

export type DigestClaim = {
  teamId: string;
  weekStart: string;
  /** When this round's first claim was taken: the message, if posted, is not older than this. */
  roundStartedAt: Date;
  /** Claims in this round, this one included: above 1, an earlier claimant may have posted. */
  attempts: number;
  channelId: string | null;
  messageTs: string | null;
  chartFileId: string | null;
};

export type DigestRow = DigestClaim & { postedAt: Date | null; leaseUntil: Date; lastError: string | null };

type Row = { team_id: string; week_start: string; round_started_at: Date; attempts: number; channel_id: string | null; message_ts: string | null; chart_file_id: string | null; posted_at: Date | null; lease_until: Date; last_error: string | null };

const toRow = (r: Row): DigestRow => ({
  teamId: r.team_id,
  weekStart: r.week_start,
  roundStartedAt: new Date(r.round_started_at),
  attempts: Number(r.attempts),
  channelId: r.channel_id,
  messageTs: r.message_ts,
  chartFileId: r.chart_file_id,
  postedAt: r.posted_at === null ? null : new Date(r.posted_at),
  leaseUntil: new Date(r.lease_until),
  lastError: r.last_error,
});

/**
 * Takes the (team, week) digest until `now + leaseMs`. Null when it is done (posted with its
 * chart) or another claimant holds a live lease. `force` starts a new round even when done
 * (the previous message is then not looked for), but never takes a live lease.
 * Times are the caller's clock, so that every replica judges leases the same way.
 */
export async function claimDigest(db: Db, teamId: string, weekStart: string, now: Date, leaseMs: number, opts: { force?: boolean } = {}): Promise<DigestClaim | null> {
  const force = opts.force === true;
  const until = new Date(now.getTime() + leaseMs);
  const r = await sql<Row>`
    insert into digest_posts (team_id, week_start, round_started_at, claimed_at, lease_until, attempts)
    values (${teamId}, ${weekStart}, ${now}, ${now}, ${until}, 1)
    on conflict (team_id, week_start) do update set
      claimed_at = excluded.claimed_at,
      lease_until = excluded.lease_until,
      attempts = case when ${force}::boolean then 1 else digest_posts.attempts + 1 end,
      round_started_at = case when ${force}::boolean then excluded.round_started_at else digest_posts.round_started_at end,
      message_ts = case when ${force}::boolean then null else digest_posts.message_ts end,
      posted_at = case when ${force}::boolean then null else digest_posts.posted_at end,
      chart_file_id = case when ${force}::boolean then null else digest_posts.chart_file_id end,
      last_error = null
    where digest_posts.lease_until <= excluded.claimed_at
      and (${force}::boolean or digest_posts.posted_at is null or digest_posts.chart_file_id is null)
    returning team_id, week_start, round_started_at, attempts, channel_id, message_ts, chart_file_id, posted_at, lease_until, last_error`.execute(db);
  const row = r.rows[0];
  return row === undefined ? null : toRow(row);
}

/** The digest row of a (team, week), if any claim was ever taken. */
export async function digestRow(db: Executor, teamId: string, weekStart: string): Promise<DigestRow | null> {
  const r = await db
    .selectFrom('digest_posts')
    .select(['team_id', 'week_start', 'round_started_at', 'attempts', 'channel_id', 'message_ts', 'chart_file_id', 'posted_at', 'lease_until', 'last_error'])
    .where('team_id', '=', teamId)
    .where('week_start', '=', weekStart)
    .executeTakeFirst();
  return r === undefined ? null : toRow(r as Row);
}

/** The channel the message is about to be posted in (a claimant after a crash looks there). */
export async function setDigestTarget(db: Executor, teamId: string, weekStart: string, channelId: string): Promise<void> {
  await db.updateTable('digest_posts').set({ channel_id: channelId }).where('team_id', '=', teamId).where('week_start', '=', weekStart).execute();
}

/** The message is in the channel (posted now, or found by its metadata after a crash). */
export async function markDigestPosted(db: Executor, teamId: string, weekStart: string, channelId: string, messageTs: string, at: Date): Promise<void> {
  await db.updateTable('digest_posts').set({ channel_id: channelId, message_ts: messageTs, posted_at: at }).where('team_id', '=', teamId).where('week_start', '=', weekStart).execute();
}

/** The chart is in the message's thread: the digest is done; the lease is let go. */
export async function markDigestChart(db: Executor, teamId: string, weekStart: string, fileId: string, at: Date): Promise<void> {
  await db.updateTable('digest_posts').set({ chart_file_id: fileId, lease_until: at }).where('team_id', '=', teamId).where('week_start', '=', weekStart).execute();
}

/** A try failed: the claim is let go until `retryAt` (a backoff), with the error's code (never text). */
export async function releaseDigest(db: Executor, teamId: string, weekStart: string, retryAt: Date, code: string | null): Promise<void> {
  await db.updateTable('digest_posts').set({ lease_until: retryAt, last_error: code }).where('team_id', '=', teamId).where('week_start', '=', weekStart).execute();
}

/** Workspaces the app serves (token mode: one), for the scheduler. */
export async function servedTeams(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('workspaces').select('team_id').orderBy('team_id').execute();
  return rows.map((r) => r.team_id);
}

/** Every team this store has anything of (for "teams in this store: …"). */
export async function knownTeams(db: Db): Promise<string[]> {
  const r = await sql<{ team_id: string }>`
    select team_id from workspaces union select team_id from charters union select distinct team_id from messages order by team_id`.execute(db);
  return r.rows.map((x) => x.team_id);
}

/** Whether the store has anything of a team (cheap: stops at the first row found). */
export async function hasTeam(db: Db, teamId: string): Promise<boolean> {
  const r = await sql<{ found: boolean }>`
    select exists (select 1 from workspaces where team_id = ${teamId})
        or exists (select 1 from charters where team_id = ${teamId})
        or exists (select 1 from messages where team_id = ${teamId}) as found`.execute(db);
  return r.rows[0]?.found === true;
}
