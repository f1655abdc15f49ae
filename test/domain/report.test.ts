import { makeCharter } from '../helpers/charter';
import { median, mondayOf, nearestRank, roundHalfAway, weekBounds, weeklyReports, weeklyReportSet, weekStartOf, weeksBetween, type ReportMsg } from '../../src/domain/report';
import type { Person } from '../../src/domain/requests';

const charter = makeCharter;
const MON = Date.UTC(2026, 10, 23);
const H = 3_600_000;
const A = 'UAAAAAAAA1';
const B = 'UBBBBBBBB1';
const BOT = 'UBOTBOTBO1';
const people = new Map<string, Person>([
  [A, { tz: 'UTC', isBot: false, deleted: false }],
  [B, { tz: 'UTC', isBot: false, deleted: false }],
  [BOT, { tz: null, isBot: true, deleted: false }],
]);
let n = 0;
const msg = (user: string, t: number, o: { mentions?: string[]; channel?: string; root?: string; meeting?: boolean } = {}): ReportMsg => {
  n += 1;
  const ts = `${Math.floor(t / 1000)}.${String(n).padStart(6, '0')}`;
  return { channel: o.channel ?? 'C0B', ts, at: t, rootTs: o.root ?? ts, isReply: o.root !== undefined, user, mentions: o.mentions ?? [], meetingRequest: o.meeting ?? false };
};

describe('rounding and statistics (SPEC §5, §7)', () => {
  it.each([
    [0.6665, 3, 0.667],
    [0.0005, 3, 0.001],
    [2 / 3, 3, 0.667],
    [1.25, 1, 1.3],
    [1.35, 1, 1.4],
    [-1.25, 1, -1.3],
    [0, 3, 0],
    // JavaScript writes these in exponent form: a few milliseconds of focus in hours, a huge count.
    [1e-7, 1, 0],
    [-3e-9, 3, 0],
    [5e-7, 6, 0.000001],
    [1.5e-7, 7, 0.0000002],
    [1e21, 1, 1e21],
    [1.005, 2, 1.01],
  ])('roundHalfAway(%p, %i) = %p (half away from zero)', (x, d, expected) => {
    expect(roundHalfAway(x, d)).toBe(expected);
  });
  it.each([
    [[], null],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])('median(%j) = %p (mean of the two middle values when even)', (xs, m) => expect(median(xs)).toBe(m));
  it.each([
    [[], null],
    [[7], 7],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 9],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110], 100],
    [[5, 1], 5],
  ])('nearest-rank p90 of %j = %p', (xs, p) => expect(nearestRank(xs, 90)).toBe(p));
});

describe('weeks (Monday 00:00 to Monday 00:00 in the charter timezone)', () => {
  it('a Sunday late evening in New York belongs to that week, though it is Monday in UTC', () => {
    const t = Date.UTC(2026, 10, 30, 3, 0); // Mon 03:00 UTC = Sun 22:00 New York
    expect(weekStartOf(t, 'UTC')).toBe('2026-11-30');
    expect(weekStartOf(t, 'America/New_York')).toBe('2026-11-23');
  });
  it('a week across a DST change is 167 or 169 hours long', () => {
    const [s1, e1] = weekBounds('2026-03-02', 'America/New_York');
    const [s2, e2] = weekBounds('2026-03-23', 'Europe/Berlin');
    expect((e1 - s1) / H).toBe(167);
    expect((e2 - s2) / H).toBe(167);
    const [s3, e3] = weekBounds('2026-09-28', 'Australia/Sydney');
    expect((e3 - s3) / H).toBe(167);
  });
  it('mondayOf accepts any day of the week and refuses non-dates', () => {
    expect(mondayOf('2026-11-26')).toBe('2026-11-23');
    expect(mondayOf('2026-11-23')).toBe('2026-11-23');
    expect(mondayOf('2026-13-01')).toBeNull();
    expect(mondayOf('next week')).toBeNull();
  });
  it('weeksBetween lists every week, empty ones too', () => {
    expect(weeksBetween(MON, MON + 15 * 24 * H, 'UTC')).toEqual(['2026-11-23', '2026-11-30', '2026-12-07']);
  });
});

describe('weeklyReports', () => {
  const asOf = MON + 14 * 24 * H;
  const week = '2026-11-23';

  it('an empty week has zero counts and null ratios', () => {
    const [r] = weeklyReports({ teamId: 'T1', charter: charter(), messages: [], reactions: [], people, asOf }, [week]);
    expect(r).toEqual({
      team_id: 'T1',
      week_start: week,
      timezone: 'UTC',
      as_of: new Date(asOf).toISOString(),
      messages: 0,
      after_hours_messages: 0,
      threaded_messages: 0,
      top_level_messages: 0,
      requests: 0,
      off_hours_requests: 0,
      early_followups: 0,
      on_time: 0,
      late: 0,
      overdue: 0,
      pending: 0,
      compliance: null,
      urgent_requests: 0,
      median_response_working_minutes: null,
      p90_response_working_minutes: null,
      meeting_requests: 0,
      where_is_questions: 0,
      decisions_logged: 0,
      focus_hours: 0,
      pulse: null,
      channels: [],
    });
  });

  it('counts messages, threads, after-hours, requests, outcomes and per-channel figures', () => {
    const root = msg(A, MON + 10 * H, { mentions: [B], meeting: true });
    const messages = [
      root,
      msg(B, MON + 11 * H, { root: root.ts }), // answers root after 60 working minutes: on time
      msg(A, MON + 20 * H, { mentions: [B], channel: 'C0A' }), // after hours; never answered: overdue
      msg(BOT, MON + 12 * H, { mentions: [A] }), // the directory says bot: not a human message
      msg(A, MON + 12 * H, { channel: 'C0EXCLUDED' }), // excluded channel
      msg(A, MON + 7 * 24 * H + 10 * H), // next week
    ];
    const [r] = weeklyReports({ teamId: 'T1', charter: charter({ excluded_channels: ['C0EXCLUDED'] }), messages, reactions: [], people, asOf, decisions: [MON + H, MON - H], focusSessions: [{ user: A, start: MON - H, end: MON + 2.5 * H }] }, [week]);
    expect(r).toMatchObject({
      messages: 3,
      after_hours_messages: 1,
      threaded_messages: 1,
      top_level_messages: 2,
      requests: 2,
      off_hours_requests: 1,
      on_time: 1,
      overdue: 1,
      late: 0,
      pending: 0,
      compliance: 0.5,
      median_response_working_minutes: 60,
      p90_response_working_minutes: 60,
      meeting_requests: 1,
      decisions_logged: 1,
      focus_hours: 2.5,
      channels: [
        { channel: 'C0A', messages: 1, after_hours_messages: 1, requests: 1, compliance: 0 },
        { channel: 'C0B', messages: 2, after_hours_messages: 0, requests: 1, compliance: 1 },
      ],
    });
  });

  it('median and p90 cover responded normal requests only, not urgent ones', () => {
    const c = charter({ urgent_channels: ['C0URGENT'] });
    const a = msg(A, MON + 9 * H, { mentions: [B] });
    const u = msg(A, MON + 9 * H, { mentions: [B], channel: 'C0URGENT' });
    const messages = [a, u, msg(B, MON + 10 * H, { root: a.ts }), msg(B, MON + 9.5 * H, { root: u.ts, channel: 'C0URGENT' })];
    const [r] = weeklyReports({ teamId: 'T1', charter: c, messages, reactions: [], people, asOf }, [week]);
    expect(r).toMatchObject({ requests: 2, urgent_requests: 1, median_response_working_minutes: 60, p90_response_working_minutes: 60, on_time: 2, compliance: 1 });
  });

  it('pulse is shown only from min_group_size answers', () => {
    const answers = (k: number) => Array.from({ length: k }, (_, i) => ({ user: `U${i}`, at: MON + H, focus: 4, stress: i % 2 === 0 ? 2 : 3, autonomy: 5 }));
    const report = (k: number) => weeklyReports({ teamId: 'T1', charter: charter({ min_group_size: 3 }), messages: [], reactions: [], people, asOf, pulseAnswers: answers(k) }, [week])[0];
    expect(report(2)?.pulse).toBeNull();
    expect(report(3)?.pulse).toEqual({ responses: 3, focus: 4, stress: 2.3, autonomy: 5 });
  });

  it('channel figures over several weeks pool every request (not a mean of weekly ratios)', () => {
    const d = 24 * H;
    // Week 1 in C0B: one request answered in 1 h (on time). Week 2: three requests, one answered on time, two never (overdue).
    const q1 = msg(A, MON + 10 * H, { mentions: [B] });
    const a1 = msg(B, MON + 11 * H, { root: q1.ts });
    const w2 = MON + 7 * d + 10 * H;
    const qs = [msg(A, w2, { mentions: [B] }), msg(A, w2 + H, { mentions: [B] }), msg(A, w2 + 2 * H, { mentions: [B] })];
    const a2 = msg(B, w2 + 30 * 60_000, { root: qs[0]?.ts as string });
    const other = msg(B, w2, { channel: 'C0C' });
    const input = { teamId: 'T1', charter: charter(), messages: [q1, a1, ...qs, a2, other], reactions: [], people, asOf: MON + 28 * d };
    const set = weeklyReportSet(input, ['2026-11-23', '2026-11-30']);
    expect(set.weeks.map((w) => w.channels.find((c) => c.channel === 'C0B')?.compliance)).toEqual([1, 0.333]);
    expect(set.channels).toEqual([
      { channel: 'C0B', messages: 6, after_hours_messages: 0, requests: 4, compliance: 0.5 },
      { channel: 'C0C', messages: 1, after_hours_messages: 0, requests: 0, compliance: null },
    ]);
    expect(set.weeks).toEqual(weeklyReports(input, ['2026-11-23', '2026-11-30']));
  });

  it('as_of cuts what is counted', () => {
    const messages = [msg(A, MON + 10 * H, { mentions: [B] }), msg(A, MON + 30 * H)];
    const [r] = weeklyReports({ teamId: 'T1', charter: charter(), messages, reactions: [], people, asOf: MON + 11 * H }, [week]);
    expect(r).toMatchObject({ messages: 1, requests: 1, pending: 1, as_of: '2026-11-23T11:00:00.000Z' });
  });
});
