import type { Executor } from './activity';

/** Channel id → name (without '#') for a workspace; channels whose name is not known are left out. */
export async function channelNames(db: Executor, teamId: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('channels').select(['channel_id', 'name']).where('team_id', '=', teamId).where('name', 'is not', null).execute();
  return new Map(rows.filter((r) => r.name !== null && r.name !== '').map((r) => [r.channel_id, r.name as string]));
}

/** Adds a channel (an export's channel list) unless the workspace already has it: what is stored is left alone. */
export async function addChannel(db: Executor, teamId: string, c: { id: string; type: string; name: string | null }): Promise<void> {
  await db
    .insertInto('channels')
    .values({ team_id: teamId, channel_id: c.id, channel_type: c.type, name: c.name })
    .onConflict((oc) => oc.columns(['team_id', 'channel_id']).doNothing())
    .execute();
}
