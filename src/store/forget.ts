import { sql } from 'kysely';
import type { Db } from './connect';
import { drainRequests } from './requests';

/**
 * `/async forget-me`: everything the store holds that names one person in one workspace goes,
 * in one transaction. Rows they own are deleted; rows of other people that name them lose
 * that id and keep the rest. Every query names the team (Citus: distributed by team_id).
 */

/** Rows deleted or changed, per table ("table.column" when other people's rows were changed in place), and their sum. */
export type ForgetCounts = { tables: Record<string, number>; total: number };

/** What a `<@U…>` mention of the forgotten person becomes in text other people submitted (decision summaries). */
export const FORGOTTEN_MENTION = '@someone';

/**
 * Every key forgetPerson reports, in the order it works through them:
 * - `users`: their directory row (display name, tz, flags)
 * - `channel_members`: their channel memberships
 * - `messages`: messages they wrote (ids, times, flags)
 * - `messages.mentions`: other people's messages that mentioned them (the id leaves `mentions`)
 * - `reactions`: reactions they added (reactions of others on their messages name only the reactor and stay)
 * - `decisions`: decisions they recorded (their text)
 * - `decisions.summary`: other people's decisions whose text mentioned them as `<@U…>` / `<@U…|label>` (→ FORGOTTEN_MENTION)
 * - `focus_sessions`, `pulse_responses`, `nudge_snoozes`: theirs
 * - `nudges`: nudges shown to them, and nudges shown to others about them (`about_user_id`)
 * - `charters`, `charter_history`: `updated_by` = them → null; their id leaves the charter's `editors`
 * - `requests` and `requests_queue` (derived from messages and reactions) follow: the queue the
 *   deletions above filled is applied before the transaction commits, so their requests, made and
 *   received, go with it and the queue keeps nothing of them
 */
export const FORGET_TABLES = [
  'users',
  'channel_members',
  'messages',
  'messages.mentions',
  'reactions',
  'decisions',
  'decisions.summary',
  'focus_sessions',
  'pulse_responses',
  'nudges',
  'nudge_snoozes',
  'charters',
  'charter_history',
] as const;

export type ForgetTable = (typeof FORGET_TABLES)[number];

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g;

/**
 * Deletes (or, in other people's rows, removes) every mention of userId in teamId's data, in
 * one transaction; other teams' rows are never touched. Unknown people → every count 0, and so
 * does a second run. Throws on an empty team or user id (that would match defaults such as
 * nudges.about_user_id = '').
 */
export async function forgetPerson(db: Db, teamId: string, userId: string): Promise<ForgetCounts> {
  if (teamId === '' || userId === '') throw new RangeError('forgetPerson needs a team id and a user id');
  const mention = `<@${userId.replace(REGEX_SPECIAL, '\\$&')}(\\|[^>]*)?>`;
  const editorsHold = sql<boolean>`(jsonb_typeof(charter -> 'editors') = 'array' and (charter -> 'editors') @> jsonb_build_array(${userId}::text))`;
  const withoutEditor = sql<string>`case when ${editorsHold} then jsonb_set(charter, '{editors}', (charter -> 'editors') - ${userId}::text) else charter end`;
  const updatedBy = sql<string | null>`case when updated_by = ${userId} then null else updated_by end`;

  return db.transaction().execute(async (trx) => {
    const n: Record<ForgetTable, number> = Object.fromEntries(FORGET_TABLES.map((t) => [t, 0])) as Record<ForgetTable, number>;
    const deleted = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
    const updated = (r: { numUpdatedRows: bigint }) => Number(r.numUpdatedRows);

    n.users = deleted(await trx.deleteFrom('users').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst());
    n.channel_members = deleted(await trx.deleteFrom('channel_members').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst());
    n.messages = deleted(await trx.deleteFrom('messages').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst());
    n['messages.mentions'] = updated(
      await trx
        .updateTable('messages')
        .set({ mentions: sql<string[]>`array_remove(mentions, ${userId}::text)` })
        .where('team_id', '=', teamId)
        .where(sql<boolean>`${userId}::text = any(mentions)`)
        .executeTakeFirst(),
    );
    n.reactions = deleted(await trx.deleteFrom('reactions').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst());
    n.decisions = deleted(await trx.deleteFrom('decisions').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst());
    n['decisions.summary'] = updated(
      await trx
        .updateTable('decisions')
        .set({ summary: sql<string>`regexp_replace(summary, ${mention}, ${FORGOTTEN_MENTION}, 'g')` })
        .where('team_id', '=', teamId)
        .where(sql<boolean>`summary ~ ${mention}`)
        .executeTakeFirst(),
    );
    n.focus_sessions = deleted(await trx.deleteFrom('focus_sessions').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst());
    n.pulse_responses = deleted(await trx.deleteFrom('pulse_responses').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst());
    n.nudges = deleted(
      await trx
        .deleteFrom('nudges')
        .where('team_id', '=', teamId)
        .where((eb) => eb.or([eb('user_id', '=', userId), eb('about_user_id', '=', userId)]))
        .executeTakeFirst(),
    );
    n.nudge_snoozes = deleted(await trx.deleteFrom('nudge_snoozes').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst());
    n.charters = updated(
      await trx
        .updateTable('charters')
        .set({ updated_by: updatedBy, charter: withoutEditor })
        .where('team_id', '=', teamId)
        .where((eb) => eb.or([eb('updated_by', '=', userId), editorsHold]))
        .executeTakeFirst(),
    );
    n.charter_history = updated(
      await trx
        .updateTable('charter_history')
        .set({ updated_by: updatedBy, charter: withoutEditor })
        .where('team_id', '=', teamId)
        .where((eb) => eb.or([eb('updated_by', '=', userId), editorsHold]))
        .executeTakeFirst(),
    );

    await drainRequests(trx, { team: teamId });
    const tables: Record<string, number> = { ...n };
    return { tables, total: Object.values(n).reduce((a, b) => a + b, 0) };
  });
}
