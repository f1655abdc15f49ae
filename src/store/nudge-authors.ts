import { sql } from 'kysely';
import type { Executor } from './activity';

/**
 * Who a nudge was shown to (its author, `nudges.user_id`), for the check its buttons and modals
 * make before acting. A reader of its own so that src/store/nudges.ts stays untouched while it is
 * being changed elsewhere (issue 11); it belongs beside recordOutcome there.
 */

/** The user the nudge was shown to; null for an id that is not a stored nudge of this team (or not a number). */
export async function nudgeAuthor(db: Executor, teamId: string, nudgeId: string): Promise<string | null> {
  if (!/^\d{1,18}$/.test(nudgeId)) return null;
  const row = await db.selectFrom('nudges').select('user_id').where(sql<boolean>`id = ${nudgeId}::bigint`).where('team_id', '=', teamId).executeTakeFirst();
  return row?.user_id ?? null;
}
