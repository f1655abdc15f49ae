import fc from 'fast-check';
import { DateTime } from 'luxon';
import { WEEKDAYS, type Weekday } from '../../src/domain/charter';
import { buildDigest, digestWeekFor, lastDigestSlot, MAX_CHANNEL_LINES, retroPrompts, weeksEndingWith } from '../../src/domain/digest';
import { formatHours, formatMinutes, formatPercent } from '../../src/domain/units';
import { makeReport, richReport } from '../helpers/reports';

const at = (iso: string, tz: string) => DateTime.fromISO(iso, { zone: tz }).toMillis();

describe('human units', () => {
  it.each([
    [null, '–'],
    [0, '0 min'],
    [0.3, '< 1 min'],
    [0.5, '1 min'],
    [45, '45 min'],
    [59.5, '1 h'],
    [60, '1 h'],
    [190, '3 h 10 min'],
    [5004, '83 h 24 min'],
    [5874.2, '97 h 54 min'],
  ])('formatMinutes(%p) = %p (whole minutes, never raw decimals)', (m, s) => expect(formatMinutes(m)).toBe(s));

  it.each([
    [null, 1, '–'],
    [0, 1, '0.0%'],
    [0.7925, 1, '79.3%'],
    [1, 1, '100.0%'],
    [0.333, 0, '33%'],
  ])('formatPercent(%p, %i) = %p (fixed decimals, half away from zero)', (x, d, s) => expect(formatPercent(x, d)).toBe(s));

  it('formatHours keeps one decimal', () => {
    expect(formatHours(42.5)).toBe('42.5 h');
    expect(formatHours(0)).toBe('0.0 h');
  });
});

describe('buildDigest', () => {
  const weeks = weeksEndingWith('2026-11-23', 8);

  it('an empty week: no ratios, no division by zero, one prompt about inviting the app', () => {
    const d = buildDigest({ reports: [makeReport()], minGroupSize: 5 });
    expect(d).toMatchObject({ empty: true, thin: true, after_hours_share: null, thread_share: null, compliance_delta_points: null, week_end: '2026-11-29', channels: [], channels_hidden: 0 });
    expect(d.prompts).toHaveLength(1);
    expect(d.prompts[0]).toMatch(/No messages in tracked channels/);
    expect(JSON.stringify(d)).not.toMatch(/NaN|Infinity/);
  });

  it('a thin week says "not enough data yet" and draws no conclusion', () => {
    const d = buildDigest({ reports: [richReport('2026-11-16'), makeReport({ messages: 6, top_level_messages: 6, requests: 2, on_time: 1, pending: 1, compliance: 1 })], minGroupSize: 5 });
    expect(d.thin).toBe(true);
    expect(d.compliance_delta_points).toBeNull();
    expect(d.prompts).toEqual([expect.stringMatching(/not enough data yet/)]);
  });

  it('compares with last week: compliance change in points', () => {
    const d = buildDigest({ reports: [richReport('2026-11-16', { compliance: 0.75 }), richReport('2026-11-23', { compliance: 0.792 })], minGroupSize: 5 });
    expect(d.compliance_delta_points).toBe(4.2);
    expect(d.previous?.week_start).toBe('2026-11-16');
    expect(d.after_hours_share).toBeCloseTo(0.12);
  });

  it('keeps a six-week trend, oldest first, ending with the digest week', () => {
    const d = buildDigest({ reports: weeks.map((w) => richReport(w)), minGroupSize: 5 });
    expect(d.trend.map((p) => p.week_start)).toEqual(weeks.slice(2));
    expect(d.trend.at(-1)).toMatchObject({ week_start: '2026-11-23', compliance: 0.792, median_wait_minutes: 190, meeting_requests: 9 });
  });

  it('lists only channels with at least min_group_size members (unknown size: not listed), busiest first, at most eight', () => {
    const info = new Map([
      ['C0GENERAL1', { name: 'general', members: 40 }],
      ['C0PRODUCT1', { name: 'product', members: 5 }],
      ['C0SMALL001', { name: 'small', members: 4 }],
    ]);
    const d = buildDigest({ reports: [richReport('2026-11-23')], channelInfo: info, minGroupSize: 5 });
    expect(d.channels.map((c) => c.channel)).toEqual(['C0GENERAL1', 'C0PRODUCT1']);
    expect(d.channels_hidden).toBe(2);
    const many = Array.from({ length: 12 }, (_, i) => ({ channel: `C0CH${String(i).padStart(6, '0')}`, messages: 100 - i, after_hours_messages: 0, requests: 0, compliance: null }));
    const big = buildDigest({ reports: [richReport('2026-11-23', { channels: many })], channelInfo: new Map(many.map((c) => [c.channel, { name: null, members: 50 }])), minGroupSize: 5 });
    expect(big.channels).toHaveLength(MAX_CHANNEL_LINES);
    expect(big.channels_hidden).toBe(12 - MAX_CHANNEL_LINES);
  });
});

describe('retro prompts come from what moved most', () => {
  const before = richReport('2026-11-16', { after_hours_messages: 24, meeting_requests: 9, where_is_questions: 5 });

  it('after-hours share doubling leads, with the figures', () => {
    const now = richReport('2026-11-23', { after_hours_messages: 48 });
    const p = retroPrompts(now, before);
    expect(p[0]).toBe('After-hours messages rose 100% (6% → 12% of messages): talk about scheduled send and quiet hours in your retro.');
    expect(p.length).toBeGreaterThanOrEqual(2);
    expect(p.length).toBeLessThanOrEqual(3);
  });

  it('orders several movements by size and keeps three', () => {
    const now = richReport('2026-11-23', { after_hours_messages: 30, meeting_requests: 27, where_is_questions: 15, compliance: 0.6 });
    const p = retroPrompts(now, before);
    expect(p).toHaveLength(3);
    expect(p[0]).toMatch(/^Meeting requests rose 200% \(9 → 27\)/);
    expect(p[1]).toMatch(/^"Where is…\?" questions rose 200% \(5 → 15\)/);
    expect(p[2]).toMatch(/^Fewer requests were answered within the charter window \(79% → 60%\)/);
  });

  it('when nothing moved, prompts from where the week stands (two at least)', () => {
    const p = retroPrompts(richReport('2026-11-23', { compliance: 0.7 }), richReport('2026-11-16', { compliance: 0.7 }));
    expect(p[0]).toMatch(/^70% of requests were answered within the charter window/);
    expect(p).toHaveLength(2);
  });

  it('without a previous week it still gives two prompts', () => {
    expect(retroPrompts(richReport('2026-11-23'), null)).toHaveLength(2);
  });
});

describe('when the digest goes out', () => {
  it.each([
    ['Monday 09:00 Berlin, the Monday after spring-forward', '2026-03-30T09:00:00', 'Europe/Berlin', 'mon', '09:00', '2026-03-30T07:00:00.000Z', '2026-03-23'],
    ['one millisecond before the slot: last week’s slot', '2026-03-30T08:59:59.999', 'Europe/Berlin', 'mon', '09:00', '2026-03-23T08:00:00.000Z', '2026-03-16'],
    ['Sydney, the Monday after DST ends (AEST, +10)', '2026-04-06T10:00:00', 'Australia/Sydney', 'mon', '09:00', '2026-04-05T23:00:00.000Z', '2026-03-30'],
    ['Sydney, the Monday after DST starts (AEDT, +11)', '2026-10-05T09:30:00', 'Australia/Sydney', 'mon', '09:00', '2026-10-04T22:00:00.000Z', '2026-09-28'],
    ['New York, Friday 15:00 after spring-forward', '2026-03-13T16:00:00', 'America/New_York', 'fri', '15:00', '2026-03-13T19:00:00.000Z', '2026-03-02'],
    ['Kolkata (+05:30), Sunday evening', '2026-11-29T20:00:00', 'Asia/Kolkata', 'sun', '18:30', '2026-11-29T13:00:00.000Z', '2026-11-16'],
  ])('%s', (_name, local, tz, day, time, slotIso, week) => {
    const slot = lastDigestSlot(at(local, tz), day as Weekday, time, tz);
    expect(new Date(slot).toISOString()).toBe(slotIso);
    expect(digestWeekFor(slot, tz)).toBe(week);
  });

  const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'America/Santiago', 'Asia/Kolkata', 'Pacific/Chatham', 'UTC'];
  it('property: the slot is the latest charter day/time not after now, and its week ended before it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2028, 0, 1) }),
        fc.constantFrom(...zones),
        fc.constantFrom(...WEEKDAYS),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(0, 15, 30, 45),
        (now, tz, day, h, m) => {
          const time = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
          const slot = lastDigestSlot(now, day, time, tz);
          expect(slot).toBeLessThanOrEqual(now);
          const local = DateTime.fromMillis(slot, { zone: tz });
          expect(WEEKDAYS[local.weekday - 1]).toBe(day);
          // The next slot is after now: nothing between slot and now was a slot.
          expect(lastDigestSlot(slot + 7 * 86_400_000 + 2 * 3_600_000, day, time, tz)).toBeGreaterThan(now);
          const week = digestWeekFor(slot, tz);
          const weekEnd = DateTime.fromISO(week, { zone: tz }).plus({ weeks: 1 });
          expect(DateTime.fromISO(week).weekday).toBe(1);
          expect(weekEnd.toMillis()).toBeLessThanOrEqual(slot);
          expect(slot - weekEnd.toMillis()).toBeLessThan(7 * 86_400_000 + 2 * 3_600_000);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
