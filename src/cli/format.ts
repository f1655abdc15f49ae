import type { ChannelFigures, WeeklyReport } from '../domain/report';
import { busiestFirst, weekTotals } from '../domain/report-totals';
import { formatMinutes, formatPercent, plural } from '../domain/units';

export type TableOptions = {
  /** Channel id → name (without '#'); channels not in it are shown by id. */
  channelNames?: ReadonlyMap<string, string>;
  /** Each channel over all the weeks (buildReportSet); default: the channels of a single week. */
  channels?: readonly ChannelFigures[];
};


type Column<T> = [header: string, cell: (x: T) => string];

const count = (n: number) => String(n);

/** The weekly columns, in the order the README's legend explains them. */
const WEEK_COLUMNS: Array<Column<WeeklyReport>> = [
  ['week', (r) => r.week_start],
  ['msgs', (r) => count(r.messages)],
  ['after-hrs', (r) => count(r.after_hours_messages)],
  ['threaded', (r) => count(r.threaded_messages)],
  ['requests', (r) => count(r.requests)],
  ['off-hrs', (r) => count(r.off_hours_requests)],
  ['on time', (r) => count(r.on_time)],
  ['late', (r) => count(r.late)],
  ['overdue', (r) => count(r.overdue)],
  ['pending', (r) => count(r.pending)],
  ['compliance', (r) => formatPercent(r.compliance)],
  ['median wait', (r) => formatMinutes(r.median_response_working_minutes)],
  ['p90 wait', (r) => formatMinutes(r.p90_response_working_minutes)],
  ['mtg req', (r) => count(r.meeting_requests)],
  ['where-is', (r) => count(r.where_is_questions)],
];

/** '#name' when the store knows the channel's name, else its id. */
export function channelLabel(id: string, names?: ReadonlyMap<string, string>): string {
  const name = names?.get(id);
  return name ? `#${name}` : id;
}

/** Rows as aligned text: the first column left-aligned, the others right-aligned, a rule under the header. */
function align(rows: string[][]): string[] {
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ').trimEnd();
  return [line(rows[0] as string[]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
}

/**
 * Weekly reports as an aligned text table for people at a terminal: one row per week (waits in
 * working hours and minutes, percentages with one decimal), then one row per channel with its
 * totals over those weeks, busiest first, named where the store knows the name.
 */
export function reportTable(reports: readonly WeeklyReport[], opts: TableOptions = {}): string {
  if (reports.length === 0) return 'No human messages in this range: nothing to report.\n';
  const first = reports[0] as WeeklyReport;
  const head = `Team ${first.team_id ?? '(unknown)'} · weeks start Monday 00:00 ${first.timezone} · outcomes as of ${first.as_of}`;
  const weeks = align([WEEK_COLUMNS.map(([h]) => h), ...reports.map((r) => WEEK_COLUMNS.map(([, f]) => f(r)))]);
  const t = weekTotals(reports);
  const summary = `${plural(reports.length, 'week')}, ${plural(t.messages, 'message')}, ${plural(t.requests, 'request')}; overall compliance ${formatPercent(t.compliance)}`;

  const channels = busiestFirst(opts.channels ?? (reports.length === 1 ? first.channels : []));
  const out = [head, '', ...weeks, '', summary];
  if (channels.length > 0) {
    const span = reports.length === 1 ? `the week of ${first.week_start}` : `the ${reports.length} weeks above`;
    const rows = [['channel', 'msgs', 'after-hrs', 'requests', 'compliance'], ...channels.map((c) => [channelLabel(c.channel, opts.channelNames), count(c.messages), count(c.after_hours_messages), count(c.requests), formatPercent(c.compliance)])];
    out.push('', `Channels, totals over ${span}:`, '', ...align(rows));
  }
  out.push('');
  return out.join('\n');
}
