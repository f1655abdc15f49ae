import { DateTime } from 'luxon';
import type { FocusStarted } from '../../services/availability';
import { invalidReply, note, type Reply } from './commands';

/** Answers to `/async focus` and `/async snooze`. Pure. */

const FOCUS_EXAMPLE = '/async focus 11:00 · /async focus 90m · /async focus tomorrow 10:00';

/** Focus started (until when, in the caller's zone), or why not. */
export function focusReply(r: FocusStarted): Reply {
  if (!r.ok) return invalidReply(r.problem, FOCUS_EXAMPLE);
  const end = DateTime.fromMillis(r.end, { zone: r.tz });
  const sameDay = end.hasSame(DateTime.fromMillis(r.start, { zone: r.tz }), 'day');
  return note(`:headphones: You are in focus until *${end.toFormat(sameDay ? 'HH:mm' : 'ccc HH:mm')}* your time (${r.tz}). Whoever mentions you meanwhile is told that their message will wait. End it early with \`/async focus off\`.`);
}

/** Nudges snoozed until when, in the caller's zone. */
export function snoozeReply(until: Date, tz: string): Reply {
  const t = DateTime.fromMillis(until.getTime(), { zone: tz });
  return note(`:zzz: No nudges for you until *${t.toFormat('ccc d LLL HH:mm')}* your time. Turn them back on with \`/async snooze off\`.`);
}
