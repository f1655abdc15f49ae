import { DateTime } from 'luxon';
import type { Charter } from './charter';
import { computeRequests, isAfterHours, Schedules, type Msg, type Person, type Reaction, type RequestRecord } from './requests';

/** The weekly report, SPEC §5. Field names and order are the public contract. */
export type ChannelFigures = { channel: string; messages: number; after_hours_messages: number; requests: number; compliance: number | null };
export type Pulse = { responses: number; focus: number | null; stress: number | null; autonomy: number | null };
export type WeeklyReport = {
  team_id: string | null;
  week_start: string;
  timezone: string;
  as_of: string;
  messages: number;
  after_hours_messages: number;
  threaded_messages: number;
  top_level_messages: number;
  requests: number;
  off_hours_requests: number;
  early_followups: number;
  on_time: number;
  late: number;
  overdue: number;
  pending: number;
  compliance: number | null;
  urgent_requests: number;
  median_response_working_minutes: number | null;
  p90_response_working_minutes: number | null;
  meeting_requests: number;
  where_is_questions: number;
  decisions_logged: number;
  focus_hours: number;
  pulse: Pulse | null;
  channels: ChannelFigures[];
};

/** A human message with the classifier's flags (set at ingest; the text is gone). */
export type ReportMsg = Msg & { meetingRequest?: boolean; whereIs?: boolean };
export type FocusSession = { user: string; start: number; end: number };
export type PulseAnswer = { user: string; at: number; focus: number; stress: number; autonomy: number };

export type ReportInputs = {
  teamId: string | null;
  charter: Charter;
  messages: readonly ReportMsg[];
  reactions: readonly Reaction[];
  people: ReadonlyMap<string, Person>;
  appUserIds?: ReadonlySet<string>;
  asOf: number;
  /** Instants at which decisions were recorded through the app. */
  decisions?: readonly number[];
  focusSessions?: readonly FocusSession[];
  pulseAnswers?: readonly PulseAnswer[];
};

/** Rounds half away from zero to `digits` decimals (SPEC §7), exact for decimal ties. */
export function roundHalfAway(x: number, digits: number): number {
  const sign = x < 0 ? -1 : 1;
  const shifted = Math.round(Number(`${Math.abs(x)}e${digits}`));
  return sign * Number(`${shifted}e-${digits}`) + 0;
}

/** Local date of the Monday of the week containing t, in tz. */
export function weekStartOf(t: number, tz: string): string {
  return DateTime.fromMillis(t, { zone: tz }).startOf('week').toISODate() ?? '';
}

/** The Monday of the week containing a local date (any day of it). Null when not a date. */
export function mondayOf(date: string): string | null {
  const d = DateTime.fromISO(date, { zone: 'UTC' });
  if (!d.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  return d.startOf('week').toISODate();
}

/** [Monday 00:00, next Monday 00:00) of a week, as instants in tz. */
export function weekBounds(weekStart: string, tz: string): [number, number] {
  const start = DateTime.fromISO(weekStart, { zone: tz }).startOf('day');
  return [start.toMillis(), start.plus({ weeks: 1 }).toMillis()];
}

/** Every week from the one containing `from` to the one containing `to`, as Monday dates. */
export function weeksBetween(from: number, to: number, tz: string): string[] {
  const weeks: string[] = [];
  let w = DateTime.fromMillis(from, { zone: tz }).startOf('week');
  const last = DateTime.fromMillis(Math.max(from, to), { zone: tz }).startOf('week');
  while (w <= last) {
    weeks.push(w.toISODate() ?? '');
    w = w.plus({ weeks: 1 });
  }
  return weeks;
}

/** Median (mean of the two middle values when even); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Nearest-rank percentile (p in 0..100]; null for none. */
export function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[rank - 1] as number;
}

const compliance = (onTime: number, late: number, overdue: number): number | null => {
  const d = onTime + late + overdue;
  return d === 0 ? null : roundHalfAway(onTime / d, 3);
};
const oneDecimal = (x: number | null): number | null => (x === null ? null : roundHalfAway(x, 1));

/** Channel figures of the messages and requests given (one week, or a whole range), ordered by channel id. */
function channelFigures(msgs: readonly ReportMsg[], reqs: readonly RequestRecord[], afterHours: ReadonlySet<ReportMsg>): ChannelFigures[] {
  const channelIds = [...new Set(msgs.map((m) => m.channel))].sort();
  return channelIds.map((channel): ChannelFigures => {
    const cm = msgs.filter((m) => m.channel === channel);
    const cr = reqs.filter((r) => r.channel === channel);
    return {
      channel,
      messages: cm.length,
      after_hours_messages: cm.filter((m) => afterHours.has(m)).length,
      requests: cr.length,
      compliance: compliance(countOutcome(cr, 'on_time'), countOutcome(cr, 'late'), countOutcome(cr, 'overdue')),
    };
  });
}

const countOutcome = (rs: readonly RequestRecord[], o: RequestRecord['outcome']) => rs.filter((r) => r.outcome === o).length;

/** Reports for the given weeks (Monday dates in the charter timezone), evaluated at as_of. */
export function weeklyReports(input: ReportInputs, weeks: readonly string[]): WeeklyReport[] {
  return weeklyReportSet(input, weeks).weeks;
}

/**
 * The weekly reports, and each channel's figures over all those weeks together (its compliance
 * pooled over every request it had, not a mean of weekly ratios), from one pass over requests.
 */
export function weeklyReportSet(input: ReportInputs, weeks: readonly string[]): { weeks: WeeklyReport[]; channels: ChannelFigures[] } {
  const { charter, asOf } = input;
  const tz = charter.timezone;
  // Human messages in tracked channels only (SPEC §2): no excluded channel, no author the directory calls a bot.
  const excluded = new Set(charter.excluded_channels);
  const messages = input.messages.filter((m) => m.at <= asOf && !excluded.has(m.channel) && input.people.get(m.user)?.isBot !== true);
  const requests = computeRequests({ charter, messages, reactions: input.reactions, people: input.people, ...(input.appUserIds ? { appUserIds: input.appUserIds } : {}), asOf });
  const schedules = new Schedules(charter, input.people);
  const asOfIso = new Date(asOf).toISOString();
  const allAfterHours = new Set<ReportMsg>();
  const allMsgs = new Set<ReportMsg>();
  const allReqs = new Set<RequestRecord>();

  const reports = weeks.map((week): WeeklyReport => {
    const [start, end] = weekBounds(week, tz);
    const inWeek = (t: number) => t >= start && t < end && t <= asOf;
    const msgs = messages.filter((m) => inWeek(m.at));
    const reqs = requests.filter((r) => inWeek(r.askedAt));
    const count = countOutcome;
    const latencies = reqs.filter((r) => !r.urgent && r.latencyMinutes !== null).map((r) => r.latencyMinutes as number);
    const afterHours = new Set(msgs.filter((m) => isAfterHours(schedules, m)));
    for (const m of afterHours) allAfterHours.add(m);
    for (const m of msgs) allMsgs.add(m);
    for (const r of reqs) allReqs.add(r);

    const channels = channelFigures(msgs, reqs, afterHours);

    const onTime = count(reqs, 'on_time');
    const late = count(reqs, 'late');
    const overdue = count(reqs, 'overdue');
    const focusMs = (input.focusSessions ?? []).reduce((sum, f) => sum + Math.max(0, Math.min(f.end, end, asOf) - Math.max(f.start, start)), 0);
    const answers = (input.pulseAnswers ?? []).filter((p) => inWeek(p.at));
    const mean = (xs: number[]) => (xs.length === 0 ? null : roundHalfAway(xs.reduce((a, b) => a + b, 0) / xs.length, 1));

    return {
      team_id: input.teamId,
      week_start: week,
      timezone: tz,
      as_of: asOfIso,
      messages: msgs.length,
      after_hours_messages: afterHours.size,
      threaded_messages: msgs.filter((m) => m.isReply).length,
      top_level_messages: msgs.filter((m) => !m.isReply).length,
      requests: reqs.length,
      off_hours_requests: reqs.filter((r) => r.offHours).length,
      early_followups: reqs.filter((r) => r.earlyFollowup).length,
      on_time: onTime,
      late,
      overdue,
      pending: count(reqs, 'pending'),
      compliance: compliance(onTime, late, overdue),
      urgent_requests: reqs.filter((r) => r.urgent).length,
      median_response_working_minutes: oneDecimal(median(latencies)),
      p90_response_working_minutes: oneDecimal(nearestRank(latencies, 90)),
      meeting_requests: msgs.filter((m) => m.meetingRequest === true).length,
      where_is_questions: msgs.filter((m) => m.whereIs === true).length,
      decisions_logged: (input.decisions ?? []).filter(inWeek).length,
      focus_hours: roundHalfAway(focusMs / 3_600_000, 1),
      pulse:
        answers.length >= charter.min_group_size && answers.length > 0
          ? { responses: answers.length, focus: mean(answers.map((a) => a.focus)), stress: mean(answers.map((a) => a.stress)), autonomy: mean(answers.map((a) => a.autonomy)) }
          : null,
      channels,
    };
  });
  return { weeks: reports, channels: channelFigures([...allMsgs], [...allReqs], allAfterHours) };
}
