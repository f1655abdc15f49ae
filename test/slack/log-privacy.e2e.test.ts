import { createLogger, slackLoggerAdapter, withoutBodies } from '../../src/logger';
import { quietLogger } from '../../src/slack/web-api-logger';
import { LogCapture, startTestApp, type TestApp } from '../helpers/app-harness';
import { fixture } from '../helpers/fixtures';

/**
 * Issue 11, row 10: at debug level the Web API client logged every users.info answer (real
 * name, phone, status, avatars), and Bolt quoted a malformed body in its JSON parse error at
 * warn. The real app at debug level, fed people with distinctive profiles and malformed signed
 * bodies, must log ids only and never a snippet of a body.
 */

const GENERAL = 'C0GENERAL1';
const PEOPLE = ['U0ZELDA001', 'U0OTTO0001', 'U0PIA00001'];

/** A complete users.info user (Slack's shape, test/fixtures/java-slack-sdk) whose every personal field carries a marker. */
function profiled(id: string, n: number): Record<string, unknown> {
  const base = fixture<{ user: Record<string, unknown> & { profile: Record<string, unknown> } }>('java-slack-sdk', 'api', 'users.info.json').user;
  const personal = {
    real_name: `Realname-Marker-${n}`,
    real_name_normalized: `Realname-Marker-${n}`,
    display_name: `Displayname-Marker-${n}`,
    display_name_normalized: `Displayname-Marker-${n}`,
    first_name: `Firstname-Marker-${n}`,
    last_name: `Lastname-Marker-${n}`,
    phone: `+1-555-0100-${n}99`,
    email: `email-marker-${n}@example.org`,
    title: `Title-Marker-${n}`,
    status_text: `Status-Marker-${n}`,
    status_emoji: `:status-emoji-marker-${n}:`,
    pronouns: `pronouns-marker-${n}`,
    image_24: `https://avatars.example.org/Avatar-Marker-${n}-24.png`,
    image_72: `https://avatars.example.org/Avatar-Marker-${n}-72.png`,
    image_512: `https://avatars.example.org/Avatar-Marker-${n}-512.png`,
    image_original: `https://avatars.example.org/Avatar-Marker-${n}-original.png`,
  };
  return {
    ...base,
    id,
    team_id: 'T0TEAM0001',
    name: `username-marker-${n}`,
    real_name: personal.real_name,
    deleted: false,
    is_bot: false,
    tz: 'Europe/Berlin',
    profile: { ...base.profile, ...personal, team: 'T0TEAM0001' },
  };
}

/** What must never be in a log line: the profile values above, and any key that carries them. */
const FORBIDDEN = [/Realname-Marker/, /Displayname-Marker/, /Firstname-Marker|Lastname-Marker/, /555-0100/, /email-marker/, /Title-Marker/, /Status-Marker|status-emoji-marker/, /pronouns-marker/, /Avatar-Marker/, /username-marker/, /"real_name"/, /"phone"/, /"status_text"/, /"image_\d+"/];

describe('log lines at debug level: ids only, no profile, no body', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ logLevel: 'debug', users: PEOPLE.map((id, i) => ({ id, raw: profiled(id, i + 1) })) });
  });
  afterAll(async () => {
    await t.stop();
    await t.store.close();
  });

  it("the app looks people up (users.info) and logs none of their answers' personal fields", async () => {
    const now = Math.floor(Date.now() / 1000);
    const ts = `${now}.000100`;
    const res = await t.sendEvent({ type: 'message', channel: GENERAL, channel_type: 'channel', user: PEOPLE[0], ts, event_ts: ts, text: `<@${PEOPLE[1]}> <@${PEOPLE[2]}> can we hop on a quick call?` });
    expect(res.status).toBe(200);
    // A profile change arrives as Slack sends it: the whole user object.
    const changed = await t.sendEvent({ type: 'user_change', user: profiled(PEOPLE[1] ?? '', 2), cache_ts: now, event_ts: `${now}.000200` });
    expect(changed.status).toBe(200);
    await t.service.idle();
    expect(t.fake.callsTo('users.info').length).toBeGreaterThanOrEqual(3);
    // The lookups were logged (so the test would see their bodies if they were there).
    expect(t.logs.text()).toMatch(/users\.info/);
    for (const re of FORBIDDEN) expect(t.logs.text()).not.toMatch(re);
  });

  it.each([
    ['a truncated JSON body', '{"type":"event_callback","text":"SECRET-MARKER-TRUNCATED'],
    ['a body that is not JSON at all', 'SECRET-MARKER-NOT-JSON and more words after it'],
    ['an unquoted value', '{"type":"event_callback","event":{"note":SECRET-MARKER-UNQUOTED, "more":"words"}}'],
    ['a long body broken in the middle', `{"type":"event_callback","event":{"note":"${'x'.repeat(40)}" SECRET-MARKER-MIDDLE "${'y'.repeat(40)}"}}`],
  ])('%s (correctly signed) is answered 400 and no part of it is logged', async (_name, body) => {
    const before = t.logs.lines.length;
    const res = await t.post(body);
    expect(res.status).toBe(400);
    const logged = t.logs.lines.slice(before).join('\n');
    expect(logged).toMatch(/malformed|not valid JSON|parse/i);
    expect(logged).not.toMatch(/SECRET|MARKER|words|xxxx|yyyy/);
  });

  it('a malformed interactivity payload (form) is answered 400 and no part of it is logged', async () => {
    const before = t.logs.lines.length;
    const res = await t.post(new URLSearchParams({ payload: '{"type":"block_actions","user":SECRET-MARKER-FORM}' }).toString(), { contentType: 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(400);
    expect(t.logs.lines.slice(before).join('\n')).not.toMatch(/SECRET|MARKER/);
  });
});

describe('withoutBodies: what the Slack libraries quote is cut from their lines', () => {
  it.each([
    ['http request result: {"ok":true,"user":{"id":"U1","real_name":"Zelda Q"}}', 'http request result (ok: true)'],
    ['http request result: {"ok":false,"error":"user_not_found","response_metadata":{}}', 'http request result (ok: false, error: user_not_found)'],
    ['http request body: {"user":"U1","text":"hi"}', 'http request body (not logged)'],
    ['http request headers: {"Accept":"application/json"}', 'http request headers (not logged)'],
    ['http request url: http://127.0.0.1:1/api/users.info', 'http request url: http://127.0.0.1:1/api/users.info'],
    ['ack() call begins (body: {"response_type":"ephemeral","blocks":[]})', 'ack() call begins (body not logged)'],
    ['Error details: Error: boom, storedResponse: {"blocks":[]}', 'Error details: Error: boom, storedResponse not logged'],
    ['Received a message on the WebSocket: {"envelope_id":"1","payload":{"event":{"user":{"profile":{}}}}}', 'Received a message on the WebSocket (not logged)'],
    ['Unable to parse an incoming WebSocket message (will ignore): SyntaxError: x, {"a":1}', 'Unable to parse an incoming WebSocket message (not logged)'],
    ['Calling ack() - type: events_api, envelope_id: 123, data: {"x":1}', 'Calling ack() - type: events_api, envelope_id: 123, data not logged'],
    [`Malformed request body: Unexpected token 'S', "SECRET-MAR"... is not valid JSON`, 'Malformed request body: not valid JSON'],
    [`Malformed request body: Unexpected token 'S', ..."{"note":SECRET-MAR"... is not valid JSON`, 'Malformed request body: not valid JSON'],
    ['Malformed request body: Unexpected token S in JSON at position 0', 'Malformed request body: Unexpected token in JSON at position 0'],
    ['something new dumps {"real_name":"Zelda Q","x":1}', 'something new dumps [not logged]'],
    ["apiCall('users.info') start", "apiCall('users.info') start"],
  ])('%s', (line, expected) => {
    expect(withoutBodies(line)).toBe(expected);
  });

  it("Bolt's and the Web API's loggers both apply it, and profile fields in objects are redacted", () => {
    const cap = new LogCapture();
    const root = createLogger({ level: 'debug', stream: cap });
    slackLoggerAdapter(root).debug('http request result: {"ok":true,"user":{"real_name":"Zelda Q"}}');
    slackLoggerAdapter(root).warn({ user: { id: 'U1', real_name: 'Zelda Q', profile: { phone: '+1-555-0100-QX7' } } }, 'odd user');
    quietLogger(root).warn('http request failed', 'body {"real_name":"Zelda Q"}');
    expect(cap.text()).not.toMatch(/Zelda|555-0100|QX7/);
    expect(cap.parsed()[1]).toMatchObject({ user: { id: 'U1', real_name: '[redacted]', profile: '[redacted]' } });
  });
});
