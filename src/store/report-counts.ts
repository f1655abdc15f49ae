import { sql, type RawBuilder } from 'kysely';
import type { ChannelWeekCounts, ReportCounts, WeekLatencies } from '../domain/report';
import { workAt, type WorkingTable } from '../domain/working-table';
import type { Executor } from './activity';
import type { Db } from './connect';
import { UNBOUNDED } from './prepared';
import { drainRequests } from './requests';

/**
 * The weekly report's counts (SPEC §4, §5) aggregated in the database: messages per week and
 * channel in one statement, requests with their responses, due instants, outcomes, latencies
 * and early follow-ups in another, so that no message row reaches the process. Requests and their
 * first responses come from the `requests` table, brought up to date (drained) first. Working time
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
  /** Only this channel's messages and requests (one channel's report); default every channel. */
  channel?: string;
  /** A drain of the team's requests queue already under way (started before the working table was laid out); default: drain here first. */
  drained?: Promise<unknown>;
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
  // Every write of the team committed before the report is in `requests` (the app's job keeps the queue short).
  await (q.drained ?? drainRequests(db, { team: teamId }));
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
  const unbounded = sql.raw(UNBOUNDED);
  const excluded = sql`${[...q.excludedChannels]}::text[]`;
  const onlyChannel = q.channel === undefined ? sql`` : sql`and m.channel_id = ${q.channel}`;
  const weeksFrom = new Date(Math.max(q.from.getTime(), bounds[0] ?? q.from.getTime()));
  // Nothing after the last week counts, nor asks (an earlier request of a follow-up is earlier still); answers count up to as_of.
  const weeksTo = new Date(Math.min(q.asOf.getTime(), (bounds.at(-1) ?? q.asOf.getTime()) - 1));
  const asOfMs = q.asOf.getTime();
  // Zone k's key of instant x is k·span + (x − base); thr/cum are the table's thresholds and cumulative working time.
  // Sent once per statement (a long span of many zones makes them large) and read through tt.
  const tables = sql`tt as (select ${t.thresholds}::int8[] as thr, ${t.cumulative}::int8[] as cum)`;
  const thr = () => sql`(select thr from tt)`;
  const cum = () => sql`(select cum from tt)`;
  // Every zone's W and "ends a stretch of work" at as_of, one element per zone.
  const asOf = workAt(t, asOfMs);
  const people = sql`select user_id, is_bot, deleted, array_position(${zones}, coalesce(tz, ${q.charterTz})) - 1 as tzi from users where team_id = ${teamId}`;

  // Both statements may take seconds on a large workspace, more on a busy server: the pool's 10-s
  // timeout (there to fail fast on the acknowledgement path) does not apply to them.
  const messagesQuery = sql<MessageRow>`${unbounded}
    with ${tables}
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
        and p.is_bot is not true and m.channel_id <> all(${excluded}) ${onlyChannel}
    ) x
    ${gaps ? sql`where x.wb = any(${buckets})` : sql``}
    group by x.wb, x.ch`;

  // Slack ts order (SPEC §4 "later than M"): by instant, then by the microseconds the millisecond hides (the 6-digit fraction).
  const tail = (ts: string) => `rpad(split_part(${ts}, '.', 2), 6, '0')`;
  // W (working ms before an instant) and "the instant ends a stretch of working time" (x ∈ (s, e]), for bucket i of key k.
  const w = (i: string, k: string) => sql`(${cum()})[${sql.raw(i)} + 1] + case when ${sql.raw(i)} % 2 = 1 then ${sql.raw(k)} - (${thr()})[${sql.raw(i)}] else 0 end`;
  const endsWork = (i: string, k: string) => sql`case when ${sql.raw(i)} % 2 = 1 then ${sql.raw(k)} > (${thr()})[${sql.raw(i)}] else ${sql.raw(k)} = (${thr()})[${sql.raw(i)}] end`;
  // x is at or before the request's due instant: urgent, wall clock; normal, its working time since asked is under the window, or reaches it exactly at x.
  const inTime = (req: string, x: string, wx: string, ocx: string) =>
    sql.raw(`case when ${req}.urgent then ${x} <= ${req}.at + ${req}.rem else (${wx} - ${req}.wt) < ${req}.rem or ((${wx} - ${req}.wt) = ${req}.rem and ${ocx}) end`);
  const requestsQuery = (part: Part) => {
    const mine = (col: string) => (part.of === 1 ? sql`true` : sql`abs(hashtext(${sql.raw(col)}) % ${part.of}) = ${part.index}`);
    return sql<RequestRow>`${unbounded}
    with ${tables},
    r as materialized (
      -- A request (SPEC §4) is (message, recipient), kept in \`requests\` with its first answering
      -- message and reaction (migrations/202612100001_requests.sql); (mid, n) names it. With what the
      -- rest asks of it: its week bucket, window, the recipient's working time at it, and its response
      -- as of as_of (the first answer is later than as_of when none came by then).
      select x.mid, x.n, x.ch, x.ts, x.root, x.reply, x.requester, x.rcpt, x.pat, x.at, x.tzi, x.it, x.wb, x.urgent, x.rem, x.resp,
             ${w('x.it', 'x.kt')} as wt, ${endsWork('x.it', 'x.kt')} as oct
      from (
        select m.ctid as mid, m.n, m.channel_id as ch, m.ts, m.root_ts as root, m.is_reply as reply, m.requester, m.rcpt, m.posted_at as pat,
               ${ms(sql`m.posted_at`)} as at, rp.tzi, rp.tzi::int8 * ${t.span} - ${t.base} + ${ms(sql`m.posted_at`)} as kt,
               width_bucket(rp.tzi::int8 * ${t.span} - ${t.base} + ${ms(sql`m.posted_at`)}, ${thr()}) as it,
               width_bucket(m.posted_at, ${boundsAt}) as wb,
               coalesce(ru.urgent, false) as urgent,
               case when coalesce(ru.urgent, false) then coalesce(ru.urgent_ms, ${q.urgentMs}) else coalesce(ru.normal_ms, ${q.normalMs}) end as rem,
               ${ms(sql`least(case when m.reply_at <= ${q.asOf} then m.reply_at end, case when ${q.reactionsCount} and m.reaction_at <= ${q.asOf} then m.reaction_at end)`)} as resp
        from requests m
        join (${people}) rp on rp.user_id = m.rcpt and not rp.is_bot and not rp.deleted
        left join unnest(${q.rules.map((x) => x.channel)}::text[], ${q.rules.map((x) => x.urgent)}::bool[], ${q.rules.map((x) => x.normalMs)}::int8[], ${q.rules.map((x) => x.urgentMs)}::int8[])
          as ru(ch, urgent, normal_ms, urgent_ms) on ru.ch = m.channel_id
        where m.team_id = ${teamId} and m.posted_at >= ${q.from} and m.posted_at <= ${weeksTo}
          and m.channel_id <> all(${excluded}) and ${mine('m.channel_id')} ${onlyChannel}
          -- authors who are bots ask nothing (a lookup of the few bots rather than a join with everyone)
          and m.requester not in (select b.user_id from users b where b.team_id = ${teamId} and b.is_bot)
          and m.rcpt is distinct from (select ws.bot_user_id from workspaces ws where ws.team_id = ${teamId})
        offset 0 -- computes it and kt once: inlined, each use in wt and oct would compute them again
      ) x
    ),
    -- Early follow-ups: an earlier request of the same pair in the channel, related, unanswered and not yet due at this one.
    early as (
      select r2.mid, r2.n from r r2
      join r r1 on r1.ch = r2.ch and r1.requester = r2.requester and r1.rcpt = r2.rcpt
      where (r1.mid <> r2.mid or r1.n <> r2.n) and r2.wb = any(${buckets})
        and (r1.at < r2.at or (r1.at = r2.at and ${sql.raw(tail('r1.ts'))} < ${sql.raw(tail('r2.ts'))}))
        and (r1.root = r2.root or (not r1.reply and not r2.reply))
        and (r1.resp is null or r1.resp > r2.at)
        and ${inTime('r1', 'r2.at', 'r2.wt', 'r2.oct')}
    ),
    -- Each request of the weeks with its response: answered in time, or (unanswered) still in time at as_of.
    q as (
      select g.*, case when g.resp is null then null else ${inTime('g', 'g.resp', 'g.wr', 'g.ocr')} end as resp_ok,
             ${inTime('g', `${asOfMs}::int8`, 'g.wa', 'g.oca')} as asof_ok
      from (
        select f.*, ${w('f.ir', 'f.kr')} as wr, ${endsWork('f.ir', 'f.kr')} as ocr,
               (${asOf.work}::int8[])[f.tzi + 1] as wa, (${asOf.ends}::bool[])[f.tzi + 1] as oca
        from (
          select r.*, r.tzi::int8 * ${t.span} - ${t.base} + r.resp as kr, width_bucket(r.tzi::int8 * ${t.span} - ${t.base} + r.resp, ${thr()}) as ir
          from r
          where r.wb = any(${buckets})
          offset 0 -- computes ir and kr once (see r)
        ) f
        offset 0 -- and wr, ocr
      ) g
      offset 0 -- and resp_ok, asof_ok, which the counts below read twice each
    )
    select q.wb, q.ch, count(*) as requests,
           count(*) filter (where q.it % 2 = 0) as off_hours,
           count(*) filter (where (q.mid, q.n) in (select mid, n from early)) as early,
           count(*) filter (where q.urgent) as urgent,
           count(*) filter (where q.resp_ok) as on_time,
           count(*) filter (where not q.resp_ok) as late,
           count(*) filter (where q.resp is null and not q.asof_ok) as overdue,
           count(*) filter (where q.resp is null and q.asof_ok) as pending,
           count(*) filter (where q.tzi is null) as unzoned,
           string_agg(greatest(0, q.wr - q.wt)::text, ',') filter (where not q.urgent and q.resp is not null) as latencies
    from q
    group by q.wb, q.ch`;
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
    // and nested loops probe hundreds of thousands of rows that hash joins only hash; Memoize only
    // adds work; parallel workers only add processes to the statements already run side by side
    // (on 2 cores the 1M-row bench week took 1.7 s with them, 1.3-1.4 s without); the planner
    // underestimates the groups and sorts 300k requests where hashing them is cheaper.
    await sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true), set_config('enable_mergejoin', 'off', true), set_config('enable_memoize', 'off', true), set_config('enable_nestloop', 'off', true), set_config('max_parallel_workers_per_gather', '0', true), set_config('enable_sort', 'off', true)`.execute(x);
    return run(x);
  };
  return db.isTransaction ? go(db) : db.transaction().execute(go);
}
