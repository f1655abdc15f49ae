import type { WeeklyReport } from '../domain/report';

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
const num = (x: number | null) => (x === null ? '–' : String(x));

const COLUMNS: Array<[string, (r: WeeklyReport) => string]> = [
  ['week', (r) => r.week_start],
  ['msgs', (r) => String(r.messages)],
  ['after-hrs', (r) => String(r.after_hours_messages)],
  ['threaded', (r) => String(r.threaded_messages)],
  ['requests', (r) => String(r.requests)],
  ['off-hrs', (r) => String(r.off_hours_requests)],
  ['on time', (r) => String(r.on_time)],
  ['late', (r) => String(r.late)],
  ['overdue', (r) => String(r.overdue)],
  ['pending', (r) => String(r.pending)],
  ['compliance', (r) => pct(r.compliance)],
  ['median min', (r) => num(r.median_response_working_minutes)],
  ['p90 min', (r) => num(r.p90_response_working_minutes)],
];

/** Weekly reports as an aligned text table, one row per week, for people at a terminal. */
export function reportTable(reports: readonly WeeklyReport[]): string {
  if (reports.length === 0) return 'No human messages in this range: nothing to report.\n';
  const first = reports[0] as WeeklyReport;
  const rows = [COLUMNS.map(([h]) => h), ...reports.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  const head = `Team ${first.team_id ?? '(unknown)'} · weeks start Monday 00:00 ${first.timezone} · outcomes as of ${first.as_of}`;
  const totals = reports.reduce((a, r) => ({ on: a.on + r.on_time, late: a.late + r.late, over: a.over + r.overdue, req: a.req + r.requests }), { on: 0, late: 0, over: 0, req: 0 });
  const denom = totals.on + totals.late + totals.over;
  const summary = `${reports.length} week(s), ${totals.req} request(s); overall compliance ${denom === 0 ? '–' : pct(totals.on / denom)}`;
  return [head, '', line(rows[0] as string[]), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line), '', summary, ''].join('\n');
}

/** A self-contained HTML page with the same table (for sharing a baseline). */
export function reportHtml(reports: readonly WeeklyReport[]): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
  const head = `<tr>${COLUMNS.map(([h]) => `<th>${esc(h)}</th>`).join('')}</tr>`;
  const body = reports.map((r) => `<tr>${COLUMNS.map(([, f]) => `<td>${esc(f(r))}</td>`).join('')}</tr>`).join('\n');
  const first = reports[0];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Async Charter baseline</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#1d1c1d}table{border-collapse:collapse}th,td{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:left}</style>
</head><body>
<h1>Async Charter baseline</h1>
<p>${first ? `Team ${esc(first.team_id ?? '(unknown)')} · weeks in ${esc(first.timezone)} · outcomes as of ${esc(first.as_of)}` : 'No human messages: nothing to report.'}</p>
<table>${head}
${body}</table>
</body></html>
`;
}
