import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { describeChange } from '../domain/charter-diff';
import { createLogger } from '../logger';
import { CharterService, CLI_EDITOR } from '../services/charter';
import { openCliStore, readCharterFile, runCli, UsageError, userPath } from './common';

const USAGE = 'usage: npm run charter -- --team T [--set FILE] [--show] [--history]';

/** How many saves --history lists. */
const HISTORY_SHOWN = 10;

/**
 * npm run charter: charter as code. --set validates a YAML/JSON file and stores it (recorded as
 * the CLI; what changed goes to stderr); --show prints the charter in force (the default with
 * no other action); --history prints the last ten saves in words, times in the charter timezone.
 */
runCli(async () => {
  let args;
  try {
    args = parseArgs({
      options: { team: { type: 'string' }, set: { type: 'string' }, show: { type: 'boolean', default: false }, history: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const team = args.values.team;
  if (!team) throw new UsageError(`--team is missing: the Slack team id, such as T0123ABCD (${USAGE})`);
  // Validate before touching the store: a bad file changes nothing.
  const next = args.values.set !== undefined ? await readCharterFile(userPath(args.values.set)) : undefined;
  const store = await openCliStore();
  try {
    const charters = new CharterService({ store, logger: createLogger({ level: 'warn', fd: 2 }), now: Date.now });
    if (next !== undefined) {
      const before = await charters.current(team);
      const changes = await charters.save(team, next, CLI_EDITOR);
      const same = before.stored ? ' (unchanged)' : ' (the same values as the defaults in force until now)';
      const what = changes.length === 0 ? same : `:\n${changes.map((c) => `  ${describeChange(c)}`).join('\n')}`;
      process.stderr.write(`charter for ${team} saved from ${args.values.set}${what}\n`);
    }
    if (args.values.show || (next === undefined && !args.values.history)) {
      const { charter, stored, problems } = await charters.current(team);
      const note = stored ? (problems.length > 0 ? `# the stored charter is invalid (${problems.join('; ')}); the defaults are in force\n` : '') : `# no charter stored for ${team}: these are the defaults\n`;
      // YAML 1.1 quoting: a reader of YAML 1.1 (PyYAML, many tools) takes a plain 17:00 for the number 1020.
      process.stdout.write(`${note}${stringify(charter, { version: '1.1' })}`);
    }
    if (args.values.history) {
      const { charter } = await charters.current(team);
      const lines = await charters.history(team, charter.timezone, HISTORY_SHOWN);
      if (lines.length === 0) process.stderr.write(`no charter saved for ${team} yet\n`);
      else process.stdout.write(`# charter history of ${team}, newest first, times in ${charter.timezone}\n${lines.join('\n')}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
});
