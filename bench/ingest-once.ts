import { App, HTTPReceiver } from '@slack/bolt';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createMetrics } from '../src/metrics';
import { startService } from '../src/main';
import { connectStore } from '../src/store/connect';
import { eventEnvelope, SIGNING_SECRET } from '../test/helpers/app-harness';
import { FakeSlack } from '../test/helpers/fake-slack';
import { signedRequest } from '../test/helpers/signing';

/**
 * One ingest measurement (its own process): signed message events with mentions and threads from
 * CONCURRENCY connections for ROUND_MS, twice, against (a) a bare Bolt app whose listener only acks
 * and (b) the real app on the store of DATABASE_URL (unset: embedded PGlite in DATA_DIR).
 * Prints one JSON line per target: events/s acknowledged and p99 ack latency per round, RSS.
 */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 10_000);
const PEOPLE = 50;
const CHANNELS = 10;

type Round = { events: number; perSecond: number; p99Ms: number; failed: number };

async function load(url: string, teamId: string, rounds: number): Promise<Round[]> {
  let seq = 0;
  const out: Round[] = [];
  for (let r = 0; r < rounds; r += 1) {
    const latencies: number[] = [];
    let failed = 0;
    const end = performance.now() + ROUND_MS;
    const worker = async () => {
      while (performance.now() < end) {
        seq += 1;
        const user = `U0P${String(seq % PEOPLE).padStart(7, '0')}`;
        const to = `U0P${String((seq * 7 + 3) % PEOPLE).padStart(7, '0')}`;
        const channel = `C0CH${String(seq % CHANNELS).padStart(6, '0')}`;
        const ts = `${Math.floor(Date.now() / 1000)}.${String(seq % 1_000_000).padStart(6, '0')}`;
        // Every third message answers in a thread of an earlier one.
        const thread = seq % 3 === 0 && seq > CHANNELS * 3 ? { thread_ts: `${Math.floor(Date.now() / 1000) - 60}.${String((seq - CHANNELS * 3) % 1_000_000).padStart(6, '0')}` } : {};
        const event = { type: 'message', channel, channel_type: 'channel', user, ts, event_ts: ts, text: `<@${to}> status of item ${seq}?`, ...thread };
        const body = JSON.stringify(eventEnvelope(event, { teamId, eventId: `EvB${process.pid}x${seq}` }));
        const t0 = performance.now();
        const res = await fetch(url, { method: 'POST', headers: signedRequest(SIGNING_SECRET, body).headers, body });
        await res.arrayBuffer();
        if (res.status === 200) latencies.push(performance.now() - t0);
        else failed += 1;
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const secs = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    out.push({ events: latencies.length, perSecond: Math.round(latencies.length / secs), p99Ms: Math.round((latencies[Math.max(0, Math.ceil(latencies.length * 0.99) - 1)] ?? 0) * 10) / 10, failed });
  }
  return out;
}

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
    const rounds = await load(`http://127.0.0.1:${server.address().port}/slack/events`, fake.teamId, 2);
    process.stdout.write(`${JSON.stringify({ target: 'bare-bolt', rounds, rssMb: Math.round(process.memoryUsage().rss / 1e6) })}\n`);
    await bare.stop();
  }
  if (target !== 'bare') {
    const cfg = loadConfig({ ...process.env, SLACK_BOT_TOKEN: fake.token, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, LOG_LEVEL: 'warn' });
    if (!cfg.ok) throw new Error(cfg.message);
    const logger = createLogger({ level: 'warn', stream: silent });
    const store = await connectStore(cfg.config.store, { logger });
    const service = await startService(cfg.config, { logger, store, metrics: createMetrics(), port: 0, jobs: false });
    const rssIdle = Math.round(process.memoryUsage().rss / 1e6);
    const rounds = await load(`http://127.0.0.1:${service.slack.port()}/slack/events`, fake.teamId, 2);
    await service.idle();
    process.stdout.write(`${JSON.stringify({ target: `app-${store.kind}`, rounds, rssIdleMb: rssIdle, rssAfterMb: Math.round(process.memoryUsage().rss / 1e6) })}\n`);
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
