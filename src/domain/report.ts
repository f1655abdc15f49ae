import { DateTime } from 'luxon';
import type { Charter } from './charter';
import { computeRequests, isAfterHours, Schedules, type Msg, type Person, type Reaction } from './requests';

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
  return sign * shiftDecimal(Math.round(shiftDecimal(Math.abs(x), digits)), -digits) + 0;
}

/**
 * v × 10^k through v's decimal text, so that 1.005 (written 1.005) shifts to exactly 100.5. JavaScript
 * writes numbers under 1e-6 and from 1e21 in exponent form ("1e-7", "1e+21"): their exponent moves.
 */
function shiftDecimal(v: number, k: number): number {
  const [mantissa, exponent = '0'] = String(v).split('e');
  return Number(`${mantissa}e${Number(exponent) + k}`);
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
  return medianOfSorted(sortedNumbers(values));
}

/** Nearest-rank percentile (p in 0..100]; null for none. */
export function nearestRank(values: readonly number[], p: number): number | null {
  return nearestRankOfSorted(sortedNumbers(values), p);
}

/** The values in ascending order, as a typed array (sorted numerically without a comparator: a 240k-value week sorts ~5× faster). */
function sortedNumbers(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

function medianOfSorted(s: Float64Array): number | null {
  if (s.length === 0) return null;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function nearestRankOfSorted(s: Float64Array, p: number): number | null {
  if (s.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[rank - 1] as number;
}

const compliance = (onTime: number, late: number, overdue: number): number | null => {
  const d = onTime + late + overdue;
  return d === 0 ? null : roundHalfAway(onTime / d, 3);
};
const oneDecimal = (x: number | null): number | null => (x === null ? null : roundHalfAway(x, 1));

/**
 * What one channel had in one week (Monday date `week`), before ratios and rounding: the report's
 * counts come from these and nothing else. A channel is listed when it had a human message.
 */
export type ChannelWeekCounts = {
  week: string;
  channel: string;
  messages: number;
  after_hours_messages: number;
  threaded_messages: number;
  meeting_requests: number;
  where_is_questions: number;
  requests: number;
  off_hours_requests: number;
  early_followups: number;
  urgent_requests: number;
  on_time: number;
  late: number;
  overdue: number;
  pending: number;
};

/** A week's latencies of responded normal requests, in working minutes (any order): the median and p90 are read from them. */
export type WeekLatencies = { week: string; minutes: readonly number[] };

/** The counts and latencies a set of weekly reports is made of. */
export type ReportCounts = { channels: ChannelWeekCounts[]; latencies: WeekLatencies[] };

const COUNT_KEYS = [
  'messages',
  'after_hours_messages',
  'threaded_messages',
  'meeting_requests',
  'where_is_questions',
  'requests',
  'off_hours_requests',
  'early_followups',
  'urgent_requests',
  'on_time',
  'late',
  'overdue',
  'pending',
] as const;
type Counts = Record<(typeof COUNT_KEYS)[number], number>;
const zeroCounts = (): Counts => Object.fromEntries(COUNT_KEYS.map((k) => [k, 0])) as Counts;
const addCounts = (into: Counts, c: Counts): void => {
  for (const k of COUNT_KEYS) into[k] += c[k];
};
const channelFigure = (channel: string, c: Counts): ChannelFigures => ({
  channel,
  messages: c.messages,
  after_hours_messages: c.after_hours_messages,
  requests: c.requests,
  compliance: compliance(c.on_time, c.late, c.overdue),
});
/** Channels with at least one message, ordered by id. */
const listedChannels = (byChannel: ReadonlyMap<string, Counts>): ChannelFigures[] =>
  [...byChannel.entries()]
    .filter(([, c]) => c.messages > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([channel, c]) => channelFigure(channel, c));

/** Reports for the given weeks (Monday dates in the charter timezone), evaluated at as_of. */
export function weeklyReports(input: ReportInputs, weeks: readonly string[]): WeeklyReport[] {
  return weeklyReportSet(input, weeks).weeks;
}

/**
 * The weekly reports, and each channel's figures over all those weeks together (its compliance
 * pooled over every request it had, not a mean of weekly ratios), from one pass over requests.
 */
export function weeklyReportSet(input: ReportInputs, weeks: readonly string[]): { weeks: WeeklyReport[]; channels: ChannelFigures[] } {
  return reportSetFromCounts(input, weeks, reportCounts(input, weeks));
}

/**
 * The counts of the given weeks from plain records (SPEC §4, §5): the definition the store's
 * aggregate queries are held to.
 */
export function reportCounts(input: ReportInputs, weeks: readonly string[]): ReportCounts {
  const { charter, asOf } = input;
  const tz = charter.timezone;
  // Human messages in tracked channels only (SPEC §2): no excluded channel, no author the directory calls a bot.
  const excluded = new Set(charter.excluded_channels);
  const messages = input.messages.filter((m) => m.at <= asOf && !excluded.has(m.channel) && input.people.get(m.user)?.isBot !== true);
  const requests = computeRequests({ charter, messages, reactions: input.reactions, people: input.people, ...(input.appUserIds ? { appUserIds: input.appUserIds } : {}), asOf });
  const schedules = new Schedules(charter, input.people);
  const out: ReportCounts = { channels: [], latencies: [] };
  for (const week of new Set(weeks)) {
    const [start, end] = weekBounds(week, tz);
    const inWeek = (t: number) => t >= start && t < end && t <= asOf;
    const byChannel = new Map<string, Counts>();
    const of = (channel: string): Counts => {
      let c = byChannel.get(channel);
      if (c === undefined) byChannel.set(channel, (c = zeroCounts()));
      return c;
    };
    for (const m of messages) {
      if (!inWeek(m.at)) continue;
      const c = of(m.channel);
      c.messages += 1;
      if (isAfterHours(schedules, m)) c.after_hours_messages += 1;
      if (m.isReply) c.threaded_messages += 1;
      if (m.meetingRequest === true) c.meeting_requests += 1;
      if (m.whereIs === true) c.where_is_questions += 1;
    }
    const latencies: number[] = [];
    for (const r of requests) {
      if (!inWeek(r.askedAt)) continue;
      const c = of(r.channel);
      c.requests += 1;
      if (r.offHours) c.off_hours_requests += 1;
      if (r.earlyFollowup) c.early_followups += 1;
      if (r.urgent) c.urgent_requests += 1;
      c[r.outcome] += 1;
      if (!r.urgent && r.latencyMinutes !== null) latencies.push(r.latencyMinutes);
    }
    for (const [channel, c] of byChannel) out.channels.push({ week, channel, ...c });
    out.latencies.push({ week, minutes: latencies });
  }
  return out;
}

/** What the report takes besides the counts: the team, charter, as_of and what people logged through the app. */
export type ReportContext = Pick<ReportInputs, 'teamId' | 'charter' | 'asOf' | 'decisions' | 'focusSessions' | 'pulseAnswers'>;

/** The weekly reports (SPEC §5) and each channel's figures over all the weeks, from their counts. */
export function reportSetFromCounts(input: ReportContext, weeks: readonly string[], counts: ReportCounts): { weeks: WeeklyReport[]; channels: ChannelFigures[] } {
  const { charter, asOf } = input;
  const tz = charter.timezone;
  const asOfIso = new Date(asOf).toISOString();
  const byWeek = new Map<string, Map<string, Counts>>();
  for (const { week, channel, ...c } of counts.channels) {
    let m = byWeek.get(week);
    if (m === undefined) byWeek.set(week, (m = new Map()));
    const prev = m.get(channel);
    if (prev === undefined) m.set(channel, { ...c });
    else addCounts(prev, c);
  }
  const latencies = new Map<string, number[]>();
  for (const l of counts.latencies) {
    let all = latencies.get(l.week);
    if (all === undefined) latencies.set(l.week, (all = []));
    for (const m of l.minutes) all.push(m);
  }
  const pooled = new Map<string, Counts>();
  for (const [, m] of byWeek) {
    for (const [channel, c] of m) {
      let p = pooled.get(channel);
      if (p === undefined) pooled.set(channel, (p = zeroCounts()));
      addCounts(p, c);
    }
  }

  const reports = weeks.map((week): WeeklyReport => {
    const [start, end] = weekBounds(week, tz);
    const inWeek = (t: number) => t >= start && t < end && t <= asOf;
    const channels = byWeek.get(week) ?? new Map<string, Counts>();
    const t = zeroCounts();
    for (const c of channels.values()) addCounts(t, c);
    const waits = sortedNumbers(latencies.get(week) ?? []);
    const focusMs = (input.focusSessions ?? []).reduce((sum, f) => sum + Math.max(0, Math.min(f.end, end, asOf) - Math.max(f.start, start)), 0);
    const answers = (input.pulseAnswers ?? []).filter((p) => inWeek(p.at));
    const mean = (xs: number[]) => (xs.length === 0 ? null : roundHalfAway(xs.reduce((a, b) => a + b, 0) / xs.length, 1));

    return {
      team_id: input.teamId,
      week_start: week,
      timezone: tz,
      as_of: asOfIso,
      messages: t.messages,
      after_hours_messages: t.after_hours_messages,
      threaded_messages: t.threaded_messages,
      top_level_messages: t.messages - t.threaded_messages,
      requests: t.requests,
      off_hours_requests: t.off_hours_requests,
      early_followups: t.early_followups,
      on_time: t.on_time,
      late: t.late,
      overdue: t.overdue,
      pending: t.pending,
      compliance: compliance(t.on_time, t.late, t.overdue),
      urgent_requests: t.urgent_requests,
      median_response_working_minutes: oneDecimal(medianOfSorted(waits)),
      p90_response_working_minutes: oneDecimal(nearestRankOfSorted(waits, 90)),
      meeting_requests: t.meeting_requests,
      where_is_questions: t.where_is_questions,
      decisions_logged: (input.decisions ?? []).filter(inWeek).length,
      focus_hours: roundHalfAway(focusMs / 3_600_000, 1),
      pulse:
        answers.length >= charter.min_group_size && answers.length > 0
          ? { responses: answers.length, focus: mean(answers.map((a) => a.focus)), stress: mean(answers.map((a) => a.stress)), autonomy: mean(answers.map((a) => a.autonomy)) }
          : null,
      channels: listedChannels(channels),
    };
  });
  return { weeks: reports, channels: listedChannels(pooled) };
}
