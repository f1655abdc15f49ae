import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './connect';

/**
 * Retention: per workspace, rows older than a cutoff are deleted in batches, and the daily run is
 * claimed per (workspace, UTC day) so that one replica does it. Every query names the team.
 */

/**
 * What retention deletes, per table: a workspace's rows whose time column is before the cutoff
 * (`also`: a second condition the table's index serves). `key` names a row within the team.
 * - `messages` by when posted; `deleted_messages` (a deletion's marker) by when deleted;
 *   `reactions` by when added; `nudges` by when shown; `decisions` by when recorded;
 *   `focus_sessions` by when they ended; `pulse_responses` by when answered;
 *   `digest_posts` (a week's claim) once its lease ended; `nudge_snoozes` once expired.
 * The directory (users, channels, members), the charter and its history, channel intros and
 * the history import's progress are not activity and are kept.
 */
export const ACTIVITY_TABLES = {
  messages: { key: ['channel_id', 'ts'], time: 'posted_at' },
  deleted_messages: { key: ['channel_id', 'ts'], time: 'deleted_at' },
  reactions: { key: ['channel_id', 'message_ts', 'user_id', 'reaction'], time: 'reacted_at' },
  nudges: { key: ['id'], time: 'shown_at' },
  decisions: { key: ['id'], time: 'decided_at' },
  focus_sessions: { key: ['id'], time: 'ends_at', also: 'started_at' },
  pulse_responses: { key: ['user_id', 'week_start'], time: 'answered_at' },
  digest_posts: { key: ['week_start'], time: 'lease_until' },
  nudge_snoozes: { key: ['user_id'], time: 'until' },
} as const;

/** Tables with their own cutoff: event-id dedupe rows (a week), and the runs themselves. */
const OTHER_TABLES = {
  slack_events: { key: ['event_id'], time: 'received_at' },
  retention_runs: { key: ['run_on'], time: 'claimed_at' },
} as const;

export type ActivityTable = keyof typeof ACTIVITY_TABLES;
export type RetentionTable = ActivityTable | keyof typeof OTHER_TABLES;

type Spec = { key: readonly string[]; time: string; also?: string };
const SPECS: Record<RetentionTable, Spec> = { ...ACTIVITY_TABLES, ...OTHER_TABLES };

/**
 * Deletes at most `limit` of the team's rows in `table` older than `cutoff` (one statement, so
 * locks stay short); returns how many. Fewer than `limit` → none are left.
 */
export async function deleteOldRows(db: Db, teamId: string, table: RetentionTable, cutoff: Date, limit: number): Promise<number> {
  const spec = SPECS[table];
  const key = sql.join(spec.key.map((k) => sql.ref(k)));
  const also = spec.also === undefined ? sql`` : sql` and ${sql.ref(spec.also)} < ${cutoff}`;
  // Counted from `returning`: the PGlite dialect reports affected rows for query-builder statements only.
  const r = await sql<{ one: number }>`
    delete from ${sql.table(table)}
    where team_id = ${teamId} and (${key}) in (
      select ${key} from ${sql.table(table)}
      where team_id = ${teamId} and ${sql.ref(spec.time)} < ${cutoff}${also}
      limit ${Math.max(1, Math.floor(limit))})
    returning 1 as one`.execute(db);
  return r.rows.length;
}

/**
 * Deletes at most `limit` of the team's reactions added before `cutoff` in conversations the app
 * has no row for in `channels` (no message of theirs ever came): a reaction is kept when it comes
 * before its conversation's first message (applyReaction), and goes here if that message never
 * showed the conversation to be a tracked channel. The team's reaction channels are walked by
 * their index, one probe each. Returns how many; fewer than `limit` → none are left.
 */
export async function deleteUnconfirmedReactions(db: Db, teamId: string, cutoff: Date, limit: number): Promise<number> {
  const r = await sql<{ one: number }>`
    with recursive seen(channel_id) as (
      (select channel_id from reactions where team_id = ${teamId} order by channel_id limit 1)
      union all
      select (select r.channel_id from reactions r where r.team_id = ${teamId} and r.channel_id > seen.channel_id order by r.channel_id limit 1)
      from seen where seen.channel_id is not null
    )
    delete from reactions
    where team_id = ${teamId} and (channel_id, message_ts, user_id, reaction) in (
      select r.channel_id, r.message_ts, r.user_id, r.reaction
      from seen join reactions r on r.team_id = ${teamId} and r.channel_id = seen.channel_id
      where not exists (select 1 from channels c where c.team_id = ${teamId} and c.channel_id = seen.channel_id)
        and r.reacted_at < ${cutoff}
      limit ${Math.max(1, Math.floor(limit))})
    returning 1 as one`.execute(db);
  return r.rows.length;
}

/**
 * Every workspace the store holds data for: those the app serves (`workspaces`), those with a
 * charter, and those with messages (imports included), found with a skip scan of the messages key.
 */
export async function retentionTeams(db: Db): Promise<string[]> {
  const r = await sql<{ team_id: string }>`
    with recursive m(team_id) as (
      (select team_id from messages order by team_id limit 1)
      union all
      select (select n.team_id from messages n where n.team_id > m.team_id order by n.team_id limit 1) from m where m.team_id is not null
    )
    select team_id from m where team_id is not null
    union select team_id from workspaces
    union select team_id from charters
    order by team_id`.execute(db);
  return r.rows.map((row) => row.team_id);
}

/**
 * Takes the (team, day) run until `now + leaseMs`; its token, or null when the run is finished
 * or another claimant holds a live lease. Times are the caller's clock (replicas agree to seconds).
 */
export async function claimRetention(db: Db, teamId: string, runOn: string, now: Date, leaseMs: number): Promise<string | null> {
  const token = randomUUID();
  const until = new Date(now.getTime() + leaseMs);
  const r = await sql<{ claim_token: string }>`
    insert into retention_runs (team_id, run_on, claim_token, claimed_at, lease_until)
    values (${teamId}, ${runOn}, ${token}, ${now}, ${until})
    on conflict (team_id, run_on) do update set
      claim_token = excluded.claim_token, claimed_at = excluded.claimed_at, lease_until = excluded.lease_until
    where retention_runs.finished_at is null and retention_runs.lease_until <= excluded.claimed_at
    returning claim_token`.execute(db);
  return r.rows[0]?.claim_token === token ? token : null;
}

/** Extends a held claim to `until`; false when it was taken over (stop). */
export async function renewRetention(db: Db, teamId: string, runOn: string, token: string, until: Date): Promise<boolean> {
  const r = await db.updateTable('retention_runs').set({ lease_until: until }).where('team_id', '=', teamId).where('run_on', '=', runOn).where('claim_token', '=', token).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The run is done: what it kept to (null: the charter was unreadable) and deleted in all. */
export async function finishRetention(db: Db, teamId: string, runOn: string, token: string, at: Date, done: { retentionDays: number | null; cutoff: Date | null; deleted: number }): Promise<boolean> {
  const r = await db
    .updateTable('retention_runs')
    .set({ finished_at: at, lease_until: at, retention_days: done.retentionDays, cutoff: done.cutoff, deleted: done.deleted })
    .where('team_id', '=', teamId)
    .where('run_on', '=', runOn)
    .where('claim_token', '=', token)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** A run failed: the claim is let go now, so that a later tick that day tries again. */
export async function releaseRetention(db: Db, teamId: string, runOn: string, token: string, at: Date): Promise<void> {
  await db.updateTable('retention_runs').set({ lease_until: at }).where('team_id', '=', teamId).where('run_on', '=', runOn).where('claim_token', '=', token).execute();
}

export type RetentionRun = { teamId: string; runOn: string; retentionDays: number | null; cutoff: Date | null; deleted: number | null; finishedAt: Date | null };

/** A team's runs, newest first (for tests and operators). */
export async function retentionRuns(db: Db, teamId: string): Promise<RetentionRun[]> {
  const rows = await db.selectFrom('retention_runs').select(['team_id', 'run_on', 'retention_days', 'cutoff', 'deleted', 'finished_at']).where('team_id', '=', teamId).orderBy('run_on', 'desc').execute();
  return rows.map((r) => ({
    teamId: r.team_id,
    runOn: r.run_on,
    retentionDays: r.retention_days === null ? null : Number(r.retention_days),
    cutoff: r.cutoff === null ? null : new Date(r.cutoff),
    deleted: r.deleted === null ? null : Number(r.deleted),
    finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
  }));
}
