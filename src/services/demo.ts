import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { defaultCharter } from '../domain/charter';
import type { ChannelFigures, WeeklyReport } from '../domain/report';
import type { Store } from '../store/connect';
import { DEMO_TEAM, generateExport } from './demo-export';
import { openExport } from './export-reader';
import { importExport, type ImportSummary } from './export-import';
import { buildReportSet } from './reports';

const WEEK_MS = 7 * 86_400_000;

export type DemoWorkspace = { teamId: string; summary: ImportSummary; reports: WeeklyReport[]; channels: ChannelFigures[] };

/**
 * The demo workspace (`npm run demo`, `npm run docs:images`): a generated export of about
 * `messages` messages over the `weeks` weeks up to `now` (the last one is `now`'s own week),
 * imported into the store as team T0DEMO0001 with the default charter, and its weekly reports
 * evaluated at `now`, oldest first. Deterministic for a given `now`.
 */
export async function importDemoWorkspace(store: Store, opts: { messages: number; weeks: number; now: Date }): Promise<DemoWorkspace> {
  const charter = defaultCharter();
  const start = DateTime.fromJSDate(opts.now, { zone: 'UTC' }).startOf('week').minus({ weeks: opts.weeks - 1 });
  const dir = mkdtempSync(join(tmpdir(), 'async-charter-demo-'));
  try {
    generateExport(dir, opts.messages, { weeks: Math.max(1, (opts.now.getTime() - start.toMillis()) / WEEK_MS), start: start.toJSDate() });
    const archive = await openExport(dir);
    let summary: ImportSummary;
    try {
      summary = await importExport(store, archive, { charter, includePrivate: false });
    } finally {
      await archive.close();
    }
    const weeks = Array.from({ length: opts.weeks }, (_, i) => start.plus({ weeks: i }).toISODate() as string);
    const { reports, channels } = await buildReportSet(store.db, DEMO_TEAM, { asOf: opts.now, charter, weeks });
    return { teamId: DEMO_TEAM, summary, reports, channels };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
