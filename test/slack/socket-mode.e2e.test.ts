import { eventEnvelope, startTestApp, type TestApp } from '../helpers/app-harness';

const ANA = 'U0ANA00001';
const BEN = 'U0BEN00001';

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 5_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Socket Mode (SLACK_APP_TOKEN set): events arrive over a WebSocket', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ users: [{ id: ANA }, { id: BEN }], logLevel: 'warn', socketMode: true });
  });
  afterAll(async () => {
    await t.stop();
    await t.store.close();
  });

  it('opens the connection through SLACK_API_URL with the app token, stores events, acks each envelope, dedupes retries', async () => {
    const open = t.fake.callsTo('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.token).toBe(t.fake.appToken);
    expect(t.fake.socketConnections).toBe(1);

    const ts = `${Math.floor(Date.now() / 1000) - 30}.000777`;
    const body = eventEnvelope({ type: 'message', channel: 'C0GENERAL1', channel_type: 'channel', user: ANA, ts, event_ts: ts, text: `<@${BEN}> over the socket` }, { teamId: t.fake.teamId, eventId: 'EvSocket0001' });
    const first = t.fake.socketEvent(body);
    await until(() => t.fake.socketReceived.some((m) => m.envelope_id === first), 'the ack');
    await until(async () => (await t.store.db.selectFrom('messages').select('ts').execute()).length === 1, 'the stored message');
    const again = t.fake.socketEvent(body, 1);
    await until(() => t.fake.socketReceived.some((m) => m.envelope_id === again), 'the ack of the retry');
    await t.service.idle();
    const rows = await t.store.db.selectFrom('messages').select(['ts', 'user_id', 'mentions']).execute();
    expect(rows).toEqual([{ ts, user_id: ANA, mentions: [BEN] }]);
    expect((await t.store.db.selectFrom('slack_events').select('event_id').execute()).map((e) => e.event_id)).toEqual(['EvSocket0001']);
  });

  it('still serves /healthz and /metrics (to this machine) over HTTP on PORT, and /metrics on the metrics listener', async () => {
    await until(() => t.service.slack.port() > 0, 'the HTTP server');
    const health = await fetch(`http://127.0.0.1:${t.service.slack.port()}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${t.service.slack.port()}/metrics`)).status).toBe(200);
    expect((await t.metrics()).status).toBe(200);
  });
});
