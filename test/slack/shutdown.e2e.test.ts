import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { connectStore } from '../../src/store/connect';
import { eventEnvelope, SIGNING_SECRET } from '../helpers/app-harness';
import { FakeSlack } from '../helpers/fake-slack';
import { signedRequest } from '../helpers/signing';
import { appEnv, capture, freePort, spawnedStore, until, waitForOutput, type SpawnedStore } from '../helpers/child';

const ROOT = join(__dirname, '..', '..');

describe('npm start and SIGTERM', () => {
  let fake: FakeSlack;
  let data: SpawnedStore | undefined;
  beforeAll(async () => {
    fake = await new FakeSlack().start();
    fake.addUser({ id: 'U0ANA00001' });
  });
  afterAll(async () => {
    await fake.stop();
    await data?.close();
  });

  it('runs the bot, and on SIGTERM stops taking events, finishes the one in flight, closes the store and exits 0', async () => {
    const port = await freePort();
    data = await spawnedStore('ac-start-');
    const env = appEnv(fake, port, data.env);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = capture(child);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const early = exited.then((code) => Promise.reject(new Error(`the app exited (${code}) before it was running:\n${output()}`)));
    early.catch(() => undefined);
    await until('start-up', Promise.race([waitForOutput(output, /Async Charter is running/), early]), 45_000, output);

    // An event whose body is still arriving when SIGTERM comes.
    const ts = `${Math.floor(Date.now() / 1000)}.000042`;
    const body = JSON.stringify(eventEnvelope({ type: 'message', channel: 'C0GENERAL1', channel_type: 'channel', user: 'U0ANA00001', ts, event_ts: ts, text: 'in flight' }, { teamId: fake.teamId, eventId: 'EvInFlight1' }));
    const signed = signedRequest(SIGNING_SECRET, body);
    const answered = new Promise<number>((resolve, reject) => {
      const req = request(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: { ...signed.headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(body.slice(0, 50));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(50)), 300);
      }, 500);
    });
    expect(await until('the in-flight request', answered, 20_000, output)).toBe(200);
    expect(await until('exit after SIGTERM', exited, 20_000, output)).toBe(0);

    // After exit nothing listens any more.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    // The in-flight event was committed before the store closed.
    const store = data.pg ?? (await connectStore({ kind: 'pglite', dataDir: String(data.dataDir) }));
    try {
      const rows = await store.db.selectFrom('messages').select(['ts', 'user_id']).execute();
      expect(rows).toEqual([{ ts, user_id: 'U0ANA00001' }]);
    } finally {
      if (store !== data.pg) await store.close();
    }
  }, 120_000);

  it('exits 2 with a clear message when Slack rejects the bot token', async () => {
    const env = appEnv({ token: 'xoxb-revoked-token', apiUrl: fake.apiUrl }, await freePort(), { DATABASE_URL: '', DATA_DIR: 'memory://' });
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = capture(child);
    const code = await until('exit', new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c))), 60_000, output);
    expect(code).toBe(2);
    expect(output()).toContain('Slack rejected SLACK_BOT_TOKEN (invalid_auth)');
  }, 90_000);
});
