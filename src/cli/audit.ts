import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { defaultCharter } from '../domain/charter';
import { openExport } from '../services/export-reader';
import { importExport } from '../services/export-import';
import { buildReports } from '../services/reports';
import { openCliStore, parseAsOf, readCharterFile, runCli, UsageError } from './common';
import { reportHtml, reportTable } from './format';

const USAGE = 'usage: npm run audit -- <export.zip or folder> [--json] [--charter FILE] [--as-of ISO] [--include-private] [--html FILE]';

/** npm run audit: imports a Slack export into the store and prints the baseline report for every week. */
runCli(async () => {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, charter: { type: 'string' }, 'as-of': { type: 'string' }, 'include-private': { type: 'boolean', default: false }, html: { type: 'string' }, help: { type: 'boolean', default: false } },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [path, ...extra] = args.positionals;
  if (path === undefined || extra.length > 0) throw new UsageError(USAGE);
  const charter = args.values.charter ? await readCharterFile(args.values.charter) : defaultCharter();
  const asOfArg = parseAsOf(args.values['as-of']);

  const archive = await openExport(path);
  const store = await openCliStore();
  try {
    const bar = process.stderr.isTTY ? new SingleBar({ format: 'importing {bar} {value}/{total} files', stream: process.stderr, hideCursor: true }) : undefined;
    const summary = await importExport(store, archive, {
      charter,
      includePrivate: args.values['include-private'] === true,
      onProgress: (done, total) => {
        if (bar === undefined) return;
        if (done === 0) bar.start(total, 0);
        else bar.update(done);
      },
    });
    bar?.stop();
    for (const w of summary.warnings) process.stderr.write(`warning: ${w}\n`);
    process.stderr.write(`imported ${summary.messages} human messages (${summary.inserted} new) from ${summary.files} files in ${summary.channels} channels; ${summary.users} people\n`);

    const asOf = asOfArg ?? (summary.newestAt !== null ? new Date(summary.newestAt) : new Date());
    const reports = await buildReports(store.db, summary.storeTeamId, { asOf, charter, reportTeamId: summary.teamId });
    if (args.values.html) await writeFile(args.values.html, reportHtml(reports));
    process.stdout.write(args.values.json ? `${JSON.stringify(reports, null, 2)}\n` : reportTable(reports));
    return 0;
  } finally {
    await archive.close();
    await store.close();
  }
});
