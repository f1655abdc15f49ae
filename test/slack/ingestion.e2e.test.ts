import { dumpAllTables, startTestApp, type TestApp } from '../helpers/app-harness';

/** Slack ts for "now + offsetSeconds", with a distinct microsecond part. */
function tsAt(base: number, offsetSeconds: number, micro: number): string {
  return `${base + offsetSeconds}.${String(micro).padStart(6, '0')}`;
}

const ANA = 'U0ANA00001';
const BEN = 'U0BEN00001';
const CY = 'U0CY000001';
const NEW = 'U0NEW00001';
const GENERAL = 'C0GENERAL1';
/** Each message carries one of these; none may appear in any table or log line. */
const MARKERS = ['quokka-marmalade-1', 'quokka-marmalade-2', 'quokka-marmalade-3', 'quokka-marmalade-4', 'quokka-marmalade-5', 'quokka-marmalade-6', 'quokka-marmalade-7', 'quokka-marmalade-8'];

describe('ingestion end to end (real Bolt over HTTP, fake Slack Web API, real store)', () => {
  let t: TestApp;
  const base = Math.floor(Date.now() / 1000) - 60;
  const T1 = tsAt(base, 0, 100);
  const T2 = tsAt(base, 5, 200);
  const T3 = tsAt(base, 10, 300);
  const T4 = tsAt(base, 15, 400);
  const T5 = tsAt(base, 20, 500);

  beforeAll(async () => {
    t = await startTestApp({
      users: [
        { id: ANA, name: 'ana', tz: 'Europe/Berlin', is_admin: true },
        { id: BEN, name: 'ben', tz: 'America/New_York' },
        { id: CY, name: 'cy', tz: 'Australia/Sydney' },
        { id: NEW, name: 'newbie', tz: 'Asia/Kolkata' },
      ],
    });
  });
  afterAll(async () => {
    await t.stop();
    await t.store.close();
  });

  const statuses: number[] = [];
  const send = async (event: Record<string, unknown>, opts: { eventId: string; retryNum?: number }): Promise<void> => {
    const res = await t.sendEvent(event, opts);
    statuses.push(res.status);
    expect(res.status).toBe(200);
  };

  it('stores ids, times and mentions of human messages, applies edits and deletes, ignores bots and joins and retries', async () => {
    // 1. A channel message mentioning two people.
    const first = { type: 'message', channel: GENERAL, channel_type: 'channel', user: ANA, ts: T1, event_ts: T1, text: `<@${BEN}> and <@${CY}|cy> ${MARKERS[0]} can you review?`, team: 'T0TEAM0001' };
    await send(first, { eventId: 'Ev0000000001' });
    // 2. A thread reply.
    await send({ type: 'message', channel: GENERAL, channel_type: 'channel', user: BEN, ts: T2, thread_ts: T1, parent_user_id: ANA, event_ts: T2, text: `${MARKERS[1]} on it` }, { eventId: 'Ev0000000002' });
    // 3. An edit that drops one mention.
    await send(
      {
        type: 'message',
        subtype: 'message_changed',
        channel: GENERAL,
        channel_type: 'channel',
        hidden: true,
        ts: T3,
        event_ts: T3,
        message: { type: 'message', user: ANA, ts: T1, text: `<@${BEN}> ${MARKERS[2]} only you`, edited: { user: ANA, ts: T3 } },
        previous_message: { type: 'message', user: ANA, ts: T1, text: first.text },
      },
      { eventId: 'Ev0000000003' },
    );
    // 4. A message, then its deletion.
    await send({ type: 'message', channel: GENERAL, channel_type: 'channel', user: CY, ts: T4, event_ts: T4, text: `<@${ANA}> ${MARKERS[3]} oops` }, { eventId: 'Ev0000000004' });
    await send(
      { type: 'message', subtype: 'message_deleted', hidden: true, channel: GENERAL, channel_type: 'channel', deleted_ts: T4, ts: T5, event_ts: T5, previous_message: { type: 'message', user: CY, ts: T4, text: `<@${ANA}> ${MARKERS[3]} oops` } },
      { eventId: 'Ev0000000005' },
    );
    // 5. A bot message (bot_id) mentioning someone.
    await send({ type: 'message', channel: GENERAL, channel_type: 'channel', bot_id: 'B0OTHER001', user: 'U0OTHERBOT', ts: tsAt(base, 25, 600), event_ts: tsAt(base, 25, 600), text: `<@${ANA}> ${MARKERS[4]} deploy done` }, { eventId: 'Ev0000000006' });
    // 6. A join: the system message is ignored, member_joined_channel is recorded.
    await send({ type: 'message', subtype: 'channel_join', channel: GENERAL, channel_type: 'channel', user: NEW, ts: tsAt(base, 30, 700), event_ts: tsAt(base, 30, 700), text: `<@${NEW}> has joined the channel ${MARKERS[5]}`, inviter: ANA }, { eventId: 'Ev0000000007' });
    await send({ type: 'member_joined_channel', user: NEW, channel: GENERAL, channel_type: 'C', team: 'T0TEAM0001', inviter: ANA, event_ts: tsAt(base, 30, 701) }, { eventId: 'Ev0000000008' });
    // 7. A DM is never recorded.
    await send({ type: 'message', channel: 'D0DIRECT01', channel_type: 'im', user: ANA, ts: tsAt(base, 35, 800), event_ts: tsAt(base, 35, 800), text: `<@${BEN}> ${MARKERS[6]} private` }, { eventId: 'Ev0000000009' });
    // 8. A reaction to the thread reply.
    await send({ type: 'reaction_added', user: ANA, reaction: 'white_check_mark', item: { type: 'message', channel: GENERAL, ts: T2 }, item_user: BEN, event_ts: tsAt(base, 40, 900) }, { eventId: 'Ev0000000010' });
    await t.service.idle();
    const before = await dumpAllTables(t.store);

    // 9. A retry of the first event (same event_id, X-Slack-Retry-Num) changes nothing.
    const retry = await t.sendEvent({ ...first, text: `<@${BEN}> <@${CY}> ${MARKERS[7]} retry` }, { eventId: 'Ev0000000001', retryNum: 1 });
    expect(retry.status).toBe(200);
    await t.service.idle();
    expect(await dumpAllTables(t.store)).toBe(before);

    const db = t.store.db;
    const messages = await db.selectFrom('messages').select(['channel_id', 'ts', 'thread_ts', 'root_ts', 'is_reply', 'user_id', 'subtype', 'mentions', 'edited_ts', 'source']).orderBy('ts').execute();
    expect(messages).toEqual([
      { channel_id: GENERAL, ts: T1, thread_ts: null, root_ts: T1, is_reply: false, user_id: ANA, subtype: null, mentions: [BEN], edited_ts: T3, source: 'event' },
      { channel_id: GENERAL, ts: T2, thread_ts: T1, root_ts: T1, is_reply: true, user_id: BEN, subtype: null, mentions: [], edited_ts: null, source: 'event' },
    ]);
    const posted = await db.selectFrom('messages').select(['ts', 'posted_at']).orderBy('ts').execute();
    expect(posted.map((m) => m.posted_at.toISOString())).toEqual([new Date(base * 1000).toISOString(), new Date((base + 5) * 1000).toISOString()]);

    expect(await db.selectFrom('deleted_messages').select(['channel_id', 'ts']).execute()).toEqual([{ channel_id: GENERAL, ts: T4 }]);
    expect(await db.selectFrom('channels').select(['channel_id', 'channel_type']).execute()).toEqual([{ channel_id: GENERAL, channel_type: 'channel' }]);
    expect(await db.selectFrom('channel_members').select(['channel_id', 'user_id']).execute()).toEqual([{ channel_id: GENERAL, user_id: NEW }]);
    const reactions = await db.selectFrom('reactions').select(['channel_id', 'message_ts', 'user_id', 'reaction', 'reacted_at', 'removed_at']).execute();
    expect(reactions).toEqual([{ channel_id: GENERAL, message_ts: T2, user_id: ANA, reaction: 'white_check_mark', reacted_at: new Date((base + 40) * 1000), removed_at: null }]);

    // Only deliveries that changed something are claimed; the bot message, join message and DM are not.
    const events = await db.selectFrom('slack_events').select(['event_id', 'event_type']).orderBy('event_id').execute();
    expect(events.map((e) => e.event_id)).toEqual(['Ev0000000001', 'Ev0000000002', 'Ev0000000003', 'Ev0000000004', 'Ev0000000005', 'Ev0000000008', 'Ev0000000010']);

    // The directory was filled with users.info, once per person, never for the bot.
    const users = await db.selectFrom('users').select(['user_id', 'tz', 'is_bot', 'deleted', 'is_admin']).orderBy('user_id').execute();
    expect(users).toEqual([
      { user_id: ANA, tz: 'Europe/Berlin', is_bot: false, deleted: false, is_admin: true },
      { user_id: BEN, tz: 'America/New_York', is_bot: false, deleted: false, is_admin: false },
      { user_id: CY, tz: 'Australia/Sydney', is_bot: false, deleted: false, is_admin: false },
      { user_id: NEW, tz: 'Asia/Kolkata', is_bot: false, deleted: false, is_admin: false },
    ]);
    const looked = t.fake.callsTo('users.info').map((c) => c.args.user);
    expect([...looked].sort()).toEqual([ANA, BEN, CY, NEW]);
    expect(looked).not.toContain('U0OTHERBOT');

    expect(await db.selectFrom('workspaces').select(['team_id', 'bot_user_id', 'bot_id']).execute()).toEqual([{ team_id: t.fake.teamId, bot_user_id: t.fake.botUserId, bot_id: t.fake.botId }]);

    // The retry was answered 2xx and logged as a duplicate.
    expect(t.logs.parsed().some((l) => l.msg === 'duplicate delivery ignored' && l.event_id === 'Ev0000000001' && l.retry_num === 1)).toBe(true);

    // No marker phrase anywhere: not in any table, not in any log line (debug level included).
    const everything = `${await dumpAllTables(t.store)}\n${t.logs.text()}`;
    expect(t.logs.lines.length).toBeGreaterThan(20);
    for (const marker of MARKERS) expect(everything).not.toContain(marker);
  });

  it("drops the app's own events as Bolt's ignoreSelf does, though they no longer pass through Bolt: its reactions, its messages; its joins count", async () => {
    const BOTROOM = 'C0BOTROOM1';
    const bot = { user: t.fake.botUserId };
    // Its own reaction to a human message, its own message, and its bot_message: none stored (each would be anyone else's).
    await send({ type: 'reaction_added', ...bot, reaction: 'eyes', item: { type: 'message', channel: GENERAL, ts: T1 }, item_user: ANA, event_ts: tsAt(base, 45, 1) }, { eventId: 'Ev0000000030' });
    await send({ type: 'message', channel: GENERAL, channel_type: 'channel', ...bot, ts: tsAt(base, 45, 2), event_ts: tsAt(base, 45, 2), text: `<@${ANA}> hi` }, { eventId: 'Ev0000000031' });
    await send({ type: 'message', subtype: 'bot_message', bot_id: t.fake.botId, channel: GENERAL, channel_type: 'channel', ts: tsAt(base, 45, 3), event_ts: tsAt(base, 45, 3), text: 'digest' }, { eventId: 'Ev0000000032' });
    // Bolt keeps member_joined_channel of its own user: the channel it joined is recorded.
    await send({ type: 'member_joined_channel', ...bot, channel: BOTROOM, channel_type: 'C', team: t.fake.teamId, event_ts: tsAt(base, 45, 4) }, { eventId: 'Ev0000000033' });
    // Another user's reaction on the same message is stored as ever.
    await send({ type: 'reaction_added', user: BEN, reaction: 'eyes', item: { type: 'message', channel: GENERAL, ts: T1 }, item_user: ANA, event_ts: tsAt(base, 45, 5) }, { eventId: 'Ev0000000034' });
    await t.service.idle();
    const db = t.store.db;
    const reactions = await db.selectFrom('reactions').select(['user_id', 'reaction']).where('message_ts', '=', T1).execute();
    expect(reactions).toEqual([{ user_id: BEN, reaction: 'eyes' }]);
    expect(await db.selectFrom('messages').select('ts').where('ts', 'like', `${base + 45}.%`).execute()).toEqual([]);
    const claimed = await db.selectFrom('slack_events').select('event_id').where('event_id', 'in', ['Ev0000000030', 'Ev0000000031', 'Ev0000000032', 'Ev0000000033', 'Ev0000000034']).orderBy('event_id').execute();
    expect(claimed.map((e) => e.event_id)).toEqual(['Ev0000000033', 'Ev0000000034']);
    expect(await db.selectFrom('channel_members').select('user_id').where('channel_id', '=', BOTROOM).execute()).toEqual([{ user_id: t.fake.botUserId }]);
  });

  it('refreshes a person on user_change and renames channels on channel_rename', async () => {
    await send({ type: 'user_change', user: { id: BEN, team_id: t.fake.teamId, name: 'ben', tz: 'America/Los_Angeles', deleted: false, is_bot: false, is_admin: true, profile: { display_name: 'Ben B' } }, event_ts: tsAt(base, 50, 1) }, { eventId: 'Ev0000000020' });
    await send({ type: 'channel_rename', channel: { id: GENERAL, name: 'general-renamed', created: base }, event_ts: tsAt(base, 51, 1) }, { eventId: 'Ev0000000021' });
    const ben = await t.store.db.selectFrom('users').select(['tz', 'is_admin', 'display_name']).where('user_id', '=', BEN).executeTakeFirstOrThrow();
    expect(ben).toEqual({ tz: 'America/Los_Angeles', is_admin: true, display_name: 'Ben B' });
    const ch = await t.store.db.selectFrom('channels').select(['name']).where('channel_id', '=', GENERAL).executeTakeFirstOrThrow();
    expect(ch.name).toBe('general-renamed');
  });

  it('keeps the earliest reaction time and remembers a removed reaction', async () => {
    await send({ type: 'reaction_removed', user: ANA, reaction: 'white_check_mark', item: { type: 'message', channel: GENERAL, ts: T2 }, event_ts: tsAt(base, 60, 1) }, { eventId: 'Ev0000000030' });
    const r = await t.store.db.selectFrom('reactions').select(['reacted_at', 'removed_at']).where('message_ts', '=', T2).executeTakeFirstOrThrow();
    expect(r.reacted_at).toEqual(new Date((base + 40) * 1000));
    expect(r.removed_at).toEqual(new Date((base + 60) * 1000));
  });

  it('answers url_verification with the challenge', async () => {
    const res = await t.post(JSON.stringify({ token: 'x', challenge: 'challenge-abc-123', type: 'url_verification' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'challenge-abc-123' });
  });
});
