import type { Db } from './connect';

/**
 * Claims on interactivity payloads (migrations/202612080001_interaction_claims.sql): a button
 * click or a modal submission is handled once however often Slack delivers it. Keys are opaque
 * (the service hashes what identifies the payload); no user id or text is stored.
 */

/** The table, typed here (schema.ts is not this file's to change): see the migration. */
export interface InteractionClaimsTable {
  team_id: string;
  key: string;
  claimed_at: Date;
}
type WithClaims = { interaction_claims: InteractionClaimsTable };
const claims = (db: Db) => db.withTables<WithClaims>();

/** How long a claim is kept: Slack redelivers within seconds; a day is plenty. */
export const CLAIM_TTL_MS = 24 * 60 * 60_000;

/**
 * Claims (team, key) at `at`: true the first time, false while an earlier claim stands (a replay),
 * atomically across concurrent deliveries and replicas. First deletes the team's claims older
 * than CLAIM_TTL_MS (an index range on (team_id, claimed_at) that finds little or nothing).
 */
export async function claimInteraction(db: Db, teamId: string, key: string, at: Date): Promise<boolean> {
  const q = claims(db);
  await q.deleteFrom('interaction_claims').where('team_id', '=', teamId).where('claimed_at', '<', new Date(at.getTime() - CLAIM_TTL_MS)).execute();
  const row = await q
    .insertInto('interaction_claims')
    .values({ team_id: teamId, key, claimed_at: at })
    .onConflict((oc) => oc.columns(['team_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return row !== undefined;
}

/** Gives a claim back (the payload was answered with errors and did nothing): the same payload may then be handled. */
export async function releaseInteraction(db: Db, teamId: string, key: string): Promise<void> {
  await claims(db).deleteFrom('interaction_claims').where('team_id', '=', teamId).where('key', '=', key).execute();
}
