import { Client } from 'pg';
import { loadStoreConfig, processEnv } from '../src/config';
import { parseCharter } from '../src/domain/charter';
import { weekBounds } from '../src/domain/report';
import { personalFigures } from '../src/domain/personal';
import { weeklyReports } from '../src/domain/report';
import { storedPersonalFigures } from '../src/services/me';
import { buildReports, reportLookbackMs } from '../src/services/reports';
import { loadActivity } from '../src/store/report-data';
import { upsertWorkspace } from '../src/store/activity';
import { saveCharter } from '../src/store/charters';
import { connectStore } from '../src/store/connect';
import { migrateToLatest } from '../src/store/migrate';

/**
 * Reports at scale (issue 10): a workspace with 1M human messages in one week, 300k of them
 * requests, 2,000 people in 20 zones and 500 channels, on Postgres.
 *
 *   tsx bench/report-once.ts seed    TEAM WEEK   builds it with SQL (generate_series, insert … select)
 *   tsx bench/report-once.ts measure TEAM WEEK   the week's SPEC §5 report as `npm run digest -- --json`
 *                                                builds it (buildReports), then count(*) over the rows
 *                                                it reads; one line of figures on stdout
 *   tsx bench/report-once.ts personal TEAM WEEK [team-rows]
 *                                                one person's own figures (App Home, `/async stats`) and
 *                                                one channel's report (`/async stats #channel`) for that
 *                                                week and the one after, as the app reads them (that
 *                                                person's or channel's rows); with `team-rows`, as they
 *                                                were read before (every message of the team's window
 *                                                loaded, the domain over them): the baseline
 *
 * `measure` runs in a process of its own, so its peak RSS is the report's.
 * DATABASE_URL names the database (and its search_path, as npm run bench sets it).
 */

const PEOPLE = 2_000;
const CHANNELS = 500;
const REQUESTS = 300_000;
/** Of every ten requests: eight answered in their thread, one by a reaction, one left open. */
const ANSWERED = (REQUESTS / 10) * 8;
const MESSAGES = 1_000_000;
/** Messages that are neither requests nor answers. */
const PLAIN = MESSAGES - REQUESTS - ANSWERED;
const URGENT_CHANNELS = 10;
export const ZONES = [
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/New_York',
  'America/Halifax',
  'America/Sao_Paulo',
  'Europe/London',
  'Europe/Lisbon',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Helsinki',
  'Europe/Istanbul',
  'Africa/Lagos',
  'Africa/Nairobi',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Pacific/Auckland',
] as const;

const userId = (i: string) => `'U' || lpad((${i})::text, 8, '0')`;
const channelId = (i: string) => `'C' || lpad((${i})::text, 8, '0')`;

/** The charter of the bench workspace: the defaults, with ten urgent channels. */
function benchCharter() {
  const r = parseCharter({ timezone: 'UTC', urgent_channels: Array.from({ length: URGENT_CHANNELS }, (_, i) => `C${String(i).padStart(8, '0')}`) });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.charter;
}

/**
 * The workspace, in SQL. Message n (0 ≤ n < 1M) has ts "<seconds>.<n, 6 digits>", so every ts is
 * unique and posted_at is the ts truncated to the millisecond, as the app stores it. Requests
 * (n < 300k) mention one other person; eight in ten get an answer in their thread from that
 * person (n from 300k), one in ten a reaction, one in ten nothing; every fiftieth request repeats
 * the one before it half an hour later (an early follow-up). The rest are plain messages, 3%
 * meeting requests and 2% "where is…?". Four in five messages fall in their author's working
 * hours (09:00-17:00 local, Monday to Friday); about 40% are thread replies.
 */
async function seed(client: Client, team: string, week: string): Promise<void> {
  const w0 = Date.parse(`${week}T00:00:00Z`) / 1000;
  const w1 = w0 + 7 * 86_400;
  const zones = `array[${ZONES.map((z) => `'${z}'`).join(',')}]`;
  const q = async (label: string, text: string) => {
    const t0 = performance.now();
    const r = await client.query(text);
    process.stderr.write(`seed ${label}: ${r.rowCount ?? ''} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  };
  await client.query('set synchronous_commit = off');
  // Bulk inserts, as an import makes them: nothing queued for the requests table, which the app's
  // requests job computes (here, at the end of the seed) for the team marked stale.
  await client.query(`select set_config('async_charter.defer_requests', 'on', false)`);
  await client.query(`insert into requests_stale (team_id) values ('${team}') on conflict do nothing`);
  await client.query('select setseed(0.42)');
  await q('people', `insert into users (team_id, user_id, display_name, tz) select '${team}', ${userId('i')}, 'person' || i, (${zones})[1 + i % ${ZONES.length}] from generate_series(0, ${PEOPLE - 1}) i`);
  await q('channels', `insert into channels (team_id, channel_id, name) select '${team}', ${channelId('j')}, 'channel-' || j from generate_series(0, ${CHANNELS - 1}) j`);

  // Requests and plain messages: who, where, when; top-level or not.
  await q(
    'draw',
    `create temp table draw as
     select n, ch, author, top, flag, rcpt_r, delay_r,
            case when t >= to_timestamp(${w0}) and t < to_timestamp(${w1}) then floor(extract(epoch from t))::bigint
                 else ${w0} + floor(uniform_r * ${w1 - w0})::bigint end as sec
     from (
       select n, ch, author, top, flag, rcpt_r, delay_r, uniform_r,
              case when in_hours_r < 0.8
                   then ((date '${week}' + day)::timestamp + (9 + hour_r * 8) * interval '1 hour') at time zone (${zones})[1 + author % ${ZONES.length}]
                   else to_timestamp(${w0} + uniform_r * ${w1 - w0}) end as t
       from (
         select n, floor(random() * ${CHANNELS})::int as ch, floor(random() * ${PEOPLE})::int as author,
                random() < case when n < ${REQUESTS} then 0.6 else 0.65 end as top,
                random() as flag, random() as rcpt_r, random() as delay_r, random() as uniform_r, random() as in_hours_r, random() as hour_r,
                case when random() < 0.95 then floor(random() * 5)::int else 5 + floor(random() * 2)::int end as day
         from generate_series(0, ${REQUESTS + PLAIN - 1}) n
       ) a
     ) b`,
  );
  // Every fiftieth request follows up the one before it: same channel, author and recipient, both top-level, 30 minutes later.
  await client.query(`update draw set top = true where n < ${REQUESTS} and n % 50 = 48`);
  await q(
    'follow-ups',
    `update draw d set ch = p.ch, author = p.author, top = true, rcpt_r = p.rcpt_r, sec = least(p.sec + 1800, ${w1 - 1})
     from draw p where d.n < ${REQUESTS} and d.n % 50 = 49 and p.n = d.n - 1`,
  );
  // A reply's root: the latest top-level message before it in its channel (none: it is top-level itself).
  await q(
    'roots',
    `create temp table placed as
     select n, ch, author, sec, flag, rcpt_r, delay_r, root_key is null or top as top,
            case when root_key is null or top then sec * 1000000 + n else root_key end as root_key
     from (select *, max(case when top then sec * 1000000 + n end) over (partition by ch order by sec, n rows between unbounded preceding and 1 preceding) as root_key from draw) x`,
  );
  const ts = (key: string) => `(${key}) / 1000000 || '.' || lpad(((${key}) % 1000000)::text, 6, '0')`;
  const postedAt = (sec: string, n: string) => `to_timestamp(${sec}) + floor((${n}) / 1000) * interval '1 millisecond'`;
  await q(
    'messages',
    `insert into messages (team_id, channel_id, ts, posted_at, thread_ts, root_ts, is_reply, user_id, subtype, mentions, source, is_meeting_request, is_where_is, is_question)
     select '${team}', ${channelId('ch')}, ${ts('sec * 1000000 + n')}, ${postedAt('sec', 'n')},
            case when top then null else ${ts('root_key')} end, ${ts('root_key')}, not top, ${userId('author')}, null,
            case when n < ${REQUESTS} then array[${userId(`(author + 1 + floor(rcpt_r * ${PEOPLE - 1})::int) % ${PEOPLE}`)}] else '{}'::text[] end,
            'event',
            n >= ${REQUESTS} and flag < 0.03, n >= ${REQUESTS} and flag >= 0.03 and flag < 0.05, n < ${REQUESTS}
     from placed`,
  );
  // Answers: the recipient, in the request's thread, a minute to three days later (most within hours), inside the week.
  const answerSec = `least(sec + 60 + floor(delay_r * delay_r * delay_r * 3 * 86400)::bigint, ${w1 - 1})`;
  const answerN = `${REQUESTS} + (n / 10) * 8 + n % 10`;
  await q(
    'answers',
    `insert into messages (team_id, channel_id, ts, posted_at, thread_ts, root_ts, is_reply, user_id, subtype, mentions, source)
     select '${team}', ${channelId('ch')}, ${ts(`${answerSec} * 1000000 + ${answerN}`)}, ${postedAt(answerSec, answerN)},
            ${ts('root_key')}, ${ts('root_key')}, true, ${userId(`(author + 1 + floor(rcpt_r * ${PEOPLE - 1})::int) % ${PEOPLE}`)}, null, '{}', 'event'
     from placed where n < ${REQUESTS} and n % 10 < 8`,
  );
  // Reactions: the recipient's on one request in ten; and someone's on one plain top-level message in five.
  await q(
    'reactions',
    `insert into reactions (team_id, channel_id, message_ts, user_id, reaction, reacted_at)
     select '${team}', ${channelId('ch')}, ${ts('sec * 1000000 + n')}, ${userId(`(author + 1 + floor(rcpt_r * ${PEOPLE - 1})::int) % ${PEOPLE}`)}, 'eyes',
            ${postedAt('sec', 'n')} + (30 + floor(delay_r * delay_r * 2 * 86400)) * interval '1 second'
     from placed where n < ${REQUESTS} and n % 10 = 8
     union all
     select '${team}', ${channelId('ch')}, ${ts('sec * 1000000 + n')}, ${userId(`(author + 7 + n % 13) % ${PEOPLE}`)}, 'thumbsup',
            ${postedAt('sec', 'n')} + (60 + floor(delay_r * 86400)) * interval '1 second'
     from placed where n >= ${REQUESTS} and top and n % 5 = 0`,
  );
  await client.query(`select set_config('async_charter.defer_requests', 'off', false)`);
  // Every channel of the stale team in one statement (the app takes one channel per statement).
  await q('requests', 'select requests_rebuild_step(null, 100000)');
  await q('vacuum analyze', 'vacuum analyze messages, reactions, users, channels, requests');
}

async function main(): Promise<void> {
  const [mode, team, week] = process.argv.slice(2);
  if ((mode !== 'seed' && mode !== 'measure' && mode !== 'personal') || !team || !week) throw new Error('usage: tsx bench/report-once.ts seed|measure|personal TEAM WEEK [team-rows]');
  const cfg = loadStoreConfig(processEnv());
  if (cfg.kind !== 'postgres') throw new Error('bench/report-once.ts needs DATABASE_URL (Postgres)');
  const charter = benchCharter();
  if (mode === 'seed') {
    const store = await connectStore(cfg);
    await migrateToLatest(store.db);
    await saveCharter(store.db, team, charter, 'bench');
    await upsertWorkspace(store.db, team, 'U0BENCHAPP', 'B0BENCHAPP');
    await store.close();
    const client = new Client({ connectionString: cfg.url });
    await client.connect();
    const t0 = performance.now();
    try {
      await seed(client, team, week);
    } finally {
      await client.end();
    }
    process.stderr.write(`seeded ${team} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    return;
  }

  if (mode === 'personal') {
    await personal(cfg, team, week, charter, process.argv[5] === 'team-rows');
    return;
  }
  const store = await connectStore(cfg);
  const rssBefore = process.resourceUsage().maxRSS / 1024;
  const asOf = new Date(weekBounds(week, charter.timezone)[1] + 9 * 3_600_000);
  // What else the server did meanwhile: autovacuum workers (a late report may meet one after the
  // bench's writes), polled every 100 ms on a connection of their own.
  const watcher = new Client({ connectionString: cfg.url });
  await watcher.connect();
  const autovacuum = new Set<string>();
  const poll = setInterval(() => {
    watcher
      .query<{ q: string }>("select query as q from pg_stat_activity where backend_type = 'autovacuum worker' and datname = current_database()")
      .then((r) => r.rows.forEach((row) => autovacuum.add(row.q.replace(/^autovacuum: /, ''))))
      .catch(() => undefined);
  }, 100);
  const t0 = performance.now();
  const [report] = await buildReports(store.db, team, { weeks: [week], asOf });
  const t1 = performance.now();
  clearInterval(poll);
  await watcher.end();
  const peak = process.resourceUsage().maxRSS / 1024;
  // count(*) over the same rows: the team's messages the report reads (its lookback to as_of).
  const countOnce = async () => {
    const c0 = performance.now();
    const r = await store.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('team_id', '=', team)
      .where('posted_at', '>=', new Date(weekBounds(week, charter.timezone)[0] - 60 * 86_400_000))
      .where('posted_at', '<=', asOf)
      .executeTakeFirstOrThrow();
    return { n: Number(r.n), s: (performance.now() - c0) / 1000 };
  };
  await countOnce();
  const count = await countOnce();
  await store.close();
  if (!report) throw new Error('no report');
  const reportS = (t1 - t0) / 1000;
  const { messages, requests, on_time, late, overdue, pending, early_followups, after_hours_messages } = report;
  process.stdout.write(
    `${reportS.toFixed(2)} s, peak RSS ${Math.round(peak)} MB (${Math.round(rssBefore)} MB before it); count(*) ${count.s.toFixed(2)} s over ${count.n} rows; ratio ${(reportS / count.s).toFixed(1)}×` +
      ` [${messages} messages, ${after_hours_messages} after hours; ${requests} requests: ${on_time} on time, ${late} late, ${overdue} overdue, ${pending} pending, ${early_followups} early follow-ups; ${report.channels.length} channels]` +
      `${autovacuum.size > 0 ? ` (autovacuum meanwhile: ${[...autovacuum].join('; ')})` : ''}\n`,
  );
}

/** The person asked most in the bench week (and a channel): App Home's figures and `/async stats #channel`, timed. */
async function personal(cfg: Extract<ReturnType<typeof loadStoreConfig>, { kind: 'postgres' }>, team: string, week: string, charter: ReturnType<typeof benchCharter>, teamRows: boolean): Promise<void> {
  const store = await connectStore(cfg);
  const weeks = [week, new Date(Date.parse(`${week}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10)];
  const asOf = weekBounds(week, charter.timezone)[1] + 9 * 3_600_000;
  const top = await store.db.selectFrom('requests').select(['rcpt', (eb) => eb.fn.countAll<string>().as('n')]).where('team_id', '=', team).groupBy('rcpt').orderBy('n', 'desc').limit(1).executeTakeFirstOrThrow();
  const user = top.rcpt;
  const channel = 'C00000007';
  const from = new Date(weekBounds(week, charter.timezone)[0] - reportLookbackMs(charter));
  const timed = async <T>(run: () => Promise<T>): Promise<{ s: number; value: T }> => {
    const t0 = performance.now();
    const value = await run();
    return { s: (performance.now() - t0) / 1000, value };
  };
  const person = await timed(async () =>
    teamRows
      ? personalFigures({ ...(await loadActivity(store.db, team, { from, to: new Date(asOf) })), charter, asOf, timezone: charter.timezone }, user, weeks)
      : storedPersonalFigures(store.db, team, user, { charter, weeks, asOf }),
  );
  const ch = await timed(async () =>
    teamRows
      ? weeklyReports({ teamId: team, charter, asOf, ...(await loadActivity(store.db, team, { from, to: new Date(asOf), channel })) }, weeks)
      : buildReports(store.db, team, { weeks, asOf: new Date(asOf), charter, channel }),
  );
  await store.close();
  const w = person.value.weeks[0];
  process.stdout.write(
    `${teamRows ? 'team rows' : 'own rows'}: person ${person.s.toFixed(2)} s (${user}: ${w?.requests_to_you} requests to them, ${person.value.waitingTotal} waiting), ` +
      `channel ${ch.s.toFixed(2)} s (${channel}: ${ch.value[0]?.messages} messages), peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
