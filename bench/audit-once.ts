import { loadStoreConfig, processEnv } from '../src/config';
import { defaultCharter } from '../src/domain/charter';
import { openExport } from '../src/services/export-reader';
import { importExport } from '../src/services/export-import';
import { buildReports } from '../src/services/reports';
import { connectStore } from '../src/store/connect';
import { migrateToLatest } from '../src/store/migrate';

/** One audit run (import + every weekly report) in this process; prints timings and peak memory as JSON. */
async function main(): Promise<void> {
  const path = process.argv[2];
  if (!path) throw new Error('usage: tsx bench/audit-once.ts EXPORT');
  const store = await connectStore(loadStoreConfig(processEnv()));
  await migrateToLatest(store.db);
  const t0 = performance.now();
  const archive = await openExport(path);
  const summary = await importExport(store, archive, { charter: defaultCharter(), includePrivate: false });
  const t1 = performance.now();
  const reports = await buildReports(store.db, summary.storeTeamId, { asOf: new Date(summary.newestAt ?? Date.now()), charter: defaultCharter() });
  const t2 = performance.now();
  await archive.close();
  await store.close();
  const requests = reports.reduce((n, r) => n + r.requests, 0);
  process.stdout.write(
    `${JSON.stringify({ store: store.kind, messages: summary.messages, files: summary.files, weeks: reports.length, requests, import_s: (t1 - t0) / 1000, report_s: (t2 - t1) / 1000, total_s: (t2 - t0) / 1000, peak_rss_mb: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}

void main();
