import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { defaultCharter } from '../domain/charter';
import { DEMO_TEAM, generateExport } from '../services/demo-export';
import { openExport } from '../services/export-reader';
import { importExport } from '../services/export-import';
import { buildReports } from '../services/reports';
import { openCliStore, runCli, UsageError } from './common';
import { reportTable } from './format';

const USAGE = 'usage: npm run demo [-- --json] [--messages N]';

/**
 * npm run demo: a made-up workspace (300 people in 8 time zones, 25 channels) with four weeks of
 * activity up to now, imported into the store as team T0DEMO0001, and its weekly reports.
 * No Slack app needed: a way to see the figures before installing anything.
 */
runCli(async () => {
  let args;
  try {
    args = parseArgs({ options: { json: { type: 'boolean', default: false }, messages: { type: 'string', default: '3000' }, help: { type: 'boolean', default: false } } });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const count = Number(args.values.messages);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new UsageError(`--messages ${args.values.messages}: a whole number from 1 to 1000000`);
  const charter = defaultCharter();
  const weeks = 4;
  const start = DateTime.utc().startOf('week').minus({ weeks: weeks - 1 });
  const now = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'async-charter-demo-'));
  const store = await openCliStore();
  try {
    generateExport(dir, count, { weeks: Math.max(1, (now.getTime() - start.toMillis()) / (7 * 86_400_000)), start: start.toJSDate() });
    const archive = await openExport(dir);
    const summary = await importExport(store, archive, { charter, includePrivate: false });
    await archive.close();
    const reports = await buildReports(store.db, DEMO_TEAM, { asOf: now, charter, weeks: Array.from({ length: weeks }, (_, i) => start.plus({ weeks: i }).toISODate() as string) });
    process.stderr.write(`demo workspace ${DEMO_TEAM}: ${summary.messages} human messages (${summary.inserted} new) from ${summary.users} people\n`);
    if (args.values.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    else process.stdout.write(`${reportTable(reports)}\nTry: npm run digest -- --team ${DEMO_TEAM} --week ${reports.at(-1)?.week_start ?? ''} --json\n`);
    return 0;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
