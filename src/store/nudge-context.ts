import { sql } from 'kysely';
import type { Charter } from '../domain/charter';
import type { NudgeKind } from '../domain/nudges';
import { charterFromText } from './charters';
import type { Db } from './connect';
import { PREPARED } from './prepared';
import type { NamedPerson } from './users';

/** A nudge an author was shown lately: its kind, about whom ('' for none), when (ms). */
export type RecentNudge = { kind: NudgeKind; about: string; at: number };

/** A focus session: who, from, until (ms). */
export type FocusRow = { userId: string; start: number; end: number };

/** Everything the nudge service reads about a batch of arriving messages of one team, in one round trip. */
export type NudgeContext = {
  charter: Charter;
  /** The authors and the people mentioned, as the directory knows them (unknown ids absent). */
  people: Map<string, NamedPerson>;
  /** Authors who have snoozed nudges after `now`: until when (ms). */
  snoozed: Map<string, number>;
  /** Focus sessions of the people mentioned that overlap [atFrom, atTo]. */
  focus: FocusRow[];
  /** Per author, the nudges shown to them since `since`, oldest first. */
  recent: Map<string, RecentNudge[]>;
};

type Row = {
  charter: string | null;
  people: Array<[string, string | null, boolean, boolean, string | null]>;
  snoozed: Array<[string, number]>;
  focus: Array<[string, number, number]>;
  recent: Array<[string, NudgeKind, string, number]>;
};

/**
 * One query for what loadCharter, namedPeople, isSnoozed, inFocus and countNudges would read
 * for a batch of messages (five round trips per message before): the charter in force, the
 * people, snoozes, focus sessions of the people mentioned, and the authors' recent nudges
 * (bounded by the rate limits, so a few rows each). Each part is an indexed lookup: the cost does
 * not grow with history.
 */
export async function nudgeContext(db: Db, q: { teamId: string; authors: readonly string[]; mentioned: readonly string[]; atFrom: Date; atTo: Date; now: Date; since: Date }): Promise<NudgeContext> {
  const authors = [...new Set(q.authors)];
  const ids = [...new Set([...authors, ...q.mentioned])];
  const mentioned = [...new Set(q.mentioned)];
  const { rows } = await sql<Row>`${sql.raw(PREPARED)}
    select
      (select charter::text from charters where team_id = ${q.teamId}) as charter,
      (select coalesce(json_agg(json_build_array(user_id, tz, is_bot, deleted, display_name)), '[]'::json)
         from users where team_id = ${q.teamId} and user_id = any(${ids}::text[])) as people,
      (select coalesce(json_agg(json_build_array(user_id, floor(extract(epoch from until) * 1000))), '[]'::json)
         from nudge_snoozes where team_id = ${q.teamId} and user_id = any(${authors}::text[]) and until > ${q.now}) as snoozed,
      (select coalesce(json_agg(json_build_array(user_id, floor(extract(epoch from started_at) * 1000), floor(extract(epoch from ends_at) * 1000))), '[]'::json)
         from focus_sessions where team_id = ${q.teamId} and user_id = any(${mentioned}::text[]) and started_at <= ${q.atTo} and ends_at > ${q.atFrom}) as focus,
      (select coalesce(json_agg(json_build_array(user_id, kind, about_user_id, floor(extract(epoch from shown_at) * 1000)) order by shown_at), '[]'::json)
         from nudges where team_id = ${q.teamId} and user_id = any(${authors}::text[]) and shown_at >= ${q.since}) as recent`.execute(db);
  const row = rows[0];
  if (row === undefined) throw new Error('nudge context: no row');
  const recent = new Map<string, RecentNudge[]>(authors.map((a) => [a, []]));
  for (const [user, kind, about, at] of row.recent) recent.get(user)?.push({ kind, about, at: Number(at) });
  return {
    charter: charterFromText(row.charter).charter,
    people: new Map(row.people.map(([id, tz, isBot, deleted, displayName]) => [id, { tz, isBot, deleted, displayName }])),
    snoozed: new Map(row.snoozed.map(([user, until]) => [user, Number(until)])),
    focus: row.focus.map(([userId, start, end]) => ({ userId, start: Number(start), end: Number(end) })),
    recent,
  };
}
