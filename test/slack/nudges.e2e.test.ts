import type { CharterInput } from '../../src/domain/charter';
import { makeCharter } from '../helpers/charter';
import { buildReports } from '../../src/services/reports';
import { saveCharter } from '../../src/store/charters';
import { meetingNudgeFeedback } from '../../src/store/nudges';
import { buttonClick, startTestApp, viewSubmission, type TestApp } from '../helpers/app-harness';
import type { RecordedCall } from '../helpers/fake-slack';

const BEN = 'U0BEN00001';
const BOTUSER = 'U0BOTUSER1';
const CH = 'C0GENERAL1';
const QUIET = 'C0QUIET001';
const EXCLUDED = 'C0EXCLUDE1';
const URGENT = 'C0URGENT01';
/** Each test writes as a different person, so per-person limits never mix. */
const AUTHORS = Array.from({ length: 14 }, (_, i) => `U0AUTHOR${String(i).padStart(2, '0')}`);

/** Everyone is always at work, no focus time: only what a test sets changes that. */
const ALWAYS_ON: CharterInput = {
  workdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  working_hours: { start: '00:00', end: '23:59' },
  focus: { days: [], daily: null },
  excluded_channels: [EXCLUDED],
  urgent_channels: [URGENT],
  channel_overrides: { [QUIET]: { nudges: { meeting_requests: false, off_hours_mentions: false, early_followups: false } } },
};

describe('nudges end to end (real app, fake Slack Web API)', () => {
  let t: TestApp;
  let seq = 0;
  beforeAll(async () => {
    t = await startTestApp({
      users: [{ id: BEN, name: 'Ben', tz: 'Europe/Berlin' }, { id: BOTUSER, name: 'deploybot', is_bot: true }, ...AUTHORS.map((id) => ({ id, name: id.toLowerCase(), tz: 'UTC' }))],
      // debug: a test reads the nudges' decisions from the log
      logLevel: 'debug',
    });
    await setCharter(ALWAYS_ON);
  });
  afterAll(async () => {
    await t.stop();
    await t.store.close();
  });

  async function setCharter(input: CharterInput): Promise<void> {
    await saveCharter(t.store.db, t.fake.teamId, makeCharter(input), 'test');
  }
  const nowTs = (agoSeconds = 0) => `${Math.floor(Date.now() / 1000) - agoSeconds}.${String((seq += 1)).padStart(6, '0')}`;
  async function say(user: string, text: string, o: { channel?: string; channelType?: string; ago?: number; extra?: Record<string, unknown>; eventId?: string; retryNum?: number } = {}): Promise<{ ts: string; event: Record<string, unknown> }> {
    const ts = nowTs(o.ago ?? 0);
    const event = { type: 'message', channel: o.channel ?? CH, channel_type: o.channelType ?? 'channel', user, ts, event_ts: ts, text, ...(o.extra ?? {}) };
    const res = await t.sendEvent(event, { ...(o.eventId ? { eventId: o.eventId } : {}), ...(o.retryNum !== undefined ? { retryNum: o.retryNum } : {}) });
    expect(res.status).toBe(200);
    await t.service.idle();
    return { ts, event };
  }
  /** Clicks or submits, then waits for the Web API work the app runs after answering (detached, tracked). */
  async function interact(payload: Record<string, unknown>): Promise<Response> {
    const res = await t.interact(payload);
    await t.service.idle();
    return res;
  }
  const ephemerals = (user: string): RecordedCall[] => t.fake.callsTo('chat.postEphemeral').filter((c) => c.args.user === user);
  const actionIds = (c: RecordedCall) =>
    (c.args.blocks as Array<{ type: string; elements?: Array<{ action_id?: string }>; accessory?: { action_id?: string } }>).flatMap((b) => [...(b.elements ?? []).map((e) => e.action_id), b.accessory?.action_id]).filter(Boolean);
  const refOf = (c: RecordedCall) => JSON.parse((c.args.blocks as Array<{ elements?: Array<{ value?: string }> }>)[1]?.elements?.[0]?.value ?? '{}') as { n: string; c: string; ts: string };
  const nudgeRow = async (id: string) => t.store.db.selectFrom('nudges').select(['kind', 'user_id', 'outcome']).where('id', '=', id).executeTakeFirstOrThrow();

  it('a meeting request gets one private nudge, within 2 s, quoting the charter, with the five choices', async () => {
    const author = AUTHORS[0] as string;
    const sentAt = Date.now();
    const { ts } = await say(author, `<@${BEN}> can we hop on a quick call about the release?`);
    const calls = ephemerals(author);
    expect(calls).toHaveLength(1);
    const call = calls[0] as RecordedCall;
    expect(call.at - sentAt).toBeLessThan(2000);
    expect(call.token).toBe(t.fake.token);
    expect(call.args).toMatchObject({ channel: CH, user: author });
    expect(String(call.args.text)).toMatch(/^This looks like a meeting request\. Our charter defaults to async: write it down first\. A request here gets an answer within 8 working hours\. Could a thread or a short memo do it\?$/);
    expect(actionIds(call)).toEqual(['nudge_thread', 'nudge_memo', 'nudge_agenda', 'nudge_not_meeting', 'nudge_snooze']);
    expect(refOf(call)).toMatchObject({ c: CH, ts });
    // Nobody else is told anything, and the channel gets no message.
    expect(t.fake.callsTo('chat.postEphemeral')).toHaveLength(1);
    expect(t.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('says so on a focus day', async () => {
    const author = AUTHORS[1] as string;
    await setCharter({ ...ALWAYS_ON, focus: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], daily: null } });
    try {
      await say(author, 'sync tomorrow?');
      const [call] = ephemerals(author);
      expect(String(call?.args.text)).toMatch(/^This looks like a meeting request\. Today is No-Meeting (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\. Our charter/);
    } finally {
      await setCharter(ALWAYS_ON);
    }
  });

  it('stays quiet for plain messages, bots, excluded and quiet channels, DMs, old messages, retries and edits', async () => {
    const author = AUTHORS[2] as string;
    const before = t.fake.callsTo('chat.postEphemeral').length;
    await say(author, 'Shipped the export today, notes in the doc.');
    await say(author, 'notes from yesterday’s call are in the doc');
    await say(BOTUSER, 'can we hop on a call?');
    await say('U0OTHERBOT', 'can we hop on a call?', { extra: { bot_id: 'B0OTHER001' } });
    await say(author, 'can we hop on a quick call?', { channel: EXCLUDED });
    await say(author, 'can we hop on a quick call?', { channel: QUIET });
    await say(author, 'can we hop on a quick call?', { channel: 'D0DIRECT01', channelType: 'im' });
    await say(author, 'can we hop on a quick call?', { ago: 11 * 60 });
    expect(t.fake.callsTo('chat.postEphemeral')).toHaveLength(before);

    // Nudged once; the retry of that event and an edit of that message do not nudge again.
    const first = await say(author, 'zoom?', { eventId: 'EvNudgeOnce1' });
    expect(ephemerals(author)).toHaveLength(1);
    expect((await t.sendEvent(first.event, { eventId: 'EvNudgeOnce1', retryNum: 1 })).status).toBe(200);
    const editTs = nowTs();
    await t.sendEvent({ type: 'message', subtype: 'message_changed', channel: CH, channel_type: 'channel', hidden: true, ts: editTs, event_ts: editTs, message: { type: 'message', user: author, ts: first.ts, text: 'zoom? (tomorrow 3pm)', edited: { user: author, ts: editTs } } });
    await t.service.idle();
    expect(ephemerals(author)).toHaveLength(1);
  });

  it('"Start a thread instead" opens an editable starter and posts it under the message', async () => {
    const author = AUTHORS[3] as string;
    const { ts } = await say(author, 'can we jump on a call to go over the pricing?');
    const ref = refOf(ephemerals(author)[0] as RecordedCall);
    const res = await interact(buttonClick({ teamId: t.fake.teamId, userId: author, channelId: CH, actionId: 'nudge_thread', value: JSON.stringify(ref), responseUrl: t.fake.responseUrl('thread') }));
    expect(res.status).toBe(200);
    const [open] = t.fake.callsTo('views.open').slice(-1);
    const view = open?.args.view as Record<string, unknown>;
    expect(view).toMatchObject({ type: 'modal', callback_id: 'thread_starter', private_metadata: JSON.stringify(ref) });
    expect(open?.args.trigger_id).toBe('1234567890.0987654321.abcdef0123456789');
    expect(await nudgeRow(ref.n)).toEqual({ kind: 'meeting_request', user_id: author, outcome: 'thread' });

    const submit = await interact(viewSubmission({ teamId: t.fake.teamId, userId: author, view, values: { starter: { starter: { type: 'plain_text_input', value: 'Pricing: option A or B? Please reply here by Friday.' } } } }));
    expect(submit.status).toBe(200);
    const [post] = t.fake.callsTo('chat.postMessage').slice(-1);
    expect(post?.args).toMatchObject({ channel: CH, thread_ts: ts, text: `<@${author}> started this thread:\nPricing: option A or B? Please reply here by Friday.` });
  });

  it('"Write a decision memo" posts the memo in the channel and records a decision', async () => {
    const author = AUTHORS[4] as string;
    await say(author, 'should we have a meeting about the vendor choice?');
    const ref = refOf(ephemerals(author)[0] as RecordedCall);
    await interact(buttonClick({ teamId: t.fake.teamId, userId: author, channelId: CH, actionId: 'nudge_memo', value: JSON.stringify(ref), responseUrl: t.fake.responseUrl('memo') }));
    const view = t.fake.callsTo('views.open').slice(-1)[0]?.args.view as Record<string, unknown>;
    expect(view.callback_id).toBe('decision_memo');
    const values = {
      context: { context: { type: 'plain_text_input', value: 'Two vendors bid.' } },
      options: { options: { type: 'plain_text_input', value: 'A: cheaper. B: faster.' } },
      recommendation: { recommendation: { type: 'plain_text_input', value: 'Go with B.' } },
      decide_by: { decide_by: { type: 'datepicker', selected_date: '2026-12-04' } },
    };
    expect((await interact(viewSubmission({ teamId: t.fake.teamId, userId: author, view, values }))).status).toBe(200);
    const post = t.fake.callsTo('chat.postMessage').slice(-1)[0];
    expect(post?.args).toMatchObject({ channel: CH, text: `Decision memo from <@${author}>: Go with B.` });
    expect(JSON.stringify(post?.args.blocks)).toContain('decide by 2026-12-04');
    const decisions = await t.store.db.selectFrom('decisions').select(['channel_id', 'user_id', 'summary']).where('user_id', '=', author).execute();
    expect(decisions).toEqual([{ channel_id: CH, user_id: author, summary: 'Go with B.' }]);
    const [week] = await buildReports(t.store.db, t.fake.teamId, { asOf: new Date(Date.now() + 1000) });
    expect(week?.decisions_logged).toBeGreaterThanOrEqual(1);
  });

  it('"It needs a meeting" asks for an agenda, warns when it is under 24 h away, and posts it', async () => {
    const author = AUTHORS[5] as string;
    await say(author, 'can we set up a meeting with legal about the DPA?');
    const ref = refOf(ephemerals(author)[0] as RecordedCall);
    await interact(buttonClick({ teamId: t.fake.teamId, userId: author, channelId: CH, actionId: 'nudge_agenda', value: JSON.stringify(ref), responseUrl: t.fake.responseUrl('agenda') }));
    const view = t.fake.callsTo('views.open').slice(-1)[0]?.args.view as Record<string, unknown>;
    expect(view.callback_id).toBe('meeting_agenda');
    const values = (when: number, anyway: boolean) => ({
      purpose: { purpose: { type: 'plain_text_input', value: 'Agree the DPA redlines' } },
      outcome: { outcome: { type: 'plain_text_input', value: 'Signed-off redlines' } },
      pre_reading: { pre_reading: { type: 'url_text_input', value: 'https://docs.example.com/dpa' } },
      when: { when: { type: 'datetimepicker', selected_date_time: Math.floor(when / 1000) } },
      post_anyway: { post_anyway: { type: 'checkboxes', selected_options: anyway ? [{ value: 'yes' }] : [] } },
    });
    const posts = t.fake.callsTo('chat.postMessage').length;
    const soon = await interact(viewSubmission({ teamId: t.fake.teamId, userId: author, view, values: values(Date.now() + 3_600_000, false) }));
    expect(soon.status).toBe(200);
    expect(await soon.json()).toEqual({ response_action: 'errors', errors: { when: 'Heads-up: it is less than 24 hours away, so people cannot prepare. Pick another time, or tick "Post it anyway".' } });
    expect(t.fake.callsTo('chat.postMessage')).toHaveLength(posts);

    const later = Date.now() + 3 * 86_400_000;
    expect((await interact(viewSubmission({ teamId: t.fake.teamId, userId: author, view, values: values(later, false) }))).status).toBe(200);
    const post = t.fake.callsTo('chat.postMessage').slice(-1)[0];
    expect(post?.args).toMatchObject({ channel: CH, text: `Meeting agenda from <@${author}>: Agree the DPA redlines` });
    expect(JSON.stringify(post?.args.blocks)).toContain('https://docs.example.com/dpa');
    expect(JSON.stringify(post?.args.blocks)).not.toContain('Heads-up');

    await interact(viewSubmission({ teamId: t.fake.teamId, userId: author, view, values: values(Date.now() + 3_600_000, true) }));
    expect(JSON.stringify(t.fake.callsTo('chat.postMessage').slice(-1)[0]?.args.blocks)).toContain('Heads-up: it is less than 24 hours away');
  });

  it('"Not a meeting request" is recorded as feedback, without text', async () => {
    const author = AUTHORS[6] as string;
    await say(author, 'call?');
    const ref = refOf(ephemerals(author)[0] as RecordedCall);
    const res = await interact(buttonClick({ teamId: t.fake.teamId, userId: author, channelId: CH, actionId: 'nudge_not_meeting', value: JSON.stringify(ref), responseUrl: t.fake.responseUrl('notmeeting') }));
    expect(res.status).toBe(200);
    const responded = t.fake.callsTo('response_url').filter((c) => c.args.response_url_id === 'notmeeting');
    expect(responded.map((c) => ({ replace_original: c.args.replace_original, text: c.args.text }))).toEqual([{ replace_original: true, text: 'Thanks, noted: not a meeting request. This feedback helps the classifier get better.' }]);
    expect(await nudgeRow(ref.n)).toEqual({ kind: 'meeting_request', user_id: author, outcome: 'not_meeting' });
    // It counts in bench:classify's field feedback.
    const feedback = await meetingNudgeFeedback(t.store.db);
    expect(feedback.notMeeting).toBe(1);
    expect(feedback.shown).toBeGreaterThanOrEqual(5);
  });

  it('"Snooze nudges for 7 days" silences them for that person', async () => {
    const author = AUTHORS[7] as string;
    await say(author, 'quick call?');
    const ref = refOf(ephemerals(author)[0] as RecordedCall);
    await interact(buttonClick({ teamId: t.fake.teamId, userId: author, channelId: CH, actionId: 'nudge_snooze', value: JSON.stringify(ref), responseUrl: t.fake.responseUrl('snooze') }));
    const [responded] = t.fake.callsTo('response_url').filter((c) => c.args.response_url_id === 'snooze');
    expect(String(responded?.args.text)).toMatch(/^Nudges snoozed until <!date\^\d+\^\{date_short_pretty\}\|\d{4}-\d{2}-\d{2}>/);
    const snooze = await t.store.db.selectFrom('nudge_snoozes').select('until').where('user_id', '=', author).executeTakeFirstOrThrow();
    expect(snooze.until.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    await say(author, 'can we hop on a call?');
    expect(ephemerals(author)).toHaveLength(1);
  });

  it('tells the sender when the person they mention is off hours, at most once per 12 hours', async () => {
    const author = AUTHORS[8] as string;
    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    await setCharter({ ...ALWAYS_ON, holidays: [day(-1), day(0), day(1)] });
    try {
      await say(author, `<@${BEN}> the draft is ready for your review`);
      const calls = ephemerals(author);
      expect(calls).toHaveLength(1);
      expect(String(calls[0]?.args.text)).toMatch(/^Ben is off hours \(\d\d:\d\d in Berlin\); expect a reply by (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d Ben's time\. Urgent\? Use <#C0URGENT01>\.$/);
      expect(actionIds(calls[0] as RecordedCall)).toEqual(['nudge_dismiss']);
      // A second mention within 12 hours: no second heads-up (it is an early follow-up, noted as such).
      await say(author, `<@${BEN}> one more thing on the draft`);
      const kinds = await t.store.db.selectFrom('nudges').select('kind').where('user_id', '=', author).orderBy('id').execute();
      expect(kinds.map((k) => k.kind)).toEqual(['off_hours', 'early_followup']);
      // In an urgent channel the urgent path applies: no heads-up.
      await say(AUTHORS[9] as string, `<@${BEN}> prod is down`, { channel: URGENT });
      expect(ephemerals(AUTHORS[9] as string)).toHaveLength(0);

      const ref = JSON.parse((calls[0]?.args.blocks as Array<{ accessory?: { value?: string } }>)[0]?.accessory?.value ?? '{}') as { n: string };
      await interact(buttonClick({ teamId: t.fake.teamId, userId: author, channelId: CH, actionId: 'nudge_dismiss', value: JSON.stringify(ref), responseUrl: t.fake.responseUrl('dismiss') }));
      expect(t.fake.callsTo('response_url').filter((c) => c.args.response_url_id === 'dismiss').map((c) => c.args.delete_original)).toEqual([true]);
      expect(await nudgeRow(ref.n)).toEqual({ kind: 'off_hours', user_id: author, outcome: 'dismissed' });
    } finally {
      await setCharter(ALWAYS_ON);
    }
  });

  it('notes an early follow-up: re-pinging someone whose request is not yet due', async () => {
    const author = AUTHORS[10] as string;
    await say(author, `<@${BEN}> could you check the invoice numbers?`);
    expect(ephemerals(author)).toHaveLength(0);
    await say(author, `<@${BEN}> any news on the invoice numbers?`);
    const calls = ephemerals(author);
    expect(calls).toHaveLength(1);
    expect(String(calls[0]?.args.text)).toMatch(/^You already asked Ben here just now and that request is not yet due\. It is due by (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d Ben's time\. A second ping before then rarely speeds things up\.$/);
    const rows = await t.store.db.selectFrom('nudges').select(['kind', 'about_user_id']).where('user_id', '=', author).execute();
    expect(rows).toEqual([{ kind: 'early_followup', about_user_id: BEN }]);
  });

  it('notes at most three early follow-ups a day, and past that does not look them up at all', async () => {
    const author = AUTHORS[13] as string;
    // Each ping after the first follows up the earlier ones (same channel, top level, not yet due).
    for (const topic of ['invoices', 'budget', 'roadmap', 'hiring']) await say(author, `<@${BEN}> any news on the ${topic}?`);
    const rows = await t.store.db.selectFrom('nudges').select('kind').where('user_id', '=', author).execute();
    expect(rows.map((r) => r.kind)).toEqual(['early_followup', 'early_followup', 'early_followup']);
    expect(ephemerals(author)).toHaveLength(3);
    // The fifth ping: the author is at the limit, so its lookup is not run (were it run, it would find
    // the open requests and the nudge would be held back by the limit, and logged so).
    const before = t.logs.parsed().length;
    await say(author, `<@${BEN}> any news on the travel plans?`);
    const said = t.logs.parsed().slice(before);
    expect(said.filter((l) => l.msg === 'early follow-up lookups skipped: rate limit')).toHaveLength(1);
    expect(said.filter((l) => l.msg === 'nudge skipped: rate limit' && l.kind === 'early_followup')).toHaveLength(0);
    expect(ephemerals(author)).toHaveLength(3);
  });

  it('shows one person at most three meeting-request nudges a day (the fourth request stays quiet)', async () => {
    const author = AUTHORS[11] as string;
    for (const text of ['can we hop on a call?', 'quick call about the budget?', 'can we set up a meeting tomorrow?', 'zoom in 5?']) await say(author, text);
    expect(ephemerals(author)).toHaveLength(3);
    const kinds = await t.store.db.selectFrom('nudges').select('kind').where('user_id', '=', author).execute();
    expect(kinds.map((k) => k.kind)).toEqual(['meeting_request', 'meeting_request', 'meeting_request']);
    // Another person is not held to this person's limit.
    await say(AUTHORS[12] as string, 'can we hop on a call?');
    expect(ephemerals(AUTHORS[12] as string)).toHaveLength(1);
  });
});
