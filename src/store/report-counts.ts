import { sql, type RawBuilder } from 'kysely';
import type { ChannelWeekCounts, ReportCounts, WeekLatencies } from '../domain/report';
import { workAt, type WorkingTable } from '../domain/working-table';
import type { Executor } from './activity';
import type { Db } from './connect';

/**
 * The weekly report's counts (SPEC §4, §5) aggregated in the database: messages per week and
 * channel in one statement, requests with their responses, due instants, outcomes, latencies
 * and early follow-ups in another, so that no message row reaches the process. Working time
 * comes in as a WorkingTable (domain), searched with width_bucket. Held equal to the domain's
 * reportCounts over the same rows by test/store/report-counts.test.ts.
 */

export type ChannelRule = { channel: string; urgent: boolean; normalMs: number; urgentMs: number };

export type CountsQuery = {
  /** Requests are read from this instant on (the lookback early follow-ups need); messages from the first week's start. */
  from: Date;
  asOf: Date;
  /** Week Monday dates with their [start, end) instants in the charter timezone. */
  weeks: ReadonlyArray<{ week: string; start: number; end: number }>;
  /** Zone key of anyone the directory gives no tz (and of authors it does not know). */
  charterTz: string;
  excludedChannels: readonly string[];
  reactionsCount: boolean;
  /** Windows of channels without a rule of their own. */
  normalMs: number;
  urgentMs: number;
  /** Channels that are urgent or override a window. */
  rules: readonly ChannelRule[];
  /** Working time of every zone key: the charter's and each distinct `users.tz` of the team. */
  table: WorkingTable;
};

/** The counts, or the zones that the table lacks (someone's tz arrived in between): ask again with them. */
export type CountsResult = { ok: true; counts: ReportCounts } | { ok: false; missingZones: string[] };

/** Distinct time zones the team's directory holds (null ones aside). */
export async function teamZones(db: Executor, teamId: string): Promise<string[]> {
  const rows = await db.selectFrom('users').select('tz').distinct().where('team_id', '=', teamId).where('tz', 'is not', null).execute();
  return rows.map((r) => r.tz as string);
}

type MessageRow = { wb: number; ch: string; messages: string; threaded: string; meeting: string; where_is: string; after_hours: string; unzoned: string };
/** One channel's requests in one week. */
type RequestRow = {
  wb: number;
  ch: string;
  requests: string;
  off_hours: string;
  early: string;
  urgent: string;
  on_time: string;
  late: string;
  overdue: string;
  pending: string;
  unzoned: string;
  /** Working ms of each responded normal request, comma-separated; null when none. */
  latencies: string | null;
};

/** Epoch milliseconds of a timestamptz column (stored at millisecond precision). */
const ms = (col: RawBuilder<unknown>) => sql`(date_part('epoch', ${col}) * 1000)::int8`;

/** Statements the requests are split into by channel, run at once (each on a connection of its own where the store has several). */
const PARTS = 2;

/** The counts of the given weeks, as the domain's reportCounts would compute them from the same rows. */
export async function storedReportCounts(db: Db, teamId: string, q: CountsQuery): Promise<CountsResult> {
  const { messagesQuery, requestsQuery, weekOfBucket } = countQueries(teamId, q);
  const [messages, ...parts] = await Promise.all([
    bulk(db, (x) => messagesQuery.execute(x)),
    ...Array.from({ length: PARTS }, (_, i) => bulk(db, (x) => requestsQuery({ index: i, of: PARTS }).execute(x))),
  ]);
  const requests = parts.flatMap((p) => p.rows);
  if (messages.rows.some((r) => Number(r.unzoned) > 0) || requests.some((r) => Number(r.unzoned) > 0)) {
    const known = new Set(q.table.zones);
    return { ok: false, missingZones: (await teamZones(db, teamId)).filter((z) => !known.has(z)) };
  }
  return { ok: true, counts: decode(weekOfBucket, messages.rows, requests) };
}

/** A share of the channels: those whose id hashes to `index` modulo `of`. */
export type Part = { index: number; of: number };

/**
 * The two statements (exported for EXPLAIN in benches), the second one per share of channels, and
 * which weeks each bucket of their `wb` is.
 */
export function countQueries(teamId: string, q: CountsQuery) {
  const t = q.table;
  const zones = sql`${t.zones}::text[]`;
  const ctzi = t.zones.indexOf(q.charterTz);
  if (ctzi < 0) throw new Error('the working table lacks the charter timezone');
  const bounds = [...new Set(q.weeks.flatMap((w) => [w.start, w.end]))].sort((a, b) => a - b);
  const weekOfBucket = new Map<number, string[]>();
  for (const w of q.weeks) {
    const i = bounds.indexOf(w.start) + 1;
    if (bounds[i] !== w.end) throw new Error(`week ${w.week} overlaps another`);
    weekOfBucket.set(i, [...(weekOfBucket.get(i) ?? []), w.week]);
  }
  // Weeks side by side leave no gap between the first start and the last end: no bucket to leave out.
  const gaps = weekOfBucket.size < bounds.length - 1;
  const buckets = sql`${[...weekOfBucket.keys()]}::int[]`;
  const boundsAt = sql`${bounds.map((b) => new Date(b).toISOString())}::timestamptz[]`;
  const excluded = sql`${[...q.excludedChannels]}::text[]`;
  const weeksFrom = new Date(Math.max(q.from.getTime(), bounds[0] ?? q.from.getTime()));
  // Nothing after the last week counts, nor asks (an earlier request of a follow-up is earlier still); answers count up to as_of.
  const weeksTo = new Date(Math.min(q.asOf.getTime(), (bounds.at(-1) ?? q.asOf.getTime()) - 1));
  const asOfMs = q.asOf.getTime();
  // Zone k's key of instant x is k·span + (x − base); thr/cum are the table's thresholds and cumulative working time.
  const thr = () => sql`${t.thresholds}::int8[]`;
  // Every zone's W and "ends a stretch of work" at as_of, one element per zone.
  const asOf = workAt(t, asOfMs);
  const cum = () => sql`${t.cumulative}::int8[]`;
  const people = sql`select user_id, is_bot, deleted, array_position(${zones}, coalesce(tz, ${q.charterTz})) - 1 as tzi from users where team_id = ${teamId}`;

  const messagesQuery = sql<MessageRow>`
    select x.wb, x.ch, count(*) as messages,
           count(*) filter (where x.is_reply) as threaded,
           count(*) filter (where x.mr) as meeting,
           count(*) filter (where x.wi) as where_is,
           count(*) filter (where width_bucket(x.tzi::int8 * ${t.span} + (${ms(sql`x.posted_at`)} - ${t.base}), ${thr()}) % 2 = 0) as after_hours,
           count(*) filter (where x.tzi is null) as unzoned
    from (
      select m.channel_id as ch, m.is_reply, m.is_meeting_request as mr, m.is_where_is as wi, m.posted_at,
             case when p.user_id is null then ${ctzi} else p.tzi end as tzi,
             width_bucket(m.posted_at, ${boundsAt}) as wb
      from messages m left join (${people}) p on p.user_id = m.user_id
      where m.team_id = ${teamId} and m.posted_at >= ${weeksFrom} and m.posted_at <= ${weeksTo}
        and p.is_bot is not true and m.channel_id <> all(${excluded})
    ) x
    ${gaps ? sql`where x.wb = any(${buckets})` : sql``}
    group by x.wb, x.ch`;

  // Slack ts order (SPEC §4 "later than M"): by instant, then by the microseconds the millisecond hides (the 6-digit fraction).
  const tail = (ts: string) => `rpad(split_part(${ts}, '.', 2), 6, '0')`;
  const micros = (ts: string) => `(split_part(${ts}, '.', 1)::int8 * 1000000 + ${tail(ts)}::int8)`;
  const later = (y: string, m: string) => sql.raw(`${y}.posted_at >= ${m}.pat and (${y}.posted_at > ${m}.pat or ${tail(`${y}.ts`)} > ${tail(`${m}.ts`)})`);
  // W (working ms before an instant) and "the instant ends a stretch of working time" (x ∈ (s, e]), for bucket i of key k.
  const w = (i: string, k: string) => sql`(${cum()})[${sql.raw(i)} + 1] + case when ${sql.raw(i)} % 2 = 1 then ${sql.raw(k)} - (${thr()})[${sql.raw(i)}] else 0 end`;
  const endsWork = (i: string, k: string) => sql`case when ${sql.raw(i)} % 2 = 1 then ${sql.raw(k)} > (${thr()})[${sql.raw(i)}] else ${sql.raw(k)} = (${thr()})[${sql.raw(i)}] end`;
  // x is at or before the request's due instant: urgent, wall clock; normal, its working time since asked is under the window, or reaches it exactly at x.
  const inTime = (req: string, x: string, wx: string, ocx: string) =>
    sql.raw(`case when ${req}.urgent then ${x} <= ${req}.at + ${req}.rem else (${wx} - ${req}.wt) < ${req}.rem or ((${wx} - ${req}.wt) = ${req}.rem and ${ocx}) end`);
  const requestsQuery = (part: Part) => {
    const mine = (col: string) => (part.of === 1 ? sql`true` : sql`abs(hashtext(${sql.raw(col)}) % ${part.of}) = ${part.index}`);
    return sql<RequestRow>`
    with r as materialized (
      -- A request is (message, recipient): (mid, n) names it, the message's row and the mention's place.
      select m.ctid as mid, x.n, m.channel_id as ch, m.ts, m.root_ts as root, m.is_reply as reply, m.user_id as requester, x.rcpt, m.posted_at as pat, rp.tzi
      from messages m
      -- n between 1 and the number of mentions always holds: it is there for the planner, which takes
      -- every array for ten elements (PostgreSQL before 17) and would then hash the messages, not the requests.
      cross join lateral unnest(m.mentions) with ordinality as x(rcpt, n)
      join (${people}) rp on rp.user_id = x.rcpt and not rp.is_bot and not rp.deleted
      left join (${people}) ap on ap.user_id = m.user_id
      where m.team_id = ${teamId} and m.posted_at >= ${q.from} and m.posted_at <= ${weeksTo} and m.mentions <> '{}'
        and m.channel_id <> all(${excluded}) and ${mine('m.channel_id')}
        and x.n >= 1 and x.n <= cardinality(m.mentions)
        and ap.is_bot is not true and x.rcpt <> m.user_id
        and x.rcpt is distinct from (select ws.bot_user_id from workspaces ws where ws.team_id = ${teamId})
    ),
    -- What a response is looked up by (SPEC §4): a reply by the recipient in the request's thread (key: the
    -- root); for a top-level request, their top-level message in the channel (key: ''); and the thread's
    -- root itself when it is theirs and later than the request (a top-level message shares a root with
    -- a reply only as that root: root_ts = ts), which Slack never produces but the definition allows.
    k as (
      select mid, n, ch, root as k2, rcpt, pat, ts, null::text as root_ts from r
      union all
      select mid, n, ch, '', rcpt, pat, ts, null from r where not reply
      union all
      select mid, n, ch, '', rcpt, pat, ts, root from r where reply and ${sql.raw(micros('root'))} > ${sql.raw(micros('ts'))}
    ),
    c as (
      select k.mid, k.n, ${ms(sql`y.posted_at`)} as at
      from k join messages y on y.team_id = ${teamId} and y.channel_id = k.ch and y.user_id = k.rcpt and (case when y.is_reply then y.root_ts else '' end) = k.k2
      where ${mine('y.channel_id')} and y.posted_at <= ${q.asOf} and (k.root_ts is null or y.ts = k.root_ts) and ${later('y', 'k')}
      union all
      select r.mid, r.n, ${ms(sql`x.reacted_at`)}
      from r join reactions x on x.team_id = ${teamId} and x.channel_id = r.ch and x.message_ts = r.ts and x.user_id = r.rcpt
      where ${q.reactionsCount} and ${mine('x.channel_id')} and x.reacted_at >= ${q.from} and x.reacted_at <= ${q.asOf}
    ),
    resp as (select mid, n, min(at) as resp from c group by mid, n),
    q0 as (
      select r.mid, r.n, r.ch, r.ts, r.root, r.reply, r.requester, r.rcpt, ${ms(sql`r.pat`)} as at, r.tzi, s.resp,
             coalesce(ru.urgent, false) as urgent,
             case when coalesce(ru.urgent, false) then coalesce(ru.urgent_ms, ${q.urgentMs}) else coalesce(ru.normal_ms, ${q.normalMs}) end as rem,
             width_bucket(r.pat, ${boundsAt}) as wb,
             r.tzi::int8 * ${t.span} - ${t.base} as off
      from r
      left join resp s on s.mid = r.mid and s.n = r.n
      left join unnest(${q.rules.map((x) => x.channel)}::text[], ${q.rules.map((x) => x.urgent)}::bool[], ${q.rules.map((x) => x.normalMs)}::int8[], ${q.rules.map((x) => x.urgentMs)}::int8[])
        as ru(ch, urgent, normal_ms, urgent_ms) on ru.ch = r.ch
    ),
    q1 as (
      select q0.*, q0.off + q0.at as kt, q0.off + q0.resp as kr, width_bucket(q0.off + q0.at, ${thr()}) as it, width_bucket(q0.off + q0.resp, ${thr()}) as ir
      from q0
    ),
    q as materialized (
      select q1.mid, q1.n, q1.ch, q1.ts, q1.root, q1.reply, q1.requester, q1.rcpt, q1.at, q1.tzi, q1.resp, q1.urgent, q1.rem, q1.wb, q1.it,
             ${w('it', 'kt')} as wt, ${endsWork('it', 'kt')} as oct, ${w('ir', 'kr')} as wr, ${endsWork('ir', 'kr')} as ocr,
             (${asOf.work}::int8[])[q1.tzi + 1] as wa, (${asOf.ends}::bool[])[q1.tzi + 1] as oca
      from q1
    ),
    -- Early follow-ups: an earlier request of the same pair in the channel, related, unanswered and not yet due at this one.
    early as (
      select r2.mid, r2.n from q r2
      join q r1 on r1.ch = r2.ch and r1.requester = r2.requester and r1.rcpt = r2.rcpt
      where (r1.mid <> r2.mid or r1.n <> r2.n) and r2.wb = any(${buckets})
        and (r1.at < r2.at or (r1.at = r2.at and ${sql.raw(tail('r1.ts'))} < ${sql.raw(tail('r2.ts'))}))
        and (r1.root = r2.root or (not r1.reply and not r2.reply))
        and (r1.resp is null or r1.resp > r2.at)
        and ${inTime('r1', 'r2.at', 'r2.wt', 'r2.oct')}
    )
    select f.wb, f.ch, count(*) as requests,
           count(*) filter (where f.it % 2 = 0) as off_hours,
           count(*) filter (where f.early) as early,
           count(*) filter (where f.urgent) as urgent,
           count(*) filter (where f.resp is not null and f.resp_ok) as on_time,
           count(*) filter (where f.resp is not null and not f.resp_ok) as late,
           count(*) filter (where f.resp is null and not f.asof_ok) as overdue,
           count(*) filter (where f.resp is null and f.asof_ok) as pending,
           count(*) filter (where f.tzi is null) as unzoned,
           string_agg(greatest(0, f.wr - f.wt)::text, ',') filter (where not f.urgent and f.resp is not null) as latencies
    from (
      select q.*, ${inTime('q', 'q.resp', 'q.wr', 'q.ocr')} as resp_ok, ${inTime('q', `${asOfMs}::int8`, 'q.wa', 'q.oca')} as asof_ok,
             (q.mid, q.n) in (select mid, n from early) as early
      from q where q.wb = any(${buckets})
    ) f
    group by f.wb, f.ch`;
  };

  return { messagesQuery, requestsQuery, weekOfBucket };
}

function decode(weekOfBucket: ReadonlyMap<number, string[]>, messageRows: readonly MessageRow[], requestRows: readonly RequestRow[]): ReportCounts {
  const channels = new Map<string, ChannelWeekCounts>();
  const entry = (wb: number, ch: string): ChannelWeekCounts[] =>
    (weekOfBucket.get(wb) ?? []).map((week) => {
      const key = `${week}\u0000${ch}`;
      let c = channels.get(key);
      if (c === undefined) {
        c = { week, channel: ch, messages: 0, after_hours_messages: 0, threaded_messages: 0, meeting_requests: 0, where_is_questions: 0, requests: 0, off_hours_requests: 0, early_followups: 0, urgent_requests: 0, on_time: 0, late: 0, overdue: 0, pending: 0 };
        channels.set(key, c);
      }
      return c;
    });
  for (const r of messageRows) {
    for (const c of entry(r.wb, r.ch)) {
      c.messages = Number(r.messages);
      c.threaded_messages = Number(r.threaded);
      c.meeting_requests = Number(r.meeting);
      c.where_is_questions = Number(r.where_is);
      c.after_hours_messages = Number(r.after_hours);
    }
  }
  const latencies: WeekLatencies[] = [];
  for (const r of requestRows) {
    for (const c of entry(r.wb, r.ch)) {
      c.requests = Number(r.requests);
      c.off_hours_requests = Number(r.off_hours);
      c.early_followups = Number(r.early);
      c.urgent_requests = Number(r.urgent);
      c.on_time = Number(r.on_time);
      c.late = Number(r.late);
      c.overdue = Number(r.overdue);
      c.pending = Number(r.pending);
    }
    if (r.latencies === null) continue;
    const minutes = r.latencies.split(',').map((x) => Number(x) / 60_000);
    for (const week of weekOfBucket.get(r.wb) ?? []) latencies.push({ week, minutes });
  }
  return { channels: [...channels.values()], latencies };
}

/** Runs one bulk read in a transaction of its own (or the caller's), with the planner settings it wants. */
async function bulk<T>(db: Db, run: (x: Db) => Promise<T>): Promise<T> {
  const go = async (x: Db) => {
    // Transaction-local planner settings: JIT compiling these statements takes longer than running
    // them; their hash tables want more than the default 4 MB of work_mem; merge joins would sort
    // and nested loops probe hundreds of thousands of rows that hash joins only hash; Memoize only adds work.
    await sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true), set_config('enable_mergejoin', 'off', true), set_config('enable_memoize', 'off', true), set_config('enable_nestloop', 'off', true)`.execute(x);
    return run(x);
  };
  return db.isTransaction ? go(db) : db.transaction().execute(go);
}
