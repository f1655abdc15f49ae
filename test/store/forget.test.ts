import { sql } from 'kysely';
import type { SlackEvent } from '../../src/domain/activity';
import type { NudgeKind } from '../../src/domain/nudges';
import { weeklyReportSet } from '../../src/domain/report';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { Ingestor } from '../../src/services/ingest';
import { forgetSummary, PrivacyService } from '../../src/services/privacy';
import { buildReportSet } from '../../src/services/reports';
import { upsertWorkspace } from '../../src/store/activity';
import { loadCharter, saveCharter } from '../../src/store/charters';
import { FORGET_TABLES, forgetPerson, type ForgetCounts } from '../../src/store/forget';
import { claimNudge, recordDecision, recordOutcome, snoozeUntil } from '../../src/store/nudges';
import { loadActivity } from '../../src/store/report-data';
import { drainRequests } from '../../src/store/requests';
import { LogCapture } from '../helpers/app-harness';
import { makeCharter } from '../helpers/charter';
import { freshStore, testBackend, type TestStore } from '../helpers/store';

/**
 * /async forget-me against a real store (PGlite, or Postgres with DATABASE_URL): a workspace is
 * seeded through the ingest path and the store's own writers, one person is forgotten, and every
 * text-like column of every table is searched for their id afterwards.
 */

const TEAM = 'T0FORGET01';
const OTHER_TEAM = 'T0OTHER001'; // the same people, another workspace: never touched
const PREFIX_TEAM = 'T0PREFIX01'; // someone whose id starts with the caller's id
const ATOMIC_TEAM = 'T0ATOMIC01'; // a forget that fails half-way
const CALLER = 'U0CALLER01';
const ALICE = 'U0ALICE001';
const BOB = 'U0BOB00001';
const CAROL = 'U0CAROL001';
const DAVE = 'U0DAVE0001';
const GENERAL = 'C0GENERAL1';
const PROJECT = 'C0PROJECT1';
const WEEK = '2026-11-23';
const AS_OF = new Date('2026-11-30T08:00:00Z');

type People = { caller: string; alice: string; bob: string; carol: string; dave: string };
const PEOPLE: People = { caller: CALLER, alice: ALICE, bob: BOB, carol: CAROL, dave: DAVE };

/** Slack ts for a UTC instant on Tuesday 24 Nov 2026 ("HH:MM"). */
const ts = (hhmm: string, day = 24): string => `${Date.parse(`2026-11-${day}T${hhmm}:00Z`) / 1000}.000100`;

/** What the caller leaves behind in a seeded workspace, per FORGET_TABLES key (see seed()). */
const EXPECTED: Record<string, number> = {
  users: 1,
  channel_members: 2,
  messages: 3,
  'messages.mentions': 4,
  reactions: 3,
  decisions: 1,
  'decisions.summary': 1,
  focus_sessions: 2,
  pulse_responses: 1,
  nudges: 4,
  nudge_snoozes: 1,
  charters: 1,
  charter_history: 2,
};
const EXPECTED_TOTAL = 26;

/** Columns that hold the caller's id in a seeded workspace: the seed reaches every one forgetPerson must clean. */
const NAMING_COLUMNS = [
  'channel_members.user_id',
  'charter_history.charter',
  'charter_history.updated_by',
  'charters.charter',
  'charters.updated_by',
  'decisions.summary',
  'decisions.user_id',
  'focus_sessions.user_id',
  'messages.mentions',
  'messages.user_id',
  'nudge_snoozes.user_id',
  'nudges.about_user_id',
  'nudges.user_id',
  'pulse_responses.user_id',
  'reactions.user_id',
  // Derived from messages and reactions (migrations/202612100001_requests.sql), drained at the end of the
  // seed as the app's requests job would: they follow. (requests_queue.user_id names them while queued.)
  'requests.rcpt',
  'requests.requester',
  'users.user_id',
];

let eventSeq = 0;

/**
 * A workspace of five people, seeded through the Events API ingest path (messages, thread
 * replies, edits, a deletion, reactions, joins, the directory) and the store's writers (nudges,
 * a snooze, decisions, charters); focus and pulse rows are written as /async focus and the
 * pulse would. The caller's share is EXPECTED.
 */
async function seed(store: TestStore, team: string, p: People): Promise<void> {
  const logger = createLogger({ level: 'silent' });
  const ingestor = new Ingestor({ store, logger, metrics: createMetrics() });
  const deliver = async (event: SlackEvent) => {
    eventSeq += 1;
    const r = await ingestor.ingest({ teamId: team, eventId: `Ev${String(eventSeq).padStart(8, '0')}`, event });
    expect(r.status).toBe('stored');
  };
  const msg = (user: string, channel: string, at: string, text: string, threadTs?: string) =>
    deliver({ type: 'message', channel, channel_type: 'channel', user, text, ts: at, ...(threadTs !== undefined ? { thread_ts: threadTs } : {}) });
  const react = (user: string, channel: string, on: string, reaction: string, at: string, removed = false) =>
    deliver({ type: removed ? 'reaction_removed' : 'reaction_added', user, reaction, item: { type: 'message', channel, ts: on }, event_ts: at });

  await upsertWorkspace(store.db, team, 'U0BOT00001', 'B0BOT00001');
  const names: Record<string, string> = { [p.caller]: 'caller', [p.alice]: 'alice', [p.bob]: 'bob', [p.carol]: 'carol', [p.dave]: 'dave' };
  for (const [id, name] of Object.entries(names)) {
    await deliver({ type: 'user_change', user: { id, team_id: team, name, tz: id === p.dave ? 'America/New_York' : 'Europe/Berlin', profile: { display_name: name } } });
    for (const channel of [GENERAL, PROJECT]) await deliver({ type: 'member_joined_channel', channel, channel_type: 'C', user: id, event_ts: ts('08:00', 23) });
  }

  // Requests both ways, thread replies on each other's roots, after-hours and early follow-ups.
  const m1 = ts('09:00');
  await msg(p.alice, GENERAL, m1, `<@${p.caller}> <@${p.bob}> can you review the doc today?`);
  await msg(p.caller, GENERAL, ts('09:30'), `<@${p.alice}> done, looks good`, m1);
  await msg(p.bob, GENERAL, ts('10:00'), `<@${p.alice}> also fine from me`, m1);
  const m4 = ts('11:00');
  await msg(p.caller, PROJECT, m4, `<@${p.bob}> <@${p.carol}> shall we have a quick call about the launch?`);
  await msg(p.bob, PROJECT, ts('11:20'), `<@${p.caller}> sure, or let us settle it here`, m4);
  const m6 = ts('12:00');
  await msg(p.carol, PROJECT, m6, `<@${p.dave}> where is the spec?`);
  await msg(p.dave, PROJECT, ts('15:00'), 'in the drive, folder launch');
  const m8 = ts('19:00');
  await msg(p.carol, GENERAL, m8, `<@${p.caller}> quick question about the budget?`);
  const m9 = ts('19:10');
  await msg(p.carol, GENERAL, m9, `<@${p.caller}> ping`);
  const m10 = ts('21:00');
  await msg(p.alice, GENERAL, m10, `<@${p.bob}> can we talk tomorrow?`);
  await msg(p.caller, GENERAL, ts('08:30', 25), 'morning all');
  // The caller wrote a message and deleted it (a tombstone: no user id), and edited another.
  const gone = ts('08:40', 25);
  await msg(p.caller, GENERAL, gone, `oops <@${p.alice}>`);
  await deliver({ type: 'message', subtype: 'message_deleted', channel: GENERAL, channel_type: 'channel', deleted_ts: gone, ts: ts('08:41', 25), event_ts: ts('08:41', 25) });
  await deliver({
    type: 'message',
    subtype: 'message_changed',
    channel: PROJECT,
    channel_type: 'channel',
    ts: ts('11:05'),
    event_ts: ts('11:05'),
    message: { type: 'message', user: p.caller, text: `<@${p.bob}> <@${p.carol}> shall we have a quick call about the launch? (edited)`, ts: m4, edited: { ts: ts('11:05') } },
  });

  // Reactions both ways; one of the caller's removed again (the row stays, with removed_at).
  await react(p.caller, GENERAL, m1, '+1', ts('09:20'));
  await react(p.caller, PROJECT, m6, 'eyes', ts('12:10'));
  await react(p.caller, PROJECT, m6, 'thumbsup', ts('12:11'));
  await react(p.caller, PROJECT, m6, 'thumbsup', ts('12:12'), true);
  await react(p.alice, PROJECT, m4, 'tada', ts('11:10'));
  await react(p.bob, GENERAL, m10, 'white_check_mark', ts('21:30'));

  // Nudges shown to the caller, to others about the caller, and between others.
  const nudge = (userId: string, channelId: string, messageTs: string, kind: NudgeKind, aboutUserId?: string) =>
    claimNudge(store.db, { teamId: team, channelId, messageTs, kind, userId, ...(aboutUserId !== undefined ? { aboutUserId } : {}) });
  const mine = await nudge(p.caller, PROJECT, m4, 'meeting_request');
  await recordOutcome(store.db, team, mine as string, p.caller, 'thread');
  await nudge(p.carol, GENERAL, m8, 'off_hours', p.caller);
  await nudge(p.carol, GENERAL, m9, 'early_followup', p.caller);
  await nudge(p.carol, GENERAL, m9, 'focus', p.caller);
  const theirs = await nudge(p.alice, GENERAL, m10, 'off_hours', p.bob);
  await recordOutcome(store.db, team, theirs as string, p.alice, 'dismissed');
  await nudge(p.carol, PROJECT, m6, 'meeting_request');
  await snoozeUntil(store.db, team, p.caller, new Date('2026-12-01T00:00:00Z'));
  await snoozeUntil(store.db, team, p.alice, new Date('2026-12-02T00:00:00Z'));

  // Decisions: the caller's own, one of Alice's that mentions the caller, one of Bob's that does not.
  await recordDecision(store.db, team, PROJECT, p.caller, `Launch on Monday, <@${p.bob}> writes the notes`);
  await recordDecision(store.db, team, PROJECT, p.alice, `<@${p.caller}|caller> owns the rollout, <@${p.bob}> reviews; ask <@${p.caller}> first`);
  await recordDecision(store.db, team, GENERAL, p.bob, 'Budget stays as it is');
  await store.db.updateTable('decisions').set({ decided_at: new Date('2026-11-26T10:00:00Z') }).where('team_id', '=', team).execute();

  // Focus (/async focus) and the weekly pulse: five answers, so the report shows the pulse before and after.
  const focus = (user: string, from: string, to: string) =>
    store.db.insertInto('focus_sessions').values({ team_id: team, user_id: user, started_at: new Date(`2026-11-25T${from}:00Z`), ends_at: new Date(`2026-11-25T${to}:00Z`) }).execute();
  await focus(p.caller, '08:00', '10:00');
  await focus(p.caller, '13:00', '14:30');
  await focus(p.alice, '08:00', '09:30');
  await focus(p.bob, '09:00', '11:00');
  const pulse: Array<[string, number, number, number]> = [
    [p.caller, 1, 5, 1],
    [p.alice, 4, 2, 4],
    [p.bob, 3, 3, 3],
    [p.carol, 5, 1, 4],
    [p.dave, 2, 2, 5],
  ];
  for (const [user, f, s, a] of pulse) {
    await store.db.insertInto('pulse_responses').values({ team_id: team, user_id: user, week_start: WEEK, answered_at: new Date('2026-11-27T15:00:00Z'), focus: f, stress: s, autonomy: a }).execute();
  }

  // Charters: Alice names the caller an editor, the CLI stores one without, the caller saves the one in force.
  await saveCharter(store.db, team, makeCharter({ timezone: 'UTC', editors: [p.caller, p.bob], min_group_size: 4 }), p.alice);
  await saveCharter(store.db, team, makeCharter({ timezone: 'UTC', min_group_size: 4 }), 'cli');
  await saveCharter(
    store.db,
    team,
    makeCharter({ timezone: 'UTC', editors: [p.bob, p.caller, p.carol], min_group_size: 4, urgent_channels: [PROJECT], channel_overrides: { [GENERAL]: { nudges: { meeting_requests: false } } } }),
    p.caller,
  );
  // The requests queue applied, as the app's requests job does every few seconds.
  await drainRequests(store.db);
}

type Row = Record<string, unknown>;
type Snapshot = Record<string, Row[]>;

const stable = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
const sortRows = (rows: Row[]): Row[] => [...rows].sort((a, b) => (stable(a) < stable(b) ? -1 : stable(a) > stable(b) ? 1 : 0));

/** Every base table of the store's schema, with its columns and their types. */
async function schemaColumns(store: TestStore): Promise<Array<{ table: string; column: string; dataType: string; udt: string }>> {
  const r = await sql<{ table_name: string; column_name: string; data_type: string; udt_name: string }>`
    select c.table_name, c.column_name, c.data_type, c.udt_name
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
    order by c.table_name, c.ordinal_position`.execute(store.db);
  return r.rows.map((x) => ({ table: x.table_name, column: x.column_name, dataType: x.data_type, udt: x.udt_name }));
}

/** A team's rows of every table (a table without team_id: all its rows), sorted. */
async function snapshot(store: TestStore, team: string): Promise<Snapshot> {
  const cols = await schemaColumns(store);
  const out: Snapshot = {};
  for (const table of [...new Set(cols.map((c) => c.table))]) {
    const hasTeam = cols.some((c) => c.table === table && c.column === 'team_id');
    const q = hasTeam ? sql<Row>`select * from ${sql.table(table)} where team_id = ${team}` : sql<Row>`select * from ${sql.table(table)}`;
    out[table] = sortRows((await q.execute(store.db)).rows);
  }
  return out;
}

const TEXTUAL = new Set(['text', 'character varying', 'character', 'ARRAY', 'jsonb', 'json']);

/**
 * Every text, text[], varchar and json(b) column of every table, searched for the id in the
 * team's rows: equality for text, array membership for arrays, containment and a text search for
 * jsonb, and, for all of them, the id anywhere in the value as text. Returns "table.column" of
 * each hit, and the columns searched.
 */
async function columnsNaming(store: TestStore, team: string, id: string): Promise<{ hits: string[]; searched: string[] }> {
  const cols = await schemaColumns(store);
  const hits: string[] = [];
  const searched: string[] = [];
  for (const c of cols.filter((x) => TEXTUAL.has(x.dataType))) {
    const hasTeam = cols.some((x) => x.table === c.table && x.column === 'team_id');
    const col = sql.ref(c.column);
    const typed =
      c.dataType === 'ARRAY'
        ? sql`${id} = any(${col}::text[])`
        : c.dataType === 'jsonb' || c.dataType === 'json'
          ? sql`(${col}::jsonb @> ${JSON.stringify([id])}::jsonb or jsonb_path_exists(${col}::jsonb, ${`strict $.** ? (@ == "${id}")`}::jsonpath) or ${col}::text like ${`%"${id}"%`})`
          : sql`${col} = ${id}`;
    const naming = sql<{ n: number }>`select count(*)::int as n from ${sql.table(c.table)}
      where ${hasTeam ? sql`team_id = ${team}` : sql`true`} and (${typed} or position(${id} in ${col}::text) > 0)`;
    const n = (await naming.execute(store.db)).rows[0]?.n ?? 0;
    searched.push(`${c.table}.${c.column}`);
    if (n > 0) hits.push(`${c.table}.${c.column}`);
  }
  return { hits: hits.sort(), searched };
}

/** What each table of a team should hold once `id` is forgotten, derived from the rows before. */
function withoutPerson(before: Snapshot, id: string): Snapshot {
  const mention = new RegExp(`<@${id}(\\|[^>]*)?>`, 'g');
  const charter = (c: unknown): unknown => {
    const obj = (typeof c === 'string' ? JSON.parse(c) : c) as { editors?: string[] };
    return { ...obj, editors: (obj.editors ?? []).filter((e) => e !== id) };
  };
  const charterRow = (r: Row): Row => ({ ...r, updated_by: r.updated_by === id ? null : r.updated_by, charter: charter(r.charter) });
  const change: Record<string, (rows: Row[]) => Row[]> = {
    users: (rows) => rows.filter((r) => r.user_id !== id),
    channel_members: (rows) => rows.filter((r) => r.user_id !== id),
    messages: (rows) => rows.filter((r) => r.user_id !== id).map((r) => ({ ...r, mentions: (r.mentions as string[]).filter((m) => m !== id) })),
    reactions: (rows) => rows.filter((r) => r.user_id !== id),
    decisions: (rows) => rows.filter((r) => r.user_id !== id).map((r) => ({ ...r, summary: (r.summary as string).replace(mention, '@someone') })),
    focus_sessions: (rows) => rows.filter((r) => r.user_id !== id),
    pulse_responses: (rows) => rows.filter((r) => r.user_id !== id),
    nudges: (rows) => rows.filter((r) => r.user_id !== id && r.about_user_id !== id),
    nudge_snoozes: (rows) => rows.filter((r) => r.user_id !== id),
    // Their requests go, both ways; a request's n is its recipient's place in mentions, which closes up.
    requests: (rows) => {
      const kept = rows.filter((r) => r.requester !== id && r.rcpt !== id).sort((a, b) => Number(a.n) - Number(b.n));
      const places = new Map<string, number>();
      return kept.map((r) => {
        const key = `${String(r.channel_id)} ${String(r.ts)}`;
        const n = (places.get(key) ?? 0) + 1;
        places.set(key, n);
        return { ...r, n };
      });
    },
    charters: (rows) => rows.map(charterRow),
    charter_history: (rows) => rows.map(charterRow),
  };
  return Object.fromEntries(Object.entries(before).map(([t, rows]) => [t, sortRows((change[t] ?? ((x: Row[]) => x))(rows))]));
}

/** Charters read back as objects on both drivers, so that snapshots compare by value. */
function normalised(s: Snapshot): Snapshot {
  const parse = (r: Row): Row => ({ ...r, charter: typeof r.charter === 'string' ? JSON.parse(r.charter) : r.charter });
  return { ...s, charters: sortRows((s.charters ?? []).map(parse)), charter_history: sortRows((s.charter_history ?? []).map(parse)) };
}

describe(`forget-me: forgetPerson on ${testBackend()}`, () => {
  let store: TestStore;
  let before: Snapshot;
  let otherBefore: Snapshot;
  let prefixBefore: Snapshot;
  let namingBefore: string[];
  let activityBefore: Awaited<ReturnType<typeof loadActivity>>;
  let callerDecisionTimes: number[];
  let charterBefore: unknown;
  let counts: ForgetCounts;

  beforeAll(async () => {
    store = await freshStore();
    await seed(store, TEAM, PEOPLE);
    await seed(store, OTHER_TEAM, PEOPLE);
    await seed(store, PREFIX_TEAM, { ...PEOPLE, caller: `${CALLER}2` });
    before = normalised(await snapshot(store, TEAM));
    otherBefore = normalised(await snapshot(store, OTHER_TEAM));
    prefixBefore = normalised(await snapshot(store, PREFIX_TEAM));
    namingBefore = (await columnsNaming(store, TEAM, CALLER)).hits;
    activityBefore = await loadActivity(store.db, TEAM, { from: new Date(0), to: AS_OF });
    callerDecisionTimes = (await store.db.selectFrom('decisions').select('decided_at').where('team_id', '=', TEAM).where('user_id', '=', CALLER).execute()).map((d) => d.decided_at.getTime());
    charterBefore = (await loadCharter(store.db, TEAM)).charter;
    counts = await forgetPerson(store.db, TEAM, CALLER);
  }, 120_000);
  afterAll(async () => {
    await store.close();
  });

  it('the seed names the caller in every column that can hold a user id', () => {
    expect(namingBefore).toEqual(NAMING_COLUMNS);
    expect(before.deleted_messages).toHaveLength(1);
  });

  it('counts exactly what went, table by table', () => {
    expect(Object.keys(counts.tables)).toEqual([...FORGET_TABLES]);
    expect(counts.tables).toEqual(EXPECTED);
    expect(counts.total).toBe(EXPECTED_TOTAL);
    expect(Object.values(EXPECTED).reduce((a, b) => a + b, 0)).toBe(EXPECTED_TOTAL);
  });

  it('leaves no text, text[] or jsonb column of any table naming the caller in that team', async () => {
    const { hits, searched } = await columnsNaming(store, TEAM, CALLER);
    expect(hits).toEqual([]);
    // The search really covered the schema: every column that named the caller, and more.
    expect(searched).toEqual(expect.arrayContaining(NAMING_COLUMNS));
    expect(searched.length).toBeGreaterThan(40);
  });

  it("changes nothing else: other people's rows are as they were, minus the caller's id", async () => {
    const after = normalised(await snapshot(store, TEAM));
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    const expected = withoutPerson(before, CALLER);
    for (const table of Object.keys(before)) expect({ table, rows: after[table] }).toEqual({ table, rows: expected[table] });
    // And the per-table counts match the rows that differ.
    const gone = (t: string) => (before[t]?.length ?? 0) - (after[t]?.length ?? 0);
    expect(gone('messages')).toBe(EXPECTED.messages);
    expect(gone('nudges')).toBe(EXPECTED.nudges);
    expect(gone('reactions')).toBe(EXPECTED.reactions);
    // Reactions of others on the caller's messages stay: they name the reactor only.
    expect(after.reactions?.filter((r) => r.user_id === ALICE && r.reaction === 'tada')).toHaveLength(1);
    // Thread replies of others under the caller's root stay.
    expect(after.messages?.filter((r) => r.user_id === BOB && r.root_ts === ts('11:00'))).toHaveLength(1);
    // A deleted message's tombstone holds no user id and stays (so it cannot come back).
    expect(after.deleted_messages).toEqual(before.deleted_messages);
  });

  it("keeps the rest of each charter exactly, and a decision's text apart from the mention", async () => {
    const now = await loadCharter(store.db, TEAM);
    expect(now.problems).toEqual([]);
    expect(now.charter).toEqual({ ...(charterBefore as object), editors: [BOB, CAROL] });
    const decisions = await store.db.selectFrom('decisions').select(['user_id', 'summary']).where('team_id', '=', TEAM).orderBy('user_id').execute();
    expect(decisions).toEqual([
      { user_id: ALICE, summary: `@someone owns the rollout, <@${BOB}> reviews; ask @someone first` },
      { user_id: BOB, summary: 'Budget stays as it is' },
    ]);
  });

  it("the weekly report is the one the other people's activity alone gives", async () => {
    const charter = (await loadCharter(store.db, TEAM)).charter;
    const after = await buildReportSet(store.db, TEAM, { weeks: [WEEK], asOf: AS_OF });
    const people = new Map(activityBefore.people);
    people.delete(CALLER);
    const decisions = [...activityBefore.decisions];
    for (const t of callerDecisionTimes) decisions.splice(decisions.indexOf(t), 1);
    const others = {
      ...activityBefore,
      messages: activityBefore.messages.filter((m) => m.user !== CALLER).map((m) => ({ ...m, mentions: m.mentions.filter((u) => u !== CALLER) })),
      reactions: activityBefore.reactions.filter((r) => r.user !== CALLER),
      people,
      decisions,
      focusSessions: activityBefore.focusSessions.filter((f) => f.user !== CALLER),
      pulseAnswers: activityBefore.pulseAnswers.filter((p) => p.user !== CALLER),
    };
    const expected = weeklyReportSet({ teamId: TEAM, charter, asOf: AS_OF.getTime(), ...others }, [WEEK]);
    expect(after.reports).toEqual(expected.weeks);
    expect(after.channels).toEqual(expected.channels);

    // The figures did move: the same workspace with the caller (the other team) says more.
    const [withCaller] = (await buildReportSet(store.db, OTHER_TEAM, { weeks: [WEEK], asOf: AS_OF })).reports;
    const [without] = after.reports;
    expect(withCaller?.messages).toBe(11);
    expect(without?.messages).toBe(8);
    expect(withCaller?.requests).toBe(11);
    expect(without?.requests).toBe(4);
    expect(withCaller?.decisions_logged).toBe(3);
    expect(without?.decisions_logged).toBe(2);
    expect(withCaller?.pulse?.responses).toBe(5);
    expect(without?.pulse?.responses).toBe(4);
    expect(without?.focus_hours).toBe(3.5);
  });

  it("leaves another workspace's rows for the same user id untouched", async () => {
    expect(normalised(await snapshot(store, OTHER_TEAM))).toEqual(otherBefore);
    expect((await columnsNaming(store, OTHER_TEAM, CALLER)).hits).toEqual(NAMING_COLUMNS);
  });

  it("leaves alone an id that merely starts with the caller's", async () => {
    const r = await forgetPerson(store.db, PREFIX_TEAM, CALLER);
    expect(r.total).toBe(0);
    expect(normalised(await snapshot(store, PREFIX_TEAM))).toEqual(prefixBefore);
  });

  it('forgetting twice, or someone unknown, deletes nothing', async () => {
    const again = await forgetPerson(store.db, TEAM, CALLER);
    expect(again).toEqual({ tables: Object.fromEntries(FORGET_TABLES.map((t) => [t, 0])), total: 0 });
    const unknown = await forgetPerson(store.db, TEAM, 'U0NOBODY01');
    expect(unknown.total).toBe(0);
    expect(normalised(await snapshot(store, TEAM))).toEqual(withoutPerson(before, CALLER));
    await expect(forgetPerson(store.db, TEAM, '')).rejects.toThrow(RangeError);
  });

  it('runs in one transaction: a failure half-way leaves every row in place', async () => {
    await seed(store, ATOMIC_TEAM, PEOPLE);
    const atomicBefore = normalised(await snapshot(store, ATOMIC_TEAM));
    // nudge_snoozes comes after the users, messages and nudges deletes.
    await sql`alter table nudge_snoozes rename to nudge_snoozes_away`.execute(store.db);
    try {
      await expect(forgetPerson(store.db, ATOMIC_TEAM, CALLER)).rejects.toThrow(/nudge_snoozes/);
    } finally {
      await sql`alter table nudge_snoozes_away rename to nudge_snoozes`.execute(store.db);
    }
    expect(normalised(await snapshot(store, ATOMIC_TEAM))).toEqual(atomicBefore);
    expect((await forgetPerson(store.db, ATOMIC_TEAM, CALLER)).tables).toEqual(EXPECTED);
  }, 60_000);
});

describe('forget-me: PrivacyService and its answer', () => {
  it('forgets, answers with the counts, and logs one info line with counts only', async () => {
    const store = await freshStore();
    try {
      await seed(store, TEAM, PEOPLE);
      const logs = new LogCapture();
      const svc = new PrivacyService({ store, logger: createLogger({ level: 'debug', stream: logs }) });
      const counts = await svc.forgetMe(TEAM, CALLER);
      expect(counts.tables).toEqual(EXPECTED);
      const lines = logs.parsed();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 30, team_id: TEAM, total: EXPECTED_TOTAL, tables: EXPECTED });
      expect(logs.text()).not.toContain(CALLER);
      expect(logs.text()).not.toMatch(/rollout|budget|launch/i);
      expect(forgetSummary(counts)).toBe(
        "Done. 26 rows that named you were deleted or no longer name you: 3 messages, 4 mentions in others' messages, 3 reactions, 4 nudges, 1 nudge snooze, " +
          "2 focus sessions, 1 decision, 1 mention in others' decisions, 1 pulse answer, 2 channel memberships, 1 charter naming you, " +
          '2 past charter versions naming you, 1 directory entry. Messages in Slack itself are not affected.',
      );
    } finally {
      await store.close();
    }
  }, 60_000);

  it('says so when nothing was stored, skips zero counts, and names tables it has no words for', () => {
    const zero = { tables: Object.fromEntries(FORGET_TABLES.map((t) => [t, 0])), total: 0 };
    expect(forgetSummary(zero)).toBe('Nothing was stored about you in this workspace, so there was nothing to delete.');
    expect(forgetSummary({ tables: { ...zero.tables, users: 1 }, total: 1 })).toBe(
      'Done. 1 row that named you was deleted or no longer names you: 1 directory entry. Messages in Slack itself are not affected.',
    );
    expect(forgetSummary({ tables: { messages: 2, memos: 1, reactions: 0 }, total: 3 })).toBe(
      'Done. 3 rows that named you were deleted or no longer name you: 2 messages, 1 memos row. Messages in Slack itself are not affected.',
    );
  });
});
