import { weekBounds, median, roundHalfAway, type FocusSession, type ReportMsg } from './report';
import { computeRequests, evaluateRequest, isAfterHours, isRecipient, Schedules, tsMicros, type FoundRequest, type Msg, type RequestInputs, type RequestRecord } from './requests';

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

/**
 * What a person's figures are made of, once found: their requests (asked of them or by them; any
 * other is ignored), evaluated at as_of, and their own messages. The store finds these for one
 * person without reading the team's messages (src/services/me.ts); personalFigures finds them in
 * plain messages. Both give the same figures.
 */
export type PersonalRecords = Pick<PersonalInputs, 'charter' | 'people' | 'asOf' | 'timezone' | 'focusSessions' | 'nudgesShown'> & {
  requests: readonly RequestRecord[];
  /** The person's own human messages in tracked channels, up to as_of. */
  messages: ReadonlyArray<Pick<Msg, 'user' | 'at'>>;
};

/** The person's figures for the given weeks (Monday dates in `timezone`), and what waits on them at as_of. */
export function personalFigures(input: PersonalInputs, userId: string, weeks: readonly string[]): { weeks: PersonalWeek[]; waiting: Waiting[]; waitingTotal: number } {
  const messages = input.messages.filter((m) => m.at <= input.asOf && !input.charter.excluded_channels.includes(m.channel) && input.people.get(m.user)?.isBot !== true);
  return personalFiguresOf({ ...input, messages, requests: computeRequests({ ...input, messages }) }, userId, weeks);
}

/**
 * A person's records from the mentions and messages found for them (by the store, which does not
 * read the rest of the team): what personalFigures leaves out is left out here (excluded channels,
 * bots' messages, mentions that are not requests, anything after as_of), and each request is
 * evaluated at as_of.
 */
export function personalRecords(
  input: Omit<PersonalRecords, 'requests' | 'messages'> & { appUserIds: ReadonlySet<string>; found: readonly FoundRequest[]; messages: ReadonlyArray<Pick<Msg, 'channel' | 'user' | 'at'>> },
): PersonalRecords {
  const { charter, people, asOf } = input;
  const counted = (channel: string, user: string, at: number) => at <= asOf && !charter.excluded_channels.includes(channel) && people.get(user)?.isBot !== true;
  const schedules = new Schedules(charter, people);
  const requests = input.found
    .filter((r) => counted(r.channel, r.requester, r.askedAt) && isRecipient(r.recipient, r.requester, people, input.appUserIds))
    .map((r) => evaluateRequest({ ...r, respondedAt: r.respondedAt !== null && r.respondedAt <= asOf ? r.respondedAt : null }, charter, schedules, asOf));
  const { found: _found, appUserIds: _app, ...rest } = input;
  return { ...rest, requests, messages: input.messages.filter((m) => counted(m.channel, m.user, m.at)) };
}

/** personalFigures from the person's records. */
export function personalFiguresOf(input: PersonalRecords, userId: string, weeks: readonly string[]): { weeks: PersonalWeek[]; waiting: Waiting[]; waitingTotal: number } {
  const { asOf, requests, messages } = input;
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
    // Soonest due first, then the earliest asked (Slack's ts order), then by channel: one order whatever order the requests came in.
    .sort((a, b) => (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) || tsMicros(a.ts) - tsMicros(b.ts) || (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0))
    .map((r): Waiting => ({ channel: r.channel, ts: r.ts, rootTs: r.rootTs, isReply: r.isReply, requester: r.requester, askedAt: r.askedAt, dueAt: r.dueAt, urgent: r.urgent, overdue: r.outcome === 'overdue' }));
  return { weeks: out, waiting: open.slice(0, WAITING_LISTED), waitingTotal: open.length };
}
