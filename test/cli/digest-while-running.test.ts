import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WeeklyReport } from '../../src/domain/report';
import { connectStore } from '../../src/store/connect';
import { LOCK_FILE } from '../../src/store/embedded-lock';
import { SOCKET_NAME } from '../../src/store/embedded-socket';
import { SIGNING_SECRET } from '../helpers/app-harness';
import { ROOT, runScript, type CliResult } from '../helpers/cli';
import { FakeSlack } from '../helpers/fake-slack';
import { FIXTURES } from '../helpers/fixtures';
import { migratedDataDir } from '../helpers/store';

/**
 * The embedded store with real processes: the app (npm start's entry point) owns DATA_DIR and
 * serves it on a Unix socket inside it; `npm run digest` while it runs goes through that socket.
 * Real PGlite data directories in a temp folder, whatever DATABASE_URL says.
 */
const TEAM = 'T061A2UFL';
const DIGEST_ARGS = ['--team', TEAM, '--week', '2015-09-24', '--json', '--as-of', '2016-07-27T20:21:38Z'];

type App = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

describe('npm run digest while the app runs on PGlite', () => {
  const work = mkdtempSync(join(tmpdir(), 'ac-running-'));
  const dataDir = join(work, 'data');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'warn', DATABASE_URL: '', DATA_DIR: dataDir };
  let fake: FakeSlack;
  let expected: WeeklyReport;
  const apps: App[] = [];

  beforeAll(async () => {
    fake = await new FakeSlack().start();
    // A migrated data directory (copied: initdb and the migrations would cost the audit ~7 s).
    cpSync(await migratedDataDir(), dataDir, { recursive: true });
    const imported = await runScript('audit', [join(FIXTURES, 'slack-export-houstondatavis'), '--json', '--as-of', '2016-07-27T20:21:38Z'], env);
    expect(imported.code).toBe(0);
    expected = (JSON.parse(imported.stdout) as WeeklyReport[]).find((w) => w.week_start === '2015-09-21') as WeeklyReport;
    expect(expected.messages).toBeGreaterThan(0);
  }, 180_000);
  afterEach(() => {
    for (const a of apps.splice(0)) a.child.kill('SIGKILL');
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(work, { recursive: true, force: true });
  });

  function start(): App {
    // node itself with tsx as a loader: the pid killed is the app's.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...env, SLACK_BOT_TOKEN: fake.token, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, PORT: '0', LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const app = { child, output: () => out, exited };
    apps.push(app);
    return app;
  }
  async function running(a: App): Promise<void> {
    const t0 = Date.now();
    while (!a.output().includes('"msg":"Async Charter is running"')) {
      if (a.child.exitCode !== null || Date.now() - t0 > 90_000) throw new Error(`the app did not start:\n${a.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  /** SIGTERM; the exit code, or the app's output when it is not 0. */
  async function stop(a: App): Promise<number | string | null> {
    a.child.kill('SIGTERM');
    const code = await a.exited;
    return code === 0 ? 0 : `exit ${code}:\n${a.output().split('\n').filter((l) => !l.includes('"level":20')).join('\n')}`;
  }
  const digest = (): Promise<CliResult> => runScript('digest', DIGEST_ARGS, env);

  it('answers through the running app: the same figures as the audit, the app going on', async () => {
    const app = start();
    await running(app);
    expect(existsSync(join(dataDir, SOCKET_NAME))).toBe(true);
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: app.child.pid, role: 'app' });

    const r = await digest();
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual(expected);
    expect(app.output()).toContain('"msg":"a local client connected to the embedded store"');
    // A command that writes, through the same socket: a charter (of another team), read back by another.
    const set = await runScript('charter', ['--team', 'T0OTHER001', '--set', join(ROOT, 'docs', 'charter.example.yml')], env);
    expect(set.code).toBe(0);
    const shown = await runScript('charter', ['--team', 'T0OTHER001', '--show'], env);
    expect(shown.stdout).toContain('timezone: Europe/Berlin');
    expect(app.child.exitCode).toBeNull();
    expect(await stop(app)).toBe(0);
    expect(existsSync(join(dataDir, SOCKET_NAME))).toBe(false);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  }, 180_000);

  it('a second app on the same DATA_DIR exits with code 2 and one line naming the directory and the pid holding it', async () => {
    const first = start();
    await running(first);
    const second = start();
    expect(await second.exited).toBe(2);
    const lines = second.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 60, msg: `DATA_DIR ${dataDir} is in use by another Async Charter app (pid ${first.child.pid}): stop it first, or give this one its own DATA_DIR` });
    expect(first.child.exitCode).toBeNull();
    expect(await stop(first)).toBe(0);
  }, 180_000);

  it('after the app is killed, a command takes over its stale lock, and so does the next app', async () => {
    const app = start();
    await running(app);
    app.child.kill('SIGKILL');
    await app.exited;
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: app.child.pid });

    const r = await digest();
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual(expected);
    const next = start();
    await running(next);
    expect(JSON.parse((await digest()).stdout)).toEqual(expected);
    expect(await stop(next)).toBe(0);
  }, 180_000);

  it('two commands at once without the app: the second waits for the first, saying so, then answers; nothing is corrupted', async () => {
    // The first command here is this process (it opens DATA_DIR as every command does), so the wait is certain.
    const first = await connectStore({ kind: 'pglite', dataDir });
    expect(first.embedded).toBe('owner');
    const child = spawn('npm', ['run', '--silent', 'digest', '--', ...DIGEST_ARGS], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const t0 = Date.now();
    while (!stderr.includes('waiting')) {
      if (Date.now() - t0 > 60_000 || child.exitCode !== null) throw new Error(`the digest did not wait: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(child.exitCode).toBeNull();
    await first.close();
    expect(await code).toBe(0);
    expect(stderr).toMatch(new RegExp(`^DATA_DIR ${dataDir} is in use by .* \\(pid ${process.pid}\\): waiting up to 60 s for it\\n$`));
    expect(JSON.parse(stdout)).toEqual(expected);

    // Two real commands at once, the audit importing again while the digest reads: both right.
    const [audit, r] = await Promise.all([runScript('audit', [join(FIXTURES, 'slack-export-houstondatavis'), '--json', '--as-of', '2016-07-27T20:21:38Z'], env), digest()]);
    expect(audit.code).toBe(0);
    expect((JSON.parse(audit.stdout) as WeeklyReport[]).find((w) => w.week_start === '2015-09-21')).toEqual(expected);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(expected);
    expect(JSON.parse((await digest()).stdout)).toEqual(expected);
  }, 180_000);
});
