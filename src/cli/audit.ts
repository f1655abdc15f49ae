import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { defaultCharter } from '../domain/charter';
import { openExport } from '../services/export-reader';
import { importExport } from '../services/export-import';
import { reportHtml } from '../services/report-html';
import { buildReportSet } from '../services/reports';
import { channelNames } from '../store/channels';
import { openCliStore, parseAsOf, readCharterFile, runCli, UsageError, userPath } from './common';
import { reportTable } from './format';

const USAGE = 'usage: npm run audit -- <export.zip or folder> [--json] [--charter FILE] [--as-of ISO] [--include-private] [--html FILE]';

const errCode = (err: unknown) => (err as NodeJS.ErrnoException)?.code;

/** Throws a one-line UsageError unless a file can be written at `path` (its folder exists and is writable; it is not a folder). */
async function checkWritable(path: string): Promise<void> {
  const fail = (why: string) => new UsageError(`--html ${path}: cannot write there (${why})`);
  if (path === '' || path.endsWith('/')) throw fail('not a file name');
  const file = resolve(path);
  const dir = dirname(file);
  try {
    if (!(await stat(dir)).isDirectory()) throw fail('a parent is not a directory');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw fail(errCode(err) === 'ENOENT' ? 'no such directory' : errCode(err) === 'ENOTDIR' ? 'a parent is not a directory' : `cannot reach ${dir}`);
  }
  try {
    if ((await stat(file)).isDirectory()) throw fail('it is a directory');
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
  // The page is written as a temporary file beside it, then renamed: try exactly that now.
  const probe = join(dir, `.${basename(file)}.${process.pid}.probe`);
  try {
    await writeFile(probe, '', { flag: 'wx' });
  } catch (err) {
    throw fail(errCode(err) === 'EACCES' || errCode(err) === 'EPERM' || errCode(err) === 'EROFS' ? 'the directory is not writable' : `cannot create a file in ${dir} (${errCode(err) ?? 'error'})`);
  }
  await rm(probe, { force: true });
}

/** Writes the file whole or not at all: a temporary file beside it, renamed over it. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const file = resolve(path);
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, text);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

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
  if (path === undefined) throw new UsageError(`the export is missing: give a Slack export .zip or its unpacked folder (${USAGE})`);
  if (extra.length > 0) throw new UsageError(`one export at a time: ${extra.join(' ')} is extra (${USAGE})`);
  const htmlPath = args.values.html === undefined ? undefined : userPath(args.values.html);
  // Before anything is read or imported: a report that cannot be written fails now, not after the import.
  if (htmlPath !== undefined) await checkWritable(htmlPath);
  const charter = args.values.charter ? await readCharterFile(userPath(args.values.charter)) : defaultCharter();
  const asOfArg = parseAsOf(args.values['as-of']);

  const archive = await openExport(userPath(path));
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
    process.stderr.write(`imported ${summary.messages} messages (${summary.inserted} new) from ${summary.files} files in ${summary.channels} channels; ${summary.users} people\n`);

    const asOf = asOfArg ?? (summary.newestAt !== null ? new Date(summary.newestAt) : new Date());
    const { reports, channels } = await buildReportSet(store.db, summary.storeTeamId, { asOf, charter, reportTeamId: summary.teamId });
    const names = args.values.json && htmlPath === undefined ? new Map<string, string>() : await channelNames(store.db, summary.storeTeamId);
    if (htmlPath !== undefined) {
      await writeAtomically(htmlPath, await reportHtml(reports, { channelNames: names, channels, title: `Async Charter baseline: ${basename(archive.label)}` }));
      process.stderr.write(`wrote the HTML report to ${htmlPath}\n`);
    }
    process.stdout.write(args.values.json ? `${JSON.stringify(reports, null, 2)}\n` : reportTable(reports, { channelNames: names, channels }));
    return 0;
  } finally {
    await archive.close();
    await store.close();
  }
});
