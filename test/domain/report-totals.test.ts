import type { ChannelFigures, WeeklyReport } from '../../src/domain/report';
import { busiestFirst, weekTotals } from '../../src/domain/report-totals';

const week = (week_start: string, over: Partial<WeeklyReport>, channels: ChannelFigures[] = []): WeeklyReport => ({
  team_id: 'T1',
  week_start,
  timezone: 'UTC',
  as_of: '2026-12-01T00:00:00.000Z',
  messages: channels.reduce((n, c) => n + c.messages, 0),
  after_hours_messages: channels.reduce((n, c) => n + c.after_hours_messages, 0),
  threaded_messages: 0,
  top_level_messages: 0,
  requests: channels.reduce((n, c) => n + c.requests, 0),
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
  channels,
  ...over,
});
const ch = (channel: string, messages: number, requests: number, compliance: number | null, after_hours_messages = 0): ChannelFigures => ({ channel, messages, after_hours_messages, requests, compliance });

describe('weekTotals', () => {
  it('sums the counts and pools compliance over every request, not a mean of weekly ratios', () => {
    const t = weekTotals([week('2026-11-02', { on_time: 1, late: 0, compliance: 1 }), week('2026-11-09', { on_time: 1, late: 3, overdue: 0, pending: 2, compliance: 0.25 })]);
    expect(t).toMatchObject({ weeks: 2, on_time: 2, late: 3, pending: 2, compliance: 0.4 });
    expect(weekTotals([]).compliance).toBeNull();
  });
});

describe('busiestFirst', () => {
  it('orders channels by messages, then by id', () => {
    expect(busiestFirst([ch('CB', 5, 0, null), ch('CA', 5, 0, null), ch('CC', 9, 0, null)]).map((c) => c.channel)).toEqual(['CC', 'CA', 'CB']);
  });
});
