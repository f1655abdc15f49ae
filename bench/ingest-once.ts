import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { sql } from 'kysely';
import { App, HTTPReceiver } from '@slack/bolt';
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
 * One ingest measurement (its own process): signed message events with mentions and threads from
 * CONCURRENCY connections for ROUND_MS, twice, against (a) a bare Bolt app whose listener only acks
 * and (b) the real app on the store of DATABASE_URL (unset: embedded PGlite in DATA_DIR).
 * Prints one JSON line per target: events/s acknowledged and p99 ack latency per round, RSS.
 */
type Round = { events: number; perSecond: number; p50Ms: number; p99Ms: number; failed: number };

/** Runs the load from its own process (bench/ingest-load.ts) against url; resolves with its rounds. */
function load(url: string, teamId: string, rounds: number): Promise<Round[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', join(__dirname, 'ingest-load.ts'), url, teamId, String(rounds), `${process.pid}${Date.now() % 100000}`], { encoding: 'utf8', maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(JSON.parse(stdout) as Round[]);
    });
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

  if (target !== 'app') {
    const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, processBeforeResponse: true, endpoints: ['/slack/events'] });
    const bare = new App({ token: fake.token, receiver, clientOptions: { slackApiUrl: fake.apiUrl } });
    bare.event('message', async () => undefined);
    const server = (await bare.start(0)) as { address(): { port: number } };
    const cpu0 = process.cpuUsage();
    const rounds = await load(`http://127.0.0.1:${server.address().port}/slack/events`, fake.teamId, 2);
    const cpu = process.cpuUsage(cpu0);
    const events = rounds.reduce((n, r) => n + r.events, 0);
    process.stdout.write(`${JSON.stringify({ target: 'bare-bolt', rounds, cpuMsPerEvent: round2((cpu.user + cpu.system) / 1000 / events), rssMb: Math.round(process.memoryUsage().rss / 1e6) })}\n`);
    await bare.stop();
  }
  if (target !== 'bare') {
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
    const rounds = await load(`http://127.0.0.1:${service.slack.port()}/slack/events`, fake.teamId, 2);
    await service.idle();
    // What the job had not applied when the load stopped, and how long applying it takes (counted in the CPU figures).
    const queued = await sql<{ n: string }>`select count(*) as n from requests_queue`.execute(store.db);
    const c0 = performance.now();
    await requestsJob.runNow();
    await requestsJob.runNow();
    const requestsCatchUp = { queuedAfterLoad: Number(queued.rows[0]?.n ?? 0), catchUpS: round2((performance.now() - c0) / 1000) };
    await requestsJob.stop();
    const cpu = process.cpuUsage(cpu0);
    const dbSeconds = url ? procCpuSeconds(await backendPids(url.toString())) - db0 : 0;
    const events = rounds.reduce((n, r) => n + r.events, 0);
    // CPU per event: the app's own (with the fake Slack it calls, in this process) and, on Postgres, its server processes'.
    const sent = [...statements.values()].reduce((n, c) => n + c, 0);
    const perEvent = {
      cpuMsPerEvent: round2((cpu.user + cpu.system) / 1000 / events),
      ...(url ? { dbCpuMsPerEvent: round2((dbSeconds * 1000) / events), statementsPerEvent: round2(sent / events) } : {}),
    };
    if (url && process.env.BENCH_STATEMENTS) process.stderr.write(`${[...statements].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}\t${k}`).join('\n')}\n`);
    process.stdout.write(`${JSON.stringify({ target: `app-${store.kind}`, rounds, ...perEvent, requests: requestsCatchUp, rssIdleMb: rssIdle, rssAfterMb: Math.round(process.memoryUsage().rss / 1e6) })}\n`);
    await service.stop();
  }
  await fake.stop();
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
    process.exit(1);
  },
);
