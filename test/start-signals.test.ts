import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { connectStore } from '../src/store/connect';
import { eventEnvelope, SIGNING_SECRET } from './helpers/app-harness';
import { FakeSlack } from './helpers/fake-slack';
import { signedRequest } from './helpers/signing';
import { appEnv, capture, freePort, spawnedStore, until, type SpawnedStore } from './helpers/child';

// `npm start` as an operator runs it: the signal goes to npm's pid (or, for Ctrl-C, to the whole
// foreground process group), and the app under npm must drain and exit 0, with npm exiting 0 too.

const ROOT = join(__dirname, '..');

/** Every live process under `root` (Linux /proc), children before grandchildren. */
function descendants(root: number): Array<{ pid: number; args: string }> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: Array<{ pid: number; args: string }> = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    let args = '';
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue;
    }
    out.push({ pid, args });
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** true while `pid` exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
  } catch {
    return false;
  }
}

/** JSON log lines the app printed (npm's own lines are not JSON). */
function logLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('npm start: a signal sent to npm drains the app and exits 0', () => {
  let fake: FakeSlack;
  const stores: SpawnedStore[] = [];
  const groups: number[] = [];
  beforeAll(async () => {
    fake = await new FakeSlack().start();
    fake.addUser({ id: 'U0ANA00001' });
  });
  afterAll(async () => {
    // Whatever a failed case left running goes (the group of the npm it spawned, nothing else).
    for (const g of groups) {
      try {
        process.kill(-g, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await fake.stop();
    for (const s of stores) await s.close();
  });

  async function storeEnv(): Promise<{ env: Record<string, string>; messages: () => Promise<Array<{ ts: string; user_id: string }>> }> {
    const data = await spawnedStore('ac-npm-start-');
    stores.push(data);
    const { pg, dataDir } = data;
    if (pg) return { env: data.env, messages: () => pg.db.selectFrom('messages').select(['ts', 'user_id']).execute() };
    return {
      env: data.env,
      messages: async () => {
        const store = await connectStore({ kind: 'pglite', dataDir: String(dataDir) });
        try {
          return await store.db.selectFrom('messages').select(['ts', 'user_id']).execute();
        } finally {
          await store.close();
        }
      },
    };
  }

  it.each([
    ['SIGTERM', "npm's pid"],
    ['SIGINT', "npm's pid"],
    ['SIGINT', 'the whole process group, as Ctrl-C in a terminal does'],
  ] as const)('%s to %s: the event in flight is stored, the app logs that it stopped, npm exits 0, no process is left', async (signal, target) => {
    const port = await freePort();
    const { env: storeVars, messages } = await storeEnv();
    const env = appEnv(fake, port, storeVars);
    // detached: npm leads its own process group, so a signal to its pid reaches npm alone (and the
    // group can be signalled, or cleaned up, as a whole).
    const npm = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const npmPid = npm.pid as number;
    groups.push(npmPid);
    const output = capture(npm);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.on('exit', (code, sig) => resolve({ code, signal: sig })));
    const early = exited.then(({ code }) => Promise.reject(new Error(`npm start exited (${code}) before the app served /healthz:\n${output()}`)));
    early.catch(() => undefined);
    let gone = false;
    void exited.then(() => (gone = true));
    const serving = (async () => {
      while (!gone && !(await healthy(port))) await new Promise((r) => setTimeout(r, 100));
    })();
    await until('start-up', Promise.race([serving, early]), 60_000, output);

    // The processes npm started; one of them is the app.
    const tree = descendants(npmPid);
    // npm start runs the compiled app (prestart builds it).
    expect(tree.some((p) => p.args.includes('dist/main.js'))).toBe(true);

    // An event whose body is still arriving when the signal comes: it must be answered 200 and stored.
    const ts = `${Math.floor(Date.now() / 1000)}.000042`;
    const body = JSON.stringify(eventEnvelope({ type: 'message', channel: 'C0GENERAL1', channel_type: 'channel', user: 'U0ANA00001', ts, event_ts: ts, text: 'in flight <@U0BEN00001>' }, { teamId: fake.teamId, eventId: `EvNpm${signal}${target.length}` }));
    const signed = signedRequest(SIGNING_SECRET, body);
    const answered = new Promise<number>((resolve, reject) => {
      const req = request(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: { ...signed.headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(body.slice(0, 50));
      setTimeout(() => {
        process.kill(target === "npm's pid" ? npmPid : -npmPid, signal);
        setTimeout(() => req.end(body.slice(50)), 300);
      }, 300);
    });
    expect(await until('the in-flight request', answered, 20_000, output)).toBe(200);
    expect(await until(`npm's exit after ${signal}`, exited, 25_000, output)).toEqual({ code: 0, signal: null });

    // Nothing npm started is left, and nothing listens on the port.
    const left = tree.filter((p) => alive(p.pid));
    expect(left).toEqual([]);
    expect(await healthy(port)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();

    // The app said why it stopped, and that it did.
    const lines = logLines(output());
    expect(lines.filter((l) => String(l.msg).startsWith('stopping')).map((l) => l.signal)).toEqual([signal]);
    expect(lines.some((l) => l.msg === 'stopped')).toBe(true);
    expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);

    // The in-flight event was committed before the store closed.
    expect(await messages()).toEqual([{ ts, user_id: 'U0ANA00001' }]);
  }, 120_000);
});
