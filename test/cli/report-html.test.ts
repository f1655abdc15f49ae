import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { retroPrompts } from '../../src/domain/digest';
import type { WeeklyReport } from '../../src/domain/report';
import { formatMinutes, formatPercent } from '../../src/domain/units';
import { escapeHtml, reportHtml } from '../../src/services/report-html';
import { cliStore, runScript } from '../helpers/cli';
import { FIXTURES } from '../helpers/fixtures';

const HOUSTON = join(FIXTURES, 'slack-export-houstondatavis');

const unescape = (s: string) => s.replace(/&(quot|amp|lt|gt|#39);/g, (_, e: string) => ({ quot: '"', amp: '&', lt: '<', gt: '>', '#39': "'" })[e] as string);

type Hook = { field: string; channel?: string; week?: string; value: unknown; text: string };
/** Every element carrying data-field / data-value, with its text. */
function hooks(html: string): Hook[] {
  const out: Hook[] = [];
  for (const m of html.matchAll(/<(?:td|th|dd|span) data-field="([^"]+)"(?: data-channel="([^"]+)")?(?: data-week="([^"]+)")?(?: data-value="([^"]*)")?>([^<]*)</g)) {
    const [, field, channel, week, value, text] = m as unknown as [string, string, string | undefined, string | undefined, string | undefined, string];
    out.push({ field, ...(channel ? { channel } : {}), ...(week ? { week } : {}), value: value === undefined ? undefined : JSON.parse(unescape(value)), text: unescape(text) });
  }
  return out;
}

const ZERO: WeeklyReport = {
  team_id: 'T0TEST0001', week_start: '2026-11-16', timezone: 'UTC', as_of: '2026-11-23T00:00:00.000Z', messages: 0, after_hours_messages: 0, threaded_messages: 0, top_level_messages: 0,
  requests: 0, off_hours_requests: 0, early_followups: 0, on_time: 0, late: 0, overdue: 0, pending: 0, compliance: null, urgent_requests: 0, median_response_working_minutes: null,
  p90_response_working_minutes: null, meeting_requests: 0, where_is_questions: 0, decisions_logged: 0, focus_hours: 0, pulse: null, channels: [],
};

/** The <svg> element of one chart. */
const chartSvg = (html: string, key: string) => html.match(new RegExp(`<svg role="img" aria-label="([^"]*)" data-chart="${key}"[\\s\\S]*?</svg>`));

describe('npm run audit -- --html', () => {
  let store: Awaited<ReturnType<typeof cliStore>>;
  const dir = mkdtempSync(join(tmpdir(), 'ac-report-html-'));
  beforeAll(async () => {
    store = await cliStore();
  });
  afterAll(async () => {
    await store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one self-contained page: summary, four charts, the weeks in human units, a section per channel, prompts, legend', async () => {
    const file = join(dir, 'baseline.html');
    writeFileSync(file, 'an older report, replaced whole');
    const r = await runScript('audit', [HOUSTON, '--json', '--html', file], store.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`wrote the HTML report to ${file}`);
    const reports = JSON.parse(r.stdout) as WeeklyReport[];
    expect(reports).toHaveLength(61);
    expect(readdirSync(dir)).toEqual(['baseline.html']); // no temporary file left behind
    const html = readFileSync(file, 'utf8');

    // Self-contained: no script, nothing fetched, not even a namespace URL.
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|<object|<embed|@import|\bsrc=|javascript:|\son[a-z]+=/i);
    expect(html).not.toMatch(/https?:|ftp:|\/\/[a-z0-9]/i);
    expect(html.match(/url\([^)]*\)/g)?.every((u) => u.startsWith('url(#')) ?? true).toBe(true);
    expect(html.match(/href="[^"]*"/g)?.every((u) => u.startsWith('href="#')) ?? true).toBe(true);

    // Four charts, drawn from the figures: marks with geometry, an aria-label carrying the values.
    for (const key of ['compliance', 'median_wait', 'after_hours', 'meeting_requests']) {
      const svg = chartSvg(html, key);
      expect(svg).not.toBeNull();
      const [markup, label] = svg as RegExpMatchArray as unknown as [string, string];
      expect(markup).toMatch(key === 'meeting_requests' ? /class="mark-rect role-mark[^"]*"[^>]*><path[^>]* d="M[^"]+"/ : /class="mark-line role-mark[^"]*"[^>]*><path[^>]* d="M[^"]+"/);
      expect(unescape(label)).toContain('2015-09-21');
    }
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(unescape((chartSvg(html, 'compliance') as RegExpMatchArray)[1] as string)).toContain('2015-08-24 66.7%, 2015-08-31 no data');
    expect(unescape((chartSvg(html, 'median_wait') as RegExpMatchArray)[1] as string)).toContain('2015-09-21 83 h 24 min');
    // Ids are unique across the inline charts.
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);

    // Every figure shown carries its JSON value and reads in human units.
    const hs = hooks(html);
    const weekCells = hs.filter((h) => h.week !== undefined && h.channel === undefined);
    for (const rep of reports) {
      const cells = new Map(weekCells.filter((h) => h.week === rep.week_start).map((h) => [h.field, h]));
      for (const field of ['messages', 'after_hours_messages', 'threaded_messages', 'requests', 'off_hours_requests', 'early_followups', 'on_time', 'late', 'overdue', 'pending', 'compliance', 'median_response_working_minutes', 'p90_response_working_minutes', 'meeting_requests', 'where_is_questions'] as const) {
        expect({ week: rep.week_start, field, value: cells.get(field)?.value }).toEqual({ week: rep.week_start, field, value: rep[field] });
      }
      expect(cells.get('compliance')?.text).toBe(formatPercent(rep.compliance));
      expect(cells.get('median_response_working_minutes')?.text).toBe(formatMinutes(rep.median_response_working_minutes));
      expect(cells.get('p90_response_working_minutes')?.text).toBe(formatMinutes(rep.p90_response_working_minutes));
      for (const c of rep.channels) {
        const got = Object.fromEntries(hs.filter((h) => h.week === rep.week_start && h.channel === c.channel).map((h) => [h.field, h.value]));
        expect(got).toEqual({ messages: c.messages, after_hours_messages: c.after_hours_messages, requests: c.requests, compliance: c.compliance });
      }
    }
    const w = (week: string, field: string) => weekCells.find((h) => h.week === week && h.field === field)?.text;
    expect([w('2015-09-21', 'compliance'), w('2015-09-21', 'median_response_working_minutes'), w('2015-09-21', 'p90_response_working_minutes')]).toEqual(['0.0%', '83 h 24 min', '97 h 54 min']);
    expect([w('2015-08-24', 'compliance'), w('2015-06-29', 'median_response_working_minutes'), w('2015-09-28', 'compliance')]).toEqual(['66.7%', '32 h', '–']);
    const summary = Object.fromEntries(hs.filter((h) => h.field.startsWith('total_')).map((h) => [h.field, h.text]));
    expect(summary).toMatchObject({ total_messages: '1,025', total_requests: String(reports.reduce((n, x) => n + x.requests, 0)) });

    // A section per channel that had messages, named from channels.json.
    const channelIds = [...new Set(reports.flatMap((x) => x.channels.map((c) => c.channel)))];
    expect(channelIds.length).toBeGreaterThan(10);
    for (const id of channelIds) expect(html).toContain(`<section class="channel" id="channel-${id}" data-channel="${id}">`);
    expect(html).toMatch(/<section class="channel" id="channel-C061A2UGJ" data-channel="C061A2UGJ">\n<h3>#general<\/h3>/);
    expect(html).toMatch(/<h3>#readings<\/h3>/);

    // Retro prompts from the last two weeks, and a legend for every column shown.
    for (const p of retroPrompts(reports[60] as WeeklyReport, reports[59] as WeeklyReport)) expect(html).toContain(escapeHtml(p).replace(/`([^`]+)`/g, '<code>$1</code>'));
    const headers = [...(html.match(/<table id="weeks-table">[\s\S]*?<\/thead>/)?.[0] ?? '').matchAll(/<th scope="col">([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(headers).toEqual(expect.arrayContaining(['week', 'compliance', 'median wait', 'p90 wait', 'meeting requests', 'where-is questions']));
    const legend = html.match(/<dl class="legend">[\s\S]*?<\/dl>/)?.[0] ?? '';
    for (const h of headers) expect(legend).toContain(`<dt>${h}</dt>`);
  }, 180_000);

  it.each([
    ['a folder that does not exist', () => '/nonexistent-ac-dir/report.html', 'no such directory'],
    ['a directory', () => dir, 'it is a directory'],
    ['a path through a file', () => {
      writeFileSync(join(dir, 'plain-file'), '');
      return join(dir, 'plain-file', 'report.html');
    }, 'a parent is not a directory'],
  ])('refuses an unwritable --html path (%s) before importing anything: exit 2, one line', async (_name, path, why) => {
    const target = path();
    const r = await runScript('audit', [HOUSTON, '--json', '--html', target], store.env);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 2, stdout: '', stderr: `--html ${target}: cannot write there (${why})\n` });
  }, 60_000);

  it('leaves the store untouched when the --html path is refused', async () => {
    const fresh = await cliStore({ migrated: false });
    try {
      const r = await runScript('audit', [HOUSTON, '--html', '/nonexistent-ac-dir/x.html'], fresh.env);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual(['--html /nonexistent-ac-dir/x.html: cannot write there (no such directory)']);
      const db = await fresh.open();
      try {
        // Not even migrated: the store was never opened.
        const tables = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = current_schema()`.execute(db.db);
        expect(tables.rows[0]?.n).toBe(0);
      } finally {
        await db.close();
      }
    } finally {
      await fresh.dispose();
    }
  }, 60_000);

  it('renders an empty state when there are no weeks, and escapes what it prints', async () => {
    const empty = await reportHtml([], { title: 'Q<3> & "co"', channels: [] });
    expect(empty).toContain('<title>Q&lt;3&gt; &amp; &quot;co&quot;</title>');
    expect(empty).toContain('No human messages in this range: nothing to report.');
    expect(empty).not.toMatch(/<svg|<table|<script/);

    const week = { ...ZERO, week_start: '2026-11-16', messages: 30, after_hours_messages: 3, channels: [{ channel: 'C0EVIL0001', messages: 30, after_hours_messages: 3, requests: 0, compliance: null }] };
    const html = await reportHtml([week], { channelNames: new Map([['C0EVIL0001', '<img src=x onerror=alert(1)>']]), channels: week.channels });
    expect(html).toContain('<h3>#&lt;img src=x onerror=alert(1)&gt;</h3>');
    expect(html).not.toMatch(/<img|<script/);
  });
});
