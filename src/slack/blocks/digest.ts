import type { KnownBlock } from '@slack/types';
import { DateTime } from 'luxon';
import { MAX_CHANNEL_LINES, type Digest, type TrendPoint } from '../../domain/digest';
import { formatHours, formatMinutes, formatPercent, plural } from '../../domain/units';

/** Block Kit for the weekly digest. Pure: a Digest in, blocks out, inside Slack's limits. */

export const DIGEST_EVENT_TYPE = 'async_charter_digest';
const NOT_ENOUGH = '_not enough data yet_';
const clip = (s: string, n = 2900) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text: clip(text, 1990) });
const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text) } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(text) }] });
const day = (iso: string, fmt: string) => DateTime.fromISO(iso, { zone: 'UTC' }).toFormat(fmt);

/** "23 – 29 Nov 2026", "30 Nov – 6 Dec 2026". */
export function weekLabel(d: Pick<Digest, 'week_start' | 'week_end'>): string {
  const sameMonth = d.week_start.slice(0, 7) === d.week_end.slice(0, 7);
  return `${day(d.week_start, sameMonth ? 'd' : 'd LLL')} – ${day(d.week_end, 'd LLL yyyy')}`;
}

/** "▲ 4.1 pts vs last week" / "▼ 2 pts" / "same as last week". */
function change(points: number | null): string {
  if (points === null) return '';
  if (points === 0) return ' · same as last week';
  return ` · ${points > 0 ? '▲' : '▼'} ${Math.abs(points).toFixed(1)} pts vs last week`;
}

function headline(d: Digest): string {
  const r = d.report;
  if (d.empty) return `Async health for the week of ${weekLabel(d)}: no messages in tracked channels, not enough data yet.`;
  if (!d.compliance_shown) return `Async health for the week of ${weekLabel(d)}: ${plural(r.messages, 'message')} and ${plural(r.requests, 'request')}; too few requests came due for a compliance figure yet.`;
  const c = `${formatPercent(r.compliance)} of requests answered within the charter window`;
  const wait = r.median_response_working_minutes === null ? '' : `, median wait ${formatMinutes(r.median_response_working_minutes)} of working time`;
  return `Async health for the week of ${weekLabel(d)}: ${c}${wait}.`;
}

function fields(d: Digest): KnownBlock[] {
  const r = d.report;
  const answered = r.on_time + r.late + r.overdue;
  const compliance = d.compliance_shown ? `*${formatPercent(r.compliance)}*${change(d.compliance_delta_points)}` : `${NOT_ENOUGH}\n${answered === 0 ? 'no request came due' : `${r.on_time} of ${plural(answered, 'request')} that came due`}`;
  const wait = r.median_response_working_minutes === null ? NOT_ENOUGH : `${formatMinutes(r.median_response_working_minutes)} of working time\n90% within ${formatMinutes(r.p90_response_working_minutes)}`;
  const requests = r.requests === 0 ? 'none' : `${r.requests.toLocaleString('en-US')} · ${r.on_time} on time · ${r.late} late · ${r.overdue} overdue · ${r.pending} pending${r.urgent_requests > 0 ? `\n${plural(r.urgent_requests, 'urgent request')}` : ''}`;
  const turned = d.nudges.thread + d.nudges.memo + d.nudges.agenda;
  const meetings = `${r.meeting_requests}` + (d.nudges.shown > 0 ? `\nnudges turned ${turned} async: ${plural(d.nudges.thread, 'thread')}, ${plural(d.nudges.memo, 'memo')}, ${plural(d.nudges.agenda, 'agenda', 'agendas')}` : '');
  const shareOf = (n: number, field: 'after_hours_messages' | 'threaded_messages') =>
    d.thin ? `${NOT_ENOUGH}\n${n} of ${plural(r.messages, 'message')}` : `${formatPercent(n / r.messages)} of ${plural(r.messages, 'message')}${previousShare(d, field)}`;
  const first = [
    ['Answered within the window', compliance],
    ['Median wait', wait],
    ['Requests', requests],
    ['Off-hours requests', r.requests === 0 ? '0' : `${r.off_hours_requests} (${formatPercent(r.off_hours_requests / r.requests, 0)} of requests)`],
    ['After-hours messages', shareOf(r.after_hours_messages, 'after_hours_messages')],
    ['Early follow-ups', `${r.early_followups}${r.requests > 0 ? ` (${formatPercent(r.early_followups / r.requests, 0)} of requests)` : ''}`],
    ['Meeting requests', meetings],
    ['Thread replies', shareOf(r.threaded_messages, 'threaded_messages')],
    ['"Where is…?" questions', String(r.where_is_questions)],
    ['Decisions logged', String(r.decisions_logged)],
  ];
  const second = [['Focus time logged', r.focus_hours > 0 ? formatHours(r.focus_hours) : 'none']];
  if (r.pulse !== null) second.push(['Pulse', `${plural(r.pulse.responses, 'answer')}: focus ${r.pulse.focus ?? '–'} · stress ${r.pulse.stress ?? '–'} · autonomy ${r.pulse.autonomy ?? '–'} (1–5)`]);
  const toFields = (xs: string[][]) => xs.map(([k, v]) => mrkdwn(`*${k}*\n${v}`));
  return [
    { type: 'section', fields: toFields(first) },
    { type: 'section', fields: toFields(second) },
  ];
}

function previousShare(d: Digest, field: 'after_hours_messages' | 'threaded_messages'): string {
  const p = d.previous;
  if (p === null || p.messages === 0 || d.thin) return '';
  return ` · last week ${formatPercent(p[field] / p.messages)}`;
}

function trendLines(trend: readonly TrendPoint[]): string {
  const row = (f: (p: TrendPoint) => string) => trend.map((p, i) => (i === trend.length - 1 ? `*${f(p)}*` : f(p))).join(' · ');
  return [
    `*Trend, ${trend.length} weeks* (${day(trend[0]?.week_start ?? '', 'd LLL')} → ${day(trend.at(-1)?.week_start ?? '', 'd LLL')}; this week in bold)`,
    `Answered in time: ${row((p) => formatPercent(p.compliance, 0))}`,
    `Median wait: ${row((p) => formatMinutes(p.median_wait_minutes))}`,
    `After hours: ${row((p) => formatPercent(p.after_hours_share, 0))}`,
    `Meeting requests: ${row((p) => String(p.meeting_requests))}`,
  ].join('\n');
}

function channelLines(d: Digest): KnownBlock[] {
  if (d.channels.length === 0 && d.channels_hidden === 0) return [];
  const lines = d.channels.map((c) => `<#${c.channel}>: ${plural(c.messages, 'message')} · ${formatPercent(c.after_hours_share, 0)} after hours · ${plural(c.requests, 'request')}${c.compliance === null ? '' : ` · ${formatPercent(c.compliance, 0)} in time`}`);
  const out: KnownBlock[] = [];
  if (lines.length > 0) out.push(section(`*Channels*\n${lines.join('\n')}`));
  if (d.channels_hidden > 0) out.push(context(`${plural(d.channels_hidden, 'more channel')} not listed: the digest lists up to ${MAX_CHANNEL_LINES} of the busiest public channels with at least ${d.min_group_size} members, so no small group is shown on its own.`));
  return out;
}

/** The digest message: fallback text and blocks (well under 50 blocks, every text under 3000 characters). */
export function digestMessage(d: Digest): { text: string; blocks: KnownBlock[] } {
  const text = headline(d);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`Async health · ${weekLabel(d)}`, 150) } },
    context(`Team figures for the week (Monday to Sunday, ${d.timezone}). Waits are in each recipient’s own working time. No message text is stored, and no person is named.`),
  ];
  if (d.empty) {
    blocks.push(section('No messages in tracked channels this week: *not enough data yet*.\nInvite the app to the channels your team works in (`/invite @Async Charter`) and next week’s digest will have figures.'));
  } else {
    if (d.thin) blocks.push(section(`A quiet week (${plural(d.report.messages, 'message')}, ${plural(d.report.requests, 'request')}): *not enough data yet* for shares and trends to mean much.`));
    blocks.push(...fields(d));
    if (d.trend.length > 1) blocks.push({ type: 'divider' }, section(trendLines(d.trend)));
    const ch = channelLines(d);
    if (ch.length > 0) blocks.push({ type: 'divider' }, ...ch);
  }
  blocks.push({ type: 'divider' }, section(`*For your retro*\n${d.prompts.map((p) => `• ${p}`).join('\n')}`));
  blocks.push(
    context(
      'Off-hours requests reached someone outside their working hours; after-hours messages were sent outside their author’s. The trend chart is in the thread. Every figure follows your team charter: response windows, working hours and holidays.',
    ),
  );
  return { text, blocks };
}

/** Slack message metadata of a digest (SPEC §6): how a retry finds the message it already posted. */
export function digestMetadata(teamId: string, weekStart: string): { event_type: string; event_payload: { team_id: string; week_start: string } } {
  return { event_type: DIGEST_EVENT_TYPE, event_payload: { team_id: teamId, week_start: weekStart } };
}
