import type { MessageRecord } from '../domain/activity';
import { toMessageRecord } from '../domain/activity';
import { insertHistory } from '../store/backfill';
import type { Store } from '../store/connect';
import type { BackfillIngest } from './backfill';

/**
 * The ingest the backfill uses: people's messages (SPEC §2: bots and system messages dropped;
 * DMs and group DMs never) stored as an import stores them, keyed (team, channel, ts) like live
 * events, so a message already stored by an event counts once. The live Ingestor is not involved,
 * so nothing can nudge. `ensurePeople` (the user directory) is given the authors and the mentioned.
 */
export function historyIngest(deps: { store: Store; ensurePeople?: (teamId: string, userIds: readonly string[]) => Promise<void> }): BackfillIngest {
  return async (teamId, messages) => {
    const channels = new Map<string, 'channel' | 'group'>();
    const records: MessageRecord[] = [];
    for (const m of messages) {
      const type = m.channel_type === 'channel' || m.channel_type === 'group' ? m.channel_type : null;
      if (typeof m.channel !== 'string' || m.channel === '' || type === null) continue;
      channels.set(m.channel, type);
      const record = toMessageRecord(m, m.channel);
      if (record !== null) records.push(record);
    }
    const inserted = await insertHistory(deps.store.db, teamId, [...channels].map(([id, type]) => ({ id, type })), records);
    if (deps.ensurePeople !== undefined && records.length > 0) await deps.ensurePeople(teamId, [...new Set(records.flatMap((r) => [r.userId, ...r.mentions]))]);
    return inserted;
  };
}
