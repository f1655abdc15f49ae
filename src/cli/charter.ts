import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { loadCharter, saveCharter } from '../store/charters';
import { openCliStore, readCharterFile, runCli, UsageError } from './common';

const USAGE = 'usage: npm run charter -- --team T [--set FILE] [--show]';

/** npm run charter: charter as code. --set validates a YAML/JSON file and stores it; --show prints the charter in force. */
runCli(async () => {
  let args;
  try {
    args = parseArgs({ options: { team: { type: 'string' }, set: { type: 'string' }, show: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const team = args.values.team;
  if (!team) throw new UsageError(USAGE);
  // Validate before touching the store: a bad file changes nothing.
  const next = args.values.set ? await readCharterFile(args.values.set) : undefined;
  const store = await openCliStore();
  try {
    if (next !== undefined) {
      await saveCharter(store.db, team, next, 'cli');
      process.stderr.write(`charter for ${team} saved from ${args.values.set}\n`);
    }
    if (next === undefined || args.values.show) {
      const { charter, stored, problems } = await loadCharter(store.db, team);
      const note = stored ? (problems.length > 0 ? `# the stored charter is invalid (${problems.join('; ')}); the defaults are in force\n` : '') : `# no charter stored for ${team}: these are the defaults\n`;
      process.stdout.write(`${note}${stringify(charter)}`);
    }
    return 0;
  } finally {
    await store.close();
  }
});
