import fc from 'fast-check';
import { DateTime, Settings } from 'luxon';
import { makeCharter } from '../helpers/charter';
import { dueAfter, isWorkingAt, scheduleFor, workingIntervals, workingMinutes, workingMs } from '../../src/domain/working-time';

const charter = makeCharter;
/** An instant from a local wall-clock time in a zone (tz database). */
const at = (iso: string, tz: string) => {
  const d = DateTime.fromISO(iso, { zone: tz });
  if (!d.isValid) throw new Error(`bad time ${iso}`);
  return d.toMillis();
};

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const SYDNEY = 'Australia/Sydney';
const KOLKATA = 'Asia/Kolkata';
const TOKYO = 'Asia/Tokyo';
const HAVANA = 'America/Havana';

describe('SPEC §3: working time, one case per sentence', () => {
  it('a person has their Slack tz, else the charter timezone (also when the tz is not a real zone)', () => {
    const c = charter({ timezone: BERLIN });
    expect(scheduleFor(c, NY).tz).toBe(NY);
    expect(scheduleFor(c, null).tz).toBe(BERLIN);
    expect(scheduleFor(c, 'Not/AZone').tz).toBe(BERLIN);
  });

  it.each([
    ['a workday at 10:00 local is within working hours', '2026-11-23T10:00', true],
    ['the weekday must be a charter workday (Saturday)', '2026-11-28T10:00', false],
    ['the local date must not be a holiday', '2026-11-26T10:00', false],
    ['start is included (09:00)', '2026-11-23T09:00', true],
    ['just before start is not (08:59:59.999)', '2026-11-23T08:59:59.999', false],
    ['just before end is (16:59:59.999)', '2026-11-23T16:59:59.999', true],
    ['end is excluded (17:00)', '2026-11-23T17:00', false],
  ])('%s', (_name, local, expected) => {
    const s = scheduleFor(charter({ holidays: ['2026-11-26'] }), NY);
    expect(isWorkingAt(s, at(local, NY))).toBe(expected);
  });

  describe('"24:00" as an end: local time < end holds for every time of the day', () => {
    const allDay = charter({ working_hours: { start: '00:00', end: '24:00' }, workdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] });
    it.each([
      // Berlin's 2026 changes: 29 March is 23 hours long, 25 October 25 hours.
      ['an ordinary day is 1,440 working minutes', '2026-11-23T00:00', '2026-11-24T00:00', 1440],
      ['the spring-forward day is 23 hours', '2026-03-29T00:00', '2026-03-30T00:00', 1380],
      ['the fall-back day is 25 hours', '2026-10-25T00:00', '2026-10-26T00:00', 1500],
      ['a week across the fall-back day, without a gap at any midnight', '2026-10-19T00:00', '2026-10-26T00:00', 7 * 1440 + 60],
    ])('%s', (_name, from, to, minutes) => {
      expect(workingMinutes(scheduleFor(allDay, BERLIN), at(from, BERLIN), at(to, BERLIN))).toBe(minutes);
    });

    it('where midnight happens twice (Havana falls back 01:00 → 00:00 on Sunday 1 November 2026), a day ends at the first one, whatever today is', () => {
      const monSat = charter({ working_hours: { start: '00:00', end: '24:00' }, workdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'] });
      const saturday2300 = Date.UTC(2026, 10, 1, 3, 0);
      const firstMidnight = Date.UTC(2026, 10, 1, 4, 0);
      const secondMidnight = Date.UTC(2026, 10, 1, 5, 0);
      const answers = () => {
        const s = scheduleFor(monSat, HAVANA);
        const all = scheduleFor(allDay, HAVANA);
        return {
          saturday: workingMinutes(s, saturday2300, Date.UTC(2026, 10, 1, 7, 0)),
          sundayFirstHour: isWorkingAt(s, firstMidnight + 30 * 60_000),
          due: dueAfter(s, saturday2300, 90),
          allDayFirstHour: isWorkingAt(all, firstMidnight + 30 * 60_000),
          allDayMinutes: workingMinutes(all, firstMidnight, secondMidnight),
          intervals: workingIntervals(all, firstMidnight - 1, firstMidnight),
        };
      };
      const expected = {
        saturday: 60,
        sundayFirstHour: false,
        // Sunday is off: 30 minutes on Saturday, then Monday 00:00-01:00 (05:00Z) gives the other 60.
        due: Date.UTC(2026, 10, 2, 5, 30),
        allDayFirstHour: true,
        allDayMinutes: 60,
        intervals: [
          [Date.UTC(2026, 9, 31, 4, 0), firstMidnight],
          [firstMidnight, Date.UTC(2026, 10, 2, 5, 0)],
        ],
      };
      // luxon resolves a repeated wall time by the offset in force "now": the answers must not depend on it.
      for (const today of ['2026-07-01T12:00:00Z', '2026-12-02T12:00:00Z']) {
        Settings.now = () => Date.parse(today);
        try {
          expect(answers()).toEqual(expected);
        } finally {
          Settings.now = () => Date.now();
        }
      }
    });

    it('the last millisecond before midnight is working time; midnight belongs to the next day', () => {
      const evenings = scheduleFor(charter({ working_hours: { start: '18:00', end: '24:00' } }), NY);
      expect(isWorkingAt(evenings, at('2026-11-23T23:59:59.999', NY))).toBe(true);
      expect(isWorkingAt(evenings, at('2026-11-24T00:00', NY))).toBe(false);
      expect(isWorkingAt(evenings, at('2026-11-23T17:59:59.999', NY))).toBe(false);
      // Friday evening's six hours, then nothing until Monday 18:00.
      expect(dueAfter(evenings, at('2026-11-27T18:00', NY), 361)).toBe(at('2026-11-30T18:01', NY));
      // Sydney falls back at 03:00 on 5 April 2026: 02:00-03:00 comes twice, so 300 minutes after 23:00 is 03:00.
      expect(dueAfter(scheduleFor(allDay, SYDNEY), at('2026-04-04T23:00', SYDNEY), 300)).toBe(at('2026-04-05T03:00', SYDNEY));
    });
  });

  it('working hours are local to each person: 09:30 Berlin is working time for Ana, not for Ben in New York', () => {
    const c = charter();
    const t = at('2026-11-23T09:30', BERLIN);
    expect(isWorkingAt(scheduleFor(c, BERLIN), t)).toBe(true);
    expect(isWorkingAt(scheduleFor(c, NY), t)).toBe(false);
  });

  it('holidays are charter-wide local dates, whole days', () => {
    const s = scheduleFor(charter({ holidays: ['2026-12-25'] }), TOKYO);
    expect(workingMinutes(s, at('2026-12-25T00:00', TOKYO), at('2026-12-26T00:00', TOKYO))).toBe(0);
    expect(workingMinutes(s, at('2026-12-24T00:00', TOKYO), at('2026-12-25T00:00', TOKYO))).toBe(480);
  });

  it.each([
    ['within one working day', '2026-11-23T10:00', '2026-11-23T11:30', 90],
    ['across a night', '2026-11-23T16:00', '2026-11-24T10:00', 120],
    ['across a weekend (Friday 16:00 → Monday 10:00)', '2026-11-27T16:00', '2026-11-30T10:00', 120],
    ['entirely off hours', '2026-11-23T18:00', '2026-11-24T08:00', 0],
    ['t2 before t1 is 0', '2026-11-23T12:00', '2026-11-23T10:00', 0],
    ['a whole week', '2026-11-23T00:00', '2026-11-30T00:00', 2400],
    ['fractional minutes keep millisecond precision', '2026-11-23T10:00:00', '2026-11-23T10:00:30', 0.5],
  ])('working minutes %s', (_name, a, b, minutes) => {
    const s = scheduleFor(charter(), NY);
    expect(workingMinutes(s, at(a, NY), at(b, NY))).toBe(minutes);
  });

  it.each([
    ['New York, spring forward (02:00 → 03:00)', NY, '2026-03-08', 240],
    ['New York, fall back (02:00 → 01:00)', NY, '2026-11-01', 360],
    ['Berlin, spring forward', BERLIN, '2026-03-29', 240],
    ['Berlin, fall back', BERLIN, '2026-10-25', 360],
    ['Sydney, DST ends in April (03:00 → 02:00)', SYDNEY, '2026-04-05', 360],
    ['Sydney, DST starts in October (02:00 → 03:00)', SYDNEY, '2026-10-04', 240],
    ['Kolkata has no DST', KOLKATA, '2026-03-29', 300],
  ])('a local 00:00-05:00 working day is as long as it really is: %s', (_name, tz, date, minutes) => {
    const s = scheduleFor(charter({ workdays: ['sun'], working_hours: { start: '00:00', end: '05:00' } }), tz);
    expect(workingMinutes(s, at(`${date}T00:00`, tz), at(`${date}T23:59`, tz))).toBe(minutes);
  });

  it.each([
    ['due the same day', '2026-11-23T09:00', 480, '2026-11-23T17:00'],
    ['due after a weekend (Friday 16:00 + 480 → Monday 16:00)', '2026-11-27T16:00', 480, '2026-11-30T16:00'],
    ['asked off hours, the clock starts at 09:00', '2026-11-23T20:00', 60, '2026-11-24T10:00'],
    ['skipping a holiday', '2026-12-24T16:00', 120, '2026-12-28T10:00'],
  ])('due instant: %s', (_name, asked, minutes, due) => {
    const s = scheduleFor(charter({ holidays: ['2026-12-25'] }), NY);
    expect(dueAfter(s, at(asked, NY), minutes)).toBe(at(due, NY));
  });

  it('a charter with no working time at all is never due', () => {
    const s = scheduleFor(charter({ holidays: [] }), NY);
    const never = { ...s, workdays: new Set<number>() };
    expect(dueAfter(never, at('2026-11-23T10:00', NY), 60)).toBeNull();
  });
});

// ---- Properties (fast-check) ----

// Havana changes its clocks at midnight: 00:00 is skipped in March and happens twice in November.
const ZONES = [NY, BERLIN, SYDNEY, KOLKATA, TOKYO, 'UTC', 'America/Sao_Paulo', 'Pacific/Auckland', HAVANA];
const FROM = Date.UTC(2025, 0, 1);
const TO = Date.UTC(2027, 11, 31);
/** DST changes in the three hemispheres' zones, to cluster instants around. */
const TRANSITIONS = [
  Date.UTC(2026, 2, 8, 5, 0),
  Date.UTC(2026, 10, 1, 5, 0),
  at('2026-03-08T03:00', NY),
  at('2026-11-01T01:30', NY),
  at('2026-03-29T03:00', BERLIN),
  at('2026-10-25T02:30', BERLIN),
  at('2026-04-05T02:30', SYDNEY),
  at('2026-10-04T03:00', SYDNEY),
];
const instant = fc.oneof(
  fc.integer({ min: FROM, max: TO }),
  fc.tuple(fc.constantFrom(...TRANSITIONS), fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 })).map(([t, d]) => t + d),
);
const hours = fc
  .tuple(fc.integer({ min: 0, max: 22 * 4 }), fc.integer({ min: 1, max: 12 * 4 }))
  // Ends run up to 24:00 (1440), the end of the day.
  .map(([s, len]) => [s * 15, Math.min(24 * 60, s * 15 + len * 15)] as const)
  .filter(([s, e]) => e > s);
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const anySchedule = fc
  .record({
    tz: fc.constantFrom(...ZONES),
    hours,
    workdays: fc.subarray(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const, { minLength: 1 }),
    holidays: fc.array(fc.integer({ min: 0, max: 1094 }).map((d) => new Date(FROM + d * 86_400_000).toISOString().slice(0, 10)), { maxLength: 20 }),
  })
  .map(({ tz, hours: [s, e], workdays, holidays }) => scheduleFor(charter({ working_hours: { start: hhmm(s), end: hhmm(e) }, workdays: [...workdays], holidays: [...new Set(holidays)] }), tz));

describe('working time properties', () => {
  it('a schedule asked many questions answers as a fresh one does (its memo of days never leaks across a date or a DST change)', () => {
    // A DST change with its own zone; instants on the quarter hour within a day and a half of it,
    // asked in order (so that a remembered day meets the instants just past its end).
    const OWN: Array<[string, number]> = [
      [NY, at('2026-03-08T03:00', NY)],
      [NY, at('2026-11-01T01:30', NY)],
      [BERLIN, at('2026-03-29T03:00', BERLIN)],
      [BERLIN, at('2026-10-25T02:30', BERLIN)],
      [SYDNEY, at('2026-04-05T02:30', SYDNEY)],
      [SYDNEY, at('2026-10-04T03:00', SYDNEY)],
      ['America/Santiago', at('2026-09-06T01:00', 'America/Santiago')],
      ['America/Santiago', at('2026-04-05T00:30', 'America/Santiago')],
      [HAVANA, Date.UTC(2026, 2, 8, 5, 0)],
      [HAVANA, Date.UTC(2026, 10, 1, 5, 0)],
    ];
    const near = fc.tuple(fc.constantFrom(...OWN), fc.array(fc.integer({ min: -36 * 4, max: 36 * 4 }), { minLength: 5, maxLength: 60 }));
    // Whole days (00:00-23:59) on some weekdays make a wrong date show at once in isWorkingAt.
    const params = fc.record({ hours: fc.oneof(hours, fc.constantFrom<readonly [number, number]>([0, 1439], [0, 1440])), workdays: fc.subarray(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const, { minLength: 1, maxLength: 6 }) });
    fc.assert(
      fc.property(params, near, fc.integer({ min: 1, max: 3_000 }), ({ hours: [st, en], workdays }, [[tz, base], quarters], minutes) => {
        const c = charter({ working_hours: { start: hhmm(st), end: hhmm(en) }, workdays: [...workdays] });
        const kept = scheduleFor(c, tz);
        const ts = [...quarters].sort((x, y) => x - y).map((q) => base + q * 15 * 60_000);
        for (const [i, t] of ts.entries()) {
          const t2 = ts[(i + 1) % ts.length] ?? t;
          expect(isWorkingAt(kept, t)).toBe(isWorkingAt(scheduleFor(c, tz), t));
          expect(dueAfter(kept, t, minutes)).toBe(dueAfter(scheduleFor(c, tz), t, minutes));
          expect(workingMs(kept, Math.min(t, t2), Math.max(t, t2))).toBe(workingMs(scheduleFor(c, tz), Math.min(t, t2), Math.max(t, t2)));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('the working intervals over [lo, hi] are ascending, disjoint, working inside and out of hours between, and add up to wm(lo, hi)', () => {
    fc.assert(
      fc.property(anySchedule, instant, fc.integer({ min: 0, max: 60 * 86_400_000 }), (s, lo, span) => {
        const hi = lo + span;
        const ivs = workingIntervals(s, lo, hi);
        let sum = 0;
        let prevEnd = -Infinity;
        for (const [a, b] of ivs) {
          expect(a).toBeLessThan(b);
          expect(a).toBeGreaterThanOrEqual(prevEnd);
          expect(b).toBeGreaterThan(lo);
          expect(a).toBeLessThanOrEqual(hi);
          expect(isWorkingAt(s, a)).toBe(true);
          expect(isWorkingAt(s, b - 1)).toBe(true);
          // Its end is out of hours, unless the next day's hours start right there (00:00 after 24:00).
          if (isWorkingAt(s, b)) expect(workingIntervals(s, b, b).some(([next]) => next === b)).toBe(true);
          sum += Math.max(0, Math.min(b, hi) - Math.max(a, lo));
          prevEnd = b;
        }
        expect(sum).toBe(workingMs(s, lo, hi));
      }),
      { numRuns: 300 },
    );
  });

  it('working minutes are additive: wm(a,c) = wm(a,b) + wm(b,c)', () => {
    fc.assert(
      fc.property(anySchedule, instant, instant, instant, (s, x, y, z) => {
        const [a, b, c] = [x, y, z].sort((p, q) => p - q) as [number, number, number];
        expect(workingMs(s, a, c)).toBe(workingMs(s, a, b) + workingMs(s, b, c));
      }),
      { numRuns: 300 },
    );
  });

  it('due ∘ minutes is the identity, and due is the earliest such instant', () => {
    fc.assert(
      fc.property(anySchedule, instant, fc.integer({ min: 1, max: 5_000 }), (s, t, n) => {
        const due = dueAfter(s, t, n);
        expect(due).not.toBeNull();
        expect(workingMs(s, t, due as number)).toBe(n * 60_000);
        expect(workingMs(s, t, (due as number) - 1)).toBeLessThan(n * 60_000);
      }),
      { numRuns: 300 },
    );
  });

  it('within-hours agrees with working minutes: wm(t, t+1ms) is 1 ms exactly when t is working time', () => {
    fc.assert(
      fc.property(anySchedule, instant, (s, t) => {
        expect(workingMs(s, t, t + 1)).toBe(isWorkingAt(s, t) ? 1 : 0);
      }),
      { numRuns: 500 },
    );
  });

  it('weekends contribute nothing under a Monday-Friday charter, in every zone', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 150 }), (tz, week) => {
        const s = scheduleFor(charter(), tz);
        const saturday = DateTime.fromMillis(FROM, { zone: tz }).startOf('week').plus({ weeks: week, days: 5 });
        expect(workingMs(s, saturday.toMillis(), saturday.plus({ days: 2 }).toMillis())).toBe(0);
        expect(workingMs(s, saturday.minus({ days: 5 }).toMillis(), saturday.toMillis())).toBe(5 * 480 * 60_000);
      }),
      { numRuns: 200 },
    );
  });

  it('holidays contribute nothing', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 86_399_999 }), (tz, d, offset) => {
        const day = DateTime.fromMillis(FROM, { zone: tz }).startOf('day').plus({ days: d });
        const s = scheduleFor(charter({ workdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], holidays: [day.toISODate() as string] }), tz);
        expect(workingMs(s, day.toMillis(), day.plus({ days: 1 }).toMillis())).toBe(0);
        const t = Math.min(day.toMillis() + offset, day.plus({ days: 1 }).toMillis() - 1);
        expect(isWorkingAt(s, t)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
