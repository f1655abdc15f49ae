import { buildDigest, weeksEndingWith, type ChannelInfo } from '../../../src/domain/digest';
import { digestMessage, digestMetadata, weekLabel } from '../../../src/slack/blocks/digest';
import { makeReport, richReport } from '../../helpers/reports';

/** Every "text" string anywhere in a Block Kit structure. */
function texts(x: unknown): string[] {
  if (Array.isArray(x)) return x.flatMap(texts);
  if (x !== null && typeof x === 'object') return Object.entries(x).flatMap(([k, v]) => (k === 'text' && typeof v === 'string' ? [v] : texts(v)));
  return [];
}

/** Slack's rules for a message's blocks that these builders use (Block Kit reference). */
function expectValidMessage(m: { text: string; blocks: Array<Record<string, unknown>> }): void {
  expect(m.text.length).toBeGreaterThan(0);
  expect(m.blocks.length).toBeLessThanOrEqual(50);
  for (const b of m.blocks) {
    expect(['header', 'section', 'context', 'divider']).toContain(b.type);
    if (b.type === 'header') expect((b.text as { type: string; text: string }).type).toBe('plain_text');
    if (b.type === 'header') expect((b.text as { text: string }).text.length).toBeLessThanOrEqual(150);
    if (b.type === 'section') {
      expect(b.text !== undefined || b.fields !== undefined).toBe(true);
      const fields = (b.fields ?? []) as Array<{ type: string; text: string }>;
      expect(fields.length).toBeLessThanOrEqual(10);
      for (const f of fields) expect(f.text.length).toBeLessThanOrEqual(2000);
    }
    if (b.type === 'context') expect((b.elements as unknown[]).length).toBeLessThanOrEqual(10);
  }
  for (const t of texts(m.blocks)) expect(t.length).toBeLessThanOrEqual(3000);
}

const channelInfo = new Map([
  ['C0GENERAL1', { name: 'general', members: 40 }],
  ['C0PRODUCT1', { name: 'product', members: 12 }],
  ['C0SMALL001', { name: 'small', members: 3 }],
]);
const weeks = weeksEndingWith('2026-11-23', 6);

describe('the digest message', () => {
  it('a rich week: figures in human units, ▲/▼ against last week, trend, channels ≥ min_group_size, prompts (snapshot)', () => {
    const reports = weeks.map((w, i) => richReport(w, { compliance: [0.7, 0.72, 0.8, 0.78, 0.75, 0.792][i] ?? null, after_hours_messages: [20, 22, 30, 26, 24, 48][i] ?? 0 }));
    const d = buildDigest({ reports, nudges: { shown: 8, thread: 3, memo: 2, agenda: 1, not_meeting: 1 }, channelInfo, minGroupSize: 5 });
    const m = digestMessage(d);
    expectValidMessage(m as never);
    const all = texts(m.blocks).join('\n');
    expect(m.text).toBe('Async health for the week of 23 – 29 Nov 2026: 79.2% of requests answered within the charter window, median wait 3 h 10 min of working time.');
    expect(all).toContain('*79.2%* · ▲ 4.2 pts vs last week');
    expect(all).toContain('3 h 10 min of working time\n90% within 7 h 41 min');
    expect(all).toContain('nudges turned 6 async: 3 threads, 2 memos, 1 agenda');
    expect(all).toContain('<#C0GENERAL1>: 200 messages');
    expect(all).not.toContain('C0SMALL001');
    expect(all).toContain('2 more channels not listed: the digest lists up to 8 of the busiest public channels with at least 5 members, so no small group is shown on its own.');
    expect(all).toContain('After-hours messages rose 100% (6% → 12% of messages)');
    expect(all).toContain('Answered in time: 70% · 72% · 80% · 78% · 75% · *79%*');
    expect(all).toContain('Median wait: 3 h 10 min · 3 h 10 min · 3 h 10 min · 3 h 10 min · 3 h 10 min · *3 h 10 min*');
    expect(all).not.toMatch(/\d+\.\d{2,} ?min|NaN|undefined|null/);
    expect(m).toMatchSnapshot();
  });

  it('a thin week: says "not enough data yet" (snapshot)', () => {
    const thin = makeReport({ messages: 7, top_level_messages: 5, threaded_messages: 2, requests: 2, on_time: 1, pending: 1, compliance: 1, median_response_working_minutes: 12.5, p90_response_working_minutes: 12.5, channels: [{ channel: 'C0GENERAL1', messages: 7, after_hours_messages: 0, requests: 2, compliance: 1 }] });
    const d = buildDigest({ reports: [richReport('2026-11-16'), thin], channelInfo, minGroupSize: 5 });
    const m = digestMessage(d);
    expectValidMessage(m as never);
    const all = texts(m.blocks).join('\n');
    expect(all).toContain('A quiet week (7 messages, 2 requests): *not enough data yet*');
    expect(all).toContain('*Answered within the window*\n_not enough data yet_\n1 of 1 request that came due');
    expect(all).toContain('*After-hours messages*\n_not enough data yet_\n0 of 7 messages');
    expect(all).not.toContain('pts vs last week');
    expect(all).not.toMatch(/\*\d+\.\d%\*/);
    expect(m.text).toBe('Async health for the week of 23 – 29 Nov 2026: 7 messages and 2 requests; too few requests came due for a compliance figure yet.');
    expect(m).toMatchSnapshot();
  });

  it('an empty week: no figures, no division by zero, what to do (snapshot)', () => {
    const d = buildDigest({ reports: [makeReport()], minGroupSize: 5 });
    const m = digestMessage(d);
    expectValidMessage(m as never);
    expect(m.text).toBe('Async health for the week of 23 – 29 Nov 2026: no messages in tracked channels, not enough data yet.');
    expect(texts(m.blocks).join('\n')).not.toMatch(/NaN|Infinity|%/);
    expect(m).toMatchSnapshot();
  });

  it('never lists a private channel, however big', () => {
    const info = new Map<string, ChannelInfo>([...channelInfo, ['C0PRODUCT1', { name: 'secret-project', members: 50, isPrivate: true }]]);
    const d = buildDigest({ reports: [richReport('2026-11-23')], channelInfo: info, minGroupSize: 5 });
    expect(d.channels.map((c) => c.channel)).toEqual(['C0GENERAL1']);
    expect(JSON.stringify(digestMessage(d).blocks)).not.toMatch(/C0PRODUCT1|secret-project/);
  });

  it('stays inside the limits with 500 channels and absurd numbers', () => {
    const channels = Array.from({ length: 500 }, (_, i) => ({ channel: `C0X${String(i).padStart(7, '0')}`, messages: 10_000 - i, after_hours_messages: 5, requests: 3, compliance: 0.5 }));
    const d = buildDigest({ reports: [richReport('2026-11-23', { channels, messages: 9_999_999, requests: 9_999_999 })], channelInfo: new Map(channels.map((c) => [c.channel, { name: 'x'.repeat(80), members: 1000 }])), minGroupSize: 5 });
    expectValidMessage(digestMessage(d) as never);
  });

  it('names the week across months and carries SPEC §6 metadata', () => {
    expect(weekLabel({ week_start: '2026-11-30', week_end: '2026-12-06' })).toBe('30 Nov – 6 Dec 2026');
    expect(digestMetadata('T0TEAM0001', '2026-11-23')).toEqual({ event_type: 'async_charter_digest', event_payload: { team_id: 'T0TEAM0001', week_start: '2026-11-23' } });
  });
});
