import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { Client } from 'pg';
import { connectStore, StoreInUseError, type Store } from '../../src/store/connect';
import { LOCK_FILE } from '../../src/store/embedded-lock';
import { serveSession, SOCKET_NAME, SOCKET_PORT } from '../../src/store/embedded-socket';
import { SessionBusyError, SessionTurns, type Turn } from '../../src/store/embedded-turns';
import { migrateToLatest } from '../../src/store/migrate';

/**
 * One owner for the embedded store (PGlite in DATA_DIR), in one process: the app ('serve') and
 * commands ('use') as connectStore opens them. Real data directories in a temp folder, whatever
 * DATABASE_URL says. test/cli/digest-while-running.test.ts does the same with real processes.
 */

const tmp = mkdtempSync(join(tmpdir(), 'ac-owner-'));
const template = join(tmp, 'template');
let n = 0;
/** A migrated data directory of its own (a copy of one made once). */
const dataDir = (name = `d${(n += 1)}`) => {
  const dir = join(tmp, name);
  cpSync(template, dir, { recursive: true });
  return dir;
};
const count = async (s: Store, table = 't') => (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(s.db)).rows[0]?.n;
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid as number;
const lockOf = (dir: string) => JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; role: string; label: string };

const open: Store[] = [];
async function connect(dir: string, opts: Parameters<typeof connectStore>[1] = {}): Promise<Store> {
  const s = await connectStore({ kind: 'pglite', dataDir: dir }, opts);
  open.push(s);
  return s;
}

beforeAll(async () => {
  const s = await connectStore({ kind: 'pglite', dataDir: template });
  await migrateToLatest(s.db);
  await sql`create table t (a int primary key)`.execute(s.db);
  await s.close();
}, 120_000);
afterEach(async () => {
  for (const s of open.splice(0).reverse()) await s.close();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the app owns DATA_DIR and serves it on a socket inside it', () => {
  it('a command goes through the socket: reads, parameters, several statements in one query, transactions, errors', async () => {
    const dir = dataDir();
    const app = await connect(dir, { embedded: 'serve' });
    expect(app.embedded).toBe('owner');
    expect(lockOf(dir)).toMatchObject({ pid: process.pid, role: 'app' });
    const socket = lstatSync(join(dir, SOCKET_NAME));
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
    await sql`insert into t values (1), (2)`.execute(app.db);

    const cli = await connect(dir);
    expect(cli.embedded).toBe('socket');
    expect(await count(cli)).toBe(2);
    expect((await sql<{ a: number }>`select a from t where a > ${1}`.execute(cli.db)).rows).toEqual([{ a: 2 }]);
    await sql.raw('insert into t values (3); insert into t values (4)').execute(cli.db);
    await cli.db.transaction().execute(async (trx) => {
      await sql`insert into t values (${5})`.execute(trx);
      await sql`insert into t values (${6})`.execute(trx);
    });
    // A failed transaction leaves nothing, and the session goes on for both.
    await expect(
      cli.db.transaction().execute(async (trx) => {
        await sql`insert into t values (${7})`.execute(trx);
        await sql`insert into t values (${1})`.execute(trx);
      }),
    ).rejects.toThrow(/duplicate key/);
    await expect(sql`select nope from t`.execute(cli.db)).rejects.toThrow(/nope/);
    expect(await count(app)).toBe(6);
    expect(await count(cli)).toBe(6);
    // The migrations a command runs first find nothing to do.
    expect((await migrateToLatest(cli.db)).applied).toEqual([]);
  }, 60_000);

  it("the app's query waits for a command's transaction and never runs inside it; a command's query waits for the app's", async () => {
    const dir = dataDir();
    const app = await connect(dir, { embedded: 'serve' });
    const cli = await connect(dir);
    const events: string[] = [];
    const slow = cli.db.transaction().execute(async (trx) => {
      await sql`insert into t values (${1})`.execute(trx);
      events.push('cli: first insert');
      await new Promise((r) => setTimeout(r, 400));
      await sql`insert into t values (${2})`.execute(trx);
      events.push('cli: commit');
    });
    await new Promise((r) => setTimeout(r, 100));
    const seen = count(app).then((c) => {
      events.push(`app: ${c}`);
      return c;
    });
    await slow;
    expect(await seen).toBe(2);
    expect(events).toEqual(['cli: first insert', 'cli: commit', 'app: 2']);

    const appTrx = app.db.transaction().execute(async (trx) => {
      await sql`delete from t`.execute(trx);
      await new Promise((r) => setTimeout(r, 300));
      await sql`insert into t values (${9})`.execute(trx);
    });
    await new Promise((r) => setTimeout(r, 50));
    expect((await sql<{ a: number }>`select a from t`.execute(cli.db)).rows).toEqual([{ a: 9 }]);
    await appTrx;
  }, 60_000);

  it('a second app on the same DATA_DIR is refused at once, with one line naming the directory and the pid', async () => {
    const dir = dataDir();
    await connect(dir, { embedded: 'serve' });
    const t0 = Date.now();
    const second = await connect(dir, { embedded: 'serve' }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(StoreInUseError);
    expect((second as Error).message).toBe(`DATA_DIR ${dir} is in use by another Async Charter app (pid ${process.pid}): stop it first, or give this one its own DATA_DIR`);
    expect(Date.now() - t0).toBeLessThan(2_000);
  }, 60_000);

  it('closing the app removes the socket and the lock; a command connected meanwhile fails its next query, and then opens DATA_DIR itself', async () => {
    const dir = dataDir();
    const app = await connectStore({ kind: 'pglite', dataDir: dir }, { embedded: 'serve' });
    const cli = await connect(dir);
    expect(await count(cli)).toBe(0);
    await app.close();
    expect(existsSync(join(dir, SOCKET_NAME))).toBe(false);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    await expect(count(cli)).rejects.toThrow();
    const alone = await connect(dir);
    expect(alone.embedded).toBe('owner');
    expect(await count(alone)).toBe(0);
  }, 60_000);

  it('DATA_DIR too long a path for a socket: the app runs without one, and a command is refused at once saying why', async () => {
    const dir = dataDir(`long-${'x'.repeat(Math.max(1, 110 - tmp.length))}`);
    expect(Buffer.byteLength(join(dir, SOCKET_NAME))).toBeGreaterThan(107);
    const app = await connect(dir, { embedded: 'serve' });
    expect(await count(app)).toBe(0);
    expect(existsSync(join(dir, SOCKET_NAME))).toBe(false);
    const cli = await connect(dir).catch((e: unknown) => e);
    expect(cli).toBeInstanceOf(StoreInUseError);
    expect((cli as Error).message).toMatch(/^DATA_DIR .* is in use by the Async Charter app \(pid \d+\), and its socket path is too long to reach it \(\d+ bytes, over 10[37]\): stop the app first, or use a shorter DATA_DIR$/);
  }, 60_000);
});

describe('without the app, a command owns DATA_DIR under the same lock', () => {
  it('the lock names the command; an app and another command wait for it (saying so once), then are refused naming it', async () => {
    const dir = dataDir();
    const cli = await connect(dir, {});
    expect(cli.embedded).toBe('owner');
    expect(lockOf(dir)).toMatchObject({ pid: process.pid, role: 'cli' });
    expect(existsSync(join(dir, SOCKET_NAME))).toBe(false);

    const said: string[] = [];
    const t0 = Date.now();
    const other = await connect(dir, { waitMs: 600, onWait: (line) => said.push(line) }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
    expect(said).toEqual([expect.stringMatching(new RegExp(`^DATA_DIR ${dir} is in use by .* \\(pid ${process.pid}\\): waiting up to 1 s for it$`))]);
    expect(other).toBeInstanceOf(StoreInUseError);
    expect((other as Error).message).toMatch(new RegExp(`^DATA_DIR ${dir} is in use by .* \\(pid ${process.pid}\\); waited 1 s: try again when it is done$`));
    const app = await connect(dir, { embedded: 'serve', waitMs: 300 }).catch((e: unknown) => e);
    expect(app).toBeInstanceOf(StoreInUseError);

    // Once the command is done, the app opens it.
    await cli.close();
    open.splice(open.indexOf(cli), 1);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const later = await connect(dir, { embedded: 'serve' });
    expect(later.embedded).toBe('owner');
  }, 60_000);

  it('a command waiting for another gets DATA_DIR as soon as the first is done', async () => {
    const dir = dataDir();
    const first = await connectStore({ kind: 'pglite', dataDir: dir });
    await sql`insert into t values (1)`.execute(first.db);
    const second = connect(dir, { waitMs: 30_000 });
    await new Promise((r) => setTimeout(r, 500));
    await sql`insert into t values (2)`.execute(first.db);
    await first.close();
    const s = await second;
    expect(s.embedded).toBe('owner');
    expect(await count(s)).toBe(2);
  }, 60_000);

  it('a stale lock (its pid is dead, or is this pid from a previous life) and a stale socket file are taken over', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), role: 'app', label: 'the app', token: 'dead', start: null, since: '2026-01-01T00:00:00Z' }));
    writeFileSync(join(dir, SOCKET_NAME), '');
    const app = await connect(dir, { embedded: 'serve' });
    expect(lockOf(dir)).toMatchObject({ pid: process.pid, role: 'app' });
    const cli = await connect(dir);
    expect(cli.embedded).toBe('socket');
    await app.close();
    await cli.close();

    // A container's app is pid 1 again after a restart: the same pid with another token is stale.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, role: 'app', label: 'the app', token: 'previous-life', start: null, since: '2026-01-01T00:00:00Z' }));
    const again = await connect(dir, { embedded: 'serve' });
    expect(again.embedded).toBe('owner');
    // A lock file left empty (its writer died before writing) is stale once 2 s old.
    await again.close();
    writeFileSync(join(dir, LOCK_FILE), '');
    const t0 = Date.now();
    const after = await connect(dir, { waitMs: 10_000 });
    expect(after.embedded).toBe('owner');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_500);
  }, 60_000);

  it('memory:// takes no lock and serves nothing', async () => {
    const a = await connect('memory://');
    const b = await connect('memory://');
    expect([a.embedded, b.embedded]).toEqual(['memory', 'memory']);
  }, 60_000);
});

describe('turns on the one session', () => {
  it("the app gives up (SessionBusyError) after its patience while a socket client holds the session, never behind its own queries", async () => {
    const turns = new SessionTurns();
    const socket: Turn = { kind: 'socket', label: 'a local command on the socket' };
    await turns.take(socket);
    const t0 = Date.now();
    await expect(turns.take({ kind: 'local', label: 'the app' }, 300)).rejects.toThrow(SessionBusyError);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    turns.give(socket);

    const mine: Turn = { kind: 'local', label: 'the app' };
    await turns.take(mine);
    const next = turns.take({ kind: 'local', label: 'the app' }, 300);
    await new Promise((r) => setTimeout(r, 700));
    turns.give(mine);
    await expect(next).resolves.toBeUndefined();
  });

  it('a socket client that sits in a transaction without a word while the app waits is disconnected and rolled back; the session goes on', async () => {
    const dir = mkdtempSync(join(tmp, 'sock-'));
    const db = await PGlite.create('memory://');
    await db.exec('create table t (a int)');
    const turns = new SessionTurns();
    const server = await serveSession(db, turns, join(dir, SOCKET_NAME), { holdIdleMs: 300 });
    try {
      const client = new Client({ host: dir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' });
      const ended = new Promise<Error>((resolve) => client.on('error', resolve));
      await client.connect();
      // Nobody waits: a slow transaction is left alone.
      await client.query('begin');
      await client.query('insert into t values ($1)', [1]);
      await new Promise((r) => setTimeout(r, 800));
      await client.query('commit');
      // The app waits: the client idle in its transaction is cut after 300 ms, and its insert undone.
      await client.query('begin');
      await client.query('insert into t values ($1)', [2]);
      const mine: Turn = { kind: 'local', label: 'the app' };
      const t0 = Date.now();
      await turns.take(mine, 5_000);
      expect(Date.now() - t0).toBeLessThan(2_000);
      expect((await ended).message).toMatch(/terminated|ECONNRESET|closed/i);
      expect(db.isInTransaction()).toBe(false);
      expect((await db.query<{ a: number }>('select a from t')).rows).toEqual([{ a: 1 }]);
      turns.give(mine);
      expect(server.clients()).toBe(0);
    } finally {
      await server.close();
      await db.close();
    }
  }, 60_000);
});
