import { parseArgs } from 'node:util';
import { loadSlackClientConfig, processEnv, slackApiBase } from '../config';
import { createLogger } from '../logger';
import { mondayOf, weekBounds } from '../domain/report';
import { renderPng } from '../services/charts';
import { DigestService } from '../services/digest';
import { buildReports } from '../services/reports';
import { digestSlackPort, tokenTeam } from '../slack/digest-port';
import { sealKey, unseal } from '../slack/installations';
import { loadCharter } from '../store/charters';
import { loadInstallation } from '../store/installations';
import { channelNames } from '../store/channels';
import { hasTeam, knownTeams } from '../store/report-data';
import { openCliStore, parseAsOf, runCli, UsageError } from './common';
import { reportTable } from './format';

const USAGE = 'usage: npm run digest -- --team T --week YYYY-MM-DD [--json] [--as-of ISO] [--post [--force]]';
/**
 * The first week this app reports on: the week of the Unix epoch, where Slack's timestamps start.
 * Any later week with nothing in it is a report with zero counts (SPEC §7, empty week).
 */
const FIRST_WEEK = '1969-12-29';

/**
 * npm run digest: the weekly report of one team and week, from the store. --post posts the
 * Slack digest now, through the same claim as the schedule (once per team and week; --force
 * posts it again).
 */
runCli(async () => {
  let args;
  try {
    args = parseArgs({
      options: {
        team: { type: 'string' },
        week: { type: 'string' },
        json: { type: 'boolean', default: false },
        'as-of': { type: 'string' },
        post: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]} (${USAGE})`);
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!v.team) throw new UsageError(`--team is missing: the Slack team id, such as T0123ABCD (${USAGE})`);
  if (!v.week) throw new UsageError(`--week is missing: any day of the week, as YYYY-MM-DD (${USAGE})`);
  if (v.force && !v.post) throw new UsageError('--force goes with --post (it posts the digest again)');
  const monday = mondayOf(v.week);
  if (monday === null) throw new UsageError(`--week ${v.week}: not a date YYYY-MM-DD`);
  if (monday < FIRST_WEEK) throw new UsageError(`--week ${v.week}: outside the calendar this app reports on (weeks from ${FIRST_WEEK})`);
  const asOf = parseAsOf(v['as-of']) ?? new Date();
  const env = processEnv();
  // OAuth mode (no SLACK_BOT_TOKEN): the digest goes out with the token of the team's stored installation.
  const viaInstallation = v.post === true && !env.SLACK_BOT_TOKEN?.trim() && Boolean(env.SLACK_CLIENT_ID?.trim()) && Boolean(env.TOKEN_ENCRYPTION_KEY?.trim());
  const slackConfig = v.post ? (viaInstallation ? { token: '', apiUrl: slackApiBase(env.SLACK_API_URL) } : loadSlackClientConfig(env)) : null;
  if (slackConfig !== null && 'error' in slackConfig) throw new UsageError(slackConfig.error);

  const store = await openCliStore();
  try {
    // An empty week is a report with zero counts and null ratios, exit 0 (SPEC §7), whether the store
    // holds nothing of the team or nothing has happened in the week yet; stderr says which.
    if (!(await hasTeam(store.db, v.team))) {
      const teams = await knownTeams(store.db);
      const why = `no data for team ${v.team}; ${teams.length > 0 ? `teams in this store: ${teams.join(', ')}` : 'this store is empty (run npm run audit, or start the app, first)'}`;
      if (slackConfig !== null) throw new UsageError(why);
      process.stderr.write(`warning: ${why}. The report is empty\n`);
    }
    const { charter } = await loadCharter(store.db, v.team);
    const [weekStart, weekEnd] = weekBounds(monday, charter.timezone);
    if (weekStart > asOf.getTime() && slackConfig === null) {
      process.stderr.write(`warning: --week ${v.week}: the week of ${monday} starts after as_of ${asOf.toISOString()}; nothing has happened in it yet. The report is empty\n`);
    }
    if (slackConfig !== null && weekEnd > asOf.getTime()) {
      // Posting it now would mark the week done, and the full week would never be posted.
      throw new UsageError(`--week ${v.week}: the week of ${monday} has not ended yet (it ends ${new Date(weekEnd).toISOString()}); a digest is posted for a finished week`);
    }
    if (slackConfig !== null && charter.digest.channel === null) {
      throw new UsageError(`the charter of ${v.team} has no digest.channel: set one (digest: { channel: C0123ABCD }) with npm run charter -- --team ${v.team} --set FILE`);
    }
    // The outcome of a post is printed below in one line; the service's own warnings would repeat it.
    const logger = createLogger({ level: 'error', fd: 2 });
    if (slackConfig !== null && viaInstallation) slackConfig.token = await installedToken(store.db, v.team, env.TOKEN_ENCRYPTION_KEY ?? '');
    if (slackConfig !== null) {
      // Only into the token's own workspace: another team's figures (an imported export's) never go there.
      const token = await tokenTeam({ ...slackConfig, logger });
      if (!token.ok) {
        process.stderr.write(`digest for ${v.team}, week of ${monday} not posted: Slack did not say which workspace SLACK_BOT_TOKEN belongs to (auth.test: ${token.error})\n`);
        return 1;
      }
      if (token.teamId !== v.team) throw new UsageError(`--post --team ${v.team}: SLACK_BOT_TOKEN belongs to workspace ${token.teamId} (auth.test); a team's digest is posted only in its own workspace`);
    }
    const [report] = await buildReports(store.db, v.team, { weeks: [monday], asOf, charter });
    process.stdout.write(v.json ? `${JSON.stringify(report, null, 2)}\n` : reportTable(report ? [report] : [], { channelNames: await channelNames(store.db, v.team) }));
    if (slackConfig === null) return 0;

    // The CLI posts one digest and never ticks: it serves no team on a schedule.
    const digests = new DigestService({ store, logger, teams: () => [], now: Date.now, renderChart: (spec) => renderPng(spec), slack: digestSlackPort({ ...slackConfig, logger }) });
    // Asked by a person: not held back by the backoff after an earlier failure (they may have fixed its cause).
    const out = await digests.post(v.team, monday, { force: v.force, asOf, charter, now: true });
    switch (out.status) {
      case 'posted':
      case 'found':
        process.stderr.write(`digest for ${v.team}, week of ${monday}: ${out.status === 'found' ? 'already in' : 'posted to'} ${out.channel} (ts ${out.ts})${out.chart ? ', chart in the thread' : ''}\n`);
        return 0;
      case 'already_posted':
        process.stderr.write(`digest for ${v.team}, week of ${monday} was already posted to ${out.channel ?? '?'} (ts ${out.ts ?? '?'}); add --force to post it again\n`);
        return 0;
      case 'busy':
        process.stderr.write(`digest for ${v.team}, week of ${monday} is being posted by another process right now; try again in a few minutes\n`);
        return 1;
      case 'no_channel':
        throw new UsageError(`the charter of ${v.team} has no digest.channel: set one (digest: { channel: C0123ABCD }) with npm run charter -- --team ${v.team} --set FILE`);
      case 'failed':
        process.stderr.write(
          out.posted !== undefined
            ? `digest for ${v.team}, week of ${monday}: posted to ${out.posted.channel} (ts ${out.posted.ts}), but not its chart: ${out.reason}; run --post again to add it\n`
            : `digest for ${v.team}, week of ${monday} not posted: ${out.message}\n`,
        );
        return 1;
    }
  } finally {
    await store.close();
  }
});

/** OAuth mode: the bot token of the team's stored installation, opened with TOKEN_ENCRYPTION_KEY. */
async function installedToken(db: Parameters<typeof loadInstallation>[0], teamId: string, key: string): Promise<string> {
  const row = await loadInstallation(db, teamId);
  if (row === null) throw new UsageError(`--post --team ${teamId}: that workspace has not installed the app (OAuth mode: no installation stored); set SLACK_BOT_TOKEN to post with a token instead`);
  let token: unknown;
  try {
    token = (JSON.parse(unseal(sealKey(key), teamId, row.sealed)) as { bot?: { token?: unknown } }).bot?.token;
  } catch (err) {
    throw new UsageError(`--post --team ${teamId}: ${(err as Error).message}`);
  }
  if (typeof token !== 'string' || token === '') throw new UsageError(`--post --team ${teamId}: the stored installation holds no bot token; install the app again`);
  return token;
}
