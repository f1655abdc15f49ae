import type { Executor } from './activity';

/** Channel id → name (without '#') for a workspace; channels whose name is not known are left out. */
export async function channelNames(db: Executor, teamId: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('channels').select(['channel_id', 'name']).where('team_id', '=', teamId).where('name', 'is not', null).execute();
  return new Map(rows.filter((r) => r.name !== null && r.name !== '').map((r) => [r.channel_id, r.name as string]));
}
