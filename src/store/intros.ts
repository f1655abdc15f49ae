import type { Executor } from './activity';

/** The onboarding introduction, once per channel ever: a claim row per (team, channel). */

/** A claim left unposted this long (a crash between claim and post) may be taken again. */
const STALE_MS = 10 * 60_000;

/** True when this caller may post the channel's introduction: never posted, and not claimed by someone alive. */
export async function claimIntro(db: Executor, teamId: string, channelId: string, now: Date): Promise<boolean> {
  const inserted = await db
    .insertInto('channel_intros')
    .values({ team_id: teamId, channel_id: channelId, claimed_at: now, posted_at: null, message_ts: null })
    .onConflict((oc) => oc.columns(['team_id', 'channel_id']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return true;
  const retaken = await db
    .updateTable('channel_intros')
    .set({ claimed_at: now })
    .where('team_id', '=', teamId)
    .where('channel_id', '=', channelId)
    .where('posted_at', 'is', null)
    .where('claimed_at', '<', new Date(now.getTime() - STALE_MS))
    .executeTakeFirst();
  return Number(retaken.numUpdatedRows) > 0;
}

export async function markIntroPosted(db: Executor, teamId: string, channelId: string, ts: string, at: Date): Promise<void> {
  await db.updateTable('channel_intros').set({ posted_at: at, message_ts: ts }).where('team_id', '=', teamId).where('channel_id', '=', channelId).execute();
}

/** Gives a claim back after a failed post, so the next join tries again. */
export async function releaseIntro(db: Executor, teamId: string, channelId: string): Promise<void> {
  await db.deleteFrom('channel_intros').where('team_id', '=', teamId).where('channel_id', '=', channelId).where('posted_at', 'is', null).execute();
}
