import { roundHalfAway } from './report';

/** How figures read for people: durations in hours and minutes, shares in percent. Pure. */

/** Minutes → "3 h 10 min", "45 min", "< 1 min", "0 min"; null → "–". Whole minutes, half away from zero. */
export function formatMinutes(minutes: number | null): string {
  if (minutes === null || !Number.isFinite(minutes)) return '–';
  if (minutes > 0 && minutes < 0.5) return '< 1 min';
  const whole = roundHalfAway(Math.max(0, minutes), 0);
  const h = Math.floor(whole / 60);
  const m = whole % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** A 0..1 share → "82.5%" with a fixed number of decimals (default 1); null → "–". */
export function formatPercent(share: number | null, decimals = 1): string {
  if (share === null || !Number.isFinite(share)) return '–';
  return `${roundHalfAway(share * 100, decimals).toFixed(decimals)}%`;
}

/** part / whole, or null when whole is 0. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** Hours with one decimal: 12.25 → "12.3 h". */
export function formatHours(hours: number): string {
  return `${roundHalfAway(hours, 1).toFixed(1)} h`;
}

/** "1 request" / "3 requests". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
