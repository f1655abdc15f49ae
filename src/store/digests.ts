import { randomUUID } from 'node:crypto';
import { sql, type Updateable } from 'kysely';
import type { Executor } from './activity';
import type { Db } from './connect';
import type { DigestPostsTable } from './schema';

/** Claims on weekly digests: (team, week) is posted once, however many replicas or CLIs try. */

export type DigestClaim = {
  teamId: string;
  weekStart: string;
  /** This claimant's token: every write below checks it, so a claimant that lost the claim writes nothing. */
  token: string;
  /** When this round's first claim was taken: the message, if posted, is not older than this. */
  roundStartedAt: Date;
  /** Claims in this round, this one included: above 1, an earlier claimant may have posted. */
  attempts: number;
  channelId: string | null;
  messageTs: string | null;
  chartFileId: string | null;
};

export type DigestRow = DigestClaim & { postedAt: Date | null; leaseUntil: Date; lastError: string | null };

type Row = { team_id: string; week_start: string; claim_token: string; round_started_at: Date; attempts: number; channel_id: string | null; message_ts: string | null; chart_file_id: string | null; posted_at: Date | null; lease_until: Date; last_error: string | null };

const toRow = (r: Row): DigestRow => ({
  teamId: r.team_id,
  weekStart: r.week_start,
  token: r.claim_token,
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
 * (the previous message is then not looked for), but never takes a live lease. `now` (a person
 * asking, the CLI) does not wait out the backoff after a failed try: a released claim (its
 * last_error set) is held by nobody, and the cause may just have been fixed.
 * Times are the caller's clock: replicas on NTP agree to within seconds, and a lease is minutes
 * (tests move the clock with ASYNC_CHARTER_NOW).
 */
export async function claimDigest(db: Db, teamId: string, weekStart: string, now: Date, leaseMs: number, opts: { force?: boolean; now?: boolean } = {}): Promise<DigestClaim | null> {
  const force = opts.force === true;
  const asked = opts.now === true;
  const until = new Date(now.getTime() + leaseMs);
  const token = randomUUID();
  const r = await sql<Row>`
    insert into digest_posts (team_id, week_start, claim_token, round_started_at, claimed_at, lease_until, attempts)
    values (${teamId}, ${weekStart}, ${token}, ${now}, ${now}, ${until}, 1)
    on conflict (team_id, week_start) do update set
      claim_token = excluded.claim_token,
      claimed_at = excluded.claimed_at,
      lease_until = excluded.lease_until,
      attempts = case when ${force}::boolean then 1 else digest_posts.attempts + 1 end,
      round_started_at = case when ${force}::boolean then excluded.round_started_at else digest_posts.round_started_at end,
      message_ts = case when ${force}::boolean then null else digest_posts.message_ts end,
      posted_at = case when ${force}::boolean then null else digest_posts.posted_at end,
      chart_file_id = case when ${force}::boolean then null else digest_posts.chart_file_id end,
      last_error = null
    where (digest_posts.lease_until <= excluded.claimed_at or (${asked}::boolean and digest_posts.last_error is not null))
      and (${force}::boolean or digest_posts.posted_at is null or digest_posts.chart_file_id is null)
    returning team_id, week_start, claim_token, round_started_at, attempts, channel_id, message_ts, chart_file_id, posted_at, lease_until, last_error`.execute(db);
  const row = r.rows[0];
  return row === undefined ? null : toRow(row);
}

/** The digest row of a (team, week), if any claim was ever taken. */
export async function digestRow(db: Executor, teamId: string, weekStart: string): Promise<DigestRow | null> {
  const r = await db
    .selectFrom('digest_posts')
    .select(['team_id', 'week_start', 'claim_token', 'round_started_at', 'attempts', 'channel_id', 'message_ts', 'chart_file_id', 'posted_at', 'lease_until', 'last_error'])
    .where('team_id', '=', teamId)
    .where('week_start', '=', weekStart)
    .executeTakeFirst();
  return r === undefined ? null : toRow(r as Row);
}

/** Writes to a claimed row; false when the claim was taken over (the lease ran out meanwhile). */
async function write(db: Executor, c: DigestClaim, set: Updateable<DigestPostsTable>): Promise<boolean> {
  const r = await db.updateTable('digest_posts').set(set).where('team_id', '=', c.teamId).where('week_start', '=', c.weekStart).where('claim_token', '=', c.token).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Extends the lease to `now + leaseMs` right before a write to Slack, and records where the
 * message goes (a claimant after a crash looks there). False when the claim was lost: stop.
 */
export function renewDigest(db: Executor, c: DigestClaim, channelId: string, now: Date, leaseMs: number): Promise<boolean> {
  return write(db, c, { channel_id: channelId, lease_until: new Date(now.getTime() + leaseMs) });
}

/** The message is in the channel (posted now, or found by its metadata after a crash). */
export function markDigestPosted(db: Executor, c: DigestClaim, channelId: string, messageTs: string, at: Date): Promise<boolean> {
  return write(db, c, { channel_id: channelId, message_ts: messageTs, posted_at: at });
}

/** The chart is in the message's thread ('' when given up): the digest is done; the lease is let go. */
export function markDigestChart(db: Executor, c: DigestClaim, fileId: string, at: Date): Promise<boolean> {
  return write(db, c, { chart_file_id: fileId, lease_until: at });
}

/** A try failed: the claim is let go until `retryAt` (a backoff), with the error's code (never text). */
export function releaseDigest(db: Executor, c: DigestClaim, retryAt: Date, code: string | null): Promise<boolean> {
  return write(db, c, { lease_until: retryAt, last_error: code });
}
