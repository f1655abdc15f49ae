import fc from 'fast-check';
import type { Change, MessageRecord } from '../../src/domain/activity';
import { channelRules, type Charter, type CharterInput } from '../../src/domain/charter';
import { personalFigures } from '../../src/domain/personal';
import { weekBounds, weeklyReportSet, type ChannelFigures, type WeeklyReport } from '../../src/domain/report';
import { dueAfter, scheduleFor } from '../../src/domain/working-time';
import { storedPersonalFigures } from '../../src/services/me';
import { buildReportSet, buildReports, reportLookbackMs } from '../../src/services/reports';
import { applyChanges, upsertWorkspace } from '../../src/store/activity';
import { loadActivity } from '../../src/store/report-data';
import { upsertUser } from '../../src/store/users';
import { makeCharter } from '../helpers/charter';
import { freshStore, testBackend, type TestStore } from '../helpers/store';

/**
 * Parity: the weekly report as the service now builds it (counts aggregated in the database,
 * src/store/report-counts.ts, working time from a domain table) against the definition it replaced
 * and that SPEC §4-§5 describe: every message and reaction of the window loaded as records
 * (loadActivity, the lookback of 60 days before the first week) and weeklyReportSet over them.
 * Histories are written through the store's own writers; one store per file (PGlite, or Postgres
 * with DATABASE_URL), a fresh team per history.
 */

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
const LOOKBACK_MS = 60 * DAY;

const CHANNELS = ['C0REPORT01', 'C0REPORT02', 'C0REPORT03'] as const;
const PEOPLE = ['U0ANNA0001', 'U0BEN00001', 'U0CHLOE001', 'U0DAN00001', 'U0EVE00001'] as const;
const BOT = 'U0BOT00001';
const GONE = 'U0GONE0001';
const NOBODY = 'U0NOBODY01'; // never in the directory
const APP = 'U0APP00001'; // the app's own user

type PersonSpec = { id: string; tz: string | null; isBot?: boolean; deleted?: boolean };
type Msg = { channel: string; ts: string; at: number; rootTs: string; isReply: boolean; user: string; mentions: string[]; meeting: boolean; whereIs: boolean };
type ReactionSpec = { channel: string; messageTs: string; user: string; at: number; emoji: string; removedAt: number | null };
type Scenario = { charter: Charter; people: PersonSpec[]; messages: Msg[]; reactions: ReactionSpec[]; weeks: string[]; asOf: number };

let team = 0;
const nextTeam = (): string => `T0RC${String((team += 1)).padStart(6, '0')}`;

function toRecord(m: Msg): MessageRecord {
  return {
    channelId: m.channel,
    ts: m.ts,
    postedAt: new Date(m.at),
    threadTs: m.isReply ? m.rootTs : null,
    rootTs: m.rootTs,
    isReply: m.isReply,
    userId: m.user,
    subtype: null,
    mentions: [...m.mentions],
    editedTs: null,
    meetingRequest: m.meeting,
    whereIs: m.whereIs,
    question: false,
  };
}

async function seed(store: TestStore, teamId: string, s: Scenario): Promise<void> {
  for (const p of s.people) {
    const u = { userId: p.id, userTeamId: teamId, displayName: p.id, tz: p.tz, isBot: p.isBot ?? false, isAppUser: false, deleted: p.deleted ?? false, isAdmin: false, isOwner: false, isPrimaryOwner: false, isRestricted: false };
    await upsertUser(store.db, teamId, u, 'refresh');
  }
  await upsertWorkspace(store.db, teamId, APP, 'B0APP00001');
  const changes: Change[] = CHANNELS.map((c) => ({ kind: 'channel_seen', channelId: c, channelType: 'channel' }));
  for (const m of s.messages) changes.push({ kind: 'message', message: toRecord(m), edit: false });
  for (const r of s.reactions) {
    const base = { kind: 'reaction' as const, channelId: r.channel, messageTs: r.messageTs, userId: r.user, reaction: r.emoji };
    changes.push({ ...base, at: new Date(r.at), removed: false });
    if (r.removedAt !== null) changes.push({ ...base, at: new Date(r.removedAt), removed: true });
  }
  await applyChanges(store.db, teamId, changes, 'event');
}

type ReportSet = { reports: WeeklyReport[]; channels: ChannelFigures[] };

/** The definition the service used to compute: every row of the window as records, weeklyReportSet over them. */
async function reference(store: TestStore, teamId: string, s: Scenario): Promise<ReportSet> {
  const from = Math.min(...s.weeks.map((w) => weekBounds(w, s.charter.timezone)[0])) - LOOKBACK_MS;
  const activity = await loadActivity(store.db, teamId, { from: new Date(from), to: new Date(s.asOf) });
  const set = weeklyReportSet({ teamId, charter: s.charter, asOf: s.asOf, ...activity }, s.weeks);
  return { reports: set.weeks, channels: set.channels };
}

async function check(store: TestStore, s: Scenario, also: { people?: readonly string[]; channels?: readonly string[] } = {}): Promise<void> {
  const teamId = nextTeam();
  await seed(store, teamId, s);
  const want = await reference(store, teamId, s);
  const got = await buildReportSet(store.db, teamId, { weeks: s.weeks, asOf: new Date(s.asOf), charter: s.charter });
  same(s, got, want);
  // A person's own figures (App Home, /async stats) and one channel's report (/async stats #channel),
  // read from that person's or channel's rows only, against the same definitions over every record.
  const from = Math.min(...s.weeks.map((w) => weekBounds(w, s.charter.timezone)[0])) - reportLookbackMs(s.charter);
  for (const user of also.people ?? []) {
    const activity = await loadActivity(store.db, teamId, { from: new Date(from), to: new Date(s.asOf) });
    const personal = personalFigures({ ...activity, charter: s.charter, asOf: s.asOf, timezone: s.charter.timezone }, user, s.weeks);
    same(s, { user, ...(await storedPersonalFigures(store.db, teamId, user, { charter: s.charter, weeks: s.weeks, asOf: s.asOf })) }, { user, ...personal });
  }
  for (const channel of also.channels ?? []) {
    const activity = await loadActivity(store.db, teamId, { from: new Date(from), to: new Date(s.asOf), channel });
    const reports = weeklyReportSet({ teamId, charter: s.charter, asOf: s.asOf, ...activity }, s.weeks).weeks;
    same(s, { channel, reports: await buildReports(store.db, teamId, { weeks: s.weeks, asOf: new Date(s.asOf), charter: s.charter, channel }) }, { channel, reports });
  }
}

function same(s: Scenario, got: unknown, want: unknown): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    expect({ history: describeScenario(s), got }).toEqual({ history: describeScenario(s), got: want });
  }
}

function describeScenario(s: Scenario): string {
  const iso = (t: number) => new Date(t).toISOString();
  return [
    `charter: ${JSON.stringify(s.charter)}`,
    `weeks ${JSON.stringify(s.weeks)}, as_of ${iso(s.asOf)}`,
    `people: ${JSON.stringify(s.people)}`,
    ...s.messages.map((m) => `  ${JSON.stringify({ ...m, iso: iso(m.at) })}`),
    ...s.reactions.map((r) => `  reaction ${JSON.stringify({ ...r, iso: iso(r.at) })}`),
  ].join('\n');
}

// ---------------------------------------------------------------- generated histories

/** Mondays around DST changes (US and EU in March, Auckland in April, US in November). */
const WEEKS = ['2026-03-02', '2026-03-23', '2026-03-30', '2026-10-26'];
const ZONES = [null, 'UTC', 'America/New_York', 'Asia/Kolkata', 'Europe/Berlin', 'Pacific/Auckland', 'Not/AZone', ''];
const tsOf = (at: number, micro: number): string => `${Math.floor(at / 1000)}.${String((at % 1000) * 1000 + micro).padStart(6, '0')}`;

const rawMessage = fc.record({
  gap: fc.oneof(
    { weight: 2, arbitrary: fc.constant(0) }, // the same millisecond as the message before
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 90 }).map((m) => m * MIN) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 72 }).map((h) => h * H) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 * DAY }) },
  ),
  micro: fc.integer({ min: 0, max: 999 }),
  channel: fc.nat(2),
  // Biased towards one requester (person 0) and one recipient (person 1), so that requests repeat.
  author: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 4, arbitrary: fc.nat(4) }, { weight: 1, arbitrary: fc.constantFrom(BOT, GONE, NOBODY) }),
  thread: fc.option(fc.nat(5), { freq: 2 }),
  /** A reply to a thread whose root comes later (the definition allows it; Slack never does it). */
  laterRoot: fc.integer({ min: 0, max: 29 }).map((x) => x === 0),
  mentions: fc.uniqueArray(fc.oneof({ weight: 5, arbitrary: fc.constant(1) }, { weight: 4, arbitrary: fc.nat(4) }, { weight: 1, arbitrary: fc.constantFrom(5, 6, 7, 8) }), { maxLength: 3 }),
  /** Posted exactly when an earlier request falls due (working time reached), or 1 ms after. */
  atDue: fc.option(fc.record({ of: fc.nat(40), plus: fc.constantFrom(0, 0, 1) }), { freq: 5 }),
  /** Asks again: the channel, author, mentions and thread of the last request. */
  repeat: fc.integer({ min: 0, max: 3 }).map((x) => x === 0),
  meeting: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
  whereIs: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
});
const rawReaction = fc.record({
  msg: fc.nat(60),
  user: fc.nat(4),
  delay: fc.oneof(fc.integer({ min: -H, max: H }), fc.integer({ min: 0, max: 3 * DAY })),
  removeAfter: fc.option(fc.integer({ min: 0, max: H }), { freq: 4 }),
  emoji: fc.constantFrom('+1', 'eyes'),
});
const rawCharter = fc.record({
  timezone: fc.constantFrom('UTC', 'America/New_York', 'Asia/Kolkata', 'Europe/Berlin'),
  workdays: fc.subarray(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const, { minLength: 1 }),
  start: fc.integer({ min: 0, max: 22 * 60 }),
  length: fc.integer({ min: 1, max: 16 * 60 }),
  holiday: fc.option(fc.integer({ min: 0, max: 20 }), { freq: 3 }),
  normal: fc.constantFrom(30, 60, 90, 480, 1440),
  urgentMinutes: fc.constantFrom(15, 60, 180),
  urgent: fc.constantFrom('none', 'none', 'list', 'override'),
  override: fc.option(fc.constantFrom(30, 120, 600), { freq: 3 }),
  reactions: fc.boolean(),
  exclude: fc.integer({ min: 0, max: 5 }).map((x) => x === 0),
});

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    week: fc.nat(WEEKS.length - 1),
    weekShape: fc.constantFrom('one', 'one', 'two', 'gap', 'twice'),
    startOffset: fc.integer({ min: -2 * DAY, max: 6 * DAY }),
    zones: fc.array(fc.constantFrom(...ZONES), { minLength: 5, maxLength: 5 }),
    messages: fc.array(rawMessage, { minLength: 1, maxLength: 40 }),
    reactions: fc.array(rawReaction, { maxLength: 15 }),
    charter: rawCharter,
    asOf: fc.oneof(fc.integer({ min: 0, max: 21 * DAY }), fc.constantFrom('due', 'last')),
    asOfDue: fc.nat(40),
  })
  .map((g): Scenario => {
    const c = g.charter;
    const end = Math.min(c.start + c.length, 23 * 60 + 59);
    const overrides: NonNullable<CharterInput['channel_overrides']> = {};
    if (c.urgent === 'override') overrides[CHANNELS[1]] = { urgent: true };
    if (c.override !== null) overrides[CHANNELS[2]] = { response_windows: { normal: { working_minutes: c.override } } };
    const week = WEEKS[g.week] as string;
    const monday = Date.parse(`${week}T00:00:00Z`);
    const charter = makeCharter({
      timezone: c.timezone,
      workdays: [...c.workdays],
      working_hours: { start: hhmm(c.start), end: hhmm(Math.max(end, c.start + 1)) },
      holidays: c.holiday === null ? [] : [new Date(monday + c.holiday * DAY).toISOString().slice(0, 10)],
      response_windows: { normal: { working_minutes: c.normal }, urgent: { minutes: c.urgentMinutes } },
      urgent_channels: c.urgent === 'list' ? [CHANNELS[0]] : [],
      reactions_count_as_response: c.reactions,
      excluded_channels: c.exclude ? [CHANNELS[2]] : [],
      ...(Object.keys(overrides).length > 0 ? { channel_overrides: overrides } : {}),
    });
    const people: PersonSpec[] = PEOPLE.map((id, i) => ({ id, tz: g.zones[i] ?? null }));
    people.push({ id: BOT, tz: null, isBot: true }, { id: GONE, tz: 'UTC', deleted: true });
    const extra = [BOT, GONE, NOBODY, APP];
    const who = (k: number | string) => (typeof k === 'string' ? k : k < 5 ? (PEOPLE[k] as string) : (extra[k - 5] as string));
    const tzOf = (u: string) => people.find((p) => p.id === u)?.tz ?? charter.timezone;
    // Due instants of the requests so far (normal windows), to post at exactly.
    const dues: number[] = [];
    const messages: Msg[] = [];
    let clock = monday + g.startOffset;
    for (const raw of g.messages) {
      const ask = raw.repeat ? [...messages].reverse().find((m) => m.mentions.length > 0) : undefined;
      const channel = ask?.channel ?? (CHANNELS[raw.channel] as string);
      const due = raw.atDue === null ? undefined : dues[raw.atDue.of % Math.max(1, dues.length)];
      clock = due !== undefined && due + raw.atDue!.plus >= clock ? due + raw.atDue!.plus : clock + raw.gap;
      const at = clock;
      const ts = tsOf(at, raw.micro);
      if (messages.some((m) => m.channel === channel && m.ts === ts)) continue;
      const tops = messages.filter((m) => m.channel === channel && !m.isReply);
      const root = raw.thread === null || tops.length === 0 ? undefined : tops[tops.length - 1 - (raw.thread % tops.length)];
      const user = ask?.user ?? who(raw.author);
      const mentions = ask?.mentions ?? [...new Set(raw.mentions.map(who))];
      const rootTs = ask !== undefined ? (ask.isReply ? ask.rootTs : ts) : raw.laterRoot && raw.thread !== null ? tsOf(at + 5 * MIN, 0) : (root?.ts ?? ts);
      messages.push({ channel, ts, at, rootTs, isReply: rootTs !== ts, user, mentions, meeting: raw.meeting, whereIs: raw.whereIs });
      const rules = channelRules(charter, channel);
      for (const u of mentions) {
        const d = dueAfter(scheduleFor(charter, tzOf(u)), at, rules.normalWorkingMinutes);
        if (d !== null) dues.push(d);
      }
    }
    const reactions: ReactionSpec[] = [];
    for (const raw of g.reactions) {
      const on = messages[raw.msg % messages.length] as Msg;
      if (reactions.some((r) => r.messageTs === on.ts && r.channel === on.channel && r.user === who(raw.user) && r.emoji === raw.emoji)) continue;
      const at = on.at + raw.delay;
      reactions.push({ channel: on.channel, messageTs: on.ts, user: who(raw.user), at, emoji: raw.emoji, removedAt: raw.removeAfter === null ? null : at + raw.removeAfter });
    }
    const next = (w: string, n: number) => new Date(Date.parse(`${w}T00:00:00Z`) + n * 7 * DAY).toISOString().slice(0, 10);
    const weeks = g.weekShape === 'one' ? [week] : g.weekShape === 'two' ? [week, next(week, 1)] : g.weekShape === 'gap' ? [week, next(week, 2)] : [week, week];
    const last = messages.reduce((t, m) => Math.max(t, m.at), monday);
    const asOf = g.asOf === 'due' ? (dues[g.asOfDue % Math.max(1, dues.length)] ?? last) : g.asOf === 'last' ? last : monday + g.asOf;
    return { charter, people, messages, reactions, weeks, asOf };
  });

describe(`the weekly report from the store's aggregates equals weeklyReportSet over the loaded records, and so do a person's own figures and one channel's report (${testBackend()})`, () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await freshStore();
  });
  afterAll(async () => {
    await store.close();
  });

  it('on generated histories: DST weeks, people in other zones, unknown and invalid zones, bots, deactivated and unknown people, the app, urgent and overridden channels, an excluded channel, reactions before and after, answers exactly at the due instant, as_of exactly at one, one or several weeks', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.nat(CHANNELS.length - 1), async (s, c) => {
        // Person 0 asks most, person 1 is asked most (see rawMessage).
        await check(store, s, { people: [PEOPLE[0], PEOPLE[1]], channels: [CHANNELS[c] as string] });
      }),
      { numRuns: 60 },
    );
  }, 600_000);

  const MON = Date.parse('2026-03-02T00:00:00Z'); // Monday; New York changes to summer time on Sunday 8 March
  const msg = (user: string, at: number, o: Partial<Msg> = {}): Msg => {
    const ts = o.ts ?? tsOf(at, 0);
    return { channel: CHANNELS[0], ts, at, rootTs: ts, isReply: false, user, mentions: [], meeting: false, whereIs: false, ...o };
  };
  const [ANNA, BEN, CHLOE] = PEOPLE;
  const people: PersonSpec[] = [
    { id: ANNA, tz: 'UTC' },
    { id: BEN, tz: 'America/New_York' },
    { id: CHLOE, tz: null },
  ];
  const tue10 = MON + DAY + 10 * H;
  const cases: Array<[string, () => Scenario]> = [
    ['an empty week', () => ({ charter: makeCharter(), people, messages: [], reactions: [], weeks: ['2026-03-02'], asOf: MON + 8 * DAY })],
    [
      'an answer exactly at the due instant is on time; one millisecond later it is late',
      () => {
        const due = dueAfter(scheduleFor(makeCharter(), 'America/New_York'), tue10, 480) as number;
        const a = msg(ANNA, tue10, { mentions: [BEN] });
        const b = msg(ANNA, tue10 + 1, { mentions: [BEN], channel: CHANNELS[1] });
        return {
          charter: makeCharter(),
          people,
          messages: [a, b, msg(BEN, due, { rootTs: a.ts, isReply: true }), msg(BEN, due + 1, { channel: CHANNELS[1], rootTs: b.ts, isReply: true })],
          reactions: [],
          weeks: ['2026-03-02'],
          asOf: MON + 7 * DAY,
        };
      },
    ],
    [
      'as_of exactly at the due instant: pending; the millisecond after: overdue',
      () => {
        const due = dueAfter(scheduleFor(makeCharter(), 'UTC'), tue10, 480) as number;
        return { charter: makeCharter(), people, messages: [msg(BEN, tue10, { mentions: [ANNA] })], reactions: [], weeks: ['2026-03-02'], asOf: due };
      },
    ],
    [
      'the same millisecond: a reply whose ts is later by microseconds answers; one earlier does not',
      () => {
        const a = msg(ANNA, tue10, { ts: tsOf(tue10, 500), mentions: [BEN] });
        return {
          charter: makeCharter(),
          people,
          messages: [a, msg(BEN, tue10, { ts: tsOf(tue10, 400), rootTs: a.ts, isReply: true }), msg(BEN, tue10, { ts: tsOf(tue10, 600), channel: CHANNELS[0], rootTs: a.ts, isReply: true })],
          reactions: [],
          weeks: ['2026-03-02'],
          asOf: MON + 7 * DAY,
        };
      },
    ],
    [
      'early follow-ups: a repeat before the first is due, after it is answered, in another thread',
      () => {
        const a = msg(ANNA, tue10, { mentions: [CHLOE] });
        const r = msg(ANNA, tue10 + 30 * MIN, { mentions: [CHLOE] });
        const t = msg(ANNA, tue10 + 40 * MIN, { mentions: [CHLOE], rootTs: a.ts, isReply: true });
        const ans = msg(CHLOE, tue10 + H, { rootTs: a.ts, isReply: true });
        const r2 = msg(ANNA, tue10 + 2 * H, { mentions: [CHLOE] });
        return { charter: makeCharter(), people, messages: [a, r, t, ans, r2], reactions: [], weeks: ['2026-03-02'], asOf: MON + 7 * DAY };
      },
    ],
    [
      'an answer in the very millisecond of the repeat counts as given: no early follow-up',
      () => {
        const a = msg(ANNA, tue10, { mentions: [CHLOE] });
        const b = msg(ANNA, tue10, { mentions: [BEN], channel: CHANNELS[1] });
        return {
          charter: makeCharter(),
          people,
          messages: [a, msg(CHLOE, tue10 + H, { ts: tsOf(tue10 + H, 1), rootTs: a.ts, isReply: true }), msg(ANNA, tue10 + H, { ts: tsOf(tue10 + H, 2), mentions: [CHLOE] }), b, msg(ANNA, tue10 + H, { ts: tsOf(tue10 + H, 3), channel: CHANNELS[1], mentions: [BEN] })],
          reactions: [],
          weeks: ['2026-03-02'],
          asOf: MON + 7 * DAY,
        };
      },
    ],
    [
      'ts written with fewer fraction digits: the same microsecond is not later',
      () => {
        const sec = Math.floor(tue10 / 1000);
        const a = msg(ANNA, sec * 1000 + 500, { ts: `${sec}.5`, mentions: [BEN] });
        return {
          charter: makeCharter(),
          people,
          messages: [a, msg(BEN, sec * 1000 + 500, { ts: `${sec}.500000`, rootTs: a.ts, isReply: true }), msg(BEN, sec * 1000 + 500, { ts: `${sec}.500001`, channel: CHANNELS[1] })],
          reactions: [],
          weeks: ['2026-03-02'],
          asOf: MON + 7 * DAY,
        };
      },
    ],
    [
      'a reaction counts (or not, by the charter), even one older than the message; removed, it still counted',
      () => {
        const a = msg(ANNA, tue10, { mentions: [BEN] });
        const b = msg(ANNA, tue10 + H, { mentions: [CHLOE] });
        const reactions = [
          { channel: a.channel, messageTs: a.ts, user: BEN, at: tue10 - MIN, emoji: 'eyes', removedAt: null },
          { channel: b.channel, messageTs: b.ts, user: CHLOE, at: tue10 + 2 * H, emoji: '+1', removedAt: tue10 + 3 * H },
        ];
        return { charter: makeCharter({ reactions_count_as_response: true }), people, messages: [a, b], reactions, weeks: ['2026-03-02'], asOf: MON + 7 * DAY };
      },
    ],
    [
      'a top-level answer in the channel answers a top-level request, not a reply',
      () => {
        const a = msg(ANNA, tue10, { mentions: [BEN] });
        const reply = msg(ANNA, tue10 + MIN, { mentions: [BEN], rootTs: a.ts, isReply: true });
        return { charter: makeCharter(), people, messages: [a, reply, msg(BEN, tue10 + H)], reactions: [], weeks: ['2026-03-02'], asOf: MON + 7 * DAY };
      },
    ],
    [
      'a week across the DST change in New York, with requests in the lookback before it',
      () => {
        const charter = makeCharter({ timezone: 'America/New_York' });
        const before = MON - 3 * DAY + 15 * H;
        return {
          charter,
          people,
          messages: [msg(ANNA, before, { mentions: [BEN] }), msg(ANNA, MON + 6 * DAY + 7 * H, { mentions: [BEN] }), msg(BEN, MON + 7 * DAY + 14 * H), msg(ANNA, MON + 8 * DAY, { mentions: [BEN] })],
          reactions: [],
          weeks: ['2026-03-02', '2026-03-09'],
          asOf: MON + 9 * DAY,
        };
      },
    ],
  ];
  it.each(cases)('%s', async (_, make) => {
    await check(store, make());
  });

  it('a reaction timed before its message (Slack never sends one; a hand-made payload may) answers nothing, in the report and in the person\'s figures', async () => {
    const teamId = nextTeam();
    const m = msg(ANNA, tue10, { mentions: [BEN] });
    const s: Scenario = { charter: makeCharter(), people, messages: [m], reactions: [{ channel: m.channel, messageTs: m.ts, user: BEN as string, at: tue10 - H, emoji: 'eyes', removedAt: null }], weeks: ['2026-03-02'], asOf: MON + 7 * DAY };
    await seed(store, teamId, s);
    const [report] = await buildReports(store.db, teamId, { weeks: s.weeks, asOf: new Date(s.asOf), charter: s.charter });
    expect(report).toMatchObject({ requests: 1, on_time: 0, late: 0, overdue: 1 });
    const mine = await storedPersonalFigures(store.db, teamId, BEN as string, { charter: s.charter, weeks: s.weeks, asOf: s.asOf });
    expect(mine.waitingTotal).toBe(1);
    // A later reaction of theirs, another emoji, is the answer (the earlier one does not hide it).
    const again = nextTeam();
    await seed(store, again, { ...s, reactions: [...s.reactions, { channel: m.channel, messageTs: m.ts, user: BEN as string, at: tue10 + H, emoji: '+1', removedAt: null }] });
    const [answered] = await buildReports(store.db, again, { weeks: s.weeks, asOf: new Date(s.asOf), charter: s.charter });
    expect(answered).toMatchObject({ requests: 1, on_time: 1, overdue: 0 });
    expect((await storedPersonalFigures(store.db, again, BEN as string, { charter: s.charter, weeks: s.weeks, asOf: s.asOf })).waitingTotal).toBe(0);
  });

  it('what waits on a person goes back as far as a report reads requests: 45 days before the week, still listed', async () => {
    const teamId = nextTeam();
    const old = msg(ANNA, tue10 - 45 * DAY, { mentions: [BEN] });
    const s: Scenario = { charter: makeCharter(), people, messages: [old, msg(ANNA, tue10, { mentions: [BEN], channel: CHANNELS[1] })], reactions: [], weeks: ['2026-03-02'], asOf: MON + 7 * DAY };
    await seed(store, teamId, s);
    const got = await storedPersonalFigures(store.db, teamId, BEN as string, { charter: s.charter, weeks: s.weeks, asOf: s.asOf });
    expect(got.waitingTotal).toBe(2);
    expect(got.waiting.map((w) => [w.ts, w.overdue])).toEqual([
      [old.ts, true],
      [tsOf(tue10, 0), true],
    ]);
    // The week's own figures count only the week's request.
    expect(got.weeks[0]).toMatchObject({ week_start: '2026-03-02', requests_to_you: 1, overdue: 1 });
  });
});
