import { sql } from 'kysely';
import { earlierRequestsStatement, unansweredEarlierRequestsOf, withIndexLookups, type FollowupQuery } from '../../src/store/followups';
import { freshStore, type TestStore } from '../helpers/store';

/**
 * The early-follow-up lookup runs after every message with a mention: what it reads must not grow
 * with the channel's history. A channel where the recipient wrote 6,000 messages long ago (outside
 * the lookback), with statistics taken before the team had any rows (a store whose statistics lag
 * behind a growing team: seen in the bench, where the lookup read the whole channel per earlier
 * request, 0.9 s for 50 lookups); EXPLAIN ANALYZE counts the rows its scans of messages touch.
 */

const TEAM = 'T0BOUND001';
const CH = 'C0BOUND001';
const ANA = 'U0ANA00001';
const BEN = 'U0BEN00001';
const NOW = Date.parse('2026-11-30T12:00:00Z');
const OLD = 6_000;

let store: TestStore;
beforeAll(async () => {
  store = await freshStore();
  // Another team's rows, then statistics: they know nothing of TEAM.
  await sql`insert into messages (team_id, channel_id, ts, posted_at, root_ts, is_reply, user_id, mentions, source)
    select 'T0OTHER001', 'C0OTHER001', (1700000000 + g)::text || '.000100', to_timestamp(1700000000 + g), (1700000000 + g)::text || '.000100', false, 'U0OTHER001', '{}', 'export'
    from generate_series(1, 3000) g`.execute(store.db);
  await sql`analyze messages`.execute(store.db);
  await addOldHistory(0, OLD);
  // Ana's recent requests to Ben, one an hour over the last day, unanswered.
  const recent = Math.floor(NOW / 1000);
  await sql`insert into messages (team_id, channel_id, ts, posted_at, root_ts, is_reply, user_id, mentions, source)
    select ${TEAM}, ${CH}, (${recent} - g * 3600)::text || '.000300', to_timestamp(${recent} - g * 3600), (${recent} - g * 3600)::text || '.000300', false, ${ANA}, array[${BEN}], 'event'
    from generate_series(1, 24) g`.execute(store.db);
});
afterAll(async () => {
  await store.close();
});

/** Ben's messages number from+1..to in the channel, 200 days ago and older; every other one a reply in a thread. */
async function addOldHistory(from: number, to: number): Promise<void> {
  const old = Math.floor((NOW - 200 * 86_400_000) / 1000);
  await sql`insert into messages (team_id, channel_id, ts, posted_at, root_ts, thread_ts, is_reply, user_id, mentions, source)
    select ${TEAM}, ${CH}, (${old} - g)::text || '.000200', to_timestamp(${old} - g),
           case when g % 2 = 0 then (${old} - g)::text || '.000200' else (${old} - g - 1)::text || '.000200' end,
           case when g % 2 = 0 then null else (${old} - g - 1)::text || '.000200' end,
           g % 2 = 1, ${BEN}, '{}', 'export'
    from generate_series(${from + 1}::int, ${to}::int) g`.execute(store.db);
}

const queries: FollowupQuery[] = Array.from({ length: 10 }, (_, i) => ({
  channel: CH,
  author: ANA,
  recipient: BEN,
  ts: `${Math.floor(NOW / 1000) + 60 + i}.000400`,
  rootTs: `${Math.floor(NOW / 1000) + 60 + i}.000400`,
  isReply: false,
  at: new Date(NOW + (60 + i) * 1000),
  since: new Date(NOW - 30 * 86_400_000),
  reactionsCount: true,
}));

type PlanNode = { 'Relation Name'?: string; 'Actual Rows'?: number; 'Actual Loops'?: number; 'Rows Removed by Filter'?: number; 'Rows Removed by Join Filter'?: number; Plans?: PlanNode[] };
/** Rows the plan's scans of messages returned or filtered out, over all their loops. */
function messageRowsTouched(node: PlanNode): number {
  const own = node['Relation Name'] === 'messages' ? ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0)) * (node['Actual Loops'] ?? 1) : 0;
  return own + (node['Rows Removed by Join Filter'] ?? 0) + (node.Plans ?? []).reduce((n, p) => n + messageRowsTouched(p), 0);
}

describe('the early-follow-up lookup reads what its lookback holds, not the channel history', () => {
  it('finds the 20 newest unanswered requests of each of 10 lookups', async () => {
    const found = await unansweredEarlierRequestsOf(store.db, TEAM, queries);
    expect(found.map((f) => f.length)).toEqual(queries.map(() => 20));
  });

  const touched = async (): Promise<number> => {
    const c = earlierRequestsStatement(TEAM, queries).compile(store.db);
    // As unansweredEarlierRequestsOf runs it.
    const r = await withIndexLookups(store.db, (x) => x.executeQuery<{ 'QUERY PLAN': unknown }>({ ...c, sql: `explain (analyze, format json) ${c.sql}` } as typeof c));
    const raw = r.rows[0]?.['QUERY PLAN'];
    const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan: PlanNode }>;
    return messageRowsTouched((plan[0] as { Plan: PlanNode }).Plan);
  };

  it(`touches fewer rows than the recipient's ${OLD} old messages, and no more after ${OLD} more of them`, async () => {
    const before = await touched();
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(OLD);
    await addOldHistory(OLD, 2 * OLD);
    expect(await touched()).toBe(before);
  });
});
