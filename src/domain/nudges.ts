import { DateTime } from 'luxon';
import { channelRules, minutesOfDay, type Charter, WEEKDAYS } from './charter';

/** Nudges: the kinds, outcomes and refs they speak in, their wording and timing rules. Pure: instants in, sentences out. */

/** The private nudges the app shows: to the author, in the channel where they wrote. */
export type NudgeKind = 'meeting_request' | 'off_hours' | 'early_followup' | 'focus';

/** Only messages under this age when they arrive are nudged (SPEC §7: "under 10 minutes old"). */
export const NUDGE_MAX_AGE_MS = 10 * 60_000;

/** Whether a message posted at postedAt may still be nudged at now: under 10 minutes old, not 10 minutes or more. */
export function youngEnoughToNudge(postedAt: number, now: number): boolean {
  return now - postedAt < NUDGE_MAX_AGE_MS;
}
/** What the person did with a nudge (the first outcome recorded wins). */
export type NudgeOutcome = 'thread' | 'memo' | 'agenda' | 'not_meeting' | 'snoozed' | 'dismissed';
/** What a nudge's buttons and modals carry: which nudge (n, its id), about which message (channel c, ts). */
export type NudgeRef = { n: string; c: string; ts: string };

/** The nudge a button value or modal private_metadata (JSON) refers to; null when it is not one of ours. */
export function parseNudgeRef(value: string | undefined): NudgeRef | null {
  try {
    const v = JSON.parse(value ?? '') as Partial<NudgeRef> | null;
    return v !== null && typeof v.n === 'string' && typeof v.c === 'string' && typeof v.ts === 'string' ? { n: v.n, c: v.c, ts: v.ts } : null;
  } catch {
    return null;
  }
}

const DAY_NAMES: Record<string, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };

/** "Europe/Berlin" → "Berlin"; "America/Argentina/Buenos_Aires" → "Buenos Aires". */
export function placeOf(tz: string): string {
  return (tz.split('/').pop() ?? tz).replace(/_/g, ' ');
}

/** Focus time at instant t for a person in tz: a focus day, or inside the daily focus block. */
export function focusAt(charter: Charter, tz: string, t: number): { day: string | null; block: { start: string; end: string } | null } {
  const local = DateTime.fromMillis(t, { zone: tz });
  const weekday = WEEKDAYS[local.weekday - 1] as string;
  const day = charter.focus.days.includes(weekday as never) ? (DAY_NAMES[weekday] as string) : null;
  const daily = charter.focus.daily;
  const minute = local.hour * 60 + local.minute;
  const block = daily !== null && minute >= minutesOfDay(daily.start) && minute < minutesOfDay(daily.end) ? daily : null;
  return { day, block };
}

/** "8 working hours" / "1 working day" / "45 working minutes". */
export function describeWindow(workingMinutes: number, charter: Charter): string {
  const dayMinutes = minutesOfDay(charter.working_hours.end) - minutesOfDay(charter.working_hours.start);
  if (workingMinutes % dayMinutes === 0) {
    const days = workingMinutes / dayMinutes;
    return `${days} working day${days === 1 ? '' : 's'}`;
  }
  if (workingMinutes % 60 === 0) return `${workingMinutes / 60} working hour${workingMinutes === 60 ? '' : 's'}`;
  return `${workingMinutes} working minutes`;
}

/** The charter's default-to-async rule, as the nudge quotes it. */
export function asyncRule(charter: Charter, channel: string): string {
  const rules = channelRules(charter, channel);
  return `Our charter defaults to async: write it down first. A request here gets an answer within ${describeWindow(rules.normalWorkingMinutes, charter)}${rules.urgent ? ` (${rules.urgentMinutes} minutes: this channel is urgent)` : ''}.`;
}

/** The meeting-request nudge's opening line, mentioning focus time when it applies. */
export function meetingNudgeText(charter: Charter, channel: string, authorTz: string, t: number): string {
  const f = focusAt(charter, authorTz, t);
  const focus = f.day !== null ? ` Today is No-Meeting ${f.day}.` : f.block !== null ? ` It's focus time (${f.block.start}–${f.block.end}).` : '';
  return `This looks like a meeting request.${focus} ${asyncRule(charter, channel)} Could a thread or a short memo do it?`;
}

/** "Ana is off hours (22:10 in Berlin); expect a reply by Tue 10:00 Ana's time. Urgent? Use <#C…>" */
export function offHoursText(o: { name: string; tz: string; at: number; due: number | null; urgentChannel: string | null }): string {
  const local = DateTime.fromMillis(o.at, { zone: o.tz }).toFormat('HH:mm');
  const due = o.due === null ? 'no reply is due under the charter' : `expect a reply by ${DateTime.fromMillis(o.due, { zone: o.tz }).toFormat('ccc HH:mm')} ${o.name}'s time`;
  const urgent = o.urgentChannel !== null ? ` Urgent? Use <#${o.urgentChannel}>.` : '';
  return `${o.name} is off hours (${local} in ${placeOf(o.tz)}); ${due}.${urgent}`;
}

/** The heads-up to someone who mentions a person in focus (`/async focus`): until when, in that person's time. */
export function focusText(o: { name: string; tz: string; until: number; now: number; urgentChannel: string | null }): string {
  const end = DateTime.fromMillis(o.until, { zone: o.tz });
  const sameDay = end.hasSame(DateTime.fromMillis(o.now, { zone: o.tz }), 'day');
  const urgent = o.urgentChannel !== null ? ` Urgent? Use <#${o.urgentChannel}>.` : '';
  return `${o.name} is in focus until ${end.toFormat(sameDay ? 'HH:mm' : 'ccc HH:mm')} their time (${placeOf(o.tz)}); your message will wait for them.${urgent}`;
}

/** The early follow-up note: the earlier request is not yet due. */
export function earlyFollowupText(o: { name: string; tz: string; askedAt: number; due: number | null; now: number }): string {
  const due = o.due === null ? '' : ` It is due by ${DateTime.fromMillis(o.due, { zone: o.tz }).toFormat('ccc HH:mm')} ${o.name}'s time.`;
  const ago = o.now - o.askedAt < 60_000 ? 'just now' : (DateTime.fromMillis(o.askedAt).toRelative({ base: DateTime.fromMillis(o.now) }) ?? 'earlier');
  return `You already asked ${o.name} here ${ago} and that request is not yet due.${due} A second ping before then rarely speeds things up.`;
}

/** A meeting time is too soon (under 24 h away) or lands on focus time. Null when fine. */
export function agendaWarning(charter: Charter, tz: string, when: number, now: number): string | null {
  const problems: string[] = [];
  if (when - now < 24 * 3_600_000) problems.push('it is less than 24 hours away, so people cannot prepare');
  const f = focusAt(charter, tz, when);
  if (f.day !== null) problems.push(`it is on No-Meeting ${f.day}`);
  else if (f.block !== null) problems.push(`it is in the focus block (${f.block.start}–${f.block.end})`);
  return problems.length === 0 ? null : `Heads-up: ${problems.join(' and ')}.`;
}

const DAY_MS = 86_400_000;

/**
 * How far back (ms) an earlier request can still be not yet due in this channel: at least 30
 * days, more when the charter's windows are longer (a normal window spread over the charter's
 * workdays and holidays, with a week of slack; an urgent window on the clock plus a day). Early
 * follow-ups are looked for this far back, so the live check agrees with SPEC §4.
 */
export function followupLookbackMs(charter: Charter, channel: string): number {
  const rules = channelRules(charter, channel);
  const perDay = Math.max(1, minutesOfDay(charter.working_hours.end) - minutesOfDay(charter.working_hours.start));
  const workdaysPerWeek = Math.max(1, charter.workdays.length);
  const weeks = Math.ceil(Math.ceil(rules.normalWorkingMinutes / perDay) / workdaysPerWeek);
  const normal = (weeks + 1) * 7 * DAY_MS + charter.holidays.length * DAY_MS;
  const urgent = rules.urgentMinutes * 60_000 + DAY_MS;
  return Math.max(30 * DAY_MS, normal, urgent);
}
