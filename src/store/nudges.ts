import { sql } from 'kysely';
import type { NudgeKind, NudgeOutcome } from '../domain/nudges';
import type { Executor } from './activity';

export type NudgeKey = { teamId: string; channelId: string; messageTs: string; kind: NudgeKind; userId: string; aboutUserId?: string; /** When it is shown (the app's clock); default the database's now(). */ at?: Date };

/**
 * Claims a nudge before it is shown: true once per (message, kind, person, about whom), however
 * often the event arrives and however many replicas see it.
 */
export async function claimNudge(db: Executor, k: NudgeKey): Promise<string | null> {
  const row = await db
    .insertInto('nudges')
    .values({ team_id: k.teamId, channel_id: k.channelId, message_ts: k.messageTs, kind: k.kind, user_id: k.userId, about_user_id: k.aboutUserId ?? '', outcome: null, outcome_at: null, ...(k.at ? { shown_at: k.at } : {}) })
    .onConflict((oc) => oc.columns(['team_id', 'channel_id', 'message_ts', 'kind', 'user_id', 'about_user_id']).doNothing())
    .returning(sql<string>`id::text`.as('id'))
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Takes back a claim whose message could not be delivered, so it does not count against limits. */
export async function releaseNudge(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('nudges').where(sql<boolean>`id = ${id}::bigint`).execute();
}

/** How many nudges of a kind the person was shown since an instant (optionally about one person). */
export async function countNudges(db: Executor, teamId: string, userId: string, kind: NudgeKind, since: Date, aboutUserId?: string): Promise<number> {
  let q = db.selectFrom('nudges').select(sql<number>`count(*)::int`.as('n')).where('team_id', '=', teamId).where('user_id', '=', userId).where('kind', '=', kind).where('shown_at', '>=', since);
  if (aboutUserId !== undefined) q = q.where('about_user_id', '=', aboutUserId);
  const r = await q.executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Records what the person did with a nudge (first outcome wins). Returns false for an unknown nudge. */
export async function recordOutcome(db: Executor, teamId: string, nudgeId: string, userId: string, outcome: NudgeOutcome): Promise<boolean> {
  const r = await db
    .updateTable('nudges')
    .set({ outcome, outcome_at: new Date() })
    .where(sql<boolean>`id = ${nudgeId}::bigint`)
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .where('outcome', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function snoozeUntil(db: Executor, teamId: string, userId: string, until: Date): Promise<void> {
  await db
    .insertInto('nudge_snoozes')
    .values({ team_id: teamId, user_id: userId, until })
    .onConflict((oc) => oc.columns(['team_id', 'user_id']).doUpdateSet({ until }))
    .execute();
}

/** The end of the person's snooze, or null when they are not snoozed at `now`. */
export async function snoozedUntil(db: Executor, teamId: string, userId: string, now: Date): Promise<Date | null> {
  const r = await db.selectFrom('nudge_snoozes').select('until').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
  return r !== undefined && r.until.getTime() > now.getTime() ? r.until : null;
}

/** Ends the person's snooze; true when there was one. */
export async function endSnooze(db: Executor, teamId: string, userId: string): Promise<boolean> {
  const r = await db.deleteFrom('nudge_snoozes').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** When (ms) the person was shown a nudge in [from, to). */
export async function nudgesShownTo(db: Executor, teamId: string, userId: string, from: Date, to: Date): Promise<number[]> {
  const rows = await db.selectFrom('nudges').select('shown_at').where('team_id', '=', teamId).where('user_id', '=', userId).where('shown_at', '>=', from).where('shown_at', '<', to).execute();
  return rows.map((r) => r.shown_at.getTime());
}

export async function isSnoozed(db: Executor, teamId: string, userId: string, now: Date): Promise<boolean> {
  const r = await db.selectFrom('nudge_snoozes').select('until').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
  return r !== undefined && r.until.getTime() > now.getTime();
}

/** A decision recorded through the app (text the person submitted on purpose). */
export async function recordDecision(db: Executor, teamId: string, channelId: string | null, userId: string, summary: string, at?: Date): Promise<void> {
  await db.insertInto('decisions').values({ team_id: teamId, channel_id: channelId, user_id: userId, summary, ...(at ? { decided_at: at } : {}) }).execute();
}

/** Meeting-request nudges shown and how many people marked "not a meeting request" (all teams). */
export async function meetingNudgeFeedback(db: Executor): Promise<{ shown: number; notMeeting: number }> {
  const r = await db
    .selectFrom('nudges')
    .select([sql<number>`count(*)::int`.as('shown'), sql<number>`count(*) filter (where outcome = 'not_meeting')::int`.as('not_meeting')])
    .where('kind', '=', 'meeting_request')
    .executeTakeFirst();
  return { shown: Number(r?.shown ?? 0), notMeeting: Number(r?.not_meeting ?? 0) };
}

/** Meeting-request nudges of a team shown in [from, to), counted by what people did with them. */
export async function meetingNudgeOutcomes(db: Executor, teamId: string, from: Date, to: Date): Promise<{ shown: number; thread: number; memo: number; agenda: number; not_meeting: number }> {
  const r = await db
    .selectFrom('nudges')
    .select([
      sql<number>`count(*)::int`.as('shown'),
      sql<number>`count(*) filter (where outcome = 'thread')::int`.as('thread'),
      sql<number>`count(*) filter (where outcome = 'memo')::int`.as('memo'),
      sql<number>`count(*) filter (where outcome = 'agenda')::int`.as('agenda'),
      sql<number>`count(*) filter (where outcome = 'not_meeting')::int`.as('not_meeting'),
    ])
    .where('team_id', '=', teamId)
    .where('kind', '=', 'meeting_request')
    .where('shown_at', '>=', from)
    .where('shown_at', '<', to)
    .executeTakeFirst();
  return { shown: Number(r?.shown ?? 0), thread: Number(r?.thread ?? 0), memo: Number(r?.memo ?? 0), agenda: Number(r?.agenda ?? 0), not_meeting: Number(r?.not_meeting ?? 0) };
}
