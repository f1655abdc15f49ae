import { request } from 'node:http';
import { eventEnvelope, SIGNING_SECRET, startTestApp, type TestApp } from '../helpers/app-harness';
import { signedRequest } from '../helpers/signing';

/**
 * Bolt's own signature check is off (the edge verifies once); so every path Bolt takes for an event
 * delivery must pass the edge. Odd spellings of the route, unsigned or wrongly signed, are never
 * stored; correctly signed, the ones Bolt routes as events are.
 */
const ANA = 'U0ANA00001';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ users: [{ id: ANA }] });
});
afterAll(async () => {
  await t.stop();
  await t.store.close();
});

let seq = 0;
function body(): { text: string; ts: string } {
  seq += 1;
  const ts = `${Math.floor(Date.now() / 1000)}.${String(seq).padStart(6, '0')}`;
  const event = { type: 'message', channel: 'C0GENERAL1', channel_type: 'channel', user: ANA, ts, event_ts: ts, text: 'route check' };
  return { text: JSON.stringify(eventEnvelope(event, { teamId: t.fake.teamId, eventId: `EvRoute${String(seq).padStart(4, '0')}` })), ts };
}

/** A raw request: the path is sent exactly as written (fetch would normalise it). */
function send(method: string, path: string, payload: string, headers: Record<string, string>): Promise<number> {
  const url = new URL(t.baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(payload)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function stored(ts: string): Promise<boolean> {
  const row = await t.store.db.selectFrom('messages').select('ts').where('ts', '=', ts).executeTakeFirst();
  return row !== undefined;
}

/** Spellings Bolt routes as the events endpoint (its pathname test), and ones it does not (404). */
const ROUTED = ['/slack/events', '/slack/events?x=1', '/slack/events?', '//elsewhere/slack/events', '/slack/events#frag', '/slack/./events'];
const NOT_ROUTED = ['/slack/events/', '/SLACK/EVENTS', '/slack/%65vents'];

describe('every request Bolt would take as an event passes the edge', () => {
  it.each([...ROUTED.map((p) => [p, 401]), ...NOT_ROUTED.map((p) => [p, 404])])('%s, wrongly signed or unsigned: %i, never stored', async (path, expected) => {
    for (const headers of [{ 'content-type': 'application/json' }, { ...signedRequest('not-the-secret', 'x').headers, 'content-type': 'application/json' }]) {
      const b = body();
      const status = await send('POST', path as string, b.text, headers);
      expect(status).toBe(expected);
      expect(await stored(b.ts)).toBe(false);
    }
  });

  it.each(ROUTED)('%s, correctly signed: 200 and stored', async (path) => {
    const b = body();
    const status = await send('POST', path, b.text, signedRequest(SIGNING_SECRET, b.text).headers);
    expect(status).toBe(200);
    expect(await stored(b.ts)).toBe(true);
  });
});
