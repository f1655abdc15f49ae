import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateExport } from '../src/services/demo-export';
import { importBesideCopy } from './import-baseline';
import { houstonTexts } from './corpus';

/**
 * npm run bench: audit of a generated 100k-message export (and the import alone of a 1M-message
 * one, BENCH_IMPORT_MESSAGES, and on Postgres of a 300k one with real messages' texts,
 * BENCH_REAL_TEXT_MESSAGES), the SPEC §5 report of a 1M-message week on Postgres beside count(*)
 * (bench/report-once.ts), the weekly digest of a workspace
 * with 100k messages in one week (built and posted to the local fake Slack), and ingest of signed
 * events (the app beside a bare Bolt app that only acks, two rounds for flatness), on embedded PGlite
 * and (when DATABASE_URL is set) on Postgres. Each run is its own process, so peak RSS is its own.
 * BENCH_MESSAGES changes the size.
 */
const count = Number(process.env.BENCH_MESSAGES ?? 100_000);
const work = mkdtempSync(join(tmpdir(), 'ac-bench-'));
try {
  const exportDir = join(work, 'export');
  const g0 = performance.now();
  const made = generateExport(exportDir, count);
  process.stderr.write(`generated ${made.messages} messages (${made.replies} of them answers) in ${((performance.now() - g0) / 1000).toFixed(1)} s\n`);
  const tsx = join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const runs: Array<{ label: string; env: NodeJS.ProcessEnv }> = [{ label: 'pglite', env: { ...process.env, DATABASE_URL: '', DATA_DIR: join(work, 'data') } }];
  if (process.env.DATABASE_URL) {
    const schema = `bench_${process.pid}`;
    execFileSync('psql', [process.env.DATABASE_URL, '-qc', `set client_min_messages = warning; drop schema if exists ${schema} cascade; create schema ${schema}`]);
    const url = new URL(process.env.DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    runs.push({ label: 'postgres', env: { ...process.env, DATABASE_URL: url.toString() } });
  }
  // Reports at scale (issue 10): a Postgres workspace with 1M human messages in one week (300k requests,
  // 2,000 people in 20 zones, 500 channels), built in SQL; its SPEC §5 report as `digest --json` builds it,
  // beside count(*) over the same rows, each time in a process of its own: early here, late after the rest.
  // BENCH_REPORT=0 skips it.
  const reportRun = process.env.BENCH_REPORT === '0' ? undefined : runs.find((r) => r.label === 'postgres');
  const reportAtScale = (when: string) => {
    if (reportRun === undefined) return;
    const out = execFileSync(tsx, [join(__dirname, 'report-once.ts'), 'measure', 'T0BENCH1M', '2026-11-23'], { env: reportRun.env, encoding: 'utf8', maxBuffer: 1 << 20 });
    process.stdout.write(`report 1M postgres (${when}): ${out}`);
  };
  if (reportRun !== undefined) {
    execFileSync(tsx, [join(__dirname, 'report-once.ts'), 'seed', 'T0BENCH1M', '2026-11-23'], { env: reportRun.env, stdio: ['ignore', 'ignore', 'inherit'] });
    reportAtScale('early');
    // App Home's figures of the person asked most, and one channel's `/async stats`, in the same workspace;
    // BENCH_PERSONAL_BASELINE=1 adds the way they were read before (the team's rows: ~45 s and ~1.9 GB).
    const modes = process.env.BENCH_PERSONAL_BASELINE === '1' ? [[], ['team-rows']] : [[]];
    for (const extra of modes) {
      const out = execFileSync(tsx, [join(__dirname, 'report-once.ts'), 'personal', 'T0BENCH1M', '2026-11-23', ...extra], { env: reportRun.env, encoding: 'utf8', maxBuffer: 1 << 20 });
      process.stdout.write(`personal figures 1M postgres: ${out}`);
    }
  }
  // End of the reports-at-scale region.

  for (const run of runs) {
    const out = execFileSync(tsx, [join(__dirname, 'audit-once.ts'), exportDir], { env: run.env, encoding: 'utf8', maxBuffer: 1 << 20 });
    process.stdout.write(`audit ${run.label}: ${out}`);
  }
  // The import alone of a larger export (a team of its own), for msgs/s and peak RSS at scale.
  // BENCH_IMPORT_MESSAGES sets the size (default 1M; 0 skips it).
  const bigCount = Number(process.env.BENCH_IMPORT_MESSAGES ?? 1_000_000);
  if (bigCount > 0) {
    const bigDir = join(work, 'export-big');
    const b0 = performance.now();
    const big = generateExport(bigDir, bigCount, { teamId: 'T0BENCHIMP' });
    process.stderr.write(`generated ${big.messages} messages for the import in ${((performance.now() - b0) / 1000).toFixed(1)} s\n`);
    for (const run of runs) {
      const env = run.label === 'pglite' ? { ...run.env, DATA_DIR: join(work, 'data-import') } : run.env;
      const out = execFileSync(tsx, [join(__dirname, 'audit-once.ts'), bigDir, '--import-only'], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
      process.stdout.write(`import ${run.label}: ${out}`);
    }
    if (process.env.DATABASE_URL) importBesideCopy(process.env.DATABASE_URL, bigDir, 'T0BENCHIMP', join(work, 'import-rows.tsv'));
    rmSync(bigDir, { recursive: true, force: true });
    rmSync(join(work, 'data-import'), { recursive: true, force: true });
  }
  // The same import with real messages' texts (the houstondatavis export's, drawn at random) instead of
  // "lorem ipsum": the classifier works on them as on a real export. Postgres only; a team of its own.
  // BENCH_REAL_TEXT_MESSAGES sets the size (default 300k; 0 skips it).
  const realCount = Number(process.env.BENCH_REAL_TEXT_MESSAGES ?? 300_000);
  const realRun = runs.find((r) => r.label === 'postgres');
  if (realCount > 0 && realRun !== undefined) {
    const realDir = join(work, 'export-real');
    const made = generateExport(realDir, realCount, { teamId: 'T0BENCHREAL', texts: houstonTexts() });
    const out = execFileSync(tsx, [join(__dirname, 'audit-once.ts'), realDir, '--import-only'], { env: realRun.env, encoding: 'utf8', maxBuffer: 1 << 20 });
    process.stdout.write(`import real texts ${realRun.label} (${made.messages} messages): ${out}`);
    rmSync(realDir, { recursive: true, force: true });
  }

  // The digest: every message in one week (the week of Monday 2026-11-23), a separate team.
  const weekDir = join(work, 'week');
  const w0 = performance.now();
  const week = generateExport(weekDir, count, { weeks: 1, start: new Date('2026-11-23T00:00:00Z'), teamId: 'T0BENCHWK1' });
  process.stderr.write(`generated ${week.messages} messages in one week in ${((performance.now() - w0) / 1000).toFixed(1)} s\n`);
  for (const run of runs) {
    const env = run.label === 'pglite' ? { ...run.env, DATA_DIR: join(work, 'data-digest') } : run.env;
    const out = execFileSync(tsx, [join(__dirname, 'digest-once.ts'), weekDir, 'T0BENCHWK1', '2026-11-23'], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
    process.stdout.write(`digest ${run.label}: ${out}`);
  }
  // Ingest: signed events from 20 connections, two rounds each, alternating with bare Bolt's (its own
  // process) so that each store's app is compared with a bare round of the same minute.
  for (const run of runs) {
    const env = run.label === 'pglite' ? { ...run.env, DATA_DIR: join(work, 'data-ingest') } : run.env;
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'ingest-once.ts'), 'both'], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
    for (const line of out.trim().split('\n')) process.stdout.write(`ingest ${run.label}: ${line}\n`);
  }
  reportAtScale('late'); // reports at scale, late
  if (process.env.DATABASE_URL) execFileSync('psql', [process.env.DATABASE_URL, '-qc', `set client_min_messages = warning; drop schema if exists bench_${process.pid} cascade`]);
} finally {
  rmSync(work, { recursive: true, force: true });
}
