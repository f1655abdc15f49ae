import type { FoundRequest, Msg, Person, Reaction } from '../domain/requests';
import type { FocusSession, PulseAnswer, ReportMsg } from '../domain/report';
import { sql } from 'kysely';
import type { Executor } from './activity';
import type { Db } from './connect';
import { drainRequests } from './requests';
import { teamPeople } from './users';

export type ActivityWindow = { from: Date; to: Date; channel?: string };

export type StoredActivity = {
  messages: ReportMsg[];
  reactions: Reaction[];
  people: Map<string, Person>;
  appUserIds: Set<string>;
  decisions: number[];
  focusSessions: FocusSession[];
  pulseAnswers: PulseAnswer[];
};

/**
 * Everything of one workspace (or one channel) posted in [from, to], as domain records: the plain
 * reading the app's aggregated paths replaced (reports, a person's figures, a channel's stats), kept
 * as the reference that tests and the bench compare them with, the domain run over these records.
 */
export async function loadActivity(db: Executor, teamId: string, w: ActivityWindow): Promise<StoredActivity> {
  const [messages, reactions, people, workspace, logged] = await Promise.all([
    db
      .selectFrom('messages')
      .select(['channel_id', 'ts', 'posted_at', 'root_ts', 'is_reply', 'user_id', 'mentions', 'is_meeting_request', 'is_where_is'])
      .where('team_id', '=', teamId)
      .where('posted_at', '>=', w.from)
      .where('posted_at', '<=', w.to)
      .$if(w.channel !== undefined, (q) => q.where('channel_id', '=', w.channel as string))
      .execute(),
    db
      .selectFrom('reactions')
      .select(['channel_id', 'message_ts', 'user_id', 'reacted_at'])
      .where('team_id', '=', teamId)
      .where('reacted_at', '>=', w.from)
      .where('reacted_at', '<=', w.to)
      .$if(w.channel !== undefined, (q) => q.where('channel_id', '=', w.channel as string))
      .execute(),
    teamPeople(db, teamId),
    db.selectFrom('workspaces').select(['bot_user_id']).where('team_id', '=', teamId).executeTakeFirst(),
    loadLogged(db, teamId, w),
  ]);
  return {
    messages: messages.map((m) => ({
      channel: m.channel_id,
      ts: m.ts,
      at: m.posted_at.getTime(),
      rootTs: m.root_ts,
      isReply: m.is_reply,
      user: m.user_id,
      mentions: m.mentions,
      meetingRequest: m.is_meeting_request,
      whereIs: m.is_where_is,
    })),
    reactions: reactions.map((r) => ({ channel: r.channel_id, messageTs: r.message_ts, user: r.user_id, at: r.reacted_at.getTime() })),
    people,
    appUserIds: new Set(workspace?.bot_user_id ? [workspace.bot_user_id] : []),
    ...logged,
  };
}

/** What people logged through the app in [from, to]: decisions, focus sessions (overlapping it) and pulse answers. */
export async function loadLogged(db: Executor, teamId: string, w: { from: Date; to: Date }): Promise<Pick<StoredActivity, 'decisions' | 'focusSessions' | 'pulseAnswers'>> {
  const [decisions, focus, pulse] = await Promise.all([
    db.selectFrom('decisions').select(['decided_at']).where('team_id', '=', teamId).where('decided_at', '>=', w.from).where('decided_at', '<=', w.to).execute(),
    db.selectFrom('focus_sessions').select(['user_id', 'started_at', 'ends_at']).where('team_id', '=', teamId).where('ends_at', '>=', w.from).where('started_at', '<=', w.to).execute(),
    db
      .selectFrom('pulse_responses')
      .select(['user_id', 'answered_at', 'focus', 'stress', 'autonomy'])
      .where('team_id', '=', teamId)
      .where('answered_at', '>=', w.from)
      .where('answered_at', '<=', w.to)
      .execute(),
  ]);
  return {
    decisions: decisions.map((d) => d.decided_at.getTime()),
    focusSessions: focus.map((f) => ({ user: f.user_id, start: f.started_at.getTime(), end: f.ends_at.getTime() })),
    pulseAnswers: pulse.map((p) => ({ user: p.user_id, at: p.answered_at.getTime(), focus: p.focus, stress: p.stress, autonomy: p.autonomy })),
  };
}

/** Earliest and latest message instants of a workspace; null when it has none. */
export async function activitySpan(db: Executor, teamId: string): Promise<{ first: Date; last: Date } | null> {
  const r = await db
    .selectFrom('messages')
    .select((eb) => [eb.fn.min('posted_at').as('first'), eb.fn.max('posted_at').as('last')])
    .where('team_id', '=', teamId)
    .executeTakeFirst();
  if (!r || r.first === null || r.last === null) return null;
  return { first: new Date(r.first as unknown as Date), last: new Date(r.last as unknown as Date) };
}

/** One person's side of a workspace: what their own figures are made of (SPEC §4 from their side). */
export type PersonalActivity = {
  /** Mentions of them and by them posted in [from, asOf], with the first response by as_of; whether each is a request is for the reader to decide (people, channels, bots). */
  found: FoundRequest[];
  /** Their own messages posted in [messagesFrom, asOf]. */
  messages: Array<Pick<Msg, 'channel' | 'user' | 'at'>>;
  people: Map<string, Person>;
  appUserIds: Set<string>;
};

/**
 * A person's requests and messages without the team's: requests come from the `requests` table
 * (each with its first answering message and reaction, brought up to date first), read by time and
 * kept when the person is the recipient or the requester; so the cost follows the window, and no
 * message of anyone else reaches the process.
 */
export async function personalActivity(db: Db, teamId: string, userId: string, w: { from: Date; messagesFrom: Date; asOf: Date; reactionsCount: boolean }): Promise<PersonalActivity> {
  // Every write of the team committed before now is in `requests` (as for a report).
  await drainRequests(db, { team: teamId });
  const [found, messages, people, workspace] = await Promise.all([
    sql<{ channel_id: string; ts: string; root_ts: string; is_reply: boolean; requester: string; rcpt: string; posted_at: Date; reply_at: Date | null; reaction_at: Date | null }>`
      select channel_id, ts, root_ts, is_reply, requester, rcpt, posted_at,
             case when reply_at <= ${w.asOf} then reply_at end as reply_at,
             case when ${w.reactionsCount} and reaction_at <= ${w.asOf} then reaction_at end as reaction_at
      from requests
      where team_id = ${teamId} and posted_at >= ${w.from} and posted_at <= ${w.asOf} and (rcpt = ${userId} or requester = ${userId})`.execute(db),
    db
      .selectFrom('messages')
      .select(['channel_id', 'posted_at'])
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .where('posted_at', '>=', w.messagesFrom)
      .where('posted_at', '<=', w.asOf)
      .execute(),
    teamPeople(db, teamId),
    db.selectFrom('workspaces').select(['bot_user_id']).where('team_id', '=', teamId).executeTakeFirst(),
  ]);
  return {
    found: found.rows.map((r) => {
      const answers = [r.reply_at, r.reaction_at].filter((x): x is Date => x !== null).map((x) => new Date(x).getTime());
      return {
        channel: r.channel_id,
        ts: r.ts,
        rootTs: r.root_ts,
        isReply: r.is_reply,
        requester: r.requester,
        recipient: r.rcpt,
        askedAt: new Date(r.posted_at).getTime(),
        respondedAt: answers.length > 0 ? Math.min(...answers) : null,
      };
    }),
    messages: messages.map((m) => ({ channel: m.channel_id, user: userId, at: m.posted_at.getTime() })),
    people,
    appUserIds: new Set(workspace?.bot_user_id ? [workspace.bot_user_id] : []),
  };
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
