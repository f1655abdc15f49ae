import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { Charter, CharterInput } from '../../src/domain/charter';
import { personalFigures, WAITING_LISTED, type PersonalInputs, type PersonalWeek } from '../../src/domain/personal';
import { weeklyReports, type FocusSession, type ReportMsg } from '../../src/domain/report';
import type { Person, Reaction } from '../../src/domain/requests';
import { makeCharter } from '../helpers/charter';

/**
 * Blind tests of a person's own figures (SPEC §2–§5 seen from one person's side), written from
 * the specification: the same request rules as the weekly report, counted for one recipient.
 */

const MIN = 60_000;
const H = 3_600_000;
/** An ISO local date-time in a zone → epoch ms. */
const T = (iso: string, zone = 'UTC'): number => {
  const d = DateTime.fromISO(iso, { zone });
  if (!d.isValid) throw new Error(`bad test instant ${iso}`);
  return d.toMillis();
};

const W1 = '2026-11-23'; // a Monday
const W2 = '2026-11-30';

const A = 'UAAAAAAAA1'; // UTC
const B = 'UBBBBBBBB1'; // UTC
const BER = 'UBERLIN001'; // Europe/Berlin
const LAX = 'ULOSANGEL1'; // America/Los_Angeles
const NOTZ = 'UNOTZNOTZ1'; // no Slack tz: the charter timezone applies
const BOT = 'UBOTBOTBO1';
const APP = 'UAPPAPPAP1';
const GONE = 'UGONEGONE1';
const UNKNOWN = 'UNKNOWN001';

const C1 = 'C0CHANNEL1';
const C2 = 'C0CHANNEL2';
const CURG = 'C0URGENT01';
const CEXC = 'C0EXCLUDE1';

const people = new Map<string, Person>([
  [A, { tz: 'UTC', isBot: false, deleted: false }],
  [B, { tz: 'UTC', isBot: false, deleted: false }],
  [BER, { tz: 'Europe/Berlin', isBot: false, deleted: false }],
  [LAX, { tz: 'America/Los_Angeles', isBot: false, deleted: false }],
  [NOTZ, { tz: null, isBot: false, deleted: false }],
  [BOT, { tz: null, isBot: true, deleted: false }],
  [APP, { tz: null, isBot: true, deleted: false }],
  [GONE, { tz: 'UTC', isBot: false, deleted: true }],
]);

const baseCharter = (extra: CharterInput = {}): Charter => makeCharter({ urgent_channels: [CURG], excluded_channels: [CEXC], ...extra });

let seq = 0;
/** A human message at instant t; `root` makes it a thread reply under that message. */
function msg(user: string, t: number, o: { mentions?: string[]; channel?: string; root?: ReportMsg } = {}): ReportMsg {
  seq = (seq + 1) % 1000;
  const ts = `${Math.floor(t / 1000)}.${String((t % 1000) * 1000 + seq).padStart(6, '0')}`;
  return { channel: o.root?.channel ?? o.channel ?? C1, ts, at: t, rootTs: o.root?.ts ?? ts, isReply: o.root !== undefined, user, mentions: o.mentions ?? [] };
}
const react = (user: string, m: ReportMsg, at: number): Reaction => ({ channel: m.channel, messageTs: m.ts, user, at });

type Opts = { charter?: Charter; reactions?: Reaction[]; asOf?: number; focusSessions?: FocusSession[]; nudgesShown?: number[] };
function inputs(messages: ReportMsg[], o: Opts = {}): PersonalInputs {
  const charter = o.charter ?? baseCharter();
  return {
    charter,
    messages,
    reactions: o.reactions ?? [],
    people,
    appUserIds: new Set([APP]),
    asOf: o.asOf ?? T('2026-12-14T00:00'),
    timezone: charter.timezone,
    ...(o.focusSessions ? { focusSessions: o.focusSessions } : {}),
    ...(o.nudgesShown ? { nudgesShown: o.nudgesShown } : {}),
  };
}
function week(messages: ReportMsg[], user: string, o: Opts = {}, w = W1): PersonalWeek {
  const r = personalFigures(inputs(messages, o), user, [w]);
  expect(r.weeks).toHaveLength(1);
  return r.weeks[0] as PersonalWeek;
}

const empty = { requests_to_you: 0, on_time: 0, late: 0, overdue: 0, pending: 0, compliance: null, median_wait_working_minutes: null };

describe('personalFigures: one request to B, its outcome at as_of (SPEC §4)', () => {
  /** A asks B at Monday 10:00 UTC; due after 480 of B's working minutes = Tuesday 10:00 UTC. */
  const ASK = T('2026-11-23T10:00');
  type Case = [string, () => { messages: ReportMsg[]; o?: Opts }, Partial<PersonalWeek>];
  const ask = () => msg(A, ASK, { mentions: [B] });
  const cases: Case[] = [
    [
      'answered in the thread by the recipient: on time, wait = working minutes',
      () => {
        const m = ask();
        return { messages: [m, msg(B, T('2026-11-23T12:30'), { root: m })] };
      },
      { requests_to_you: 1, on_time: 1, compliance: 1, median_wait_working_minutes: 150 },
    ],
    [
      'answered by a top-level message of the recipient in the same channel',
      () => {
        const m = ask();
        return { messages: [m, msg(B, T('2026-11-23T11:00'), { channel: C1 })] };
      },
      { requests_to_you: 1, on_time: 1, compliance: 1, median_wait_working_minutes: 60 },
    ],
    [
      'answered by a reaction when reactions_count_as_response',
      () => {
        const m = ask();
        return { messages: [m], o: { reactions: [react(B, m, T('2026-11-23T10:45'))] } };
      },
      { requests_to_you: 1, on_time: 1, compliance: 1, median_wait_working_minutes: 45 },
    ],
    [
      'a reaction wait is rounded to 1 decimal (65 s → 1.1 min)',
      () => {
        const m = ask();
        return { messages: [m], o: { reactions: [react(B, m, ASK + 65_000)] } };
      },
      { requests_to_you: 1, on_time: 1, compliance: 1, median_wait_working_minutes: 1.1 },
    ],
    [
      'a reaction does not answer when reactions_count_as_response is false: overdue',
      () => {
        const m = ask();
        return { messages: [m], o: { charter: baseCharter({ reactions_count_as_response: false }), reactions: [react(B, m, T('2026-11-23T10:45'))] } };
      },
      { requests_to_you: 1, overdue: 1, compliance: 0, median_wait_working_minutes: null },
    ],
    [
      "someone else's reaction or reply is not B's answer: overdue",
      () => {
        const m = ask();
        return { messages: [m, msg(A, T('2026-11-23T11:00'), { root: m }), msg(NOTZ, T('2026-11-23T11:05'), { root: m })], o: { reactions: [react(NOTZ, m, T('2026-11-23T10:30'))] } };
      },
      { requests_to_you: 1, overdue: 1, compliance: 0, median_wait_working_minutes: null },
    ],
    [
      "B's message in another channel is not an answer: overdue",
      () => ({ messages: [ask(), msg(B, T('2026-11-23T11:00'), { channel: C2 })] }),
      { requests_to_you: 1, overdue: 1, compliance: 0 },
    ],
    [
      "a request made in a thread is not answered by B's later top-level message: overdue",
      () => {
        const root = msg(A, T('2026-11-23T09:30'));
        return { messages: [root, msg(A, ASK, { root, mentions: [B] }), msg(B, T('2026-11-23T11:00'), { channel: C1 })] };
      },
      { requests_to_you: 1, overdue: 1, compliance: 0 },
    ],
    ['overdue: no answer and as_of after due', () => ({ messages: [ask()] }), { requests_to_you: 1, overdue: 1, compliance: 0, median_wait_working_minutes: null }],
    ['pending: no answer and as_of before due', () => ({ messages: [ask()], o: { asOf: T('2026-11-24T09:59') } }), { requests_to_you: 1, pending: 1, compliance: null, median_wait_working_minutes: null }],
    ['pending: as_of exactly at due is not yet overdue', () => ({ messages: [ask()], o: { asOf: T('2026-11-24T10:00') } }), { requests_to_you: 1, pending: 1, compliance: null }],
    [
      'an answer after as_of is not seen: pending',
      () => {
        const m = ask();
        return { messages: [m, msg(B, T('2026-11-23T12:30'), { root: m })], o: { asOf: T('2026-11-23T12:00') } };
      },
      { requests_to_you: 1, pending: 1, compliance: null, median_wait_working_minutes: null },
    ],
    [
      'answered exactly at due: on time',
      () => {
        const m = ask();
        return { messages: [m, msg(B, T('2026-11-24T10:00'), { root: m })] };
      },
      { requests_to_you: 1, on_time: 1, compliance: 1, median_wait_working_minutes: 480 },
    ],
    [
      'late: answered after due (Mon 10:00 → Tue 11:00 is 540 working minutes)',
      () => {
        const m = ask();
        return { messages: [m, msg(B, T('2026-11-24T11:00'), { root: m })] };
      },
      { requests_to_you: 1, late: 1, compliance: 0, median_wait_working_minutes: 540 },
    ],
    [
      'urgent (urgent channel): wall-clock window, counted in outcomes but not in the median',
      () => {
        const m = msg(A, ASK, { channel: CURG, mentions: [B] });
        return { messages: [m, msg(B, T('2026-11-23T10:20'), { root: m })] };
      },
      { requests_to_you: 1, on_time: 1, compliance: 1, median_wait_working_minutes: null },
    ],
    [
      'urgent via channel_overrides.urgent: 90 wall minutes is late against 60',
      () => {
        const m = msg(A, ASK, { channel: C2, mentions: [B] });
        return { messages: [m, msg(B, T('2026-11-23T11:30'), { root: m })], o: { charter: baseCharter({ channel_overrides: { [C2]: { urgent: true } } }) } };
      },
      { requests_to_you: 1, late: 1, compliance: 0, median_wait_working_minutes: null },
    ],
    [
      'a channel override of the normal window (60 working minutes): 150 is late',
      () => {
        const m = msg(A, ASK, { channel: C2, mentions: [B] });
        return { messages: [m, msg(B, T('2026-11-23T12:30'), { root: m })], o: { charter: baseCharter({ channel_overrides: { [C2]: { response_windows: { normal: { working_minutes: 60 } } } } }) } };
      },
      { requests_to_you: 1, late: 1, compliance: 0, median_wait_working_minutes: 150 },
    ],
  ];

  it.each(cases)('%s', (_name, build, expected) => {
    const { messages, o } = build();
    const w = week(messages, B, o);
    expect(w).toMatchObject({ ...empty, ...expected });
    // The same request seen from the requester's side.
    expect(week(messages, A, o)).toMatchObject({ requests_you_asked: 1, requests_to_you: 0 });
  });
});

describe('personalFigures: a week of requests to one person', () => {
  it('counts every outcome; compliance over answered-or-due; median of normal answered waits only', () => {
    const r1 = msg(A, T('2026-11-23T10:00'), { mentions: [B] }); // thread 12:30 → on time, 150
    const r2 = msg(NOTZ, T('2026-11-23T09:00'), { mentions: [B], channel: C2 }); // Tue 11:00 → 600 > 480: late
    const r3 = msg(A, T('2026-11-23T11:00'), { mentions: [B], channel: C2 }); // never: overdue (due Tue 11:00)
    const r4 = msg(A, T('2026-11-25T10:00'), { mentions: [B] }); // never: pending (due Thu 10:00)
    const r5 = msg(A, T('2026-11-23T13:00'), { mentions: [B], channel: CURG }); // urgent, 20 min: on time
    const messages = [
      r1,
      r2,
      r3,
      r4,
      r5,
      msg(B, T('2026-11-23T12:30'), { root: r1 }),
      msg(B, T('2026-11-24T11:00'), { root: r2 }),
      msg(B, T('2026-11-23T13:20'), { root: r5 }),
    ];
    const w = week(messages, B, { asOf: T('2026-11-25T12:00') });
    expect(w).toEqual({
      week_start: W1,
      requests_to_you: 5,
      on_time: 2,
      late: 1,
      overdue: 1,
      pending: 1,
      compliance: 0.5,
      // [150, 600]: the urgent 20 would make it 150.
      median_wait_working_minutes: 375,
      requests_you_asked: 0,
      messages: 3,
      after_hours_messages: 0,
      nudges: 0,
      focus_hours: 0,
    });
  });

  it('compliance has 3 decimals (2 on time, 1 late → 0.667) and an even count takes the mean of the middle two', () => {
    const r1 = msg(A, T('2026-11-23T10:00'), { mentions: [B] });
    const r2 = msg(A, T('2026-11-23T10:00:01'), { mentions: [B], channel: C2 });
    const r3 = msg(A, T('2026-11-23T09:00'), { mentions: [B], channel: 'C0CHANNEL3' });
    const messages = [r1, r2, r3, msg(B, T('2026-11-23T12:30'), { root: r1 }), msg(B, T('2026-11-24T11:00'), { root: r3 })];
    const w = week(messages, B, { reactions: [react(B, r2, T('2026-11-23T10:45:01'))] });
    // waits: 150, 45, 600 → median 150; compliance 2/3
    expect(w).toMatchObject({ requests_to_you: 3, on_time: 2, late: 1, compliance: 0.667, median_wait_working_minutes: 150 });
    const w2 = week([r1, r2, msg(B, T('2026-11-23T12:30'), { root: r1 })], B, { reactions: [react(B, r2, T('2026-11-23T10:45:01'))] });
    expect(w2.median_wait_working_minutes).toBe(97.5);
  });

  it('a request asked in one week and answered in the next belongs to the week it was asked', () => {
    const m = msg(A, T('2026-11-27T16:00'), { mentions: [B] }); // Friday 16:00
    const messages = [m, msg(B, T('2026-11-30T10:00'), { root: m })]; // Monday 10:00: 60 + 60 working minutes
    const r = personalFigures(inputs(messages), B, [W1, W2]);
    expect(r.weeks.map((w) => [w.week_start, w.requests_to_you, w.on_time, w.median_wait_working_minutes, w.messages])).toEqual([
      [W1, 1, 1, 120, 0],
      [W2, 0, 0, null, 1],
    ]);
  });
});

describe('personalFigures: working minutes are the recipient’s own (SPEC §3)', () => {
  it('Berlin and Los Angeles recipients of one message wait in their own working time', () => {
    // Monday 16:00 UTC = 17:00 Berlin (after hours) = 08:00 Los Angeles (before hours).
    const m = msg(A, T('2026-11-23T16:00'), { mentions: [BER, LAX] });
    const ber = msg(BER, T('2026-11-24T08:30'), { root: m }); // Tue 09:30 Berlin → 30 Berlin working minutes (UTC would say 60)
    const lax = msg(LAX, T('2026-11-23T20:30'), { root: m }); // Mon 12:30 LA → 210 LA working minutes (UTC would say 60)
    const messages = [m, ber, lax];
    expect(week(messages, BER)).toMatchObject({ requests_to_you: 1, on_time: 1, median_wait_working_minutes: 30 });
    expect(week(messages, LAX)).toMatchObject({ requests_to_you: 1, on_time: 1, median_wait_working_minutes: 210 });
    expect(week(messages, A)).toMatchObject({ requests_you_asked: 2, requests_to_you: 0 });
  });

  it('each recipient’s due time is in their own working time (what waits on them)', () => {
    const m = msg(A, T('2026-11-23T16:00'), { mentions: [BER, LAX] });
    const asOf = T('2026-11-23T20:00');
    const ber = personalFigures(inputs([m], { asOf }), BER, [W1]);
    const lax = personalFigures(inputs([m], { asOf }), LAX, [W1]);
    // Berlin: 480 minutes from Tue 09:00 Berlin → Tue 17:00 Berlin = 16:00 UTC.
    expect(ber.waiting.map((w) => w.dueAt)).toEqual([T('2026-11-24T16:00')]);
    // Los Angeles: Mon 09:00–17:00 LA → Tue 01:00 UTC.
    expect(lax.waiting.map((w) => w.dueAt)).toEqual([T('2026-11-24T01:00')]);
    expect(ber.weeks[0]).toMatchObject({ requests_to_you: 1, pending: 1 });
  });

  it('a Berlin request answered late in Berlin time though on time by UTC reckoning', () => {
    // Mon 08:30 UTC = 09:30 Berlin; due Tue 09:30 Berlin = 08:30 UTC (UTC reckoning: Tue 09:00 UTC).
    // Answer Tue 08:45 UTC = 09:45 Berlin: 450 + 45 Berlin working minutes, late.
    const m = msg(A, T('2026-11-23T08:30'), { mentions: [BER] });
    const w = week([m, msg(BER, T('2026-11-24T08:45'), { root: m })], BER);
    expect(w).toMatchObject({ late: 1, on_time: 0, compliance: 0, median_wait_working_minutes: 495 });
  });

  it('after-hours messages are judged in the author’s own zone', () => {
    const messages = [
      msg(BER, T('2026-11-23T16:30')), // 17:30 Berlin: after hours
      msg(BER, T('2026-11-23T08:30')), // 09:30 Berlin: working
      msg(LAX, T('2026-11-23T23:00')), // 15:00 LA: working (after hours in UTC)
      msg(LAX, T('2026-11-23T16:30')), // 08:30 LA: after hours
      msg(LAX, T('2026-11-24T00:30')), // 16:30 LA: working
    ];
    expect(week(messages, BER)).toMatchObject({ messages: 2, after_hours_messages: 1 });
    expect(week(messages, LAX)).toMatchObject({ messages: 3, after_hours_messages: 1 });
  });

  it('a person with no Slack tz works in the charter timezone', () => {
    const charter = baseCharter({ timezone: 'America/New_York' });
    const ask = msg(A, T('2026-11-23T15:00'), { mentions: [NOTZ] }); // 10:00 New York
    const messages = [
      ask,
      msg(NOTZ, T('2026-11-23T21:00'), { root: ask }), // 16:00 New York: 360 minutes (UTC would say 120)
      msg(NOTZ, T('2026-11-23T20:00'), { channel: C2 }), // 15:00 New York: working (another channel, so not an answer)
    ];
    expect(week(messages, NOTZ, { charter })).toMatchObject({ requests_to_you: 1, on_time: 1, median_wait_working_minutes: 360, messages: 2, after_hours_messages: 0 });
  });
});

describe('personalFigures: weeks run Monday 00:00 to Monday 00:00 in the charter timezone (SPEC §5)', () => {
  it.each([
    ['Europe/Berlin', '2026-11-29T23:30', '2026-11-30T00:30'],
    ['America/New_York', '2026-11-29T23:30', '2026-11-30T00:30'],
    ['UTC', '2026-11-29T23:30', '2026-11-30T00:30'],
  ])('%s: Sunday 23:30 local is the old week, Monday 00:30 local the new one', (tz, sunday, monday) => {
    const charter = baseCharter({ timezone: tz });
    const messages = [msg(A, T(sunday, tz), { mentions: [B] }), msg(A, T(monday, tz), { mentions: [B] }), msg(B, T(sunday, tz)), msg(B, T(monday, tz)), msg(B, T(monday, tz) + 1)];
    const nudgesShown = [T(sunday, tz), T(monday, tz)];
    const r = personalFigures(inputs(messages, { charter, nudgesShown }), B, [W1, W2]);
    expect(r.weeks.map((w) => [w.week_start, w.requests_to_you, w.messages, w.nudges])).toEqual([
      [W1, 1, 1, 1],
      [W2, 1, 2, 1],
    ]);
    expect(personalFigures(inputs(messages, { charter }), A, [W1, W2]).weeks.map((w) => w.requests_you_asked)).toEqual([1, 1]);
  });
});

describe('personalFigures: what is not a request, and what is not counted', () => {
  it('bots, excluded channels, unknown, deactivated and app users are ignored', () => {
    const messages = [
      msg(BOT, T('2026-11-23T10:00'), { mentions: [B] }), // a bot's mention is no request
      msg(A, T('2026-11-23T10:05'), { mentions: [B], channel: CEXC }), // excluded channel
      msg(A, T('2026-11-23T10:10'), { mentions: [BOT, APP, GONE, UNKNOWN] }), // no such recipients
      msg(B, T('2026-11-23T10:15'), { channel: CEXC }), // B's message in an excluded channel: not counted
      msg(B, T('2026-11-23T20:15'), { channel: CEXC }), // nor as after hours
      msg(B, T('2026-11-23T10:20')),
    ];
    expect(week(messages, B)).toMatchObject({ ...empty, requests_you_asked: 0, messages: 1, after_hours_messages: 0 });
    expect(week(messages, A)).toMatchObject({ requests_you_asked: 0, messages: 1 });
    expect(week(messages, BOT)).toMatchObject({ ...empty, messages: 0, requests_you_asked: 0 });
    for (const u of [GONE, APP]) expect(week(messages, u)).toMatchObject(empty);
    expect(personalFigures(inputs(messages), B, [W1])).toMatchObject({ waiting: [], waitingTotal: 0 });
  });

  it('an excluded channel’s request does not wait on the person either', () => {
    const messages = [msg(A, T('2026-11-23T10:05'), { mentions: [B], channel: CEXC })];
    expect(personalFigures(inputs(messages, { asOf: T('2026-11-23T11:00') }), B, [W1])).toMatchObject({ waiting: [], waitingTotal: 0 });
  });

  it('mentioning yourself is not a request', () => {
    const messages = [msg(B, T('2026-11-23T10:00'), { mentions: [B, A] })];
    expect(week(messages, B)).toMatchObject({ ...empty, requests_you_asked: 1, messages: 1 });
    expect(week(messages, A)).toMatchObject({ requests_to_you: 1, requests_you_asked: 0 });
    expect(personalFigures(inputs(messages, { asOf: T('2026-11-23T11:00') }), B, [W1]).waitingTotal).toBe(0);
  });

  it('a message after as_of does not count yet', () => {
    const messages = [msg(B, T('2026-11-23T10:00')), msg(B, T('2026-11-23T12:00')), msg(A, T('2026-11-23T12:00'), { mentions: [B] })];
    expect(week(messages, B, { asOf: T('2026-11-23T11:00') })).toMatchObject({ ...empty, messages: 1 });
    expect(week(messages, A, { asOf: T('2026-11-23T11:00') })).toMatchObject({ requests_you_asked: 0, messages: 0 });
  });
});

describe('personalFigures: what waits on the person at as_of', () => {
  it('lists unanswered requests to them by due time, then asked time, from any week', () => {
    const asOf = T('2026-11-30T11:30');
    const w1 = msg(A, T('2026-11-28T12:00'), { mentions: [B] }); // Sat: due Mon 17:00
    const w2 = msg(NOTZ, T('2026-11-29T12:00'), { mentions: [B], channel: C2 }); // Sun: due Mon 17:00 too
    const w3 = msg(A, T('2026-11-30T11:00'), { mentions: [B], channel: CURG }); // urgent: due Mon 12:00
    const w4 = msg(A, T('2026-11-25T10:00'), { mentions: [B] }); // due Thu 10:00: overdue
    const root = msg(NOTZ, T('2026-11-27T09:00'));
    const w6 = msg(A, T('2026-11-27T10:00'), { mentions: [B], root }); // in a thread, due Mon 10:00: overdue
    const answered = msg(A, T('2026-11-26T10:00'), { mentions: [B], channel: C2 });
    const byReaction = msg(A, T('2026-11-26T11:00'), { mentions: [B], channel: 'C0CHANNEL3' });
    const asked = [w1, w2, w3, w4, root, w6, answered, byReaction, msg(B, T('2026-11-26T11:00'), { root: answered })];
    const r = personalFigures(inputs([...asked].reverse(), { asOf, reactions: [react(B, byReaction, T('2026-11-26T11:30'))] }), B, [W2]);
    expect(r.waitingTotal).toBe(5);
    expect(r.waiting.map((w) => [w.ts, w.overdue])).toEqual([
      [w4.ts, true],
      [w6.ts, true],
      [w3.ts, false],
      [w1.ts, false],
      [w2.ts, false],
    ]);
    expect(r.waiting[1]).toEqual({ channel: C1, ts: w6.ts, rootTs: root.ts, isReply: true, requester: A, askedAt: w6.at, dueAt: T('2026-11-30T10:00'), urgent: false, overdue: true });
    expect(r.waiting[2]).toEqual({ channel: CURG, ts: w3.ts, rootTs: w3.ts, isReply: false, requester: A, askedAt: w3.at, dueAt: T('2026-11-30T12:00'), urgent: true, overdue: false });
    expect(r.waiting[4]).toMatchObject({ requester: NOTZ, channel: C2 });
    // The week asked for changes nothing about what waits.
    expect(personalFigures(inputs(asked, { asOf, reactions: [react(B, byReaction, T('2026-11-26T11:30'))] }), B, [])).toMatchObject({ weeks: [], waitingTotal: 5 });
  });

  it('a request with no due time (no working time ahead) is listed last', () => {
    // Only Mondays are workdays, and every Monday for the next eleven years is a holiday.
    const holidays: string[] = [];
    for (let d = DateTime.fromISO('2026-11-23', { zone: 'UTC' }); d.year < 2038; d = d.plus({ weeks: 1 })) holidays.push(d.toISODate() as string);
    const charter = baseCharter({ workdays: ['mon'], holidays });
    const n1 = msg(A, T('2026-11-24T10:00'), { mentions: [B] });
    const n2 = msg(A, T('2026-11-24T09:00'), { mentions: [B], channel: C2 });
    const u1 = msg(A, T('2026-11-24T12:00'), { mentions: [B], channel: CURG });
    const r = personalFigures(inputs([n1, n2, u1], { charter, asOf: T('2026-11-24T12:30') }), B, [W1]);
    expect(r.waiting.map((w) => [w.ts, w.dueAt])).toEqual([
      [u1.ts, T('2026-11-24T13:00')],
      [n2.ts, null],
      [n1.ts, null],
    ]);
    expect(r.waiting.every((w) => !w.overdue)).toBe(true);
    expect(r.weeks[0]).toMatchObject({ requests_to_you: 3, pending: 3, compliance: null });
  });

  it(`lists at most WAITING_LISTED (${WAITING_LISTED}), the soonest due, and says how many in all`, () => {
    const n = WAITING_LISTED + 3;
    const asks = Array.from({ length: n }, (_, k) => msg(A, T('2026-11-23T09:00') + k * 20 * MIN, { mentions: [B], channel: k % 2 === 0 ? C1 : C2 }));
    const r = personalFigures(inputs([...asks].reverse(), { asOf: T('2026-11-23T17:00') }), B, [W1]);
    expect(r.waitingTotal).toBe(n);
    expect(r.waiting).toHaveLength(WAITING_LISTED);
    expect(r.waiting.map((w) => w.ts)).toEqual(asks.slice(0, WAITING_LISTED).map((m) => m.ts));
    expect(r.weeks[0]).toMatchObject({ requests_to_you: n, pending: n });

    const few = personalFigures(inputs(asks.slice(0, 3), { asOf: T('2026-11-23T17:00') }), B, [W1]);
    expect(few.waitingTotal).toBe(3);
    expect(few.waiting).toHaveLength(3);
  });

  it('an answer exactly at as_of is an answer; nothing waits', () => {
    const m = msg(A, T('2026-11-23T10:00'), { mentions: [B] });
    const r = personalFigures(inputs([m, msg(B, T('2026-11-23T11:00'), { root: m })], { asOf: T('2026-11-23T11:00') }), B, [W1]);
    expect(r).toMatchObject({ waiting: [], waitingTotal: 0 });
    expect(r.weeks[0]).toMatchObject({ on_time: 1 });
  });
});

describe('personalFigures: nudges and focus per week', () => {
  it('nudges are counted in the week they were shown, up to as_of', () => {
    const asOf = T('2026-12-02T12:00');
    const nudgesShown = [
      T('2026-11-22T23:59'), // the week before
      T('2026-11-23T00:00'),
      T('2026-11-26T15:00'),
      T('2026-11-30T00:00') - 1,
      T('2026-11-30T00:00'),
      asOf,
      asOf + 1, // after as_of
    ];
    const r = personalFigures(inputs([], { asOf, nudgesShown }), B, [W1, W2]);
    expect(r.weeks.map((w) => w.nudges)).toEqual([3, 2]);
  });

  it('focus sessions are split at the week boundary and clipped at as_of; other people’s are not counted', () => {
    const asOf = T('2026-12-02T12:00');
    const focusSessions: FocusSession[] = [
      { user: B, start: T('2026-11-29T22:00'), end: T('2026-11-30T02:00') }, // 2 h + 2 h
      { user: B, start: T('2026-11-24T09:00'), end: T('2026-11-24T10:15') }, // 1.25 h
      { user: B, start: T('2026-12-02T11:00'), end: T('2026-12-02T14:00') }, // 1 h before as_of
      { user: B, start: T('2026-12-02T13:00'), end: T('2026-12-02T14:00') }, // after as_of: nothing
      { user: B, start: T('2026-11-21T09:00'), end: T('2026-11-21T12:00') }, // the week before
      { user: A, start: T('2026-11-23T09:00'), end: T('2026-11-23T17:00') },
    ];
    const r = personalFigures(inputs([], { asOf, focusSessions }), B, [W1, W2]);
    expect(r.weeks.map((w) => w.focus_hours)).toEqual([3.3, 3]);
    expect(personalFigures(inputs([], { asOf, focusSessions }), A, [W1, W2]).weeks.map((w) => w.focus_hours)).toEqual([8, 0]);
  });

  it('the focus week boundary is in the charter timezone', () => {
    const charter = baseCharter({ timezone: 'Europe/Berlin' });
    // Berlin's Monday 00:00 is Sunday 23:00 UTC.
    const focusSessions: FocusSession[] = [{ user: B, start: T('2026-11-29T22:00'), end: T('2026-11-30T01:00') }];
    const r = personalFigures(inputs([], { charter, focusSessions }), B, [W1, W2]);
    expect(r.weeks.map((w) => w.focus_hours)).toEqual([1, 2]);
  });
});

describe('personalFigures and the team report agree (property)', () => {
  const ZONES = ['UTC', 'Europe/Berlin', 'America/Los_Angeles', 'Asia/Kolkata', null] as const;
  const IDS = ['UPERSON001', 'UPERSON002', 'UPERSON003', 'UPERSON004', 'UPERSON005'];
  const CHANNELS = [C1, C2, CURG, CEXC];
  const SPAN = 14 * 24 * 60; // two weeks of minutes

  const workspace = fc.record({
    tzs: fc.array(fc.constantFrom(...ZONES), { minLength: 3, maxLength: 5 }),
    charterTz: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York'),
    reactionsCount: fc.boolean(),
    overrideUrgent: fc.boolean(),
    msgs: fc.array(
      fc.record({
        author: fc.nat(6), // indices past the people are the bot
        channel: fc.nat(CHANNELS.length - 1),
        minute: fc.integer({ min: -60, max: SPAN + 60 }),
        mentions: fc.uniqueArray(fc.nat(7), { maxLength: 3 }), // people, the bot, a deactivated and an unknown user
        replyTo: fc.option(fc.nat(40), { nil: undefined }),
      }),
      { maxLength: 40, size: 'max' },
    ),
    reactions: fc.array(fc.record({ user: fc.nat(6), msg: fc.nat(40), delay: fc.integer({ min: 0, max: 3 * 24 * 60 }) }), { maxLength: 15 }),
    // Thread answers by someone the message mentioned, some time later.
    answers: fc.array(fc.record({ msg: fc.nat(40), who: fc.nat(2), delay: fc.integer({ min: 1, max: 2 * 24 * 60 }) }), { maxLength: 15 }),
    asOfMinute: fc.integer({ min: 0, max: SPAN + 3 * 24 * 60 }),
  });

  it('summing requests_to_you over all people gives the team requests, and each outcome its team total', () => {
    const seen = { requests: 0, on_time: 0, late: 0, overdue: 0, pending: 0 };
    fc.assert(
      fc.property(workspace, (w) => {
        const ids = IDS.slice(0, w.tzs.length);
        const ppl = new Map<string, Person>(ids.map((id, i) => [id, { tz: w.tzs[i] ?? null, isBot: false, deleted: false }]));
        ppl.set(BOT, { tz: null, isBot: true, deleted: false });
        ppl.set(GONE, { tz: 'UTC', isBot: false, deleted: true });
        const who = (i: number) => (i < ids.length ? (ids[i] as string) : BOT);
        const mentionable = [...ids, BOT, GONE, UNKNOWN];
        const charter = makeCharter({
          timezone: w.charterTz,
          reactions_count_as_response: w.reactionsCount,
          urgent_channels: [CURG],
          excluded_channels: [CEXC],
          ...(w.overrideUrgent ? { channel_overrides: { [C2]: { urgent: true } } } : {}),
        });
        const start = DateTime.fromISO(W1, { zone: w.charterTz }).toMillis();
        const sorted = [...w.msgs].sort((a, b) => a.minute - b.minute);
        const messages: ReportMsg[] = [];
        for (const [k, m] of sorted.entries()) {
          const t = start + m.minute * MIN + k; // distinct instants, in order
          const roots = messages.filter((x) => !x.isReply);
          const root = m.replyTo !== undefined && roots.length > 0 ? roots[m.replyTo % roots.length] : undefined;
          const mentions = m.mentions.map((i) => mentionable[i % mentionable.length] as string);
          messages.push(msg(who(m.author), t, { channel: CHANNELS[m.channel] as string, mentions, ...(root ? { root } : {}) }));
        }
        // (Answers come from people only: authors outside the directory are no one's personal figures.)
        const asked = messages.filter((m) => m.mentions.some((u) => ids.includes(u)));
        for (const a of asked.length === 0 ? [] : w.answers) {
          const m = asked[a.msg % asked.length] as ReportMsg;
          const them = m.mentions.filter((u) => ids.includes(u));
          const by = them[a.who % them.length] as string;
          messages.push(msg(by, m.at + a.delay * MIN + 1, { root: m.isReply ? (messages.find((x) => x.ts === m.rootTs) as ReportMsg) : m }));
        }
        const reactions: Reaction[] =
          messages.length === 0 ? [] : w.reactions.map((r) => react(who(r.user), messages[r.msg % messages.length] as ReportMsg, (messages[r.msg % messages.length] as ReportMsg).at + r.delay * MIN + 1));
        const asOf = start + w.asOfMinute * MIN;
        const common = { charter, messages, reactions, people: ppl, appUserIds: new Set([APP]), asOf };
        const team = weeklyReports({ teamId: 'T1', ...common }, [W1, W2]);
        const mine = [...ppl.keys()].map((id) => personalFigures({ ...common, timezone: charter.timezone }, id, [W1, W2]).weeks);
        for (const [i, report] of team.entries()) {
          for (const k of Object.keys(seen) as (keyof typeof seen)[]) if (report[k] > 0) seen[k] += 1;
          const sum = (f: keyof PersonalWeek) => mine.reduce((s, weeks) => s + ((weeks[i] as PersonalWeek)[f] as number), 0);
          expect(mine.every((weeks) => (weeks[i] as PersonalWeek).week_start === report.week_start)).toBe(true);
          expect(sum('requests_to_you')).toBe(report.requests);
          expect(sum('requests_you_asked')).toBe(report.requests);
          expect(sum('on_time')).toBe(report.on_time);
          expect(sum('late')).toBe(report.late);
          expect(sum('overdue')).toBe(report.overdue);
          expect(sum('pending')).toBe(report.pending);
          expect(sum('messages')).toBe(report.messages);
          expect(sum('after_hours_messages')).toBe(report.after_hours_messages);
        }
      }),
      { numRuns: 150 },
    );
    // The generator is not vacuous: many weeks had requests, and every outcome occurred.
    expect(seen.requests).toBeGreaterThan(50);
    for (const k of ['on_time', 'late', 'overdue', 'pending'] as const) expect(seen[k]).toBeGreaterThan(0);
  });
});
