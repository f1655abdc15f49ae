import { sql } from 'kysely';
import type { Db } from './connect';
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
 * lookups (messages by channel, author and ts from the lookback on), so the cost does not grow
 * with the channel's history.
 */
export async function unansweredEarlierRequests(db: Db, teamId: string, q: FollowupQuery): Promise<EarlierRequest[]> {
  return (await unansweredEarlierRequestsOf(db, teamId, [q]))[0] ?? [];
}

/** unansweredEarlierRequests for several queries of one team in one statement; answers in the queries' order. */
export async function unansweredEarlierRequestsOf(db: Db, teamId: string, queries: readonly FollowupQuery[]): Promise<EarlierRequest[][]> {
  if (queries.length === 0) return [];
  const { rows } = await withIndexLookups(db, (x) => earlierRequestsStatement(teamId, queries).execute(x));
  const out: EarlierRequest[][] = queries.map(() => []);
  for (const r of rows) out[r.i]?.push({ ts: r.ts, at: new Date(r.posted_at).getTime(), rootTs: r.root_ts, isReply: r.is_reply });
  return out;
}

/**
 * Runs `fn` in a transaction (the caller's, if it is one) whose planner uses no sequential scan:
 * where statistics lag behind the rows (a team growing in a store where another is large, an
 * embedded store that was never analysed), a sequential scan of messages looks cheap to the
 * planner and reads the whole history for each earlier request.
 */
export async function withIndexLookups<T>(db: Db, fn: (x: Db) => Promise<T>): Promise<T> {
  const run = async (x: Db) => {
    await sql`select set_config('enable_seqscan', 'off', true)`.execute(x);
    return fn(x);
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** The statement of unansweredEarlierRequestsOf (exported for the test that EXPLAINs it). */
export function earlierRequestsStatement(teamId: string, queries: readonly FollowupQuery[]) {
  const input = queries.map((q, i) => ({
    i,
    channel: q.channel,
    author: q.author,
    recipient: q.recipient,
    ts: q.ts,
    root_ts: q.rootTs,
    is_reply: q.isReply,
    at: q.at.toISOString(),
    since: q.since.toISOString(),
    since_ts: tsFloor(q.since),
    reactions: q.reactionsCount,
  }));
  return sql<{ i: number; ts: string; posted_at: Date; root_ts: string; is_reply: boolean }>`${sql.raw(PREPARED)}
    select q.i, m1.ts, m1.posted_at, m1.root_ts, m1.is_reply
    from jsonb_to_recordset(${JSON.stringify(input)}::jsonb)
      as q(i int, channel text, author text, recipient text, ts text, root_ts text, is_reply boolean, at timestamptz, since timestamptz, since_ts text, reactions boolean)
    cross join lateral (
      select m1.ts, m1.posted_at, m1.root_ts, m1.is_reply
      from messages m1
      where m1.team_id = ${teamId}
        and m1.channel_id = q.channel
        and m1.user_id = q.author
        and m1.ts < q.ts
        -- the same bound on ts (an index column) as on posted_at: the scan stops at the lookback
        and m1.ts >= q.since_ts
        and m1.posted_at >= q.since
        and m1.mentions @> array[q.recipient]
        and (case when q.is_reply then m1.root_ts = q.root_ts else m1.is_reply = false end)
        -- Three lookups per m1, each bounded by its index: a reply of the recipient's in m1's thread
        -- (messages_root: the thread only); for a top-level m1, a later top-level message of theirs
        -- (messages_channel_user_ts from m1 on); their reaction to m1 (reactions_message). Each stays
        -- a subplan run with m1's values ("offset 0" keeps Postgres from turning it into a join or a
        -- hashed subplan over all the recipient's rows), and "(… <= q.at) is true" keeps the instant
        -- out of the index conditions: with statistics that lagged behind a growing team the planner
        -- otherwise read the channel's, or the team's, whole history for each m1 (test/store/followups-bounded).
        and not exists (
          select 1 from messages r
          where r.team_id = m1.team_id and r.channel_id = m1.channel_id and r.root_ts = m1.root_ts
            and r.user_id = q.recipient and r.ts > m1.ts and (r.posted_at <= q.at) is true
          offset 0)
        and (m1.is_reply or not exists (
          select 1 from messages r
          where r.team_id = m1.team_id and r.channel_id = m1.channel_id and r.user_id = q.recipient
            and r.ts > m1.ts and r.is_reply = false and (r.posted_at <= q.at) is true
          offset 0))
        -- (a reaction of theirs later than m1: their first such one is then at or before q.at)
        and not (q.reactions and exists (
          select 1 from reactions x
          where x.team_id = m1.team_id and x.channel_id = m1.channel_id and x.message_ts = m1.ts
            and x.user_id = q.recipient and (x.reacted_at <= q.at) is true and (x.reacted_at > m1.posted_at) is true
          offset 0))
      order by m1.ts desc
      limit 20
    ) m1
    order by q.i, m1.ts desc`;
}

/** The smallest Slack ts at or after an instant's whole second ("1764580000.000000"): ts text sorts as its time. */
function tsFloor(at: Date): string {
  return `${Math.floor(at.getTime() / 1000)}.000000`;
}
