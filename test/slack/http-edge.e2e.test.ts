import { eventEnvelope, startTestApp, type TestApp } from '../helpers/app-harness';

/**
 * Issue 11: what the HTTP edge refuses before anything reaches the listeners (rows 5, 8, 2),
 * and that nothing of it is stored.
 */
const ANA = 'U0ANA00001';

function message(ts: string, text = 'hello'): Record<string, unknown> {
  return { type: 'message', channel: 'C0GENERAL1', channel_type: 'channel', user: ANA, ts, event_ts: ts, text };
}

async function count(t: TestApp, table: 'messages' | 'slack_events'): Promise<number> {
  const r = await t.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ users: [{ id: ANA }], logLevel: 'info' });
});
afterAll(async () => {
  await t.stop();
  await t.store.close();
});

const nowSec = () => Math.floor(Date.now() / 1000);
const nowTs = () => `${nowSec()}.000001`;
let n = 0;
const envelope = (over: Record<string, unknown> = {}, event: Record<string, unknown> = message(nowTs())) => {
  n += 1;
  return { ...eventEnvelope(event, { teamId: t.fake.teamId, eventId: `EvEdge${String(n).padStart(5, '0')}` }), ...over };
};

describe('row 5: both sides of the 5-minute signature window are enforced', () => {
  it.each([
    ['6 minutes in the future', 6 * 60],
    ['a day in the future', 24 * 3600],
    ['ten years in the future', 10 * 365 * 24 * 3600],
    ['6 minutes in the past', -6 * 60],
  ])('a correctly signed request timestamped %s gets 401 and nothing is stored', async (_name, offset) => {
    const before = await count(t, 'slack_events');
    const res = await t.post(JSON.stringify(envelope()), { timestamp: nowSec() + offset });
    expect(res.status).toBe(401);
    expect(await count(t, 'slack_events')).toBe(before);
    expect(t.logs.text()).not.toContain('"text":"hello"');
  });

  it('a request timestamped 4 minutes ahead is still inside the window: 200, stored', async () => {
    const before = await count(t, 'slack_events');
    const res = await t.post(JSON.stringify(envelope()), { timestamp: nowSec() + 4 * 60 });
    expect(res.status).toBe(200);
    expect(await count(t, 'slack_events')).toBe(before + 1);
  });
});
