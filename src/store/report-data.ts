import type { Person, Reaction } from '../domain/requests';
import type { FocusSession, PulseAnswer, ReportMsg } from '../domain/report';
import { sql } from 'kysely';
import type { Executor } from './activity';
import type { Db } from './connect';
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

/** Everything the report needs for one workspace, messages posted in [from, to], as domain records. */
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
