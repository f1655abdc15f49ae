import { loadStoreConfig, processEnv } from '../src/config';
import { defaultCharter } from '../src/domain/charter';
import { openExport } from '../src/services/export-reader';
import { importExport } from '../src/services/export-import';
import { buildReports } from '../src/services/reports';
import { connectStore } from '../src/store/connect';
import { migrateToLatest } from '../src/store/migrate';
import { drainRequests } from '../src/store/requests';

/**
 * One audit run (import + every weekly report) in this process; prints timings and peak memory
 * as JSON: import_msgs_per_s and import_peak_rss_mb are taken as the import ends, before the
 * reports. Between the two, requests_s: computing the imported team's requests table (the import
 * marks it stale; the app's requests job or the first report would do it), which the reports
 * would otherwise pay. --import-only skips the reports. BENCH_IMPORT_METHOD (copy|insert) and
 * BENCH_PARSE_WORKERS override the import's defaults.
 */
async function main(): Promise<void> {
  const path = process.argv[2];
  if (!path) throw new Error('usage: tsx bench/audit-once.ts EXPORT [--import-only]');
  const importOnly = process.argv.includes('--import-only');
  const method = process.env.BENCH_IMPORT_METHOD as 'copy' | 'insert' | undefined;
  const workers = process.env.BENCH_PARSE_WORKERS;
  const store = await connectStore(loadStoreConfig(processEnv()));
  await migrateToLatest(store.db);
  const t0 = performance.now();
  const archive = await openExport(path);
  const summary = await importExport(store, archive, {
    charter: defaultCharter(),
    includePrivate: false,
    ...(method ? { method } : {}),
    ...(workers !== undefined && workers !== '' ? { parseWorkers: Number(workers) } : {}),
  });
  const t1 = performance.now();
  const importRss = process.resourceUsage().maxRSS / 1024;
  await drainRequests(store.db, { team: summary.storeTeamId });
  const tr = performance.now();
  const reports = importOnly ? [] : await buildReports(store.db, summary.storeTeamId, { asOf: new Date(summary.newestAt ?? Date.now()), charter: defaultCharter() });
  const t2 = performance.now();
  await archive.close();
  await store.close();
  const requests = reports.reduce((n, r) => n + r.requests, 0);
  const importS = (t1 - t0) / 1000;
  process.stdout.write(
    `${JSON.stringify({
      store: store.kind,
      messages: summary.messages,
      files: summary.files,
      import_s: importS,
      import_msgs_per_s: Math.round(summary.messages / importS),
      import_peak_rss_mb: Math.round(importRss),
      requests_s: (tr - t1) / 1000,
      ...(importOnly ? {} : { weeks: reports.length, requests, report_s: (t2 - tr) / 1000, total_s: (t2 - t0) / 1000, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }),
    })}\n`,
  );
}

void main();
