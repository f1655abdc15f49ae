import { saveCharter } from '../../src/store/charters';
import { buttonClick, startTestApp, type TestApp } from '../helpers/app-harness';
import { makeCharter } from '../helpers/charter';
import type { RecordedCall } from '../helpers/fake-slack';
import { fixture } from '../helpers/fixtures';

/**
 * App Home end to end: app_home_opened (Slack's own payload shape) and the tab's buttons against
 * the running app; the view published with views.publish, checked by the fake Slack API as Slack
 * checks it (type home, at most 100 blocks, text limits). Clock: Wed 25 Nov 2026 14:00 UTC.
 */
const NOW = Date.parse('2026-11-25T14:00:00Z');
const BEN = 'U0BEN00001';
const ANA = 'U0ANA00001';
const ADMIN = 'U0ADMIN001';
const EDITOR = 'U0EDITOR01';
const CH = 'C0GENERAL1';

describe('App Home end to end', () => {
  let t: TestApp;
  let asked = '';
  beforeAll(async () => {
    t = await startTestApp({
      env: { ASYNC_CHARTER_NOW: new Date(NOW).toISOString() },
      logLevel: 'warn',
      users: [
        { id: BEN, name: 'Ben', tz: 'Europe/Berlin' },
        { id: ANA, name: 'Ana', tz: 'America/New_York' },
        { id: ADMIN, name: 'Admin', tz: 'UTC', is_admin: true },
        { id: EDITOR, name: 'Edda', tz: 'UTC' },
      ],
    });
    // The fake's clock is the app's own: one clock, not two started seconds apart.
    t.fake.now = t.service.now;
    await saveCharter(t.store.db, t.fake.teamId, makeCharter({ timezone: 'UTC', editors: [EDITOR] }), 'test');
    asked = `${Math.floor(Date.parse('2026-11-25T12:00:00Z') / 1000)}.000001`;
    expect((await t.sendEvent({ type: 'message', channel: CH, channel_type: 'channel', user: ANA, ts: asked, event_ts: asked, text: `<@${BEN}> can you look at the budget?` })).status).toBe(200);
    await t.service.idle();
  });
  afterAll(async () => {
    await t.stop();
    await t.store.close();
  });

  /** Opens the Home tab as Slack sends it (slack-web's captured app_home_opened, ids replaced); returns the view published. */
  async function openHome(user: string, tab = 'home'): Promise<{ ms: number; published: RecordedCall[] }> {
    const shape = fixture<{ event: Record<string, unknown> }>('slack-web', 'events', 'app_home_opened_home.json');
    const before = t.fake.callsTo('views.publish').length;
    const t0 = Date.now();
    const res = await t.sendEvent({ ...shape.event, user, tab, channel: 'D0HOME0001', event_ts: `${Math.floor(NOW / 1000)}.000100` });
    const ms = Date.now() - t0;
    expect(res.status).toBe(200);
    expect(ms).toBeLessThan(3000);
    await t.service.idle();
    return { ms, published: t.fake.callsTo('views.publish').slice(before) };
  }
  const viewText = (c: RecordedCall | undefined) => JSON.stringify(c?.args.view).replace(/\\n/g, '\n');
  const actionIds = (c: RecordedCall | undefined) => JSON.stringify(c?.args.view).match(/"action_id":"[a-z_]+"/g) ?? [];
  async function click(user: string, actionId: string, value: string): Promise<RecordedCall[]> {
    const before = t.fake.callsTo('views.publish').length;
    const t0 = Date.now();
    const res = await t.interact({ ...buttonClick({ teamId: t.fake.teamId, userId: user, channelId: CH, actionId, value, responseUrl: t.fake.responseUrl('home') }), container: { type: 'view', view_id: 'V0HOME0001' }, view: { id: 'V0HOME0001', type: 'home' } });
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(3000);
    await t.service.idle();
    return t.fake.callsTo('views.publish').slice(before);
  }

  it('publishes the viewer’s own page: charter summary, what waits on them (link, due in their zone), their week against last', async () => {
    const { published } = await openHome(BEN);
    expect(published).toHaveLength(1);
    const call = published[0] as RecordedCall;
    expect(call.args.user_id).toBe(BEN);
    expect((call.args.view as { type: string }).type).toBe('home');
    const text = viewText(call);
    expect(text).toContain('*Working time:* Mon–Fri, 09:00–17:00');
    expect(text).toContain(`https://slack.com/archives/${CH}/p${asked.replace('.', '')}`);
    // Asked 13:00 Berlin Wednesday; 480 working minutes later is Thursday 13:00 Berlin.
    expect(text).toContain('due Thu 26 Nov 13:00');
    expect(text).toContain('This week so far');
    expect(text).toContain('Last week');
    expect(text).toContain('Only you can see this page.');
    expect(actionIds(call)).toEqual(expect.arrayContaining(['"action_id":"home_focus"', '"action_id":"home_snooze"']));
    expect(actionIds(call)).not.toContain('"action_id":"open_charter_settings"');
  });

  it('someone with nothing waiting sees a friendly empty state, not someone else’s list', async () => {
    const text = viewText((await openHome(ANA)).published[0]);
    expect(text).toContain('Nothing is waiting on you.');
    expect(text).not.toContain(asked.replace('.', ''));
  });

  it('admins and charter editors get the charter settings button; it opens the settings for them only', async () => {
    for (const user of [ADMIN, EDITOR]) expect(actionIds((await openHome(user)).published[0])).toContain('"action_id":"open_charter_settings"');
    const before = t.fake.callsTo('views.open').length;
    await click(ADMIN, 'open_charter_settings', 'open');
    const opened = t.fake.callsTo('views.open').slice(before);
    expect(opened).toHaveLength(1);
    expect(opened[0]?.args.view).toMatchObject({ type: 'modal', callback_id: 'charter_settings' });
    await click(BEN, 'open_charter_settings', 'open');
    const forged = t.fake.callsTo('views.open').slice(before + 1);
    expect(JSON.stringify(forged[0]?.args.view)).toContain('Only workspace admins');
  });

  it('focus and snooze buttons change the state and republish the tab', async () => {
    let text = viewText((await click(BEN, 'home_focus', '120'))[0]);
    expect(text).toContain('You are in focus until *17:00*');
    expect(actionIds((await click(BEN, 'home_focus_off', 'off'))[0])).toContain('"action_id":"home_focus"');
    text = viewText((await click(BEN, 'home_snooze', '7'))[0]);
    expect(text).toContain('Nudges are snoozed until *Wed 2 Dec 15:00*');
    text = viewText((await click(BEN, 'home_snooze_off', 'off'))[0]);
    expect(text).toContain('Nudges are on.');
  });

  it('the Messages tab and another workspace’s event publish nothing', async () => {
    expect((await openHome(BEN, 'messages')).published).toEqual([]);
    const before = t.fake.callsTo('views.publish').length;
    const res = await t.post(JSON.stringify({ ...fixture<Record<string, unknown>>('slack-web', 'events', 'app_home_opened_home.json'), team_id: 'T0ELSEWHERE', event_id: 'Ev0ELSEWHERE' }));
    expect(res.status).toBe(200);
    await t.service.idle();
    expect(t.fake.callsTo('views.publish').length).toBe(before);
  });
});
