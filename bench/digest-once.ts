import { loadStoreConfig, processEnv } from '../src/config';
import { createLogger } from '../src/logger';
import { makeCharter } from '../test/helpers/charter';
import { FakeSlack } from '../test/helpers/fake-slack';
import { renderPng } from '../src/services/charts';
import { DigestService } from '../src/services/digest';
import { openExport } from '../src/services/export-reader';
import { importExport } from '../src/services/export-import';
import { digestSlackPort } from '../src/slack/digest-port';
import { upsertWorkspace } from '../src/store/activity';
import { saveCharter } from '../src/store/charters';
import { connectStore } from '../src/store/connect';
import { migrateToLatest } from '../src/store/migrate';

/**
 * One digest run in this process: imports an export whose messages all fall in one week, then
 * builds and posts that week's digest (report of six weeks, nudge outcomes, channel sizes,
 * chart, chat.postMessage, upload) to the local fake Slack Web API, twice (the second with
 * --force semantics), and prints timings and peak memory as JSON.
 */
async function main(): Promise<void> {
  const [path, team, week] = process.argv.slice(2);
  if (!path || !team || !week) throw new Error('usage: tsx bench/digest-once.ts EXPORT TEAM WEEK');
  const fake = await new FakeSlack().start();
  fake.teamId = team;
  fake.addChannel({ id: 'C0DIGEST01', name: 'team-health', memberCount: 40 });
  const store = await connectStore(loadStoreConfig(processEnv()));
  await migrateToLatest(store.db);
  const charter = makeCharter({ digest: { channel: 'C0DIGEST01' } });
  const t0 = performance.now();
  const archive = await openExport(path);
  const summary = await importExport(store, archive, { charter, includePrivate: false });
  await archive.close();
  await saveCharter(store.db, team, charter, 'bench');
  await upsertWorkspace(store.db, team, fake.botUserId, fake.botId);
  const t1 = performance.now();
  const logger = createLogger({ level: 'error', fd: 2 });
  const asOf = new Date(Date.parse(`${week}T00:00:00Z`) + 7 * 86_400_000 + 9 * 3_600_000);
  const digests = new DigestService({ store, logger, teams: () => [team], now: () => asOf.getTime(), renderChart: (spec) => renderPng(spec), slack: digestSlackPort({ token: fake.token, apiUrl: fake.apiUrl, logger }) });
  const timed = async (force: boolean) => {
    const c0 = performance.now();
    const digest = await digests.compose(team, week, asOf, charter);
    const c1 = performance.now();
    const out = await digests.post(team, week, { force, asOf, charter });
    const c2 = performance.now();
    if (out.status !== 'posted') throw new Error(`digest not posted: ${JSON.stringify(out)}`);
    return { compose_s: (c1 - c0) / 1000, post_s: (c2 - c1) / 1000, week_messages: digest.report.messages, week_requests: digest.report.requests };
  };
  const first = await timed(false);
  const second = await timed(true);
  await store.close();
  await fake.stop();
  process.stdout.write(
    `${JSON.stringify({ store: store.kind, imported: summary.messages, import_s: (t1 - t0) / 1000, first, second, posts: fake.callsTo('chat.postMessage').length, uploads: fake.uploadedFiles().length, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
}

void main();
