import { sql } from 'kysely';
import type { Executor } from './activity';
import { PREPARED } from './prepared';

/** An earlier request a new message might be following up, as stored (no text). */
export type EarlierRequest = { ts: string; at: number; rootTs: string; isReply: boolean };

export type FollowupQuery = {
  channel: string;
  /** The requester: author of both messages. */
  author: string;
  recipient: string;
  /** The new message (M2). */
  ts: string;
  rootTs: string;
  isReply: boolean;
  at: Date;
  /** Earlier messages are looked for from this instant on. */
  since: Date;
  reactionsCount: boolean;
};

/**
 * The author's earlier messages mentioning the recipient in the same channel, with the same root
 * as the new one (or both top-level), that the recipient had not answered by the new message's
 * time (SPEC §4's responses: a later message of theirs with the same root, a later top-level one
 * when both are top-level, a reaction when reactions count). Newest first, at most 20. Indexed
 * lookups (messages by channel, author and ts), so the cost does not grow with the channel's history.
 */
export async function unansweredEarlierRequests(db: Executor, teamId: string, q: FollowupQuery): Promise<EarlierRequest[]> {
  let query = db
    .selectFrom('messages as m1')
    .modifyFront(sql.raw(PREPARED))
    .select(['m1.ts', 'm1.posted_at', 'm1.root_ts', 'm1.is_reply'])
    .where('m1.team_id', '=', teamId)
    .where('m1.channel_id', '=', q.channel)
    .where('m1.user_id', '=', q.author)
    .where('m1.ts', '<', q.ts)
    .where('m1.posted_at', '>=', q.since)
    // The same bound on ts (an index column): the scan stops at the lookback instead of walking the author's whole history here.
    .where('m1.ts', '>=', tsFloor(q.since))
    .where(sql<boolean>`m1.mentions @> array[${q.recipient}]::text[]`)
    .where((eb) => (q.isReply ? eb('m1.root_ts', '=', q.rootTs) : eb('m1.is_reply', '=', false)))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('messages as r')
            .select(sql`1`.as('one'))
            .whereRef('r.team_id', '=', 'm1.team_id')
            .whereRef('r.channel_id', '=', 'm1.channel_id')
            .where('r.user_id', '=', q.recipient)
            .whereRef('r.ts', '>', 'm1.ts')
            .where('r.posted_at', '<=', q.at)
            .where((e) => e.or([e('r.root_ts', '=', e.ref('m1.root_ts')), e.and([e('m1.is_reply', '=', false), e('r.is_reply', '=', false)])])),
        ),
      ),
    );
  if (q.reactionsCount) {
    query = query.where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('reactions as x')
            .select(sql`1`.as('one'))
            .whereRef('x.team_id', '=', 'm1.team_id')
            .whereRef('x.channel_id', '=', 'm1.channel_id')
            .whereRef('x.message_ts', '=', 'm1.ts')
            .where('x.user_id', '=', q.recipient)
            .where('x.reacted_at', '<=', q.at),
        ),
      ),
    );
  }
  const rows = await query.orderBy('m1.ts', 'desc').limit(20).execute();
  return rows.map((r) => ({ ts: r.ts, at: r.posted_at.getTime(), rootTs: r.root_ts, isReply: r.is_reply }));
}

/** The smallest Slack ts at or after an instant's whole second ("1764580000.000000"): ts text sorts as its time. */
function tsFloor(at: Date): string {
  return `${Math.floor(at.getTime() / 1000)}.000000`;
}
