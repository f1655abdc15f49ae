import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clockFrom } from '../../src/config';
import { generateExport } from '../../src/services/demo-export';
import { digestRow } from '../../src/store/digests';
import { SIGNING_SECRET } from '../helpers/app-harness';
import { cliStore, ROOT, runScript } from '../helpers/cli';
import { FakeSlack } from '../helpers/fake-slack';
import { testBackend } from '../helpers/store';

/**
 * The schedule, end to end: real app processes (npm start's entry point) with an injected clock
 * (ASYNC_CHARTER_NOW) against the fake Slack Web API, sharing one store. Crashes are SIGKILLs
 * while Slack holds the answer to chat.postMessage.
 */
const TEAM = 'T0TEAM0001';
const DIGEST = 'C0DIGEST01';

type App = { child: ChildProcess; output: () => string };

describe('weekly digest schedule across processes, restarts and crashes', () => {
  let fake: FakeSlack;
  let store: Awaited<ReturnType<typeof cliStore>>;
  const work = mkdtempSync(join(tmpdir(), 'ac-digest-e2e-'));
  const apps: App[] = [];

  beforeAll(async () => {
    fake = await new FakeSlack().start();
    fake.addChannel({ id: DIGEST, name: 'team-health', memberCount: 40 });
    store = await cliStore();
    const exportDir = join(work, 'export');
    generateExport(exportDir, 1500, { weeks: 8, start: new Date('2026-10-19T00:00:00Z'), teamId: TEAM });
    const imported = await runScript('audit', [exportDir, '--json'], store.env);
    expect(imported.code).toBe(0);
    const charter = join(work, 'charter.yml');
    writeFileSync(charter, `timezone: Europe/Berlin\ndigest: { channel: ${DIGEST}, day: mon, time: "09:00" }\n`);
    expect((await runScript('charter', ['--team', TEAM, '--set', charter], store.env)).code).toBe(0);
  }, 180_000);

  afterEach(() => {
    for (const a of apps.splice(0)) a.child.kill('SIGKILL');
  });
  afterAll(async () => {
    await fake.stop();
    await store.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  function start(now: string): App {
    // Slack's clock and the app's agree, as they do in life (the app looks for its message by ts).
    fake.now = clockFrom(Date.parse(now));
    // node itself with tsx as a loader: the pid killed is the app's (the tsx CLI would run it in a child of its own).
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...store.env, SLACK_BOT_TOKEN: fake.token, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, PORT: '0', LOG_LEVEL: 'debug', ASYNC_CHARTER_NOW: now },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const app = { child, output: () => out };
    apps.push(app);
    return app;
  }

  async function until(what: string, ok: () => boolean, apps_: App[], ms = 60_000): Promise<void> {
    const t0 = Date.now();
    while (!ok()) {
      if (Date.now() - t0 > ms) throw new Error(`${what}: not after ${ms} ms; the apps printed:\n${apps_.map((a) => a.output()).join('\n----\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const ticked = (a: App) => a.output().includes('"msg":"digest tick done"');
  const digestsOf = (week: string) => fake.messagesIn(DIGEST).filter((m) => (m.metadata as { event_payload?: { week_start?: string } } | undefined)?.event_payload?.week_start === week);
  async function stop(a: App): Promise<void> {
    const exited = new Promise((r) => a.child.once('exit', r));
    a.child.kill('SIGTERM');
    await exited;
  }
  async function kill(a: App): Promise<void> {
    const exited = new Promise((r) => a.child.once('exit', r));
    a.child.kill('SIGKILL');
    await exited;
  }
  async function row(week: string) {
    const s = await store.open();
    try {
      return await digestRow(s.db, TEAM, week);
    } finally {
      await s.close();
    }
  }

  it(`${testBackend() === 'postgres' ? 'two processes at once' : 'one process, then a restart'}: the digest due at Monday 09:00 Berlin goes out exactly once, with its chart`, async () => {
    const now = '2026-11-30T08:00:05Z'; // 09:00:05 in Berlin
    const first = [start(now), ...(testBackend() === 'postgres' ? [start(now)] : [])];
    await until('every process ticked', () => first.every(ticked), first);
    await until('the chart uploaded', () => fake.uploadedFiles().length > 0, first);
    for (const a of first) await stop(a);
    // A restart a minute later finds it done.
    const again = start('2026-11-30T08:01:05Z');
    await until('the restarted process ticked', () => ticked(again), [again]);
    await stop(again);

    const posts = fake.callsTo('chat.postMessage');
    expect(posts).toHaveLength(1);
    expect((posts[0]?.args.blocks as unknown[]).length).toBeGreaterThan(5);
    expect(posts[0]?.args.metadata).toEqual({ event_type: 'async_charter_digest', event_payload: { team_id: TEAM, week_start: '2026-11-23' } });
    expect(fake.uploadedFiles()).toHaveLength(1);
    expect(fake.uploadedFiles()[0]?.threadTs).toBe(digestsOf('2026-11-23')[0]?.ts);
  }, 120_000);

  it('a crash between claim and post: nothing posted; the next tick after the lease posts it once', async () => {
    const week = '2026-11-30';
    fake.hold('chat.postMessage', { apply: false });
    const before = fake.callsTo('chat.postMessage').length;
    const a = start('2026-12-07T08:00:05Z');
    await until('the app sent chat.postMessage', () => fake.callsTo('chat.postMessage').length > before, [a]);
    await kill(a);
    expect(digestsOf(week)).toHaveLength(0);
    expect(await row(week)).toMatchObject({ attempts: 1, messageTs: null, channelId: DIGEST });

    const b = start('2026-12-07T08:11:05Z');
    await until('the digest posted after the lease', () => digestsOf(week).length > 0 && ticked(b), [b]);
    await stop(b);
    expect(digestsOf(week)).toHaveLength(1);
    expect(await row(week)).toMatchObject({ attempts: 2, messageTs: digestsOf(week)[0]?.ts });
    expect(fake.uploadedFiles().filter((f) => f.threadTs === digestsOf(week)[0]?.ts)).toHaveLength(1);
  }, 120_000);

  it('a crash between post and mark: the next claimant finds the message by its metadata and does not post again', async () => {
    const week = '2026-12-07';
    fake.hold('chat.postMessage', { apply: true });
    const before = fake.callsTo('chat.postMessage').length;
    const a = start('2026-12-14T08:00:05Z');
    await until('the app sent chat.postMessage', () => fake.callsTo('chat.postMessage').length > before, [a]);
    await kill(a);
    expect(digestsOf(week)).toHaveLength(1);
    expect(await row(week)).toMatchObject({ messageTs: null });

    const history = fake.callsTo('conversations.history').length;
    const b = start('2026-12-14T08:11:05Z');
    await until('the restarted app ticked', () => ticked(b) && fake.uploadedFiles().some((f) => f.threadTs === digestsOf(week)[0]?.ts), [b]);
    await stop(b);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(before + 1);
    expect(fake.callsTo('conversations.history').length).toBeGreaterThan(history);
    expect(fake.callsTo('conversations.history').at(-1)?.args).toMatchObject({ channel: DIGEST, include_all_metadata: 'true' });
    expect(digestsOf(week)).toHaveLength(1);
    expect(await row(week)).toMatchObject({ attempts: 2, messageTs: digestsOf(week)[0]?.ts });
  }, 120_000);
});
