import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { roundHalfAway, type WeeklyReport } from '../../src/domain/report';
import { formatMinutes, formatPercent } from '../../src/domain/units';
import { cliStore, runScript } from '../helpers/cli';
import { FIXTURES } from '../helpers/fixtures';

/**
 * The HTML report of `audit --html` opened in headless Chromium (Debian's, not a downloaded
 * one): it loads nothing, logs no error, draws its four charts, and shows the figures of --json.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CHARTS = ['compliance', 'median_wait', 'after_hours', 'meeting_requests'] as const;
const FIELDS = ['messages', 'after_hours_messages', 'threaded_messages', 'requests', 'off_hours_requests', 'early_followups', 'on_time', 'late', 'overdue', 'pending', 'compliance', 'median_response_working_minutes', 'p90_response_working_minutes', 'meeting_requests', 'where_is_questions'] as const;

type Shown = { field: string; week: string | null; channel: string | null; value: string | null; text: string; visible: boolean };

describe('the HTML report in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ac-browser-'));
  const file = join(dir, 'report.html');
  let reports: WeeklyReport[];
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    const store = await cliStore();
    try {
      const r = await runScript('audit', [join(FIXTURES, 'slack-export-houstondatavis'), '--json', '--html', file], store.env);
      if (r.code !== 0) throw new Error(`audit failed (${r.code}): ${r.stderr}`);
      reports = JSON.parse(r.stdout) as WeeklyReport[];
    } finally {
      await store.dispose();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (q) => problems.push(`request failed: ${q.url()} ${q.failure()?.errorText ?? ''}`));
    page.on('request', (q) => requests.push(q.url()));
    const response = await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    if (response !== null && !response.ok()) problems.push(`page answered ${response.status()}`);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads nothing but itself and logs no error', async () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(await page.title()).toBe('Async Charter baseline: slack-export-houstondatavis');
  });

  it('draws the four charts: visible, with marks that have a size, one point per week with a figure', async () => {
    for (const key of CHARTS) {
      const drawn = await page.$eval(`svg[data-chart="${key}"]`, (svg) => {
        const box = svg.getBoundingClientRect();
        const sized = (sel: string) =>
          [...svg.querySelectorAll(sel)].filter((el) => {
            const b = (el as unknown as { getBBox(): { width: number; height: number } }).getBBox();
            return b.width > 0 && b.height > 0;
          }).length;
        return {
          width: box.width,
          height: box.height,
          label: svg.getAttribute('aria-label') ?? '',
          role: svg.getAttribute('role'),
          lines: sized('.mark-line path'),
          points: sized('.mark-symbol path'),
          bars: sized('.mark-rect path, .mark-rect rect'),
          axes: svg.querySelectorAll('.role-axis-label text').length,
        };
      });
      expect({ key, role: drawn.role }).toEqual({ key, role: 'img' });
      expect(drawn.width).toBeGreaterThan(300);
      expect(drawn.height).toBeGreaterThan(150);
      expect(drawn.axes).toBeGreaterThan(4);
      expect(drawn.label).toContain('2015-09-21');
      if (key === 'meeting_requests') {
        expect(drawn.bars).toBe(reports.filter((r) => r.meeting_requests > 0).length);
      } else {
        const hasFigure = { compliance: (r: WeeklyReport) => r.compliance !== null, median_wait: (r: WeeklyReport) => r.median_response_working_minutes !== null, after_hours: (r: WeeklyReport) => r.messages > 0 }[key];
        expect(drawn.lines).toBe(1);
        expect({ key, points: drawn.points }).toEqual({ key, points: reports.filter(hasFigure).length });
      }
    }
  });

  it('shows the figures of --json, in human units, for every week and channel', async () => {
    const shown: Shown[] = await page.$$eval('[data-field]', (els) =>
      els.map((el) => {
        const b = el.getBoundingClientRect();
        return { field: el.getAttribute('data-field') ?? '', week: el.getAttribute('data-week'), channel: el.getAttribute('data-channel'), value: el.getAttribute('data-value'), text: el.textContent ?? '', visible: b.width > 0 && b.height > 0 };
      }),
    );
    expect(shown.every((s) => s.visible)).toBe(true);
    const cell = (week: string, field: string, channel: string | null = null) => shown.find((s) => s.week === week && s.field === field && s.channel === channel);

    for (const r of reports) {
      for (const f of FIELDS) expect({ week: r.week_start, f, value: JSON.parse(cell(r.week_start, f)?.value ?? '"missing"') }).toEqual({ week: r.week_start, f, value: r[f] });
      expect(cell(r.week_start, 'compliance')?.text).toBe(formatPercent(r.compliance));
      expect(cell(r.week_start, 'median_response_working_minutes')?.text).toBe(formatMinutes(r.median_response_working_minutes));
      expect(cell(r.week_start, 'p90_response_working_minutes')?.text).toBe(formatMinutes(r.p90_response_working_minutes));
      for (const f of ['messages', 'requests', 'on_time', 'late', 'overdue', 'meeting_requests', 'where_is_questions'] as const) expect(cell(r.week_start, f)?.text).toBe(r[f].toLocaleString('en-US'));
      for (const c of r.channels) {
        expect({ week: r.week_start, channel: c.channel, messages: cell(r.week_start, 'messages', c.channel)?.text, requests: cell(r.week_start, 'requests', c.channel)?.text, compliance: cell(r.week_start, 'compliance', c.channel)?.text }).toEqual({
          week: r.week_start,
          channel: c.channel,
          messages: String(c.messages),
          requests: String(c.requests),
          compliance: formatPercent(c.compliance),
        });
      }
    }

    // The weeks worked out by hand in test/cli/audit.test.ts, as a reader sees them.
    const row = (week: string) => page.$$eval(`#weeks-table tr:has(th[data-week="${week}"]) > *`, (cells) => cells.map((c) => c.textContent));
    expect(await row('2015-09-21')).toEqual(['2015-09-21', '4', '3', '0', '2', '1', '0', '0', '2', '0', '0', '0.0%', '83 h 24 min', '97 h 54 min', '0', '0']);
    expect(await row('2015-08-24')).toEqual(['2015-08-24', '3', '3', '0', '3', '3', '0', '2', '0', '1', '0', '66.7%', '0 min', '0 min', '0', '0']);
    expect(await row('2015-06-29')).toEqual(['2015-06-29', '3', '3', '0', '2', '2', '0', '0', '2', '0', '0', '0.0%', '32 h', '40 h', '0', '0']);

    const total = (field: string) => shown.find((s) => s.field === field && s.week === null)?.text;
    const sum = (f: (r: WeeklyReport) => number) => reports.reduce((n, r) => n + f(r), 0);
    expect(total('total_messages')).toBe(sum((r) => r.messages).toLocaleString('en-US'));
    expect(total('total_requests')).toBe(sum((r) => r.requests).toLocaleString('en-US'));
    const decided = sum((r) => r.on_time + r.late + r.overdue);
    expect(total('total_compliance')).toBe(formatPercent(roundHalfAway(sum((r) => r.on_time) / decided, 3)));
    expect(total('as_of')).toBe(reports[0]?.as_of);
  });

  it('names the channels, lists retro prompts and explains every column', async () => {
    expect(await page.textContent('#channel-C061A2UGJ h3')).toBe('#general');
    expect(await page.locator('.prompts li').count()).toBeGreaterThanOrEqual(1);
    const headers = await page.$$eval('#weeks-table thead th', (ths) => ths.map((t) => t.textContent ?? ''));
    const terms = await page.$$eval('dl.legend dt', (dts) => dts.map((t) => t.textContent ?? ''));
    expect(terms).toEqual(expect.arrayContaining(headers));
  });
});
