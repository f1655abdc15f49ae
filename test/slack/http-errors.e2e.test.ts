import { request } from 'node:http';
import { eventEnvelope, startTestApp, type TestApp } from '../helpers/app-harness';
import { breakableStore } from '../helpers/store';

const ANA = 'U0ANA00001';

function message(ts: string, text = 'hello <@U0BEN00001>'): Record<string, unknown> {
  return { type: 'message', channel: 'C0GENERAL1', channel_type: 'channel', user: ANA, ts, event_ts: ts, text };
}

async function messageCount(t: TestApp): Promise<number> {
  const r = await t.store.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('HTTP edge: bad requests are refused, nothing is stored, the process stays up', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ users: [{ id: ANA }], logLevel: 'info' });
  });
  afterAll(async () => {
    await t.stop();
    await t.store.close();
  });

  const nowTs = () => `${Math.floor(Date.now() / 1000)}.000001`;
  const body = (eventId: string) => JSON.stringify(eventEnvelope(message(nowTs()), { teamId: t.fake.teamId, eventId }));

  it.each([
    ['a wrong signing secret', 401, { secret: 'not-the-secret' }],
    ['no signature at all', 401, { sign: false }],
    ['a timestamp over 5 minutes old', 401, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
  ])('answers %s with %i and stores nothing', async (_name, status, opts) => {
    const res = await t.post(body(`EvBad${status}${_name.length}`), opts);
    expect(res.status).toBe(status);
    expect(await messageCount(t)).toBe(0);
    expect((await t.get('/healthz')).status).toBe(200);
  });

  it('answers malformed JSON (correctly signed) with 400', async () => {
    const res = await t.post('{"type":"event_callback","event":{');
    expect(res.status).toBe(400);
    expect(await messageCount(t)).toBe(0);
  });

  it('answers a body over 1 MB with 413, closing that connection (its body is left unread), and keeps serving', async () => {
    const big = JSON.stringify({ ...eventEnvelope(message(nowTs()), { teamId: t.fake.teamId, eventId: 'EvTooBig1' }), padding: 'x'.repeat(1024 * 1024) });
    const { status, connection } = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = request(`${t.baseUrl}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big) } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
      });
      // The server may answer and close before the whole body is written.
      req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
      req.end(big);
    });
    expect(status).toBe(413);
    // Not "keep-alive": a client (or a proxy) reusing the connection would get no answer.
    expect(connection).toBe('close');
    expect(await messageCount(t)).toBe(0);
    expect((await t.get('/healthz')).status).toBe(200);
  });

  it('still takes a good event after all that', async () => {
    const res = await t.post(body('EvGood00001'));
    expect(res.status).toBe(200);
    expect(await messageCount(t)).toBe(1);
  });

  it('serves /healthz and /metrics beside /slack/events (SPEC §7; /metrics to this machine), and /metrics on the metrics listener', async () => {
    const health = await t.get('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', store: t.store.kind });
    for (const metrics of [await t.get('/metrics'), await t.metrics()]) {
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      expect(await metrics.text()).toMatch(/^async_charter_events_stored_total\{type="message"\} 1$/m);
    }
    expect((await t.get('/nope')).status).toBe(404);
  });
});

describe('store outage: events get a non-2xx answer and are stored exactly once when Slack redelivers', () => {
  it('answers 5xx while the store is down, then stores each redelivered event once', async () => {
    const broken = await breakableStore();
    const t = await startTestApp({ users: [{ id: ANA }], store: broken.store, logLevel: 'warn' });
    try {
      const ts1 = `${Math.floor(Date.now() / 1000)}.000010`;
      const ts2 = `${Math.floor(Date.now() / 1000)}.000020`;
      await broken.down();
      const first = await t.sendEvent(message(ts1), { eventId: 'EvOutage001' });
      const second = await t.sendEvent(message(ts2), { eventId: 'EvOutage002' });
      expect(first.status).toBeGreaterThanOrEqual(500);
      expect(second.status).toBeGreaterThanOrEqual(500);
      expect((await t.get('/healthz')).status).toBe(503);

      await broken.up();
      expect((await t.get('/healthz')).status).toBe(200);
      // Slack redelivers each one, and here twice for good measure.
      for (const retryNum of [1, 2]) {
        expect((await t.sendEvent(message(ts1), { eventId: 'EvOutage001', retryNum })).status).toBe(200);
        expect((await t.sendEvent(message(ts2), { eventId: 'EvOutage002', retryNum })).status).toBe(200);
      }
      const rows = await t.store.db.selectFrom('messages').select('ts').orderBy('ts').execute();
      expect(rows.map((r) => r.ts)).toEqual([ts1, ts2]);
      const events = await t.store.db.selectFrom('slack_events').select('event_id').orderBy('event_id').execute();
      expect(events.map((e) => e.event_id)).toEqual(['EvOutage001', 'EvOutage002']);
      expect(t.logs.parsed().some((l) => l.msg === 'event not stored; answering 500 so Slack redelivers' && typeof (l.err as { message?: string })?.message === 'string')).toBe(true);
    } finally {
      await t.stop();
      await broken.store.close();
      await broken.dispose();
    }
  });
});
