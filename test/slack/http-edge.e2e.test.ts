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

async function ignoredCount(reason: string): Promise<number> {
  const text = await (await t.get('/metrics')).text();
  const m = new RegExp(`^async_charter_events_ignored_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe("row 8: only the served workspace's events are stored", () => {
  it.each([
    ['another workspace', 'T0OTHERTM1'],
    ['a non-string team_id', { id: 'T0OTHERTM1' }],
  ])('an event from %s gets 200, is not stored, and is counted', async (_name, teamId) => {
    const events = await count(t, 'slack_events');
    const messages = await count(t, 'messages');
    const ignored = await ignoredCount('other_team');
    const body = envelope({ team_id: teamId, authorizations: [{ enterprise_id: null, team_id: teamId, user_id: 'U0BOT00001', is_bot: true, is_enterprise_install: false }] });
    const res = await t.post(JSON.stringify(body));
    expect(res.status).toBe(200);
    expect(await count(t, 'slack_events')).toBe(events);
    expect(await count(t, 'messages')).toBe(messages);
    expect(await ignoredCount('other_team')).toBe(ignored + 1);
  });

  it("the served workspace's event is stored", async () => {
    const messages = await count(t, 'messages');
    const res = await t.post(JSON.stringify(envelope()));
    expect(res.status).toBe(200);
    expect(await count(t, 'messages')).toBe(messages + 1);
  });
});
