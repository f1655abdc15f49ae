import { weekBounds, median, roundHalfAway, type FocusSession, type ReportMsg } from './report';
import { computeRequests, isAfterHours, Schedules, type RequestInputs, type RequestRecord } from './requests';

/**
 * One person's own figures (`/async stats`, App Home): shown to that person only. Pure: the same
 * request rules as the weekly report (SPEC §4), seen from one person's side.
 */

/** A person's week. Waits are in their own working minutes (normal requests only), like the report's median. */
export type PersonalWeek = {
  week_start: string;
  /** Requests others asked of this person that week, and their outcomes at as_of. */
  requests_to_you: number;
  on_time: number;
  late: number;
  overdue: number;
  pending: number;
  compliance: number | null;
  median_wait_working_minutes: number | null;
  /** Requests this person asked of others. */
  requests_you_asked: number;
  messages: number;
  after_hours_messages: number;
  /** Private nudges the app showed this person. */
  nudges: number;
  focus_hours: number;
};

/** A request waiting on the person at as_of: asked of them, no answer yet. */
export type Waiting = { channel: string; ts: string; rootTs: string; isReply: boolean; requester: string; askedAt: number; dueAt: number | null; urgent: boolean; overdue: boolean };

export type PersonalInputs = Omit<RequestInputs, 'messages'> & {
  messages: readonly ReportMsg[];
  focusSessions?: readonly FocusSession[];
  /** Instants (ms) the person was shown a nudge. */
  nudgesShown?: readonly number[];
  timezone: string;
};

/** At most this many waiting requests are listed (the oldest due first); the count says how many more. */
export const WAITING_LISTED = 10;

/** The person's figures for the given weeks (Monday dates in `timezone`), and what waits on them at as_of. */
export function personalFigures(input: PersonalInputs, userId: string, weeks: readonly string[]): { weeks: PersonalWeek[]; waiting: Waiting[]; waitingTotal: number } {
  const { asOf } = input;
  const messages = input.messages.filter((m) => m.at <= asOf && !input.charter.excluded_channels.includes(m.channel) && input.people.get(m.user)?.isBot !== true);
  const requests = computeRequests({ ...input, messages });
  const schedules = new Schedules(input.charter, input.people);
  const toYou = requests.filter((r) => r.recipient === userId);
  const fromYou = requests.filter((r) => r.requester === userId);
  const mine = messages.filter((m) => m.user === userId);
  const count = (rs: readonly RequestRecord[], o: RequestRecord['outcome']) => rs.filter((r) => r.outcome === o).length;

  const out = weeks.map((week): PersonalWeek => {
    const [start, end] = weekBounds(week, input.timezone);
    const inWeek = (t: number) => t >= start && t < end && t <= asOf;
    const reqs = toYou.filter((r) => inWeek(r.askedAt));
    const onTime = count(reqs, 'on_time');
    const late = count(reqs, 'late');
    const overdue = count(reqs, 'overdue');
    const due = onTime + late + overdue;
    const waits = reqs.filter((r) => !r.urgent && r.latencyMinutes !== null).map((r) => r.latencyMinutes as number);
    const wait = median(waits);
    const msgs = mine.filter((m) => inWeek(m.at));
    const focusMs = (input.focusSessions ?? []).filter((f) => f.user === userId).reduce((sum, f) => sum + Math.max(0, Math.min(f.end, end, asOf) - Math.max(f.start, start)), 0);
    return {
      week_start: week,
      requests_to_you: reqs.length,
      on_time: onTime,
      late,
      overdue,
      pending: count(reqs, 'pending'),
      compliance: due === 0 ? null : roundHalfAway(onTime / due, 3),
      median_wait_working_minutes: wait === null ? null : roundHalfAway(wait, 1),
      requests_you_asked: fromYou.filter((r) => inWeek(r.askedAt)).length,
      messages: msgs.length,
      after_hours_messages: msgs.filter((m) => isAfterHours(schedules, m)).length,
      nudges: (input.nudgesShown ?? []).filter(inWeek).length,
      focus_hours: roundHalfAway(focusMs / 3_600_000, 1),
    };
  });

  const open = toYou
    .filter((r) => r.respondedAt === null || r.respondedAt > asOf)
    .sort((a, b) => (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) || a.askedAt - b.askedAt)
    .map((r): Waiting => ({ channel: r.channel, ts: r.ts, rootTs: r.rootTs, isReply: r.isReply, requester: r.requester, askedAt: r.askedAt, dueAt: r.dueAt, urgent: r.urgent, overdue: r.outcome === 'overdue' }));
  return { weeks: out, waiting: open.slice(0, WAITING_LISTED), waitingTotal: open.length };
}
