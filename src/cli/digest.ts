import { parseArgs } from 'node:util';
import { mondayOf } from '../domain/report';
import { buildReports } from '../services/reports';
import { openCliStore, parseAsOf, runCli, UsageError } from './common';
import { reportTable } from './format';

const USAGE = 'usage: npm run digest -- --team T --week YYYY-MM-DD [--json] [--as-of ISO]';

/** npm run digest: the weekly report of one team and week, from the store. */
runCli(async () => {
  let args;
  try {
    args = parseArgs({ options: { team: { type: 'string' }, week: { type: 'string' }, json: { type: 'boolean', default: false }, 'as-of': { type: 'string' }, post: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { team, week } = args.values;
  if (!team || !week) throw new UsageError(USAGE);
  const monday = mondayOf(week);
  if (monday === null) throw new UsageError(`--week ${week}: not a date YYYY-MM-DD`);
  if (args.values.post) throw new UsageError('--post is not available yet: print the digest with --json or as a table instead');
  const asOf = parseAsOf(args.values['as-of']) ?? new Date();
  const store = await openCliStore();
  try {
    const [report] = await buildReports(store.db, team, { weeks: [monday], asOf });
    process.stdout.write(args.values.json ? `${JSON.stringify(report, null, 2)}\n` : reportTable(report ? [report] : []));
    return 0;
  } finally {
    await store.close();
  }
});
