import { DateTime } from 'luxon';
import { minutesOfDay, weekdayNumber, type Charter } from './charter';
import { atLocalMinute, wallTimeInstants, type Ymd } from './working-time';

/**
 * The `/async` slash command (SPEC §6): its text parsed into a command, and the end of a focus
 * session worked out in the caller's time zone. Pure: `now` is an argument, nothing throws.
 */

/** How long focus lasts: the charter's default, until a local wall time, or for a number of minutes. */
export type FocusUntil = { kind: 'default' } | { kind: 'at'; hour: number; minute: number; day: 'today-or-next' | 'tomorrow' } | { kind: 'for'; minutes: number };

export type AsyncCommand =
  | { kind: 'help'; unknown?: string }
  | { kind: 'charter'; history: boolean }
  | { kind: 'stats'; channel: { id: string; name: string | null } | null }
  | { kind: 'memo' }
  | { kind: 'decision'; text: string }
  | { kind: 'focus'; until: FocusUntil }
  | { kind: 'focus-off' }
  | { kind: 'snooze'; days: number }
  | { kind: 'digest' }
  | { kind: 'pilot'; action: 'start' | 'stop' | 'status' }
  | { kind: 'config' }
  | { kind: 'forget-me' }
  | { kind: 'invalid'; subcommand: string; problem: string; example: string };

/** Longest focus session, minutes (24 h: "tomorrow 10:00" said the evening before works). */
export const FOCUS_MAX_MINUTES = 24 * 60;
/** Longest session `/async focus` with no time starts (12 h). */
export const FOCUS_DEFAULT_MAX_MINUTES = 12 * 60;
/** Longest snooze, whole days. */
export const SNOOZE_MAX_DAYS = 90;
/** `/async snooze` with no number, days. */
export const SNOOZE_DEFAULT_DAYS = 7;
/** Longest decision text, in characters (Unicode code points, after `&amp;` `&lt;` `&gt;` are decoded). */
export const DECISION_MAX_CHARS = 2000;
/** `focus` with no `until`: this long when neither the daily block nor a focus day applies, minutes. */
export const FOCUS_FALLBACK_MINUTES = 120;

const FOCUS_EXAMPLE = '/async focus 11:00 · /async focus 90m · /async focus tomorrow 10:00';
const EXAMPLES = {
  charter: '/async charter · /async charter history',
  stats: '/async stats · /async stats #general',
  decision: '/async decision We ship v2 on Friday; Ana owns the rollout',
  snooze: '/async snooze 3 · /async snooze off',
  pilot: '/async pilot start · /async pilot stop · /async pilot status',
} as const;

/** Every subcommand of SPEC §6, in the order help lists them; `admin`: workspace admins and charter editors only. */
export const SUBCOMMANDS: ReadonlyArray<{ usage: string; example: string; what: string; admin?: boolean }> = [
  { usage: '/async help', example: '/async help', what: 'This list.' },
  { usage: '/async charter [history]', example: '/async charter history', what: 'The team charter in force; `history` shows how it changed.' },
  { usage: '/async stats [#channel]', example: '/async stats #general', what: "This week's response health, for the workspace or one channel." },
  { usage: '/async memo', example: '/async memo', what: 'Write an async memo (a form opens) instead of calling a meeting.' },
  { usage: '/async decision <text>', example: EXAMPLES.decision, what: 'Log a decision so people can find it later (the text is stored).' },
  { usage: '/async focus [until]', example: FOCUS_EXAMPLE, what: 'Start focus time: until a time, for a while, or by the charter. `/async focus off` ends it.' },
  { usage: '/async snooze [days]', example: EXAMPLES.snooze, what: `Pause nudges to you for ${SNOOZE_DEFAULT_DAYS} days, or the days you say (at most ${SNOOZE_MAX_DAYS}); \`off\` resumes them.` },
  { usage: '/async digest', example: '/async digest', what: "Preview this week's digest, only to you." },
  { usage: '/async pilot start|stop|status', example: EXAMPLES.pilot, what: 'Run a controlled pilot: this week on is compared with the weeks before.', admin: true },
  { usage: '/async config', example: '/async config', what: 'Edit the charter (a form opens).', admin: true },
  { usage: '/async forget-me', example: '/async forget-me', what: 'Delete what the app holds about you (asks first).' },
];

/** `&lt;` `&gt;` `&amp;` back to `<` `>` `&` (Slack escapes exactly these three); `&amp;` last, so `&amp;lt;` stays `&lt;`. */
export function decodeSlackEscapes(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const invalid = (subcommand: string, problem: string, example: string): AsyncCommand => ({ kind: 'invalid', subcommand, problem, example });
const noArguments = (sub: string, rest: string, kind: 'memo' | 'digest' | 'config' | 'forget-me'): AsyncCommand =>
  rest === '' ? { kind } : invalid(sub, `\`/async ${sub}\` takes nothing after it.`, `/async ${sub}`);

/** The word an unknown subcommand was, as Slack sent it, for "I don't know `foo`": backticks dropped, at most 40 characters. */
const shown = (word: string): string => {
  const cps = [...word.replace(/`/g, '')];
  return cps.length > 40 ? `${cps.slice(0, 39).join('')}…` : cps.join('');
};

/**
 * The `/async` text (as Slack sends it, escapes and all) → a command. Case-insensitive, surrounding
 * whitespace ignored; '' and `help …` → help; an unknown word → help naming it; a known subcommand
 * with bad arguments → invalid (problem + example). Never throws.
 */
export function parseAsyncCommand(text: string): AsyncCommand {
  const trimmed = String(text ?? '').trim();
  const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  if (m === null) return { kind: 'help' };
  const word = m[1] ?? '';
  let rest = m[2] ?? '';
  let sub = word.toLowerCase().replace(/[\u2010-\u2015]/g, '-');
  if (sub === 'forget' && /^me(\s|$)/i.test(rest)) {
    sub = 'forget-me';
    rest = rest.slice(2).trim();
  }
  const args = rest === '' ? [] : rest.toLowerCase().split(/\s+/);
  switch (sub) {
    case 'help':
      return { kind: 'help' };
    case 'charter':
      if (args.length === 0) return { kind: 'charter', history: false };
      if (args.length === 1 && args[0] === 'history') return { kind: 'charter', history: true };
      return invalid('charter', '`charter` takes nothing, or `history`.', EXAMPLES.charter);
    case 'stats':
      return parseStats(rest);
    case 'memo':
    case 'digest':
    case 'config':
      return noArguments(sub, rest, sub);
    case 'forget-me':
    case 'forgetme':
      return noArguments('forget-me', rest, 'forget-me');
    case 'decision': {
      const decided = decodeSlackEscapes(rest).trim();
      if (decided === '') return invalid('decision', 'Write the decision after `decision`.', EXAMPLES.decision);
      const length = [...decided].length;
      if (length > DECISION_MAX_CHARS) return invalid('decision', `A decision can be at most ${DECISION_MAX_CHARS} characters; this one has ${length}. Link to a doc for the details.`, EXAMPLES.decision);
      return { kind: 'decision', text: decided };
    }
    case 'focus':
      return parseFocus(args);
    case 'snooze':
      return parseSnooze(args);
    case 'pilot': {
      if (args.length === 0) return { kind: 'pilot', action: 'status' };
      const action = args[0];
      if (args.length === 1 && (action === 'start' || action === 'stop' || action === 'status')) return { kind: 'pilot', action };
      return invalid('pilot', '`pilot` takes `start`, `stop` or `status`.', EXAMPLES.pilot);
    }
    default:
      return { kind: 'help', unknown: shown(word) };
  }
}

function parseStats(rest: string): AsyncCommand {
  if (rest === '') return { kind: 'stats', channel: null };
  const escaped = /^<#([CG][A-Z0-9]+)(?:\|([^>]*))?>$/.exec(rest);
  if (escaped) return { kind: 'stats', channel: { id: escaped[1] ?? '', name: escaped[2] ? decodeSlackEscapes(escaped[2]) : null } };
  if (/^#\S+$/.test(rest)) return invalid('stats', "I couldn't find that channel; pick it from the list as you type #", EXAMPLES.stats);
  return invalid('stats', '`stats` takes nothing (the whole workspace) or one #channel.', EXAMPLES.stats);
}

const TIME_24 = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const TIME_12 = /^(1[0-2]|0?[1-9])(?::([0-5]\d))? ?([ap])\.?m\.?$/;
const DURATION = /^(?:(\d{1,3}(?:[.,]\d{1,3})?) ?h(?:ours?|rs?)?)? ?(?:(\d{1,4}) ?m(?:in(?:ute)?s?)?)?$/;

/** "11:00", "9:30", "3pm", "3:30 pm" → hour/minute; null when not a time of day. */
function parseTimeOfDay(s: string): { hour: number; minute: number } | null {
  const t = TIME_24.exec(s);
  if (t) return { hour: Number(t[1]), minute: Number(t[2]) };
  const a = TIME_12.exec(s);
  if (a) return { hour: (Number(a[1]) % 12) + (a[3] === 'p' ? 12 : 0), minute: Number(a[2] ?? 0) };
  return null;
}

function parseFocus(args: readonly string[]): AsyncCommand {
  const bad = (problem: string) => invalid('focus', problem, FOCUS_EXAMPLE);
  if (args.length === 0) return { kind: 'focus', until: { kind: 'default' } };
  if (args.length === 1 && (args[0] === 'off' || args[0] === 'stop' || args[0] === 'end')) return { kind: 'focus-off' };
  // Optional words people type: "until 11:00", "until tomorrow 10:00", "for 90m".
  const prefix = args[0] === 'until' || args[0] === 'for' ? args[0] : null;
  let words = prefix ? args.slice(1) : [...args];
  let day: 'today-or-next' | 'tomorrow' = 'today-or-next';
  if (prefix !== 'for' && words[0] === 'tomorrow') {
    day = 'tomorrow';
    words = words.slice(1);
    if (words.length === 0) return bad('Say what time tomorrow, e.g. `tomorrow 10:00`.');
  }
  const s = words.join(' ');
  if (s === '') return bad(prefix === 'for' ? 'Say for how long, e.g. `for 90m`.' : 'Say until when, e.g. `until 11:00`.');
  if (prefix !== 'for') {
    const time = parseTimeOfDay(s);
    if (time) return { kind: 'focus', until: { kind: 'at', ...time, day } };
    if (day === 'tomorrow' || prefix === 'until') return bad(`\`${shown(s)}\` isn't a time of day; write \`10:00\` (24-hour) or \`10am\`.`);
  }
  if (s.startsWith('-')) return bad('A duration cannot be negative.');
  const d = DURATION.exec(s);
  if (d && (d[1] !== undefined || d[2] !== undefined)) {
    const minutes = Math.round(Number((d[1] ?? '0').replace(',', '.')) * 60) + Number(d[2] ?? 0);
    if (minutes <= 0) return bad('Focus needs to last at least 1 minute.');
    if (minutes > FOCUS_MAX_MINUTES) return bad(`Focus can last at most ${FOCUS_MAX_MINUTES / 60} hours; that is ${formatMinutes(minutes)}.`);
    return { kind: 'focus', until: { kind: 'for', minutes } };
  }
  if (/^\d{1,2}$/.test(s) && prefix === null) return bad(`\`${s}\` could be a time or a duration: write \`${s}:00\` for a time, or \`${s}m\` for minutes.`);
  if (/^\d{1,6}$/.test(s)) return bad(`\`${s}\` needs a unit, e.g. \`${s}m\` for minutes.`);
  if (/^\d{1,2}:\d{2}$/.test(s) || /^\d{1,2}(:\d{2})? ?[ap]\.?m\.?$/.test(s)) return bad(`\`${s}\` isn't a time of day.`);
  return bad(`I can't read \`${shown(s)}\` as a time (\`11:00\`, \`3pm\`) or a duration (\`90m\`, \`2h\`, \`1h30m\`).`);
}

function parseSnooze(args: readonly string[]): AsyncCommand {
  const bad = (problem: string) => invalid('snooze', problem, EXAMPLES.snooze);
  if (args.length === 0) return { kind: 'snooze', days: SNOOZE_DEFAULT_DAYS };
  const s = args.join(' ');
  if (s === 'off' || s === 'stop' || s === 'end') return { kind: 'snooze', days: 0 };
  const n = /^(\d{1,6}) ?(?:d|days?)?$/.exec(s);
  if (n === null) return bad(`Snooze takes a whole number of days from 0 to ${SNOOZE_MAX_DAYS}, or \`off\`.`);
  const days = Number(n[1]);
  if (days > SNOOZE_MAX_DAYS) return bad(`Snooze lasts at most ${SNOOZE_MAX_DAYS} days.`);
  return { kind: 'snooze', days };
}

/** "2 h 5 min", "45 min", "3 h". */
function formatMinutes(minutes: number): string {
  const m = Math.round(minutes);
  const h = Math.floor(m / 60);
  if (h === 0) return `${m} min`;
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
}

const MINUTE = 60_000;

/** The local calendar date of instant t in tz, and the date `days` later. */
function localDate(t: number, tz: string, days = 0): Ymd {
  const d = DateTime.fromMillis(t, { zone: tz });
  const c = DateTime.fromObject({ year: d.year, month: d.month, day: d.day }, { zone: 'utc' }).plus({ days });
  return { year: c.year, month: c.month, day: c.day };
}

/**
 * Where an 'at' focus would end, before the 12-hour limit: today-or-next → the next occurrence of
 * the wall time strictly after now (today if still ahead, else tomorrow); tomorrow → its first
 * occurrence on tomorrow's local date. ms; tz must be a valid IANA zone.
 */
export function wallTimeEnd(until: Extract<FocusUntil, { kind: 'at' }>, now: number, tz: string): number {
  const tomorrow = wallTimeInstants(localDate(now, tz, 1), until.hour, until.minute, tz);
  if (until.day === 'tomorrow') return tomorrow[0] ?? NaN;
  const today = wallTimeInstants(localDate(now, tz), until.hour, until.minute, tz);
  return [...today, ...tomorrow].find((t) => t > now) ?? NaN;
}

/** The instant of minute-of-day `minutes` (1440: "24:00") on the local date of `now` in tz, as working-time.ts reads it. */
const todayAt = (now: number, tz: string, minutes: number): number => atLocalMinute(localDate(now, tz), minutes, tz);

/**
 * When focus started at `now` (ms) by a person in `tz` (IANA) ends, as epoch ms.
 * 'for' → now + minutes (elapsed time, DST or not). 'at' → see wallTimeEnd. 'default' → the end of the
 * charter's daily focus block when now is inside it on a workday; else, on a charter focus day
 * during working hours (workday, start <= local time < end), the end of working hours; else
 * now + 2 h; a default longer than 12 h is cut to 12 h. An explicit end more than
 * FOCUS_MAX_MINUTES away, or not after now, is refused with a readable problem. Never throws.
 */
export function focusEnd(until: FocusUntil, now: number, tz: string, charter: Pick<Charter, 'focus' | 'workdays' | 'working_hours'>): { ok: true; end: number } | { ok: false; problem: string } {
  if (!Number.isFinite(now)) return { ok: false, problem: 'The current time is not a valid instant.' };
  const limit = now + FOCUS_MAX_MINUTES * MINUTE;
  if (until.kind === 'for') {
    if (!Number.isFinite(until.minutes) || until.minutes <= 0) return { ok: false, problem: 'Focus needs to last at least 1 minute.' };
    if (until.minutes > FOCUS_MAX_MINUTES) return { ok: false, problem: `Focus can last at most ${FOCUS_MAX_MINUTES / 60} hours; that is ${formatMinutes(until.minutes)}.` };
    return { ok: true, end: now + until.minutes * MINUTE };
  }
  if (!DateTime.fromMillis(0, { zone: tz }).isValid) return { ok: false, problem: `I don't know the time zone \`${tz}\`; set yours in your Slack profile.` };
  if (until.kind === 'at') {
    const { hour, minute } = until;
    if (!Number.isInteger(hour) || !Number.isInteger(minute) || hour < 0 || hour > 23 || minute < 0 || minute > 59) return { ok: false, problem: 'That is not a time of day.' };
    const end = wallTimeEnd(until, now, tz);
    const hhmm = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
    if (!(end > now)) return { ok: false, problem: `${hhmm} is not in the future.` };
    if (end > limit) return { ok: false, problem: `${until.day === 'tomorrow' ? 'Tomorrow ' : ''}${hhmm} is ${formatMinutes((end - now) / MINUTE)} from now; focus can last at most ${FOCUS_MAX_MINUTES / 60} hours.` };
    return { ok: true, end };
  }
  const local = DateTime.fromMillis(now, { zone: tz });
  const workday = charter.workdays.some((d) => weekdayNumber(d) === local.weekday);
  let end = now + FOCUS_FALLBACK_MINUTES * MINUTE;
  const block = charter.focus.daily;
  const blockStart = block ? todayAt(now, tz, minutesOfDay(block.start)) : NaN;
  const blockEnd = block ? todayAt(now, tz, minutesOfDay(block.end)) : NaN;
  const workEnd = todayAt(now, tz, minutesOfDay(charter.working_hours.end));
  if (workday && blockStart <= now && now < blockEnd) end = blockEnd;
  else if (workday && charter.focus.days.some((d) => weekdayNumber(d) === local.weekday) && todayAt(now, tz, minutesOfDay(charter.working_hours.start)) <= now && now < workEnd) end = workEnd;
  return { ok: true, end: Math.min(end, now + FOCUS_DEFAULT_MAX_MINUTES * MINUTE) };
}
