import type { WeeklyReport } from '../../src/domain/report';

/** A weekly report with every SPEC §5 field: zeros and nulls unless overridden. */
export function makeReport(o: Partial<WeeklyReport> = {}): WeeklyReport {
  return {
    team_id: 'T0TEAM0001',
    week_start: '2026-11-23',
    timezone: 'Europe/Berlin',
    as_of: '2026-11-30T08:00:00.000Z',
    messages: 0,
    after_hours_messages: 0,
    threaded_messages: 0,
    top_level_messages: 0,
    requests: 0,
    off_hours_requests: 0,
    early_followups: 0,
    on_time: 0,
    late: 0,
    overdue: 0,
    pending: 0,
    compliance: null,
    urgent_requests: 0,
    median_response_working_minutes: null,
    p90_response_working_minutes: null,
    meeting_requests: 0,
    where_is_questions: 0,
    decisions_logged: 0,
    focus_hours: 0,
    pulse: null,
    channels: [],
    ...o,
  };
}

/** A busy week: 400 messages, 120 requests, four channels. */
export function richReport(week: string, o: Partial<WeeklyReport> = {}): WeeklyReport {
  return makeReport({
    week_start: week,
    messages: 400,
    after_hours_messages: 48,
    threaded_messages: 180,
    top_level_messages: 220,
    requests: 120,
    off_hours_requests: 14,
    early_followups: 6,
    on_time: 84,
    late: 16,
    overdue: 6,
    pending: 14,
    compliance: 0.792,
    urgent_requests: 3,
    median_response_working_minutes: 190,
    p90_response_working_minutes: 460.5,
    meeting_requests: 9,
    where_is_questions: 5,
    decisions_logged: 3,
    focus_hours: 42.5,
    pulse: { responses: 7, focus: 3.6, stress: 2.4, autonomy: 4.1 },
    channels: [
      { channel: 'C0GENERAL1', messages: 200, after_hours_messages: 20, requests: 60, compliance: 0.81 },
      { channel: 'C0PRODUCT1', messages: 120, after_hours_messages: 18, requests: 40, compliance: 0.75 },
      { channel: 'C0SMALL001', messages: 60, after_hours_messages: 8, requests: 15, compliance: 0.8 },
      { channel: 'C0RANDOM01', messages: 20, after_hours_messages: 2, requests: 5, compliance: null },
    ],
    ...o,
  });
}
