import { DateTime } from 'luxon';
import type { Weekday } from './charter';
import { weekBounds, type WeeklyReport } from './report';
import { formatMinutes, formatPercent, plural, share } from './units';

/**
 * The weekly digest as people read it (the Block Kit message, the chart and the HTML report are
 * drawn from this). Pure: reports and counts in, figures, trends and retro prompts out.
 */

/** Below these bases a ratio is "not enough data yet" rather than a figure. */
export const MIN_MESSAGES = 20;
export const MIN_REQUESTS = 5;
/** Weeks in the trend, the digest week included. */
export const TREND_WEEKS = 6;
/** Channel lines in the digest at most (busiest first). */
export const MAX_CHANNEL_LINES = 8;

/** What people did with the week's meeting-request nudges. */
export type NudgeOutcomes = { shown: number; thread: number; memo: number; agenda: number; not_meeting: number };
export const NO_NUDGES: NudgeOutcomes = { shown: 0, thread: 0, memo: 0, agenda: 0, not_meeting: 0 };

/** What Slack says of a channel: its name, member count (null when unknown) and whether it is private. */
export type ChannelInfo = { name: string | null; members: number | null; isPrivate?: boolean };

export type TrendPoint = {
  week_start: string;
  messages: number;
  requests: number;
  compliance: number | null;
  median_wait_minutes: number | null;
  after_hours_share: number | null;
  thread_share: number | null;
  meeting_requests: number;
};

export type ChannelLine = { channel: string; name: string | null; members: number; messages: number; after_hours_share: number | null; requests: number; compliance: number | null };

export type Digest = {
  team_id: string | null;
  week_start: string;
  /** The Sunday that ends the week (local date). */
  week_end: string;
  timezone: string;
  report: WeeklyReport;
  previous: WeeklyReport | null;
  /** No human message at all that week. */
  empty: boolean;
  /** Too few messages (under MIN_MESSAGES) for shares of messages to mean much. */
  thin: boolean;
  /** Enough requests came due (MIN_REQUESTS) for compliance to mean something. */
  compliance_shown: boolean;
  compliance_delta_points: number | null;
  after_hours_share: number | null;
  thread_share: number | null;
  nudges: NudgeOutcomes;
  trend: TrendPoint[];
  /** Only public channels with at least min_group_size members, the busiest MAX_CHANNEL_LINES; never a person. */
  channels: ChannelLine[];
  /** Channels with messages that week not listed (private, smaller than min_group_size, size unknown, or beyond the busiest). */
  channels_hidden: number;
  min_group_size: number;
  prompts: string[];
};

export type DigestInputs = {
  /** Consecutive weekly reports, oldest first; the last one is the digest's week. */
  reports: readonly WeeklyReport[];
  nudges?: NudgeOutcomes;
  channelInfo?: ReadonlyMap<string, ChannelInfo>;
  minGroupSize: number;
};

const enoughMessages = (r: WeeklyReport | null): boolean => r !== null && r.messages >= MIN_MESSAGES;
const answered = (r: WeeklyReport) => r.on_time + r.late + r.overdue;
const enoughRequests = (r: WeeklyReport | null): boolean => r !== null && answered(r) >= MIN_REQUESTS;

export function trendPoint(r: WeeklyReport): TrendPoint {
  return {
    week_start: r.week_start,
    messages: r.messages,
    requests: r.requests,
    compliance: r.compliance,
    median_wait_minutes: r.median_response_working_minutes,
    after_hours_share: share(r.after_hours_messages, r.messages),
    thread_share: share(r.threaded_messages, r.messages),
    meeting_requests: r.meeting_requests,
  };
}

/** The digest of the last report in `reports`, compared with the one before it. */
export function buildDigest(input: DigestInputs): Digest {
  const report = input.reports.at(-1);
  if (report === undefined) throw new Error('buildDigest needs at least one weekly report');
  const previous = input.reports.length > 1 ? (input.reports.at(-2) as WeeklyReport) : null;
  const [, end] = weekBounds(report.week_start, report.timezone);
  const weekEnd = DateTime.fromMillis(end - 1, { zone: report.timezone }).toISODate() ?? report.week_start;
  const info = input.channelInfo ?? new Map<string, ChannelInfo>();

  const visible: ChannelLine[] = [];
  let hidden = 0;
  for (const c of [...report.channels].sort((a, b) => b.messages - a.messages || a.channel.localeCompare(b.channel))) {
    const i = info.get(c.channel);
    // A private channel's figures are never shown in a digest channel that others may read.
    if (i?.members == null || i.members < input.minGroupSize || i.isPrivate === true) {
      hidden += 1;
      continue;
    }
    if (visible.length >= MAX_CHANNEL_LINES) {
      hidden += 1;
      continue;
    }
    visible.push({ channel: c.channel, name: i.name, members: i.members, messages: c.messages, after_hours_share: share(c.after_hours_messages, c.messages), requests: c.requests, compliance: c.compliance });
  }

  const thin = report.messages < MIN_MESSAGES;
  const delta = report.compliance !== null && previous !== null && previous.compliance !== null && enoughRequests(report) && enoughRequests(previous) ? Math.round((report.compliance - previous.compliance) * 1000) / 10 : null;
  const nudges = input.nudges ?? NO_NUDGES;
  return {
    team_id: report.team_id,
    week_start: report.week_start,
    week_end: weekEnd,
    timezone: report.timezone,
    report,
    previous,
    empty: report.messages === 0,
    thin,
    compliance_shown: enoughRequests(report),
    compliance_delta_points: delta,
    after_hours_share: share(report.after_hours_messages, report.messages),
    thread_share: share(report.threaded_messages, report.messages),
    nudges,
    trend: input.reports.slice(-TREND_WEEKS).map(trendPoint),
    channels: visible,
    channels_hidden: hidden,
    min_group_size: input.minGroupSize,
    prompts: retroPrompts(report, previous, nudges),
  };
}

type Candidate = { score: number; text: string };

/** Relative change from a to b (b/a − 1); a of 0 counts as a change of b. */
const rel = (a: number, b: number) => (a === 0 ? b : (b - a) / Math.abs(a));
const pctChange = (a: number, b: number) => `${Math.round(Math.abs(rel(a, b)) * 100)}%`;

/**
 * Two or three retro prompts from what moved most between last week and this one; when little
 * moved, prompts from where the week stands. Thin weeks get one prompt about data.
 */
export function retroPrompts(now: WeeklyReport, before: WeeklyReport | null, nudges: NudgeOutcomes = NO_NUDGES): string[] {
  if (now.messages === 0) return ['No messages in tracked channels this week: is the app in the channels where your team works? Invite it with `/invite @Async Charter`.'];
  if (!enoughMessages(now)) return [`Only ${plural(now.messages, 'message')} this week: not enough data yet for trends. The digest gets sharper as the app sees more channels.`];
  const moved: Candidate[] = [];
  if (before !== null && enoughMessages(before)) {
    const ahNow = now.after_hours_messages / now.messages;
    const ahBefore = before.after_hours_messages / before.messages;
    const r = rel(ahBefore, ahNow);
    if (Math.abs(ahNow - ahBefore) >= 0.02 && Math.abs(r) >= 0.2) {
      moved.push({
        score: Math.abs(r),
        text:
          r > 0
            ? `After-hours messages rose ${pctChange(ahBefore, ahNow)} (${formatPercent(ahBefore, 0)} → ${formatPercent(ahNow, 0)} of messages): talk about scheduled send and quiet hours in your retro.`
            : `After-hours messages fell ${pctChange(ahBefore, ahNow)} (${formatPercent(ahBefore, 0)} → ${formatPercent(ahNow, 0)}): what helped? Name it so it sticks.`,
      });
    }
    const thNow = now.threaded_messages / now.messages;
    const thBefore = before.threaded_messages / before.messages;
    if (Math.abs(thNow - thBefore) >= 0.1) {
      moved.push({
        score: Math.abs(rel(thBefore, thNow)),
        text:
          thNow < thBefore
            ? `Fewer replies went into threads (${formatPercent(thBefore, 0)} → ${formatPercent(thNow, 0)}): agree in your retro to answer in threads so channels stay readable.`
            : `More replies went into threads (${formatPercent(thBefore, 0)} → ${formatPercent(thNow, 0)}): channels are easier to catch up on. Keep it up.`,
      });
    }
    for (const [field, label, up, down] of [
      ['meeting_requests', 'Meeting requests', 'which of them could have been a thread or a written memo?', 'what moved to writing instead?'],
      ['where_is_questions', '"Where is…?" questions', 'what is missing from your docs, pins or bookmarks?', 'did a doc or a pinned link help?'],
      ['early_followups', 'Early follow-ups (re-pinging before the window is up)', 'does the team trust the response windows, or are they too long?', 'the windows seem to be trusted.'],
      ['off_hours_requests', 'Requests sent outside the recipient’s working hours', 'try scheduled send so they arrive in working time.', 'scheduled send seems to be catching on.'],
    ] as const) {
      const a = before[field];
      const b = now[field];
      const r2 = rel(a, b);
      if (Math.abs(b - a) >= 3 && Math.abs(r2) >= 0.3) moved.push({ score: Math.abs(r2), text: `${label} ${b > a ? 'rose' : 'fell'} ${a === 0 ? `from 0 to ${b}` : `${pctChange(a, b)} (${a} → ${b})`}: ${b > a ? up : down}` });
    }
  }
  if (before !== null && enoughRequests(now) && enoughRequests(before)) {
    const cNow = now.compliance as number;
    const cBefore = before.compliance as number;
    const pts = Math.round((cNow - cBefore) * 100);
    if (Math.abs(pts) >= 5) {
      moved.push({
        score: Math.abs(pts) / 20,
        text:
          pts < 0
            ? `Fewer requests were answered within the charter window (${formatPercent(cBefore, 0)} → ${formatPercent(cNow, 0)}): are the windows realistic, or did work pile up somewhere?`
            : `More requests were answered within the charter window (${formatPercent(cBefore, 0)} → ${formatPercent(cNow, 0)}): what made answering easier?`,
      });
    }
    const mNow = now.median_response_working_minutes;
    const mBefore = before.median_response_working_minutes;
    if (mNow !== null && mBefore !== null && mBefore > 0 && Math.abs(rel(mBefore, mNow)) >= 0.25 && Math.abs(mNow - mBefore) >= 15) {
      moved.push({
        score: Math.abs(rel(mBefore, mNow)),
        text: `The median wait for an answer ${mNow > mBefore ? 'grew' : 'shrank'} from ${formatMinutes(mBefore)} to ${formatMinutes(mNow)} of working time: ${mNow > mBefore ? 'which requests sat longest, and why?' : 'what changed?'}`,
      });
    }
  }
  const prompts = moved.sort((a, b) => b.score - a.score).map((c) => c.text).slice(0, 3);
  // Little moved: prompts from where the week stands.
  const standing: string[] = [];
  if (enoughRequests(now) && (now.compliance as number) < 0.8) standing.push(`${formatPercent(now.compliance, 0)} of requests were answered within the charter window: pick one channel and look at what waited.`);
  const asyncTurned = nudges.thread + nudges.memo;
  if (now.meeting_requests > 0 && nudges.shown > 0) standing.push(`${plural(now.meeting_requests, 'meeting request')}; the nudges turned ${asyncTurned} into a thread or memo: share one that worked.`);
  if (now.after_hours_messages / now.messages >= 0.15) standing.push(`${formatPercent(now.after_hours_messages / now.messages, 0)} of messages were sent after hours: is anyone carrying more than their share?`);
  standing.push('Which charter rule helped most this week, and which one got in the way?');
  for (const s of standing) {
    if (prompts.length >= 2) break;
    if (!prompts.includes(s)) prompts.push(s);
  }
  return prompts;
}

/** The next instant the digest is due at or before `now`: the latest charter day/time not after now. */
export function lastDigestSlot(now: number, day: Weekday, time: string, tz: string): number {
  const weekday = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].indexOf(day) + 1;
  const [h, m] = time.split(':').map(Number) as [number, number];
  const local = DateTime.fromMillis(now, { zone: tz });
  let slot = local.startOf('week').plus({ days: weekday - 1 }).set({ hour: h, minute: m, second: 0, millisecond: 0 });
  if (slot.toMillis() > now) slot = slot.minus({ weeks: 1 });
  return slot.toMillis();
}

/** The week a digest posted at `slot` reports on: the last whole week (Monday date) that ended at or before it. */
export function digestWeekFor(slot: number, tz: string): string {
  return DateTime.fromMillis(slot, { zone: tz }).startOf('week').minus({ weeks: 1 }).toISODate() ?? '';
}

/** The digest chart's title: "Async health, six weeks to 29 Nov 2026" (weekEnd: the last Sunday, YYYY-MM-DD). */
export function chartTitle(weekEnd: string): string {
  return `Async health, six weeks to ${DateTime.fromISO(weekEnd, { zone: 'UTC' }).toFormat('d LLL yyyy')}`;
}

/** The `count` Monday dates ending with `week`, oldest first. */
export function weeksEndingWith(week: string, count: number): string[] {
  const end = DateTime.fromISO(week, { zone: 'UTC' });
  return Array.from({ length: count }, (_, i) => end.minus({ weeks: count - 1 - i }).toISODate() as string);
}
