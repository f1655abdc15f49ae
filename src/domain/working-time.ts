import { DateTime, IANAZone } from 'luxon';
import { minutesOfDay, weekdayNumber, type Charter } from './charter';

/**
 * Working time, SPEC §3. A person's working hours are local to their own time zone; each local
 * working interval [date start, date end) is turned into instants with the tz database, so
 * daylight-saving days are as long as they really are. All instants are epoch milliseconds.
 */
export type Schedule = {
  readonly tz: string;
  /** ISO weekday numbers (Mon 1 … Sun 7) that are workdays. */
  readonly workdays: ReadonlySet<number>;
  /** Minutes since local midnight; start < end. */
  readonly startMinute: number;
  readonly endMinute: number;
  /** Local dates "YYYY-MM-DD" that are not working days. */
  readonly holidays: ReadonlySet<string>;
  /** Memo of local date → interval, so repeated questions about one day cost one conversion. */
  readonly cache: Map<number, readonly [number, number] | null>;
  /** The last local day asked about, as the instants [from, to) it spans: most questions fall in it. */
  lastDay: { from: number; to: number; day: number } | null;
};

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far dueAfter looks ahead before it says "never" (a charter with no working time). */
const MAX_DAYS_AHEAD = 3_700;

/** The schedule of a person in `tz` (null: the charter timezone) under the charter. */
export function scheduleFor(charter: Pick<Charter, 'timezone' | 'workdays' | 'working_hours' | 'holidays'>, tz: string | null | undefined): Schedule {
  return {
    tz: tz && isZone(tz) ? tz : charter.timezone,
    workdays: new Set(charter.workdays.map(weekdayNumber)),
    startMinute: minutesOfDay(charter.working_hours.start),
    endMinute: minutesOfDay(charter.working_hours.end),
    holidays: new Set(charter.holidays),
    cache: new Map(),
    lastDay: null,
  };
}

/** True when `tz` is a zone the tz database knows (checked at a fixed instant: no clock read). */
export function isZone(tz: string): boolean {
  return DateTime.fromMillis(0, { zone: tz }).isValid;
}

/**
 * Days since 1970-01-01 of the local calendar date of instant t in the schedule's zone. The day
 * found is remembered with the instants it spans (its first instant to the next day's), so that
 * the next question about the same day needs no time-zone conversion.
 */
function localDay(t: number, s: Schedule): number {
  const last = s.lastDay;
  if (last !== null && t >= last.from && t < last.to) return last.day;
  const d = DateTime.fromMillis(t, { zone: s.tz });
  const day = Math.floor(Date.UTC(d.year, d.month - 1, d.day) / DAY);
  const start = d.startOf('day');
  const from = start.toMillis();
  const to = start.plus({ days: 1 }).startOf('day').toMillis();
  // Only a span that holds t and nothing of another date is remembered (a midnight that a
  // daylight-saving change skips or repeats is handled by startOf's instants themselves).
  if (from <= t && t < to && DateTime.fromMillis(to - 1, { zone: s.tz }).day === d.day) s.lastDay = { from, to, day };
  return day;
}

/** A local calendar date. */
export type Ymd = { year: number; month: number; day: number };

/** Per zone, offsets already asked for, by instant; at most OFFSET_MEMO_MAX in all (then it starts over: a few MB). */
const offsetMemo = new Map<string, { zone: IANAZone; at: Map<number, number> }>();
const OFFSET_MEMO_MAX = 50_000;
let offsetMemoSize = 0;

/**
 * A zone's UTC offset in minutes at an instant, remembered per exact instant: the same wall time
 * on consecutive days probes the same instants (a day either side), and each probe is an Intl
 * formatting (~10 µs). Pure: the tz database does not change while the process runs.
 */
function offsetsOf(tz: string): (u: number) => number {
  let m = offsetMemo.get(tz);
  if (m === undefined) {
    if (offsetMemo.size >= 1_000) {
      offsetMemo.clear();
      offsetMemoSize = 0;
    }
    m = { zone: IANAZone.create(tz), at: new Map() };
    offsetMemo.set(tz, m);
  }
  const { zone, at } = m;
  return (u) => {
    let o = at.get(u);
    if (o === undefined) {
      if (offsetMemoSize >= OFFSET_MEMO_MAX) {
        for (const z of offsetMemo.values()) z.at.clear();
        offsetMemoSize = 0;
      }
      o = zone.offset(u);
      at.set(u, o);
      offsetMemoSize += 1;
    }
    return o;
  };
}

/**
 * The instants (ascending) at which the local wall time `date hour:minute` occurs in tz: one, or
 * two on a night clocks go back. A wall time in a DST gap never occurs; it is moved forward by
 * the gap's length, as luxon does (02:30 on a US spring-forward night → 03:30 EDT).
 */
export function wallTimeInstants(date: Ymd, hour: number, minute: number, tz: string): number[] {
  const asUtc = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const offset = offsetsOf(tz);
  // An instant u shows that wall time exactly when u + offset(u) = asUtc; the offsets in force a
  // day either side are the only candidates.
  const found = [...new Set([-1, 0, 1].map((k) => offset(asUtc + k * DAY)))].map((o) => asUtc - o * MINUTE).filter((u) => u + offset(u) * MINUTE === asUtc);
  // Distinct offsets give distinct instants.
  if (found.length > 0) return found.sort((a, b) => a - b);
  return [DateTime.fromObject({ ...date, hour, minute }, { zone: tz }).toMillis()];
}

/**
 * The instant of a local date's minute (0-1440) in a zone: its first occurrence on a night clocks
 * go back (luxon alone picks one by the offset in force today, so the answer would change with
 * the server's date), moved forward out of a gap; 1440 ("24:00") is the next date's 00:00, so a
 * day that works until 24:00 ends where the next one starting at 00:00 begins.
 */
export function atLocalMinute(date: Ymd, minute: number, zone: string): number {
  if (minute >= 1440) {
    const next = new Date(Date.UTC(date.year, date.month - 1, date.day + 1));
    return atLocalMinute({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() }, minute - 1440, zone);
  }
  return wallTimeInstants(date, Math.floor(minute / 60), minute % 60, zone)[0] as number;
}

/** The working interval [start, end) of a local calendar day, as instants; null on a day off. */
function interval(s: Schedule, day: number): readonly [number, number] | null {
  const hit = s.cache.get(day);
  if (hit !== undefined) return hit;
  const cal = new Date(day * DAY);
  const y = cal.getUTCFullYear();
  const m = cal.getUTCMonth() + 1;
  const d = cal.getUTCDate();
  const weekday = ((cal.getUTCDay() + 6) % 7) + 1;
  const iso = cal.toISOString().slice(0, 10);
  let result: readonly [number, number] | null = null;
  if (s.workdays.has(weekday) && !s.holidays.has(iso)) {
    const at = (minute: number) => atLocalMinute({ year: y, month: m, day: d }, minute, s.tz);
    const start = at(s.startMinute);
    const end = at(s.endMinute);
    result = end > start ? [start, end] : null;
  }
  if (s.cache.size > 20_000) s.cache.clear();
  s.cache.set(day, result);
  return result;
}

/**
 * The working intervals [start, end) that overlap [lo, hi], ascending: one per working local day,
 * read from the same days (and the same memo) that workingMs reads for that span.
 */
export function workingIntervals(s: Schedule, lo: number, hi: number): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  const last = localDay(hi, s);
  for (let day = localDay(lo, s) - 1; day <= last + 1; day += 1) {
    const iv = interval(s, day);
    if (iv !== null && iv[1] > lo && iv[0] <= hi) out.push(iv);
  }
  return out;
}

/** Whether instant t (ms) is within the schedule's working hours: workday, not a holiday, start <= local time < end. */
export function isWorkingAt(s: Schedule, t: number): boolean {
  const iv = interval(s, localDay(t, s));
  return iv !== null && iv[0] <= t && t < iv[1];
}

/** Working milliseconds in [t1, t2); 0 when t2 <= t1. */
export function workingMs(s: Schedule, t1: number, t2: number): number {
  if (!(t2 > t1)) return 0;
  let total = 0;
  const last = localDay(t2, s);
  // A local day's interval may start before its midnight in UTC terms: begin a day early.
  for (let day = localDay(t1, s) - 1; day <= last + 1; day += 1) {
    const iv = interval(s, day);
    if (iv === null) continue;
    const a = Math.max(iv[0], t1);
    const b = Math.min(iv[1], t2);
    if (b > a) total += b - a;
  }
  return total;
}

/** Working minutes in [t1, t2) (fractional, millisecond precision); 0 when t2 <= t1. */
export function workingMinutes(s: Schedule, t1: number, t2: number): number {
  return workingMs(s, t1, t2) / MINUTE;
}

/**
 * The instant at which the working minutes since t reach `minutes` (the earliest such instant);
 * t itself for 0; null when the schedule has no working time within ten years.
 */
export function dueAfter(s: Schedule, t: number, minutes: number): number | null {
  let remaining = Math.round(minutes * MINUTE);
  if (remaining <= 0) return t;
  const first = localDay(t, s) - 1;
  for (let day = first; day <= first + MAX_DAYS_AHEAD; day += 1) {
    const iv = interval(s, day);
    if (iv === null) continue;
    const a = Math.max(iv[0], t);
    if (iv[1] <= a) continue;
    const available = iv[1] - a;
    if (available >= remaining) return a + remaining;
    remaining -= available;
  }
  return null;
}

