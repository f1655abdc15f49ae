import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { sql } from 'kysely';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createMetrics } from '../src/metrics';
import { startRequestsSchedule } from '../src/jobs/requests';
import { startService } from '../src/main';
import { connectStore } from '../src/store/connect';
import { SIGNING_SECRET } from '../test/helpers/app-harness';
import { FakeSlack } from '../test/helpers/fake-slack';
import { PEOPLE } from './ingest-load';

/**
 * One ingest measurement: signed message events with mentions and threads from CONCURRENCY
 * connections for ROUND_MS, twice, against (a) a bare Bolt app whose listener only acks, in a
 * process of its own (bench/bare-bolt.ts), and (b) the real app, in this process, on the store of
 * DATABASE_URL (unset: embedded PGlite in DATA_DIR). The rounds alternate (bare, app, bare, app), so
 * that each of the app's rounds is compared with a bare round of the same minute: on a shared
 * machine whose speed drifts, rounds minutes apart compare the machine, not the apps.
 * Prints one JSON line per target: events/s acknowledged and p99 ack latency per round, CPU, RSS.
 */
type Round = { events: number; perSecond: number; p50Ms: number; p99Ms: number; failed: number };

/** Runs the load from its own process (bench/ingest-load.ts) against url; resolves with its rounds. `prefix` makes its event ids unique. */
function load(url: string, teamId: string, rounds: number, prefix: string): Promise<Round[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', join(__dirname, 'ingest-load.ts'), url, teamId, String(rounds), prefix], { encoding: 'utf8', maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout) as Round[]);
    });
  });
}

/** Resident memory of a process in MB, from /proc (Linux); null when it is gone. */
function procRssMb(pid: number): number | null {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Math.round(Number(kb) / 1024);
  } catch {
    return null;
  }
}

/** Starts bench/bare-bolt.ts; resolves with the process and its URL once it listens. */
function startBare(apiUrl: string, token: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'bare-bolt.ts'), apiUrl, token], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ child, url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}/slack/events` });
    });
    child.on('exit', (code) => reject(new Error(`bare Bolt stopped (exit code ${code})`)));
  });
}

/** CPU seconds (user + system) the given processes have used, from /proc (Linux). */
function procCpuSeconds(pids: readonly number[]): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      total += (Number(fields[11]) + Number(fields[12])) / tick;
    } catch {
      // gone
    }
  }
  return total;
}

/** The server processes serving this run's connections (application_name), when Postgres is local. */
async function backendPids(url: string): Promise<number[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [APP_NAME]);
    return r.rows.map((x) => x.pid);
  } finally {
    await client.end();
  }
}
const APP_NAME = `ac-bench-${process.pid}`;

/** Statements sent to Postgres by this process (pg's Client.query), by their first words. */
const statements = new Map<string, number>();
const clientQuery = Client.prototype.query as (...args: unknown[]) => unknown;
Client.prototype.query = function counted(this: Client, ...args: unknown[]) {
  const first = args[0];
  const text = typeof first === 'string' ? first : (first as { text?: string } | null)?.text;
  if (typeof text === 'string') {
    const key = text.replace(/\/\* prepared \*\//, '').trim().split(/\s+/).slice(0, 4).join(' ');
    statements.set(key, (statements.get(key) ?? 0) + 1);
  }
  return clientQuery.apply(this, args);
} as typeof Client.prototype.query;
const round2 = (n: number): number => Math.round(n * 100) / 100;

const silent = new Writable({ write: (_c, _e, cb) => cb() });

async function main(): Promise<void> {
  const fake = await new FakeSlack().start();
  for (let i = 0; i < PEOPLE; i += 1) fake.addUser({ id: `U0P${String(i).padStart(7, '0')}`, name: `p${i}`, tz: ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'][i % 5] as string });
  const target = process.argv[2] ?? 'both';
  const prefix = `${process.pid}${Date.now() % 100000}`;

  const bare = target !== 'app' ? await startBare(fake.apiUrl, fake.token) : null;
  const bareRounds: Round[] = [];
  let bareCpu = 0;
  const bareRound = async (r: number) => {
    if (bare === null || bare.child.pid === undefined) return;
    const c0 = procCpuSeconds([bare.child.pid]);
    bareRounds.push(...(await load(bare.url, fake.teamId, 1, `${prefix}b${r}`)));
    bareCpu += procCpuSeconds([bare.child.pid]) - c0;
  };
  const reportBare = () => {
    if (bare === null || bare.child.pid === undefined) return;
    const events = bareRounds.reduce((n, x) => n + x.events, 0);
    process.stdout.write(`${JSON.stringify({ target: 'bare-bolt', rounds: bareRounds, cpuMsPerEvent: round2((bareCpu * 1000) / events), rssMb: procRssMb(bare.child.pid) })}\n`);
  };

  if (target === 'bare') {
    await bareRound(0);
    await bareRound(1);
    reportBare();
  } else {
    const url = process.env.DATABASE_URL ? new URL(process.env.DATABASE_URL) : null;
    url?.searchParams.set('application_name', APP_NAME);
    const cfg = loadConfig({ ...process.env, ...(url ? { DATABASE_URL: url.toString() } : {}), SLACK_BOT_TOKEN: fake.token, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, LOG_LEVEL: 'warn' });
    if (!cfg.ok) throw new Error(cfg.message);
    const logger = createLogger({ level: 'warn', stream: silent });
    const store = await connectStore(cfg.config.store, { logger });
    const service = await startService(cfg.config, { logger, store, metrics: createMetrics(), port: 0, jobs: false });
    // Of the scheduled jobs, the one that runs under load: the requests queue, applied every 5 s.
    const requestsJob = startRequestsSchedule(store.db, logger, { vacuumQueue: store.kind === 'pglite' });
    const rssIdle = Math.round(process.memoryUsage().rss / 1e6);
    const pids0 = url ? await backendPids(url.toString()) : [];
    const db0 = procCpuSeconds(pids0);
    const cpu0 = process.cpuUsage();
    statements.clear();
    const appUrl = `http://127.0.0.1:${service.slack.port()}/slack/events`;
    const rounds: Round[] = [];
    // After each of the app's rounds, what its requests job had not applied is applied before bare Bolt's
    // next round (counted as the app's CPU), so that the app's deferred work does not slow the baseline.
    const catchUps: Array<{ queuedAfterLoad: number; catchUpS: number }> = [];
    for (let r = 0; r < 2; r += 1) {
      await bareRound(r);
      rounds.push(...(await load(appUrl, fake.teamId, 1, `${prefix}a${r}`)));
      await service.idle();
      const queued = await sql<{ n: string }>`select count(*) as n from requests_queue`.execute(store.db);
      const c0 = performance.now();
      await requestsJob.runNow();
      await requestsJob.runNow();
      catchUps.push({ queuedAfterLoad: Number(queued.rows[0]?.n ?? 0), catchUpS: round2((performance.now() - c0) / 1000) });
    }
    const requestsCatchUp = catchUps.reduce((a, b) => ({ queuedAfterLoad: Math.max(a.queuedAfterLoad, b.queuedAfterLoad), catchUpS: Math.max(a.catchUpS, b.catchUpS) }));
    await requestsJob.stop();
    // The app's CPU over the whole alternation, its catch-ups included; bare Bolt's is its own process's.
    const cpu = process.cpuUsage(cpu0);
    const dbSeconds = url ? procCpuSeconds(await backendPids(url.toString())) - db0 : 0;
    const events = rounds.reduce((n, x) => n + x.events, 0);
    // CPU per event: the app's own (with the fake Slack it calls, in this process) and, on Postgres, its server processes'.
    const sent = [...statements.values()].reduce((n, c) => n + c, 0);
    const perEvent = {
      cpuMsPerEvent: round2((cpu.user + cpu.system) / 1000 / events),
      ...(url ? { dbCpuMsPerEvent: round2((dbSeconds * 1000) / events), statementsPerEvent: round2(sent / events) } : {}),
    };
    if (url && process.env.BENCH_STATEMENTS) process.stderr.write(`${[...statements].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}\t${k}`).join('\n')}\n`);
    reportBare();
    process.stdout.write(`${JSON.stringify({ target: `app-${store.kind}`, rounds, ...perEvent, requests: requestsCatchUp, rssIdleMb: rssIdle, rssAfterMb: Math.round(process.memoryUsage().rss / 1e6) })}\n`);
    await service.stop();
  }
  bare?.child.kill('SIGTERM');
  await fake.stop();
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
    process.exit(1);
  },
);
