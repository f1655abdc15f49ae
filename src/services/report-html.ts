import { TREND_CHARTS, trendChartSpec, type TrendChartKey, type VegaLiteSpec } from '../domain/charts';
import { retroPrompts, trendPoint, type TrendPoint } from '../domain/digest';
import type { ChannelFigures, WeeklyReport } from '../domain/report';
import { busiestFirst, weekTotals } from '../domain/report-totals';
import { formatHours, formatMinutes, formatPercent, plural, share } from '../domain/units';
import { renderSvg } from './charts';

/**
 * The weekly reports as one self-contained HTML page: no script, no stylesheet or font from
 * anywhere, the trend charts as inline SVG drawn from the same Vega-Lite specs as the digest
 * image. Every figure taken from a report carries `data-field` (its SPEC §5 name), `data-week`
 * (and `data-channel`) and `data-value` (the JSON value) so that tools can check it.
 */

export type ReportHtmlOptions = {
  /** Channel id → name (without '#'); channels not in it are shown by id. */
  channelNames?: ReadonlyMap<string, string>;
  title?: string;
  /** Each channel over all the weeks (buildReportSet's `channels`). */
  channels: readonly ChannelFigures[];
};

/** Text or attribute value → HTML, every markup character escaped. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
const esc = escapeHtml;

type Value = number | string | null | object;
/** data-* attributes of one figure: the field, where it belongs, and its JSON value. */
const hook = (field: string, value: Value, where: { week?: string; channel?: string } = {}) =>
  ` data-field="${esc(field)}"${where.channel !== undefined ? ` data-channel="${esc(where.channel)}"` : ''}${where.week !== undefined ? ` data-week="${esc(where.week)}"` : ''} data-value="${esc(JSON.stringify(value))}"`;

type Column = {
  field: keyof WeeklyReport;
  header: string;
  meaning: string;
  show: (x: Value) => string;
  /** Shown only when some week has something in it (app-recorded figures an export never has). */
  optional?: boolean;
};

const n = (x: Value) => (typeof x === 'number' ? x.toLocaleString('en-US') : '–');
const pct = (x: Value) => formatPercent(typeof x === 'number' ? x : null);
const wait = (x: Value) => formatMinutes(typeof x === 'number' ? x : null);
const pulseText = (x: Value) => {
  if (x === null || typeof x !== 'object') return '–';
  const p = x as NonNullable<WeeklyReport['pulse']>;
  const f = (v: number | null) => (v === null ? '–' : v.toFixed(1));
  return `${f(p.focus)} / ${f(p.stress)} / ${f(p.autonomy)} (${p.responses})`;
};

const COLUMNS: Column[] = [
  { field: 'messages', header: 'messages', meaning: 'Messages people wrote in the tracked channels. Bot, join and other system messages do not count.', show: n },
  { field: 'after_hours_messages', header: 'after hours', meaning: 'Of those messages, the ones sent outside their author’s working hours (their own time zone, the charter’s workdays, hours and holidays).', show: n },
  { field: 'threaded_messages', header: 'threaded', meaning: 'Of those messages, the replies in a thread.', show: n },
  { field: 'requests', header: 'requests', meaning: 'Mentions of a person in a message, one per person mentioned: each is someone being asked for an answer. Mentions of the author, a bot, the app or a deactivated account do not count.', show: n },
  { field: 'off_hours_requests', header: 'off-hours requests', meaning: 'Requests that reached the person outside their working hours.', show: n },
  { field: 'early_followups', header: 'early follow-ups', meaning: 'Requests that pinged the same person again, in the same thread or channel, while an earlier request was still unanswered and not yet due.', show: n },
  { field: 'urgent_requests', header: 'urgent', meaning: 'Requests in the charter’s urgent channels, where the window is wall-clock minutes rather than working time.', show: n, optional: true },
  { field: 'on_time', header: 'on time', meaning: 'Requests answered within the charter’s response window (by a message in the thread or channel, or a reaction).', show: n },
  { field: 'late', header: 'late', meaning: 'Requests answered after the window.', show: n },
  { field: 'overdue', header: 'overdue', meaning: 'Requests not answered and past their window at the time of the report.', show: n },
  { field: 'pending', header: 'pending', meaning: 'Requests not answered yet but still within their window.', show: n },
  { field: 'compliance', header: 'compliance', meaning: 'On time ÷ (on time + late + overdue): the share of requests that got their answer within the window. Pending ones are left out; “–” when there is nothing to divide by.', show: pct },
  { field: 'median_response_working_minutes', header: 'median wait', meaning: 'Half of the answered requests (urgent ones aside) waited this long or less, counted in the recipient’s working time: nights, weekends and holidays do not add to the wait.', show: wait },
  { field: 'p90_response_working_minutes', header: 'p90 wait', meaning: 'Nine in ten answered requests (urgent ones aside) waited at most this long, in the recipient’s working time.', show: wait },
  { field: 'meeting_requests', header: 'meeting requests', meaning: 'Messages asking for a meeting or a call (“can we hop on a quick call?”), as the app’s classifier reads them.', show: n },
  { field: 'where_is_questions', header: 'where-is questions', meaning: 'Messages asking where something is (“where is the deck?”): a sign that something is hard to find.', show: n },
  { field: 'decisions_logged', header: 'decisions', meaning: 'Decisions recorded through the app.', show: n, optional: true },
  { field: 'focus_hours', header: 'focus hours', meaning: 'Hours people logged in focus with /async focus.', show: (x) => (typeof x === 'number' ? formatHours(x) : '–'), optional: true },
  { field: 'pulse', header: 'pulse', meaning: 'The weekly pulse, mean answers from 1 to 5: focus / stress / autonomy (number of answers). Shown only with enough answers to keep them anonymous.', show: pulseText, optional: true },
];

const CHANNEL_COLUMNS: Array<{ field: keyof ChannelFigures; header: string; show: (x: Value) => string }> = [
  { field: 'messages', header: 'messages', show: n },
  { field: 'after_hours_messages', header: 'after hours', show: n },
  { field: 'requests', header: 'requests', show: n },
  { field: 'compliance', header: 'compliance', show: pct },
];

/** How each chart's figures read in its aria-label. */
const CHART_VALUE: Record<TrendChartKey, (p: TrendPoint) => string> = {
  compliance: (p) => (p.compliance === null ? 'no data' : formatPercent(p.compliance)),
  median_wait: (p) => (p.median_wait_minutes === null ? 'no data' : formatMinutes(p.median_wait_minutes)),
  after_hours: (p) => (p.after_hours_share === null ? 'no data' : formatPercent(p.after_hours_share)),
  meeting_requests: (p) => String(p.meeting_requests),
};

/** Vega's standalone SVG → an element for the page: labelled as one image, ids made unique, no namespace URLs (HTML supplies them). */
function inlineSvg(svg: string, key: string, label: string): string {
  const prefix = `chart-${key}-`;
  return svg
    .replace(/\s+xmlns(:xlink)?="[^"]*"/g, '')
    .replace(/\sid="([^"]+)"/g, (_, id: string) => ` id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/(xlink:)?href="#([^"]+)"/g, (_, x: string | undefined, id: string) => `${x ?? ''}href="#${prefix}${id}"`)
    .replace(/^<svg\b/, `<svg role="img" aria-label="${esc(label)}" data-chart="${esc(key)}"`);
}

/** Up to this many weeks, two charts side by side with a value over every point; beyond, one chart per row without them. */
const FEW_WEEKS = 13;

/**
 * The chart spec for the page. Over many weeks the value labels over every point overlap into
 * an unreadable band, so that layer is left out (the table below holds every figure) and the
 * chart takes the page's width.
 */
function pageChartSpec(key: TrendChartKey, trend: readonly TrendPoint[]): VegaLiteSpec {
  if (trend.length <= FEW_WEEKS) return trendChartSpec(key, trend, { width: 440, height: 200 });
  const spec = trendChartSpec(key, trend, { width: 1000, height: 200 });
  const layers = spec.layer as Array<{ mark?: { type?: string } }> | undefined;
  return layers ? { ...spec, layer: layers.filter((l) => l.mark?.type !== 'text') } : spec;
}

async function charts(reports: readonly WeeklyReport[]): Promise<string> {
  const trend = reports.map(trendPoint);
  const figures = await Promise.all(
    TREND_CHARTS.map(async (c) => {
      const svg = await renderSvg(pageChartSpec(c.key, trend));
      const label = `${c.title}, by week: ${trend.map((p) => `${p.week_start} ${CHART_VALUE[c.key](p)}`).join(', ')}.`;
      return `<figure class="chart">${inlineSvg(svg, c.key, label)}</figure>`;
    }),
  );
  return figures.join('\n');
}

/** `code` in a prompt → <code>; everything else escaped. */
const promptHtml = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

const STYLE = `
:root{color-scheme:light}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1d1c1d;background:#fafafa}
main{max-width:1280px;box-sizing:border-box;margin:0 auto;padding:1.5rem 2rem 3rem;background:#fff}
h1{font-size:1.6rem;margin:.2rem 0}
h2{font-size:1.2rem;margin:2rem 0 .6rem;border-bottom:2px solid #2b7bb9;padding-bottom:.2rem}
h3{font-size:1rem;margin:0 0 .3rem}
.meta{color:#555;margin:.2rem 0 1rem}
.summary{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.6rem;margin:0;padding:0}
.summary div{border:1px solid #e3e3e3;border-radius:6px;padding:.5rem .7rem;background:#fcfcfc}
.summary dt{font-size:.8rem;color:#555}
.summary dd{margin:0;font-size:1.3rem;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(500px,1fr));gap:1rem 2rem}
.charts.wide{grid-template-columns:1fr}
.chart{margin:0}
.chart svg{max-width:100%;height:auto;display:block}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:.82rem}
th,td{padding:.2rem .3rem;border-bottom:1px solid #e6e6e6;text-align:right;white-space:nowrap}
thead th{font-size:.78rem;color:#444;vertical-align:bottom;white-space:normal}
th[scope=row],thead th:first-child{text-align:left}
tbody tr:nth-child(even){background:#f7f9fb}
tr.empty-week td,tr.empty-week th{color:#999}
.channels{display:grid;grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:.8rem;align-items:start}
.channel{border:1px solid #e3e3e3;border-radius:6px;padding:.6rem .8rem}
.channel p{margin:.1rem 0 .4rem;color:#444;font-size:.9rem}
.channel table{font-size:.8rem;width:100%}
.prompts li{margin:.3rem 0}
code{font-family:"DejaVu Sans Mono",monospace;background:#f1f1f1;padding:0 .2rem;border-radius:3px}
dl.legend{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}
dl.legend dt{font-weight:600}
dl.legend dd{margin:0}
.empty{font-size:1.1rem;color:#555}
footer{margin-top:2rem;color:#777;font-size:.85rem}
`;

/** The report page (see the module comment); an empty state when there are no weeks. */
export async function reportHtml(reports: readonly WeeklyReport[], opts: ReportHtmlOptions): Promise<string> {
  const title = opts.title ?? 'Async Charter report';
  const names = opts.channelNames;
  const label = (id: string) => (names?.get(id) ? `#${names.get(id) as string}` : id);
  const first = reports[0];
  const last = reports.at(-1);
  const page = (meta: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${esc(title)}</h1>
<p class="meta">${meta}</p>
</header>
${body}
<footer>Made by Async Charter from ids, times and flags: message text is never stored. This page works offline: it loads nothing and runs no script.</footer>
</main>
</body>
</html>
`;
  if (first === undefined || last === undefined) {
    return page('No weeks to report.', '<section id="summary"><h2>Summary</h2><p class="empty">No human messages in this range: nothing to report.</p></section>');
  }

  const meta = `Team <span data-field="team_id" data-value="${esc(JSON.stringify(first.team_id))}">${esc(first.team_id ?? '(unknown)')}</span> · ${plural(reports.length, 'week')} from <span data-field="first_week">${esc(first.week_start)}</span> to <span data-field="last_week">${esc(last.week_start)}</span> · weeks start Monday 00:00 <span data-field="timezone" data-value="${esc(JSON.stringify(first.timezone))}">${esc(first.timezone)}</span> · outcomes as of <span data-field="as_of" data-value="${esc(JSON.stringify(first.as_of))}">${esc(first.as_of)}</span>`;

  // Summary: totals over every week.
  const t = weekTotals(reports);
  const card = (field: string, caption: string, value: Value, text: string) => `<div><dt>${esc(caption)}</dt><dd${hook(field, value)}>${esc(text)}</dd></div>`;
  const answered = reports.filter((r) => r.median_response_working_minutes !== null);
  const lastAnswered = answered.at(-1);
  const summary = `<section id="summary"><h2>Summary</h2>
<dl class="summary">
${card('total_messages', 'messages', t.messages, n(t.messages))}
${card('total_after_hours_share', 'sent after hours', share(t.after_hours_messages, t.messages), formatPercent(share(t.after_hours_messages, t.messages)))}
${card('total_threaded_share', 'replies in threads', share(t.threaded_messages, t.messages), formatPercent(share(t.threaded_messages, t.messages)))}
${card('total_requests', 'requests', t.requests, n(t.requests))}
${card('total_compliance', 'answered within the window', t.compliance, formatPercent(t.compliance))}
${card('last_median_wait', lastAnswered ? `median wait, week of ${lastAnswered.week_start}` : 'median wait', lastAnswered?.median_response_working_minutes ?? null, formatMinutes(lastAnswered?.median_response_working_minutes ?? null))}
${card('total_meeting_requests', 'meeting requests', t.meeting_requests, n(t.meeting_requests))}
${card('total_where_is_questions', 'where-is questions', t.where_is_questions, n(t.where_is_questions))}
</dl>
<p>Over ${plural(reports.length, 'week')}: ${plural(t.on_time, 'request')} answered on time, ${t.late.toLocaleString('en-US')} late, ${t.overdue.toLocaleString('en-US')} overdue and ${t.pending.toLocaleString('en-US')} still pending. Compliance counts every request of every week together.</p>
</section>`;

  // The weeks.
  const columns = COLUMNS.filter((c) => !c.optional || reports.some((r) => r[c.field] !== null && r[c.field] !== 0));
  const row = (r: WeeklyReport) =>
    `<tr${r.messages === 0 ? ' class="empty-week"' : ''}><th scope="row"${hook('week_start', r.week_start, { week: r.week_start })}>${esc(r.week_start)}</th>${columns.map((c) => `<td${hook(c.field, r[c.field], { week: r.week_start })}>${esc(c.show(r[c.field]))}</td>`).join('')}</tr>`;
  const weeks = `<section id="weeks"><h2>Week by week</h2>
<div class="scroll"><table id="weeks-table">
<thead><tr><th scope="col">week</th>${columns.map((c) => `<th scope="col">${esc(c.header)}</th>`).join('')}</tr></thead>
<tbody>
${reports.map(row).join('\n')}
</tbody>
</table></div>
</section>`;

  const trends = `<section id="trends"><h2>Trends</h2>
<div class="charts${reports.length > FEW_WEEKS ? ' wide' : ''}">
${await charts(reports)}
</div>
</section>`;

  // A section per channel: its totals and its weeks.
  const totals = busiestFirst(opts.channels);
  const weeksWith = (channel: string) => reports.filter((r) => r.channels.some((x) => x.channel === channel)).length;
  const channelSection = (c: (typeof totals)[number]) => {
    const weeksOf = reports.flatMap((r) => r.channels.filter((x) => x.channel === c.channel).map((x) => ({ week: r.week_start, figures: x })));
    return `<section class="channel" id="channel-${esc(c.channel)}" data-channel="${esc(c.channel)}">
<h3>${esc(label(c.channel))}</h3>
<p>${plural(c.messages, 'message')} in ${plural(weeksWith(c.channel), 'week')} (${formatPercent(share(c.after_hours_messages, c.messages))} after hours), ${plural(c.requests, 'request')}, compliance ${formatPercent(c.compliance)}</p>
<table>
<thead><tr><th scope="col">week</th>${CHANNEL_COLUMNS.map((x) => `<th scope="col">${esc(x.header)}</th>`).join('')}</tr></thead>
<tbody>
${weeksOf.map((w) => `<tr><th scope="row">${esc(w.week)}</th>${CHANNEL_COLUMNS.map((x) => `<td${hook(x.field, w.figures[x.field], { week: w.week, channel: c.channel })}>${esc(x.show(w.figures[x.field]))}</td>`).join('')}</tr>`).join('\n')}
</tbody>
</table>
</section>`;
  };
  const channels = `<section id="channels"><h2>Channels</h2>
${totals.length === 0 ? '<p>No channel had a human message in these weeks.</p>' : `<p>Busiest first. Compliance is over all of a channel’s requests in these weeks.</p>\n<div class="channels">\n${totals.map(channelSection).join('\n')}\n</div>`}
</section>`;

  const previous = reports.length > 1 ? (reports.at(-2) as WeeklyReport) : null;
  const prompts = `<section id="prompts"><h2>Retro prompts</h2>
<p>From the week of ${esc(last.week_start)}${previous ? `, compared with the week of ${esc(previous.week_start)}` : ''}:</p>
<ol class="prompts">
${retroPrompts(last, previous).map((p) => `<li>${promptHtml(p)}</li>`).join('\n')}
</ol>
</section>`;

  const legend = `<section id="legend"><h2>What the columns mean</h2>
<dl class="legend">
<dt>week</dt><dd>The Monday a week starts on. Weeks run from Monday 00:00 to the next Monday 00:00 in the charter’s time zone (${esc(first.timezone)}); a message or request belongs to the week it was sent in.</dd>
${columns.map((c) => `<dt>${esc(c.header)}</dt><dd>${esc(c.meaning)}</dd>`).join('\n')}
<dt>channels</dt><dd>Per channel with at least one message that week: its messages, after-hours messages, requests and compliance, as defined above.</dd>
<dt>working time</dt><dd>Each person’s own: their Slack time zone (else the charter’s), the charter’s workdays, working hours and holidays. A normal request is due after the charter’s window of the recipient’s working time; outcomes are evaluated as of ${esc(first.as_of)}.</dd>
</dl>
</section>`;

  return page(meta, [summary, trends, weeks, channels, prompts, legend].join('\n'));
}
