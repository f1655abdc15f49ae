import { DateTime } from 'luxon';
import type { TrendPoint } from './digest';
import { formatMinutes } from './units';

/**
 * Vega-Lite specs for the trend charts: the digest's PNG and the HTML report draw these same
 * specs (rendered in src/services/charts.ts). Pure: plain JSON objects, data inline.
 */

export type VegaLiteSpec = Record<string, unknown>;
export type TrendChartKey = 'compliance' | 'median_wait' | 'after_hours' | 'meeting_requests';

const INK = '#1d1c1d';
const ACCENT = '#2b7bb9';
const FONT = 'DejaVu Sans';

export const TREND_CHARTS: ReadonlyArray<{ key: TrendChartKey; title: string; field: keyof TrendPoint; mark: 'line' | 'bar'; format: string; axis: string; scale?: Record<string, unknown> }> = [
  { key: 'compliance', title: 'Answered within the window', field: 'compliance', mark: 'line', format: '.0%', axis: 'share of requests', scale: { domain: [0, 1] } },
  { key: 'median_wait', title: 'Median wait (working hours)', field: 'median_wait_minutes', mark: 'line', format: '.1f', axis: 'hours' },
  { key: 'after_hours', title: 'After-hours messages', field: 'after_hours_share', mark: 'line', format: '.0%', axis: 'share of messages', scale: { domain: [0, 1] } },
  { key: 'meeting_requests', title: 'Meeting requests', field: 'meeting_requests', mark: 'bar', format: 'd', axis: 'messages' },
];

/** One row per week; median wait in hours; a week label such as "2 Nov" (the title carries the year). */
export function chartRows(trend: readonly TrendPoint[]): Array<Record<string, string | number | null>> {
  return trend.map((p) => ({
    week: DateTime.fromISO(p.week_start, { zone: 'UTC' }).toFormat('d LLL'),
    week_start: p.week_start,
    compliance: p.compliance,
    median_wait_minutes: p.median_wait_minutes === null ? null : Math.round((p.median_wait_minutes / 60) * 10) / 10,
    after_hours_share: p.after_hours_share,
    meeting_requests: p.meeting_requests,
  }));
}

function layer(key: TrendChartKey, rows: ReturnType<typeof chartRows>, size: { width: number; height: number }): VegaLiteSpec {
  const c = TREND_CHARTS.find((t) => t.key === key);
  if (c === undefined) throw new Error(`unknown chart ${key}`);
  // Every week keeps its place on the axis, with or without a value.
  const x = { field: 'week_start', type: 'ordinal', sort: null, title: null, scale: { domain: rows.map((r) => r.week_start) }, axis: { labelAngle: 0, labelColor: INK, labelOverlap: 'greedy', labelExpr: "utcFormat(toDate(datum.value), '%-d %b')" } };
  // Counts: whole ticks from 0, also when every week is 0 or the counts are small.
  const maxCount = c.format === 'd' ? Math.max(1, ...rows.map((r) => Number(r[c.field] ?? 0))) : 0;
  const countAxis = c.format === 'd' ? { scale: { domainMin: 0, domainMax: maxCount, nice: true }, ...(maxCount <= 4 ? { values: Array.from({ length: maxCount + 1 }, (_, i) => i) } : { tickMinStep: 1 }) } : {};
  const y = {
    field: c.field,
    type: 'quantitative',
    title: c.axis,
    axis: { format: c.format, tickCount: 4, grid: true, labelColor: INK, ...('values' in countAxis ? { values: countAxis.values } : {}), ...('tickMinStep' in countAxis ? { tickMinStep: countAxis.tickMinStep } : {}) },
    ...(c.scale ? { scale: c.scale } : {}),
    ...('scale' in countAxis ? { scale: countAxis.scale } : {}),
  };
  const points = c.mark === 'line' ? [{ mark: { type: 'point', filled: true, size: 60, color: ACCENT }, encoding: { x, y } }] : [];
  return {
    title: { text: c.title, anchor: 'start', fontSize: 14, color: INK },
    width: size.width,
    height: size.height,
    data: { values: rows },
    transform: [{ filter: `datum.${c.field} !== null` }],
    layer: [
      { mark: c.mark === 'line' ? { type: 'line', color: ACCENT, strokeWidth: 2.5 } : { type: 'bar', color: ACCENT, cornerRadiusEnd: 2 }, encoding: { x, y } },
      ...points,
      { mark: { type: 'text', dy: -10, fontSize: 11, color: INK }, encoding: { x, y, text: { field: c.field, type: 'quantitative', format: c.format } } },
    ],
  };
}

const CONFIG = { font: FONT, background: 'white', view: { stroke: null }, axis: { labelFont: FONT, titleFont: FONT, labelFontSize: 11, titleFontSize: 11, domainColor: '#999', gridColor: '#eee' }, title: { font: FONT } };

/** One trend chart on its own (the HTML report shows each). */
export function trendChartSpec(key: TrendChartKey, trend: readonly TrendPoint[], size = { width: 360, height: 180 }): VegaLiteSpec {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', config: CONFIG, padding: 12, ...layer(key, chartRows(trend), size) };
}

/** The digest image: the four trend charts in a 2×2 grid under one title. */
export function digestChartSpec(trend: readonly TrendPoint[], title: string): VegaLiteSpec {
  const rows = chartRows(trend);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: CONFIG,
    padding: 16,
    title: { text: title, fontSize: 16, anchor: 'start', color: INK },
    columns: 2,
    concat: TREND_CHARTS.map((c) => layer(c.key, rows, { width: 320, height: 160 })),
  };
}

/** What the chart shows, in words, for people who cannot see it (Slack's alt text, the page's aria-label). */
export function chartAltText(trend: readonly TrendPoint[], title: string): string {
  const pct = (x: number | null) => (x === null ? 'no data' : `${Math.round(x * 100)}%`);
  const hours = (m: number | null) => (m === null ? 'no data' : formatMinutes(m));
  const rows = chartRows(trend);
  const line = (label: string, f: (p: TrendPoint) => string) => `${label}: ${trend.map((p, i) => `${rows[i]?.week ?? p.week_start} ${f(p)}`).join(', ')}.`;
  return [
    `${title}.`,
    line('Answered within the window', (p) => pct(p.compliance)),
    line('Median wait', (p) => hours(p.median_wait_minutes)),
    line('After-hours messages', (p) => pct(p.after_hours_share)),
    line('Meeting requests', (p) => String(p.meeting_requests)),
  ].join(' ');
}
