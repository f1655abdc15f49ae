import { roundHalfAway, type ChannelFigures, type WeeklyReport } from './report';

/**
 * Totals over several weekly reports (the audit table's and the HTML report's summary). Each
 * channel's figures over a range come from the domain (weeklyReportSet), exact. Pure.
 */

export type WeekTotals = {
  weeks: number;
  messages: number;
  after_hours_messages: number;
  threaded_messages: number;
  requests: number;
  on_time: number;
  late: number;
  overdue: number;
  pending: number;
  /** on_time / (on_time + late + overdue) over all the weeks, 3 decimals; null when the divisor is 0. */
  compliance: number | null;
  meeting_requests: number;
  where_is_questions: number;
};

/** Sums of the weekly counts, and compliance pooled over every request (not a mean of weekly ratios). */
export function weekTotals(reports: readonly WeeklyReport[]): WeekTotals {
  const t = { weeks: reports.length, messages: 0, after_hours_messages: 0, threaded_messages: 0, requests: 0, on_time: 0, late: 0, overdue: 0, pending: 0, meeting_requests: 0, where_is_questions: 0 };
  for (const r of reports) {
    t.messages += r.messages;
    t.after_hours_messages += r.after_hours_messages;
    t.threaded_messages += r.threaded_messages;
    t.requests += r.requests;
    t.on_time += r.on_time;
    t.late += r.late;
    t.overdue += r.overdue;
    t.pending += r.pending;
    t.meeting_requests += r.meeting_requests;
    t.where_is_questions += r.where_is_questions;
  }
  const d = t.on_time + t.late + t.overdue;
  return { ...t, compliance: d === 0 ? null : roundHalfAway(t.on_time / d, 3) };
}

/** Channels busiest first (ties by id). */
export const busiestFirst = (channels: readonly ChannelFigures[]): ChannelFigures[] => [...channels].sort((a, b) => b.messages - a.messages || a.channel.localeCompare(b.channel));
