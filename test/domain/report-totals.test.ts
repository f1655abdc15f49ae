import type { ChannelFigures } from '../../src/domain/report';
import { busiestFirst, weekTotals } from '../../src/domain/report-totals';
import { makeReport } from '../helpers/reports';

const ch = (channel: string, messages: number): ChannelFigures => ({ channel, messages, after_hours_messages: 0, requests: 0, compliance: null });

describe('weekTotals', () => {
  it('sums the counts and pools compliance over every request, not a mean of weekly ratios', () => {
    const t = weekTotals([makeReport({ week_start: '2026-11-02', on_time: 1, late: 0, compliance: 1 }), makeReport({ week_start: '2026-11-09', on_time: 1, late: 3, overdue: 0, pending: 2, compliance: 0.25 })]);
    expect(t).toMatchObject({ weeks: 2, on_time: 2, late: 3, pending: 2, compliance: 0.4 });
    expect(weekTotals([]).compliance).toBeNull();
  });
});

describe('busiestFirst', () => {
  it('orders channels by messages, then by id', () => {
    expect(busiestFirst([ch('CB', 5), ch('CA', 5), ch('CC', 9)]).map((c) => c.channel)).toEqual(['CC', 'CA', 'CB']);
  });
});
