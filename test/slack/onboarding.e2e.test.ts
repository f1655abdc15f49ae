import { saveCharter } from '../../src/store/charters';
import { buttonClick, startTestApp, type TestApp } from '../helpers/app-harness';
import { makeCharter } from '../helpers/charter';

/**
 * Onboarding end to end: when the app joins a channel it introduces itself there once per
 * channel ever (redeliveries, rejoins and a second process included); admins see the three
 * setup steps in App Home until they are done.
 */
const ADMIN = 'U0ADMIN001';
const ANA = 'U0ANA00001';
const CH = 'C0GENERAL1';
const OTHER = 'C0OTHER001';

describe('onboarding end to end', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ logLevel: 'warn', users: [{ id: ADMIN, name: 'Admin', tz: 'UTC', is_admin: true }, { id: ANA, name: 'Ana', tz: 'UTC' }] });
    t.fake.addChannel({ id: CH, name: 'general', memberCount: 10 });
    t.fake.addChannel({ id: OTHER, name: 'other', memberCount: 10 });
  });
  afterAll(async () => {
    await t.stop();
    await t.store.close();
  });

  const joined = (user: string, channel: string) => ({ type: 'member_joined_channel', user, channel, channel_type: 'C', team: t.fake.teamId, event_ts: `${Math.floor(Date.now() / 1000)}.000200` });
  const intros = (channel: string) => t.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);

  it('the app joining a channel posts one introduction: what it measures, no text stored, /async help', async () => {
    const res = await t.sendEvent(joined(t.fake.botUserId, CH), { eventId: 'EvJOIN00001' });
    expect(res.status).toBe(200);
    await t.service.idle();
    const posted = intros(CH);
    expect(posted).toHaveLength(1);
    const text = JSON.stringify(posted[0]?.args.blocks);
    expect(text).toContain('I measure how long @mentions wait for an answer');
    expect(text).toContain('I never store or log message text');
    expect(text).toContain('/async help');
  });

  it('never twice in a channel: a redelivery, a rejoin, a person joining', async () => {
    await t.sendEvent(joined(t.fake.botUserId, CH), { eventId: 'EvJOIN00001', retryNum: 1 });
    await t.sendEvent(joined(t.fake.botUserId, CH), { eventId: 'EvJOIN00002' });
    await t.sendEvent(joined(ANA, OTHER), { eventId: 'EvJOIN00003' });
    await t.service.idle();
    expect(intros(CH)).toHaveLength(1);
    expect(intros(OTHER)).toHaveLength(0);
  });

  it('a failed post is given back, so the next join introduces the app', async () => {
    t.fake.override('chat.postMessage', { status: 500, body: { ok: false, error: 'internal_error' } });
    await t.sendEvent(joined(t.fake.botUserId, OTHER), { eventId: 'EvJOIN00004' });
    await t.service.idle();
    expect(intros(OTHER)).toHaveLength(1); // the failed try
    await t.sendEvent(joined(t.fake.botUserId, OTHER), { eventId: 'EvJOIN00005' });
    await t.service.idle();
    expect(intros(OTHER)).toHaveLength(2);
    const rows = await t.store.db.selectFrom('channel_intros').select(['channel_id', 'message_ts']).orderBy('channel_id').execute();
    expect(rows.map((r) => r.channel_id)).toEqual([CH, OTHER]);
    expect(rows.every((r) => r.message_ts !== null)).toBe(true);
  });

  it('App Home shows an admin the three setup steps, ticking them off as they are done; others never see them', async () => {
    const open = async (user: string) => {
      const before = t.fake.callsTo('views.publish').length;
      await t.sendEvent({ type: 'app_home_opened', user, channel: 'D0HOME0001', tab: 'home', event_ts: `${Math.floor(Date.now() / 1000)}.000300` });
      await t.service.idle();
      return JSON.stringify(t.fake.callsTo('views.publish').slice(before)[0]?.args.view);
    };
    let home = await open(ADMIN);
    expect(home).toContain('Set up Async Charter');
    expect(home).toContain(':white_large_square: *1. Set the charter*');
    expect(home).toContain(':white_large_square: *2. Pick the digest channel*');
    expect(home).toContain('*3. Import history.*');
    expect(await open(ANA)).not.toContain('Set up Async Charter');
    await saveCharter(t.store.db, t.fake.teamId, makeCharter({ digest: { channel: CH } }), 'cli');
    home = await open(ADMIN);
    expect(home).toContain(':white_check_mark: *1. Set the charter*');
    expect(home).toContain(':white_check_mark: *2. Pick the digest channel*');
    expect(home).toContain('start_backfill');

    // Step 3: someone who is not an admin cannot start the import; the admin can, and sees it done.
    const click = async (user: string) => {
      const res = await t.interact({ ...buttonClick({ teamId: t.fake.teamId, userId: user, channelId: CH, actionId: 'start_backfill', value: '30', responseUrl: t.fake.responseUrl('bf') }), container: { type: 'view', view_id: 'V0HOME0001' } });
      expect(res.status).toBe(200);
      await t.service.idle();
      await t.service.backfill?.idle();
    };
    await click(ANA);
    expect(await t.service.backfill?.progress(t.fake.teamId)).toBeNull();
    const ts = `${Math.floor(Date.now() / 1000) - 3600}.000100`;
    t.fake.addMessage(CH, { user: ANA, ts, text: `<@${ADMIN}> what about the plan?` });
    await click(ADMIN);
    expect(await t.service.backfill?.progress(t.fake.teamId)).toMatchObject({ status: 'done' });
    expect(await t.store.db.selectFrom('messages').select(['channel_id', 'ts', 'user_id']).where('ts', '=', ts).execute()).toEqual([{ channel_id: CH, ts, user_id: ANA }]);
    expect(t.fake.callsTo('chat.postEphemeral')).toHaveLength(0);
    home = await open(ADMIN);
    expect(home).not.toContain('Set up Async Charter');
  }, 60_000);
});
