import { loadCharter, saveCharter } from '../../src/store/charters';
import { buttonClick, startTestApp, viewSubmission, type TestApp } from '../helpers/app-harness';
import { makeCharter } from '../helpers/charter';
import type { RecordedCall } from '../helpers/fake-slack';
import { blocksProblem, viewProblem } from '../helpers/fake-slack-state';
import { initialState, setField, type StateValues } from '../helpers/view-state';

/**
 * The charter settings modal, end to end: `/async config` → views.open → an invalid submit
 * answered with errors on the right blocks → a valid submit → `/async charter` shows it →
 * `/async charter history` lists it. Non-admins are refused at open and at a forged submit.
 * Who is an admin comes from users.info at the moment of asking.
 */
const NOW = Date.parse('2026-12-03T10:04:00Z');
const ANA = 'U0ANA00001'; // admin
const BEN = 'U0BEN00001'; // nobody special
const EDDA = 'U0EDDA0001'; // charter editor
const CH = 'C0GENERAL1';
const DIGEST = 'C0DIGEST01';

describe('charter settings modal end to end', () => {
  let t: TestApp;
  let n = 0;
  beforeAll(async () => {
    t = await startTestApp({
      env: { ASYNC_CHARTER_NOW: new Date(NOW).toISOString() },
      logLevel: 'info',
      users: [
        { id: ANA, name: 'Ana', tz: 'Europe/Berlin', is_admin: true },
        { id: BEN, name: 'Ben', tz: 'UTC' },
        { id: EDDA, name: 'Edda', tz: 'UTC' },
      ],
    });
    // The fake's clock is the app's own: one clock, not two started seconds apart.
    t.fake.now = t.service.now;
    t.fake.addChannel({ id: DIGEST, name: 'team-health', memberCount: 12 });
    await saveCharter(t.store.db, t.fake.teamId, makeCharter({ timezone: 'UTC', editors: [EDDA] }), 'cli');
  });
  afterAll(async () => {
    await t.stop();
    await t.store.close();
  });

  async function slash(text: string, user: string): Promise<{ ms: number; reply: Record<string, unknown> | undefined; ack: string }> {
    const id = `s${(n += 1)}`;
    const t0 = Date.now();
    const res = await t.slash(text, { userId: user, channelId: CH, responseUrl: t.fake.responseUrl(id) });
    const ack = await res.text();
    const ms = Date.now() - t0;
    expect(res.status).toBe(200);
    expect(ms).toBeLessThan(3000);
    await t.service.idle();
    return { ms, ack, reply: t.fake.callsTo('response_url').filter((c) => c.args.response_url_id === id).at(-1)?.args };
  }
  async function openSettings(user: string): Promise<RecordedCall | undefined> {
    const before = t.fake.callsTo('views.open').length;
    await slash('config', user);
    return t.fake.callsTo('views.open').slice(before)[0];
  }
  async function submit(user: string, view: Record<string, unknown>, values: StateValues): Promise<{ status: number; body: Record<string, unknown> | null; ms: number }> {
    const t0 = Date.now();
    const res = await t.interact(viewSubmission({ teamId: t.fake.teamId, userId: user, view, values }));
    const text = await res.text();
    const ms = Date.now() - t0;
    expect(ms).toBeLessThan(3000);
    await t.service.idle();
    return { status: res.status, body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>), ms };
  }

  it('round trip: open, invalid submit with errors on the right blocks, valid submit, /async charter, history', async () => {
    const opened = await openSettings(ANA);
    expect(opened).toBeDefined();
    const view = opened?.args.view as { blocks: unknown[]; callback_id: string } & Record<string, unknown>;
    expect(view.callback_id).toBe('charter_settings');
    expect(viewProblem(view, 'views.open')).toBeUndefined();
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const state = initialState(view);
    // Every SPEC §1 field has an input, filled with the charter in force.
    expect(Object.keys(state)).toEqual(expect.arrayContaining(['timezone', 'workdays', 'working_hours.start', 'working_hours.end', 'holidays', 'response_windows.normal.working_minutes', 'response_windows.urgent.minutes', 'urgent_channels', 'focus.days', 'focus.daily.start', 'focus.daily.end', 'digest.channel', 'digest.day', 'digest.time', 'nudges', 'reactions_count_as_response', 'excluded_channels', 'min_group_size', 'editors', 'retention_days', 'pilot.start', 'pilot.weeks', 'pilot.channels', 'pulse.enabled', 'pulse.day', 'pulse.time']));
    expect(state['response_windows.normal.working_minutes']?.v).toMatchObject({ value: '480' });
    expect(state.editors?.v).toMatchObject({ selected_users: [EDDA] });

    // Invalid: end before start, negative minutes, an unknown zone, a date that is not a date.
    let bad = setField(state, 'working_hours.end', { selected_time: '08:00' });
    bad = setField(bad, 'response_windows.urgent.minutes', { value: '-5' });
    bad = setField(bad, 'timezone', { selected_option: { text: { type: 'plain_text', text: 'Mars/Olympus' }, value: 'Mars/Olympus' } });
    bad = setField(bad, 'holidays', { value: '2026-12-24\n2026-02-30' });
    const invalid = await submit(ANA, view, bad);
    expect(invalid.status).toBe(200);
    expect(invalid.body).toMatchObject({ response_action: 'errors' });
    const errors = invalid.body?.errors as Record<string, string>;
    expect(Object.keys(errors).sort()).toEqual(['holidays', 'response_windows.urgent.minutes', 'timezone', 'working_hours.end']);
    expect(errors['working_hours.end']).toMatch(/start must be before end/);
    expect(errors['response_windows.urgent.minutes']).toMatch(/greater than 0/);
    expect(errors.timezone).toMatch(/IANA time zone/);
    expect(errors.holidays).toMatch(/YYYY-MM-DD/);
    expect((await loadCharter(t.store.db, t.fake.teamId)).charter.response_windows.normal.working_minutes).toBe(480);

    // Valid: a shorter window, the digest channel.
    let good = setField(state, 'response_windows.normal.working_minutes', { value: '240' });
    good = setField(good, 'digest.channel', { selected_conversation: DIGEST });
    const saved = await submit(ANA, view, good);
    expect(saved).toMatchObject({ status: 200, body: null });
    const stored = (await loadCharter(t.store.db, t.fake.teamId)).charter;
    expect(stored.response_windows.normal.working_minutes).toBe(240);
    expect(stored.digest.channel).toBe(DIGEST);
    expect(stored.editors).toEqual([EDDA]);

    const charter = JSON.stringify((await slash('charter', BEN)).reply);
    expect(charter).toContain('4 h of the recipient');
    expect(charter).toContain(`<#${DIGEST}>`);
    const history = JSON.stringify((await slash('charter history', BEN)).reply);
    expect(history).toContain('Ana changed response_windows.normal from 480 to 240 working minutes');
    expect(history).toContain('3 Dec');
  });

  it('an editor named in the charter may open it too', async () => {
    expect((await openSettings(EDDA))?.args.view).toMatchObject({ callback_id: 'charter_settings' });
  });

  it('a non-admin is refused at open, and a forged submission changes nothing and is logged', async () => {
    const refused = await openSettings(BEN);
    expect(JSON.stringify(refused?.args.view)).toContain('Only workspace admins, owners and the charter’s editors');
    expect((refused?.args.view as { callback_id?: string }).callback_id).toBeUndefined();
    const before = await loadCharter(t.store.db, t.fake.teamId);
    const adminView = (await openSettings(ANA))?.args.view as { blocks: unknown[] } & Record<string, unknown>;
    const forged = await submit(BEN, adminView, setField(initialState(adminView), 'min_group_size', { value: '1' }));
    expect(forged.body).toMatchObject({ response_action: 'errors' });
    expect(JSON.stringify(forged.body)).toContain('Nothing was changed');
    expect(await loadCharter(t.store.db, t.fake.teamId)).toEqual(before);
    expect(t.logs.text()).toContain('charter change refused');
  });

  it('an admin demoted in Slack is refused on submit (users.info asked again)', async () => {
    const view = (await openSettings(ANA))?.args.view as { blocks: unknown[] } & Record<string, unknown>;
    t.fake.addUser({ id: ANA, name: 'Ana', tz: 'Europe/Berlin', is_admin: false });
    try {
      const r = await submit(ANA, view, setField(initialState(view), 'min_group_size', { value: '2' }));
      expect(r.body).toMatchObject({ response_action: 'errors' });
      expect((await loadCharter(t.store.db, t.fake.teamId)).charter.min_group_size).toBe(5);
    } finally {
      t.fake.addUser({ id: ANA, name: 'Ana', tz: 'Europe/Berlin', is_admin: true });
    }
  });

  it('channel overrides: a pushed view, saved on its own; the main view keeps them', async () => {
    const clicked = await t.interact({ ...buttonClick({ teamId: t.fake.teamId, userId: ANA, channelId: CH, actionId: 'charter_override', value: 'override', responseUrl: t.fake.responseUrl('o') }), container: { type: 'view', view_id: 'V1' } });
    expect(clicked.status).toBe(200);
    await t.service.idle();
    const pushed = t.fake.callsTo('views.push').at(-1)?.args.view as { blocks: unknown[] } & Record<string, unknown>;
    expect(pushed).toMatchObject({ callback_id: 'channel_override' });
    let s = setField(initialState(pushed), 'channel', { selected_conversation: CH });
    s = setField(s, 'normal', { value: '60' });
    s = setField(s, 'meeting_requests', { selected_option: { text: { type: 'plain_text', text: 'Off' }, value: 'off' } });
    expect(await submit(ANA, pushed, s)).toMatchObject({ status: 200, body: null });
    const c = (await loadCharter(t.store.db, t.fake.teamId)).charter;
    expect(c.channel_overrides?.[CH]).toEqual({ response_windows: { normal: { working_minutes: 60 } }, nudges: { meeting_requests: false } });
    // The main view's save keeps the override.
    const view = (await openSettings(ANA))?.args.view as { blocks: unknown[] } & Record<string, unknown>;
    expect(JSON.stringify(view)).toContain(`<#${CH}>`);
    expect(await submit(ANA, view, initialState(view))).toMatchObject({ body: null });
    expect((await loadCharter(t.store.db, t.fake.teamId)).charter.channel_overrides?.[CH]).toBeDefined();
  });

  it('the time zone search answers IANA names, at most 100', async () => {
    const res = await t.interact({ type: 'block_suggestion', user: { id: ANA }, team: { id: t.fake.teamId }, api_app_id: 'A0APP00001', action_id: 'v', block_id: 'timezone', value: 'berl', view: { id: 'V1', callback_id: 'charter_settings' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ options: [{ text: { type: 'plain_text', text: 'Europe/Berlin' }, value: 'Europe/Berlin' }] });
    const all = (await (await t.interact({ type: 'block_suggestion', user: { id: ANA }, team: { id: t.fake.teamId }, api_app_id: 'A0APP00001', action_id: 'v', block_id: 'timezone', value: 'a', view: { id: 'V1' } })).json()) as { options: unknown[] };
    expect(all.options).toHaveLength(100);
    expect(blocksProblem([])).toBeUndefined();
  });
});
