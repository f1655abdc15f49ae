import { parseArgs } from 'node:util';
import { importDemoWorkspace } from '../services/demo';
import { channelNames } from '../store/channels';
import { openCliStore, runCli, UsageError } from './common';
import { reportTable } from './format';

const USAGE = 'usage: npm run demo -- [--json] [--messages N]';

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
  const store = await openCliStore();
  try {
    const { teamId, summary, reports } = await importDemoWorkspace(store, { messages: count, weeks: 4, now: new Date() });
    process.stderr.write(`demo workspace ${teamId}: ${summary.messages} messages imported (${summary.inserted} new) from ${summary.users} people\n`);
    if (args.values.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    else process.stdout.write(`${reportTable(reports, { channelNames: await channelNames(store.db, teamId) })}\nTry: npm run digest -- --team ${teamId} --week ${reports.at(-1)?.week_start ?? ''} --json\n`);
    return 0;
  } finally {
    await store.close();
  }
});
