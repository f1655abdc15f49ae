import { Agent, request } from 'node:http';
import { eventEnvelope, SIGNING_SECRET } from '../test/helpers/app-harness';
import { signedRequest } from '../test/helpers/signing';

/**
 * The ingest load, in a process of its own so that it does not share an event loop with the app
 * it measures: signed message events with mentions and threads from CONCURRENCY keep-alive
 * connections for ROUND_MS, `rounds` times. Argv: url teamId rounds idPrefix. Prints one JSON line.
 */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 10_000);
export const PEOPLE = 50;
const CHANNELS = 10;

type Round = { events: number; perSecond: number; p50Ms: number; p99Ms: number; failed: number };

function post(agent: Agent, url: URL, body: string): Promise<number> {
  const { headers } = signedRequest(SIGNING_SECRET, body);
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function load(url: URL, teamId: string, rounds: number, prefix: string): Promise<Round[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let seq = 0;
  const out: Round[] = [];
  for (let r = 0; r < rounds; r += 1) {
    const latencies: number[] = [];
    let failed = 0;
    const end = performance.now() + ROUND_MS;
    const worker = async (): Promise<void> => {
      while (performance.now() < end) {
        seq += 1;
        const user = `U0P${String(seq % PEOPLE).padStart(7, '0')}`;
        const to = `U0P${String((seq * 7 + 3) % PEOPLE).padStart(7, '0')}`;
        const channel = `C0CH${String(seq % CHANNELS).padStart(6, '0')}`;
        const ts = `${Math.floor(Date.now() / 1000)}.${String(seq % 1_000_000).padStart(6, '0')}`;
        // Every third message answers in a thread of an earlier one.
        const thread = seq % 3 === 0 && seq > CHANNELS * 3 ? { thread_ts: `${Math.floor(Date.now() / 1000) - 60}.${String((seq - CHANNELS * 3) % 1_000_000).padStart(6, '0')}` } : {};
        const event = { type: 'message', channel, channel_type: 'channel', user, ts, event_ts: ts, text: `<@${to}> status of item ${seq}?`, ...thread };
        const body = JSON.stringify(eventEnvelope(event, { teamId, eventId: `Ev${prefix}x${seq}` }));
        const t0 = performance.now();
        const status = await post(agent, url, body).catch(() => 0);
        if (status === 200) latencies.push(performance.now() - t0);
        else failed += 1;
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const secs = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number): number => Math.round((latencies[Math.max(0, Math.ceil(latencies.length * p) - 1)] ?? 0) * 10) / 10;
    out.push({ events: latencies.length, perSecond: Math.round(latencies.length / secs), p50Ms: pct(0.5), p99Ms: pct(0.99), failed });
  }
  agent.destroy();
  return out;
}

if (require.main === module) {
  const [url, teamId, rounds, prefix] = process.argv.slice(2);
  void load(new URL(url ?? ''), teamId ?? '', Number(rounds ?? 2), prefix ?? String(process.pid)).then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
      process.exit(1);
    },
  );
}
