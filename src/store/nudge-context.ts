import { sql } from 'kysely';
import type { Charter } from '../domain/charter';
import type { NudgeKind } from '../domain/nudges';
import { charterFromText } from './charters';
import type { Db } from './connect';
import { PREPARED } from './prepared';
import type { NamedPerson } from './users';

/** A nudge the author was shown lately: its kind, about whom ('' for none), when (ms). */
export type RecentNudge = { kind: NudgeKind; about: string; at: number };

/** Everything the nudge service reads about one arriving message, in one round trip. */
export type NudgeContext = {
  charter: Charter;
  /** The author and the people mentioned, as the directory knows them (unknown ids absent). */
  people: Map<string, NamedPerson>;
  /** The author has snoozed nudges at `now`. */
  snoozed: boolean;
  /** Of the people mentioned, those in focus at the message's time, with the end of their session. */
  focus: Map<string, Date>;
  /** The author's nudges shown since `since`, oldest first. */
  recent: RecentNudge[];
};

/**
 * One query for what loadCharter, namedPeople, isSnoozed, inFocus and countNudges would read
 * for a message (five round trips before): the charter in force, the people, the author's
 * snooze, focus sessions of the people mentioned, and the author's recent nudges (bounded by the
 * rate limits, so a few rows). Each part is an indexed lookup: the cost does not grow with history.
 */
export async function nudgeContext(db: Db, q: { teamId: string; author: string; mentioned: readonly string[]; at: Date; now: Date; since: Date }): Promise<NudgeContext> {
  const ids = [...new Set([q.author, ...q.mentioned])];
  const { rows } = await sql<{ charter: string | null; people: Array<[string, string | null, boolean, boolean, string | null]>; snoozed: boolean; focus: Array<[string, number]>; recent: Array<[NudgeKind, string, number]> }>`${sql.raw(PREPARED)}
    select
      (select charter::text from charters where team_id = ${q.teamId}) as charter,
      (select coalesce(json_agg(json_build_array(user_id, tz, is_bot, deleted, display_name)), '[]'::json)
         from users where team_id = ${q.teamId} and user_id = any(${ids}::text[])) as people,
      exists (select 1 from nudge_snoozes where team_id = ${q.teamId} and user_id = ${q.author} and until > ${q.now}) as snoozed,
      (select coalesce(json_agg(json_build_array(user_id, floor(extract(epoch from ends_at) * 1000))), '[]'::json)
         from focus_sessions where team_id = ${q.teamId} and user_id = any(${[...q.mentioned]}::text[]) and started_at <= ${q.at} and ends_at > ${q.at}) as focus,
      (select coalesce(json_agg(json_build_array(kind, about_user_id, floor(extract(epoch from shown_at) * 1000)) order by shown_at), '[]'::json)
         from nudges where team_id = ${q.teamId} and user_id = ${q.author} and shown_at >= ${q.since}) as recent`.execute(db);
  const row = rows[0];
  if (row === undefined) throw new Error('nudge context: no row');
  const focus = new Map<string, Date>();
  for (const [user, end] of row.focus) if ((focus.get(user)?.getTime() ?? 0) < Number(end)) focus.set(user, new Date(Number(end)));
  return {
    charter: charterFromText(row.charter).charter,
    people: new Map(row.people.map(([id, tz, isBot, deleted, displayName]) => [id, { tz, isBot, deleted, displayName }])),
    snoozed: row.snoozed,
    focus,
    recent: row.recent.map(([kind, about, at]) => ({ kind, about, at: Number(at) })),
  };
}
