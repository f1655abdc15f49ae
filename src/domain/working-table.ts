import type { Charter } from './charter';
import { scheduleFor, workingIntervals } from './working-time';

/**
 * Working time (SPEC §3) of several time zones over one span of instants, as one sorted list of
 * thresholds that a database can search (Postgres' width_bucket does a binary search): the report
 * asks it whether an instant is within someone's working hours, and how many working
 * milliseconds lie between two instants, for a million messages without a row leaving the store.
 *
 * Zone k's instant x is written as the key k·span + (x − base). Each zone's working intervals
 * [s, e) become the thresholds s, e (keys), ascending, zone after zone, after a dummy interval
 * [−2, −1) so that every key is past the first threshold. For a key, i = the number of thresholds
 * ≤ key (width_bucket):
 *   - the instant is within working hours when i is odd (it is in the interval starting at thresholds[i]);
 *   - W(x) = cumulative[i] + (i odd ? key − thresholds[i] : 0) is the working time of the zone up
 *     to x (1-based arrays as in SQL; cumulative[i] is the working time before threshold i, so
 *     cumulative has one more element than thresholds), so working ms in [x1, x2) = W(x2) − W(x1)
 *     when x2 > x1, exactly what workingMs counts;
 *   - x ∈ (s, e] of an interval when (i odd and key > thresholds[i]) or (i even and key = thresholds[i]):
 *     there, and only there, the working time reaches W(x) at x and not before, so x is the due
 *     instant (dueAfter) of any earlier instant whose window ends at W(x).
 * Only instants in [lo, hi] may be asked about.
 */
export type WorkingTable = {
  /** Zone keys as given (raw tz values: a person's Slack tz, or the charter's); index = k. */
  zones: string[];
  span: number;
  base: number;
  thresholds: number[];
  cumulative: number[];
};

const DAY = 86_400_000;
/** Days of local calendar asked of a schedule at once (its memo is cleared past 20,000 days). */

/**
 * The table for the given zone keys over [lo, hi] (epoch ms). Each key is read the way the
 * report reads a person's tz (scheduleFor: an unknown zone is the charter's).
 */
export function workingTable(charter: Charter, zones: readonly string[], lo: number, hi: number): WorkingTable {
  // Intervals are clipped to [lo - 1, hi + 1]: that keeps every answer about [lo, hi] (an interval
  // starting before lo still starts before any asked instant) and zone blocks apart.
  const base = lo - 1;
  const span = hi + 2 - base;
  const thresholds = [-2, -1];
  const cumulative = [0, 0, 1];
  let total = 1;
  zones.forEach((zone, k) => {
    const blockStart = thresholds.length;
    for (const [s, e] of workingIntervals(scheduleFor(charter, zone), lo, hi)) {
      const a = k * span + (Math.max(s, lo - 1) - base);
      const b = k * span + (Math.min(e, hi + 1) - base);
      if (b <= a) continue;
      const last = thresholds.length - 1;
      if (last >= blockStart && thresholds[last] === a) {
        // Adjacent to the zone's previous interval (no instant between): one interval.
        total += b - a;
        thresholds[last] = b;
        cumulative[last + 1] = total;
        continue;
      }
      thresholds.push(a, b);
      cumulative.push(total, total + (b - a));
      total += b - a;
    }
  });
  return { zones: [...zones], span, base, thresholds, cumulative };
}

/** Where a key falls among the thresholds: width_bucket, 1-based (0: before the first). */
export function bucketOf(table: WorkingTable, key: number): number {
  let lo = 0;
  let hi = table.thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((table.thresholds[mid] as number) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The key of instant x in zone k. */
export const keyOf = (table: WorkingTable, k: number, x: number): number => k * table.span + (x - table.base);

/** W(x) of zone k: working ms from the start of the table to x. */
export function workingBefore(table: WorkingTable, k: number, x: number): number {
  const key = keyOf(table, k, x);
  const i = bucketOf(table, key);
  return (table.cumulative[i] as number) + (i % 2 === 1 ? key - (table.thresholds[i - 1] as number) : 0);
}

/** Every zone's W(x), and whether x ends a stretch of its working time (x ∈ (s, e]), in zone order. */
export function workAt(table: WorkingTable, x: number): { work: number[]; ends: boolean[] } {
  const work: number[] = [];
  const ends: boolean[] = [];
  table.zones.forEach((_, k) => {
    const key = keyOf(table, k, x);
    const i = bucketOf(table, key);
    const t = table.thresholds[i - 1] as number;
    work.push(workingBefore(table, k, x));
    ends.push(i % 2 === 1 ? key > t : i > 0 && key === t);
  });
  return { work, ends };
}
