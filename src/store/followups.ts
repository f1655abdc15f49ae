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
 * when both are top-level, a reaction when reactions count). Newest first, at most 20. Read from
 * `requests`, which holds each request's first answers (migrations/202612100001_requests.sql), by
 * index: a reply's thread (requests_thread), or the recipient's top-level requests in the channel
 * within the lookback (requests_top), so the cost does not grow with the channel's history.
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
  // One branch per kind of new message (the other's one-time filter is false): each matches one index.
  const columns = 'r.ts, r.posted_at, r.root_ts, r.is_reply';
  const common = sql`r.team_id = ${teamId} and r.channel_id = q.channel and r.rcpt = q.recipient and r.requester = q.author
        and r.ts < q.ts and r.ts >= q.since_ts and r.posted_at >= q.since
        and not (q.reactions and r.reaction_at <= q.at)`;
  return sql<{ i: number; ts: string; posted_at: Date; root_ts: string; is_reply: boolean }>`${sql.raw(PREPARED)}
    select q.i, m1.ts, m1.posted_at, m1.root_ts, m1.is_reply
    from jsonb_to_recordset(${JSON.stringify(input)}::jsonb)
      as q(i int, channel text, author text, recipient text, ts text, root_ts text, is_reply boolean, at timestamptz, since timestamptz, since_ts text, reactions boolean)
    cross join lateral (
      (select ${sql.raw(columns)} from requests r
       where q.is_reply and r.root_ts = q.root_ts and r.reply_at > q.at and ${common}
       order by r.ts desc limit 20)
      union all
      (select ${sql.raw(columns)} from requests r
       where not q.is_reply and not r.is_reply and r.reply_at > q.at and ${common}
       order by r.ts desc limit 20)
    ) m1
    order by q.i, m1.ts desc`;
}

/** The smallest Slack ts at or after an instant's whole second ("1764580000.000000"): ts text sorts as its time. */
function tsFloor(at: Date): string {
  return `${Math.floor(at.getTime() / 1000)}.000000`;
}
