import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { digestChartSpec } from '../src/domain/charts';
import { chartTitle, trendPoint } from '../src/domain/digest';
import { renderPng } from '../src/services/charts';
import { importDemoWorkspace } from '../src/services/demo';
import { reportHtml } from '../src/services/report-html';
import { buildReportSet } from '../src/services/reports';
import { channelNames } from '../src/store/channels';
import { connectStore } from '../src/store/connect';
import { migrateToLatest } from '../src/store/migrate';

/**
 * npm run docs:images: the README's pictures, from the demo workspace in a throwaway PGlite
 * store: docs/digest-chart.png (the digest's chart of six weeks, as posted to Slack) and
 * docs/report.png (the HTML report of the same weeks in headless Chromium, full page).
 * A fixed "now" keeps the images the same from run to run.
 */

const ROOT = join(__dirname, '..');
/** Monday 09:00 UTC, the default digest slot: the six weeks before it are whole. */
const NOW = new Date('2026-11-30T09:00:00Z');
const WEEKS = 6;
const MESSAGES = 5000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ac-docs-images-'));
  const store = await connectStore({ kind: 'pglite', dataDir: join(dir, 'data') });
  try {
    await migrateToLatest(store.db);
    // One more week than shown: the week NOW is in has only begun.
    const demo = await importDemoWorkspace(store, { messages: MESSAGES, weeks: WEEKS + 1, now: NOW });
    const { reports, channels } = await buildReportSet(store.db, demo.teamId, { asOf: NOW, weeks: demo.reports.slice(0, WEEKS).map((r) => r.week_start) });
    const last = reports.at(-1);
    if (last === undefined) throw new Error('the demo workspace has no weeks');
    process.stderr.write(`demo workspace ${demo.teamId}: ${demo.summary.messages} human messages; weeks ${reports[0]?.week_start} to ${last.week_start}\n`);

    const weekEnd = new Date(Date.parse(`${last.week_start}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10);
    const chart = await renderPng(digestChartSpec(reports.map(trendPoint), chartTitle(weekEnd)));
    writeFileSync(join(ROOT, 'docs', 'digest-chart.png'), chart);
    process.stderr.write(`wrote docs/digest-chart.png (${chart.length} bytes)\n`);

    const html = await reportHtml(reports, { channelNames: await channelNames(store.db, demo.teamId), title: 'Async Charter report: demo workspace', channels });
    const page = join(dir, 'report.html');
    writeFileSync(page, html);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const tab = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
      await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
      await tab.screenshot({ path: join(ROOT, 'docs', 'report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
    process.stderr.write('wrote docs/report.png\n');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`error: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
