import type { Executor } from './activity';

/** Focus sessions (`/async focus`): one open session per person at a time; "focus off" ends it early. */

export type FocusSpan = { start: Date; end: Date };

/** The person's session in force at `at`, or null. */
export async function currentFocus(db: Executor, teamId: string, userId: string, at: Date): Promise<FocusSpan | null> {
  const row = await db
    .selectFrom('focus_sessions')
    .select(['started_at', 'ends_at'])
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .where('started_at', '<=', at)
    .where('ends_at', '>', at)
    .orderBy('ends_at', 'desc')
    .executeTakeFirst();
  return row === undefined ? null : { start: row.started_at, end: row.ends_at };
}

/** Of the given people, those in focus at `at`, with the end of their session. */
export async function inFocus(db: Executor, teamId: string, userIds: readonly string[], at: Date): Promise<Map<string, Date>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('focus_sessions')
    .select(['user_id', 'ends_at'])
    .where('team_id', '=', teamId)
    .where('user_id', 'in', [...userIds])
    .where('started_at', '<=', at)
    .where('ends_at', '>', at)
    .execute();
  const out = new Map<string, Date>();
  for (const r of rows) if ((out.get(r.user_id)?.getTime() ?? 0) < r.ends_at.getTime()) out.set(r.user_id, r.ends_at);
  return out;
}

/** Ends whatever session the person has open at `at` (its end becomes `at`); true when one was open. */
export async function endFocus(db: Executor, teamId: string, userId: string, at: Date): Promise<boolean> {
  const r = await db.updateTable('focus_sessions').set({ ends_at: at }).where('team_id', '=', teamId).where('user_id', '=', userId).where('started_at', '<=', at).where('ends_at', '>', at).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Starts a session [start, end): an open one is ended at `start` first, so sessions never overlap (focus_hours counts each hour once). */
export async function startFocus(db: Executor, teamId: string, userId: string, span: FocusSpan): Promise<void> {
  await endFocus(db, teamId, userId, span.start);
  await db.insertInto('focus_sessions').values({ team_id: teamId, user_id: userId, started_at: span.start, ends_at: span.end }).execute();
}
