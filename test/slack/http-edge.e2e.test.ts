import { eventEnvelope, slashCommandForm, startTestApp, type TestApp } from '../helpers/app-harness';

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
let tsSeq = 0;
const nowTs = () => `${nowSec()}.${String(++tsSeq).padStart(6, '0')}`;
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

describe('ssl_check: unsigned by design, and nothing sent with one is read', () => {
  const form = 'application/x-www-form-urlencoded';
  const command = () => slashCommandForm('help', { userId: ANA, teamId: t.fake.teamId, responseUrl: t.fake.responseUrl('ssl') });

  it.each([
    ['ssl_check first', () => `ssl_check=1&${command()}`],
    ['ssl_check last', () => `${command()}&ssl_check=1`],
  ])('%s, a slash command smuggled beside it, unsigned: 200 with an empty body, the command never run', async (_name, body) => {
    await t.service.idle(); // background work of earlier tests (directory fills) done
    const calls = t.fake.calls.length;
    const res = await t.post(body(), { sign: false, contentType: form });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(t.fake.calls.slice(calls).map((c) => c.method)).toEqual([]);
  });

  it.each([
    ['with a charset in its content type', `${form}; charset=utf-8`, 'ssl_check=1'],
    ['as JSON', 'application/json', '{"ssl_check":"1"}'],
    ['with ssl_check twice', form, 'ssl_check=1&ssl_check=1'],
    ['with ssl_check=true', form, 'ssl_check=true'],
  ])('not an ssl_check %s: unsigned, 401', async (_name, contentType, prefix) => {
    await t.service.idle();
    const calls = t.fake.calls.length;
    const res = await t.post(`${prefix}&${command()}`, { sign: false, contentType });
    expect(res.status).toBe(401);
    expect(t.fake.calls.slice(calls).map((c) => c.method)).toEqual([]);
  });

  it('the same command, signed, is run (the tests above would pass for a broken route otherwise)', async () => {
    const res = await t.post(command(), { contentType: form });
    expect(res.status).toBe(200);
    expect(await res.text()).not.toBe('');
  });
});

/** The body is answered 400 within a second, nothing of it is stored, and the app stays healthy. */
async function expectRefusedAtOnce({ body, contentType }: { body: string; contentType?: string }): Promise<void> {
  const events = await count(t, 'slack_events');
  const messages = await count(t, 'messages');
  const started = Date.now();
  const res = await t.post(body, contentType !== undefined ? { contentType } : {});
  expect(res.status).toBe(400);
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(await count(t, 'slack_events')).toBe(events);
  expect(await count(t, 'messages')).toBe(messages);
  expect((await t.get('/healthz')).status).toBe(200);
}

async function ignoredCount(reason: string): Promise<number> {
  const text = await (await t.metrics()).text();
  const m = new RegExp(`^async_charter_events_ignored_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe("row 8: only the served workspace's events are stored", () => {
  it.each([['another workspace', 'T0OTHERTM1']])('an event from %s gets 200, is not stored, and is counted', async (_name, teamId) => {
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

describe('row 2: a body that can never be valid is refused with 400 at once; unknown but well-formed ones get 200', () => {
  const json = (over: Record<string, unknown>, event?: Record<string, unknown>) => ({ body: JSON.stringify(envelope(over, event)) });
  const form = (fields: Record<string, string>) => ({ body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' });
  const slashFields = { token: 'x', team_id: 'T0TEAM0001', user_id: ANA, channel_id: 'C0GENERAL1', command: '/async', text: 'help', response_url: 'http://127.0.0.1:9/r', trigger_id: '1.2.3' };
  const cases: Array<[string, () => { body: string; contentType?: string }]> = [
    ['`event` null', () => json({ event: null })],
    ['`event` a string', () => json({ event: 'message' })],
    ['`text` a number', () => json({}, { ...message(nowTs()), text: 42 })],
    ['a NUL byte in the channel id', () => json({}, { ...message(nowTs()), channel: 'C0GEN\u0000ERAL' })],
    ['a 300k-character channel id', () => json({}, { ...message(nowTs()), channel: `C${'X'.repeat(300_000)}` })],
    ['`team_id` "__proto__"', () => json({ team_id: '__proto__' })],
    ['`team_id` an object', () => json({ team_id: { id: 'T0TEAM0001' } })],
    ['an unparseable `ts`', () => json({}, { ...message('yesterday') })],
    ['a NUL byte in the event id', () => json({ event_id: 'Ev\u00001' })],
    ['a JSON `null` body', () => ({ body: 'null' })],
    ['a JSON array body', () => ({ body: '[1,2]' })],
    ['a body with no type', () => ({ body: '{"team_id":"T0TEAM0001"}' })],
    ['a slash command without a user', () => form({ ...slashFields, user_id: '' })],
    ['a slash command with a NUL in the channel id', () => form({ ...slashFields, channel_id: 'C0\u0000X' })],
    ['an interactivity payload whose actions are not a list', () => form({ payload: JSON.stringify({ type: 'block_actions', team: { id: 'T0TEAM0001' }, user: { id: ANA }, actions: 'nudge_dismiss' }) })],
    ['an interactivity payload whose team id is an object', () => form({ payload: JSON.stringify({ type: 'block_actions', team: { id: { x: 1 } }, user: { id: ANA }, actions: [] }) })],
  ];

  it.each(cases)('%s → 400 within a second, nothing stored, counted', async (_name, make) => {
    const invalid = await ignoredCount('invalid_payload');
    await expectRefusedAtOnce(make());
    expect(await ignoredCount('invalid_payload')).toBe(invalid + 1);
  });

  it('an unknown event type (emoji_changed) → 200 at once', async () => {
    const started = Date.now();
    const res = await t.post(JSON.stringify(envelope({}, { type: 'emoji_changed', subtype: 'add', name: 'party', value: 'https://emoji.example/p.png', event_ts: nowTs() })));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('an unknown block action id → 200 at once', async () => {
    const started = Date.now();
    const payload = { type: 'block_actions', team: { id: t.fake.teamId }, user: { id: ANA }, api_app_id: 'A0APP00001', trigger_id: '1.2.3', actions: [{ action_id: 'no_such_action', block_id: 'b1', type: 'button', value: 'v', action_ts: nowTs() }] };
    const res = await t.interact(payload);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('an unknown top-level type (app_rate_limited) → 200 at once', async () => {
    const started = Date.now();
    const res = await t.post(JSON.stringify({ token: 'x', type: 'app_rate_limited', team_id: t.fake.teamId, minute_rate_limited: 1518467820, api_app_id: 'A0APP00001' }));
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('found by the edge fuzz (test/fuzz): bodies Bolt or a listener would throw on → 400 at once, nothing stored', () => {
  const form = (payload: Record<string, unknown>) => ({ body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: 'application/x-www-form-urlencoded' });
  const user = { id: ANA, username: 'ana', name: 'ana', team_id: 'T0TEAM0001' };
  const values = { starter: { starter: { type: 'plain_text_input', value: 'Kicking this off' } } };
  const ref = JSON.stringify({ n: '1', c: 'C0GENERAL1', ts: '1700000000.000100' });
  const submission = (over: Record<string, unknown> = {}, view: Record<string, unknown> = {}) =>
    form({ type: 'view_submission', team: { id: 'T0TEAM0001', domain: 'acme-test' }, user, api_app_id: 'A0APP00001', trigger_id: '1.2.3', view: { id: 'V0FUZZ0001', hash: '1.a', type: 'modal', callback_id: 'thread_starter', private_metadata: ref, state: { values }, ...view }, ...over });
  const click = (over: Record<string, unknown> = {}) =>
    form({ type: 'block_actions', team: { id: 'T0TEAM0001', domain: 'acme-test' }, user, api_app_id: 'A0APP00001', trigger_id: '1.2.3', channel: { id: 'C0GENERAL1', name: 'general' }, actions: [{ action_id: 'nudge_dismiss', block_id: 'b1', type: 'button', value: ref, action_ts: nowTs() }], ...over });
  const without = (o: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));

  const cases: Array<[string, () => { body: string; contentType?: string }]> = [
    ['a view_submission carrying an `event` string (Bolt routes any body with `event` as an event)', () => submission({ event: 'T0TEAM0001view_closed' })],
    ['a block_actions payload carrying an `event` number', () => click({ event: -630376104 })],
    ['a view_submission without a user', () => form(without(JSON.parse(new URLSearchParams(submission().body).get('payload') ?? '{}') as Record<string, unknown>, 'user'))],
    ['a block_actions payload without a user', () => form(without(JSON.parse(new URLSearchParams(click().body).get('payload') ?? '{}') as Record<string, unknown>, 'user'))],
    ['a view_submission whose view has no callback_id', () => submission({}, { callback_id: undefined })],
    ['a view_submission whose view has no state', () => submission({}, { state: undefined })],
    ['a view_submission whose view.state has no values', () => submission({}, { callback_id: 'meeting_agenda', state: {} })],
    ['a modal input whose value is a number', () => submission({}, { state: { values: { starter: { starter: { type: 'plain_text_input', value: 42 } } } } })],
    [
      'a message_changed whose message.text is false',
      () => ({
        body: JSON.stringify(
          envelope({}, { type: 'message', subtype: 'message_changed', channel: 'C0GENERAL1', channel_type: 'channel', hidden: true, ts: nowTs(), event_ts: nowTs(), message: { type: 'message', user: ANA, text: false, ts: nowTs(), edited: { user: ANA, ts: nowTs() } } }),
        ),
      }),
    ],
    ['an envelope whose authorizations are [null]', () => ({ body: JSON.stringify(envelope({ authorizations: [null] })) })],
    ['an event whose subteam is null', () => ({ body: JSON.stringify(envelope({}, { ...message(nowTs()), subteam: null })) })],
    ['a block_actions payload whose channel is null', () => click({ channel: null })],
    ['a block_actions payload with no actions ([])', () => click({ actions: [] })],
    ['a block_suggestion whose value is a number', () => form({ type: 'block_suggestion', team: { id: 'T0TEAM0001' }, user, action_id: 'v', block_id: 'timezone', value: 5 })],
    ['a charter settings submission whose selected_options is a string', () => submission({}, { callback_id: 'charter_settings', state: { values: { workdays: { v: { type: 'checkboxes', selected_options: 'mon' } } } } })],
    ['a charter settings submission whose holidays value is a number', () => submission({}, { callback_id: 'charter_settings', state: { values: { holidays: { v: { type: 'plain_text_input', value: 5 } } } } })],
    ['a message_changed whose message.user has a NUL', () => ({ body: JSON.stringify(envelope({}, { type: 'message', subtype: 'message_changed', channel: 'C0GENERAL1', channel_type: 'channel', ts: nowTs(), event_ts: nowTs(), message: { type: 'message', user: 'U0\u0000', text: 'x', ts: nowTs() } })) })],
    ['a message_deleted whose deleted_ts has a NUL', () => ({ body: JSON.stringify(envelope({}, { type: 'message', subtype: 'message_deleted', channel: 'C0GENERAL1', channel_type: 'channel', deleted_ts: '1\u0000', ts: nowTs(), event_ts: nowTs() })) })],
    ['a message_deleted whose deleted_ts is an object', () => ({ body: JSON.stringify(envelope({}, { type: 'message', subtype: 'message_deleted', channel: 'C0GENERAL1', channel_type: 'channel', deleted_ts: { ts: '1' }, ts: nowTs(), event_ts: nowTs() })) })],
    ['a user_change whose name has a NUL', () => ({ body: JSON.stringify(envelope({}, { type: 'user_change', user: { id: ANA, name: 'a\u0000b', team_id: 'T0TEAM0001' }, event_ts: nowTs() })) })],
    ['a channel_rename whose name has a NUL', () => ({ body: JSON.stringify(envelope({}, { type: 'channel_rename', channel: { id: 'C0GENERAL1', name: 'gen\u0000' }, event_ts: nowTs() })) })],
    ['a channel_rename whose name is an object', () => ({ body: JSON.stringify(envelope({}, { type: 'channel_rename', channel: { id: 'C0GENERAL1', name: { a: 1 } }, event_ts: nowTs() })) })],
    ['a reaction_added whose reaction has a NUL', () => ({ body: JSON.stringify(envelope({}, { type: 'reaction_added', user: ANA, reaction: 'ok\u0000', item: { type: 'message', channel: 'C0GENERAL1', ts: nowTs() }, event_ts: nowTs() })) })],
    ['a reaction_added whose reaction is an object', () => ({ body: JSON.stringify(envelope({}, { type: 'reaction_added', user: ANA, reaction: { name: 'ok' }, item: { type: 'message', channel: 'C0GENERAL1', ts: nowTs() }, event_ts: nowTs() })) })],
  ];

  it.each(cases)('%s → 400 within a second, nothing stored', async (_name, make) => {
    await expectRefusedAtOnce(make());
  });

  it('the same submission, well-formed, is still answered 200', async () => {
    const { body, contentType } = submission();
    const res = await t.post(body, { contentType });
    expect(res.status).toBe(200);
  });
});
