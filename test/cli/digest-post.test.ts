import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WeeklyReport } from '../../src/domain/report';
import { generateExport } from '../../src/services/demo-export';
import { cliStore, runScript } from '../helpers/cli';
import { FakeSlack } from '../helpers/fake-slack';
import { seal, sealKey } from '../../src/slack/installations';
import { saveInstallation } from '../../src/store/installations';

const TEAM = 'T0TEAM0001';
const DIGEST = 'C0DIGEST01';
const WEEK = '2026-11-23';
const AS_OF = '2026-11-30T09:00:00Z';

describe('npm run digest: bad input and --post', () => {
  let store: Awaited<ReturnType<typeof cliStore>>;
  let fake: FakeSlack;
  const work = mkdtempSync(join(tmpdir(), 'ac-digest-cli-'));

  beforeAll(async () => {
    store = await cliStore();
    fake = await new FakeSlack().start();
    fake.addChannel({ id: DIGEST, name: 'team-health', memberCount: 30 });
    generateExport(join(work, 'export'), 800, { weeks: 3, start: new Date('2026-11-09T00:00:00Z'), teamId: TEAM });
    expect((await runScript('audit', [join(work, 'export'), '--json'], store.env)).code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await fake.stop();
    await store.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  const slackEnv = () => ({ ...store.env, SLACK_BOT_TOKEN: fake.token, SLACK_API_URL: fake.apiUrl });
  const oneLine = (stderr: string) => {
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
    return lines[0];
  };

  it.each([
    ['no --team', ['--week', WEEK], /^--team is missing: the Slack team id, such as T0123ABCD \(usage: npm run digest -- /],
    ['no --week', ['--team', TEAM], /^--week is missing: any day of the week, as YYYY-MM-DD \(usage: /],
    ['a week outside the calendar', ['--team', TEAM, '--week', '0001-01-01'], /^--week 0001-01-01: outside the calendar this app reports on \(weeks from 1969-12-29\)$/],
    ['a date that does not exist', ['--team', TEAM, '--week', '2026-02-30'], /^--week 2026-02-30: not a date YYYY-MM-DD$/],
    ['an unknown team, with --post', ['--team', 'T0X', '--week', WEEK, '--post', '--as-of', AS_OF], /^no data for team T0X; teams in this store: T0TEAM0001$/],
    ['posting a week after as_of', ['--team', TEAM, '--week', '2026-12-09', '--post', '--as-of', AS_OF], /^--week 2026-12-09: the week of 2026-12-07 has not ended yet/],
    ['--force without --post', ['--team', TEAM, '--week', WEEK, '--force'], /^--force goes with --post \(it posts the digest again\)$/],
    ['posting a week that has not ended', ['--team', TEAM, '--week', '2026-11-25', '--post', '--as-of', '2026-11-27T12:00:00Z'], /^--week 2026-11-25: the week of 2026-11-23 has not ended yet \(it ends 2026-11-30T00:00:00.000Z\); a digest is posted for a finished week$/],
    ['an unknown option', ['--team', TEAM, '--week', WEEK, '--colour'], /^Unknown option '--colour'.* \(usage: /],
  ])('%s: exit 2, one line, no stack', async (_name, args, message) => {
    const r = await runScript('digest', args, slackEnv());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(oneLine(r.stderr)).toMatch(message);
  }, 60_000);

  // SPEC §7: an empty week prints a report with zero counts and null ratios, exit 0.
  it.each([
    ['a week after as_of', ['--team', TEAM, '--week', '2026-12-09', '--as-of', AS_OF], TEAM, '2026-12-07', /^warning: --week 2026-12-09: the week of 2026-12-07 starts after as_of 2026-11-30T09:00:00.000Z; nothing has happened in it yet\. The report is empty$/],
    ['an unknown team', ['--team', 'T0X', '--week', WEEK, '--as-of', AS_OF], 'T0X', WEEK, /^warning: no data for team T0X; teams in this store: T0TEAM0001\. The report is empty$/],
  ])('%s: the empty report, exit 0, and why on stderr', async (_name, args, team, weekStart, warning) => {
    const r = await runScript('digest', [...args, '--json'], store.env);
    expect(r.code).toBe(0);
    expect(oneLine(r.stderr)).toMatch(warning);
    const report = JSON.parse(r.stdout) as WeeklyReport;
    expect(report).toMatchObject({ team_id: team, week_start: weekStart, as_of: '2026-11-30T09:00:00.000Z', messages: 0, requests: 0, compliance: null, channels: [] });
    const table = await runScript('digest', args, store.env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^${weekStart} +0 +0 `, 'm'));
  }, 60_000);

  it('a week long before the data (the first week of the calendar, that of the Unix epoch): the empty report, exit 0', async () => {
    // As of the week after (working time is laid out from the week to as_of: decades of it cost seconds).
    const r = await runScript('digest', ['--team', TEAM, '--week', '1970-01-01', '--as-of', '1970-01-05T00:00:00Z', '--json'], store.env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ team_id: TEAM, week_start: '1969-12-29', as_of: '1970-01-05T00:00:00.000Z', messages: 0, requests: 0, compliance: null, channels: [] });
  }, 60_000);

  it('--post without a bot token or without a digest channel: exit 2, nothing posted', async () => {
    const noToken = await runScript('digest', ['--team', TEAM, '--week', WEEK, '--post'], store.env);
    expect(noToken.code).toBe(2);
    expect(oneLine(noToken.stderr)).toMatch(/^SLACK_BOT_TOKEN is not set: posting needs the bot token/);
    const noChannel = await runScript('digest', ['--team', TEAM, '--week', WEEK, '--post', '--as-of', AS_OF], slackEnv());
    expect(noChannel.code).toBe(2);
    expect(noChannel.stdout).toBe('');
    expect(oneLine(noChannel.stderr)).toBe(`the charter of ${TEAM} has no digest.channel: set one (digest: { channel: C0123ABCD }) with npm run charter -- --team ${TEAM} --set FILE`);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(0);
  }, 60_000);

  it('--post posts through the claim: once, then "already posted", then again with --force', async () => {
    const charter = join(work, 'charter.yml');
    writeFileSync(charter, `digest: { channel: ${DIGEST} }\n`);
    expect((await runScript('charter', ['--team', TEAM, '--set', charter], store.env)).code).toBe(0);

    const first = await runScript('digest', ['--team', TEAM, '--week', '2026-11-25', '--post', '--json', '--as-of', AS_OF], slackEnv());
    expect(first.code).toBe(0);
    // --json: stdout holds only the report; what happened goes to stderr.
    const report = JSON.parse(first.stdout) as WeeklyReport;
    expect(report).toMatchObject({ team_id: TEAM, week_start: WEEK, as_of: '2026-11-30T09:00:00.000Z' });
    expect(first.stderr).toMatch(new RegExp(`^digest for ${TEAM}, week of ${WEEK}: posted to ${DIGEST} \\(ts \\d+\\.\\d+\\), chart in the thread\\n$`));
    const post = fake.callsTo('chat.postMessage')[0];
    expect(post?.args.metadata).toEqual({ event_type: 'async_charter_digest', event_payload: { team_id: TEAM, week_start: WEEK } });
    expect(String(post?.args.text)).toContain(`${(Math.round((report.compliance ?? 0) * 1000) / 10).toFixed(1)}% of requests answered within the charter window`);
    expect(fake.uploadedFiles()).toHaveLength(1);

    const again = await runScript('digest', ['--team', TEAM, '--week', WEEK, '--post', '--as-of', AS_OF], slackEnv());
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`week of ${WEEK} was already posted to ${DIGEST} \\(ts \\d+\\.\\d+\\); add --force to post it again`));
    expect(again.stdout).toMatch(/^Team T0TEAM0001 · weeks start Monday 00:00 UTC/);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);

    const forced = await runScript('digest', ['--team', TEAM, '--week', WEEK, '--post', '--force', '--as-of', AS_OF], slackEnv());
    expect(forced.code).toBe(0);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
    expect(fake.uploadedFiles()).toHaveLength(2);
  }, 120_000);

  it("--post only into the token's own workspace (auth.test's team_id): another team's digest is refused with exit 2; a token Slack refuses, exit 1; nothing posted", async () => {
    const posts = fake.callsTo('chat.postMessage').length;
    fake.override('auth.test', { body: { ok: true, url: 'https://other.slack.com/', team: 'Other', user: 'asynccharter', team_id: 'T0OTHER001', user_id: 'U0BOT00001', bot_id: 'B0BOT00001' } });
    const other = await runScript('digest', ['--team', TEAM, '--week', '2026-11-16', '--post', '--as-of', AS_OF], slackEnv());
    expect(other.code).toBe(2);
    expect(other.stdout).toBe('');
    expect(oneLine(other.stderr)).toBe(`--post --team ${TEAM}: SLACK_BOT_TOKEN belongs to workspace T0OTHER001 (auth.test); a team's digest is posted only in its own workspace`);
    fake.override('auth.test', { body: { ok: false, error: 'invalid_auth' } });
    const refused = await runScript('digest', ['--team', TEAM, '--week', '2026-11-16', '--post', '--as-of', AS_OF], slackEnv());
    expect(refused.code).toBe(1);
    expect(oneLine(refused.stderr)).toBe(`digest for ${TEAM}, week of 2026-11-16 not posted: Slack did not say which workspace SLACK_BOT_TOKEN belongs to (auth.test: invalid_auth)`);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(posts);
  }, 60_000);

  it('Slack refusing the post: exit 1 with its reason, and the claim is let go for a later try', async () => {
    fake.override('chat.postMessage', { body: { ok: false, error: 'restricted_action' } });
    const r = await runScript('digest', ['--team', TEAM, '--week', '2026-11-16', '--post', '--as-of', AS_OF], slackEnv());
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/^digest for T0TEAM0001, week of 2026-11-16 not posted: Slack answered restricted_action$/);
    // Asked again at once (its cause fixed): not held back by the schedule's backoff after the failure.
    const again = await runScript('digest', ['--team', TEAM, '--week', '2026-11-16', '--post', '--as-of', AS_OF], slackEnv());
    expect(again.stderr).toMatch(new RegExp(`^digest for ${TEAM}, week of 2026-11-16: posted to ${DIGEST} \\(ts \\d+\\.\\d+\\), chart in the thread\\n$`));
    expect(again.code).toBe(0);
  }, 60_000);

  it('a chart Slack refuses: the message is posted and says so, exit 1; --post again adds the chart, without a second message', async () => {
    const posts = fake.callsTo('chat.postMessage').length;
    const uploads = fake.uploadedFiles().length;
    fake.override('files.getUploadURLExternal', { body: { ok: false, error: 'invalid_arguments' } });
    const first = await runScript('digest', ['--team', TEAM, '--week', '2026-11-09', '--post', '--as-of', AS_OF], slackEnv());
    expect(first.code).toBe(1);
    expect(oneLine(first.stderr)).toMatch(new RegExp(`^digest for ${TEAM}, week of 2026-11-09: posted to ${DIGEST} \\(ts \\d+\\.\\d+\\), but not its chart: Slack answered invalid_arguments; run --post again to add it$`));
    expect(fake.callsTo('chat.postMessage')).toHaveLength(posts + 1);
    const again = await runScript('digest', ['--team', TEAM, '--week', '2026-11-09', '--post', '--as-of', AS_OF], slackEnv());
    expect(again.stderr).toMatch(/posted to C0DIGEST01 \(ts \d+\.\d+\), chart in the thread\n$/);
    expect(again.code).toBe(0);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(posts + 1);
    expect(fake.uploadedFiles()).toHaveLength(uploads + 1);
  }, 60_000);

  it('OAuth mode (no SLACK_BOT_TOKEN): --post uses the team\'s stored installation, opened with TOKEN_ENCRYPTION_KEY; none stored, or another key: exit 2, nothing posted', async () => {
    const key = 'cli-token-encryption-key-0123456789';
    const token = 'xoxb-installed-team-token';
    fake.addWorkspace({ teamId: TEAM, botUserId: 'U0BOT00001', botId: 'B0BOT00001', token });
    const oauthEnv = (k: string) => ({ ...store.env, SLACK_CLIENT_ID: fake.clientId, SLACK_CLIENT_SECRET: fake.clientSecret, SLACK_STATE_SECRET: 'state', TOKEN_ENCRYPTION_KEY: k, SLACK_API_URL: fake.apiUrl });
    const posts = fake.callsTo('chat.postMessage').length;
    const none = await runScript('digest', ['--team', TEAM, '--week', '2026-11-09', '--post', '--force', '--as-of', AS_OF], oauthEnv(key));
    expect(none.code).toBe(2);
    expect(oneLine(none.stderr)).toBe(`--post --team ${TEAM}: that workspace has not installed the app (OAuth mode: no installation stored); set SLACK_BOT_TOKEN to post with a token instead`);

    const db = await store.open();
    try {
      const installation = { team: { id: TEAM, name: 'Acme' }, bot: { id: 'B0BOT00001', userId: 'U0BOT00001', token, scopes: ['chat:write'] }, user: { id: 'U0INSTALL1' }, isEnterpriseInstall: false };
      await saveInstallation(db.db, { teamId: TEAM, enterpriseId: null, botUserId: 'U0BOT00001', botId: 'B0BOT00001', sealed: seal(sealKey(key), TEAM, JSON.stringify(installation)) });
    } finally {
      await db.close();
    }
    const wrongKey = await runScript('digest', ['--team', TEAM, '--week', '2026-11-09', '--post', '--force', '--as-of', AS_OF], oauthEnv('another-key-of-at-least-32-characters'));
    expect(wrongKey.code).toBe(2);
    expect(oneLine(wrongKey.stderr)).toMatch(/does not open with TOKEN_ENCRYPTION_KEY/);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(posts);

    const posted = await runScript('digest', ['--team', TEAM, '--week', '2026-11-09', '--post', '--force', '--as-of', AS_OF], oauthEnv(key));
    expect(posted.stderr).toMatch(/posted to C0DIGEST01 \(ts \d+\.\d+\), chart in the thread\n$/);
    expect(posted.code).toBe(0);
    const calls = fake.callsTo('chat.postMessage');
    expect(calls).toHaveLength(posts + 1);
    expect(calls.at(-1)?.token).toBe(token);
  }, 90_000);
});
