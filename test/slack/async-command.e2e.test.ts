import { SUBCOMMANDS } from '../../src/domain/commands';
import { buildReports } from '../../src/services/reports';
import { saveCharter } from '../../src/store/charters';
import { buttonClick, dumpAllTables, startTestApp, type TestApp } from '../helpers/app-harness';
import { makeCharter } from '../helpers/charter';
import type { RecordedCall } from '../helpers/fake-slack';
import { blocksProblem } from '../helpers/fake-slack-state';

/**
 * `/async` end to end: signed form-encoded slash commands and button clicks against the running
 * app (Bolt over HTTP, real store), the fake Slack Web API answering, the app clock fixed at
 * Wednesday 25 Nov 2026 14:00 UTC (15:00 for Ben in Berlin). Every answer is timed: the ack and
 * the response_url post both within Slack's 3 s.
 */
const NOW = Date.parse('2026-11-25T14:00:00Z');
const BEN = 'U0BEN00001'; // Europe/Berlin
const ANA = 'U0ANA00001'; // America/New_York
const CARL = 'U0CARL0001'; // UTC
const DORA = 'U0DORA0001'; // Asia/Kolkata
const ADMIN = 'U0ADMIN001';
const CH = 'C0GENERAL1';
const BIG = 'C0BIGTEAM1';
const SMALL = 'C0SMALL001';
const OUTSIDE = 'C0OUTSIDE1';
const DM = 'D0BENDM001';

const sec = (iso: string, seq: number) => `${Math.floor(Date.parse(iso) / 1000)}.${String(seq).padStart(6, '0')}`;
const blocksOf = (x: { blocks?: unknown } | null | undefined) => (x?.blocks ?? []) as Array<Record<string, unknown>>;
/** Every text in a message or view, joined: what a person would read. */
const textOf = (x: unknown): string => JSON.stringify(x).replace(/\\n/g, '\n');

describe('/async end to end (signed slash commands, fake Slack Web API)', () => {
  let t: TestApp;
  let n = 0;
  const messages: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp({
      env: { ASYNC_CHARTER_NOW: new Date(NOW).toISOString() },
      logLevel: 'warn',
      users: [
        { id: BEN, name: 'Ben', tz: 'Europe/Berlin' },
        { id: ANA, name: 'Ana', tz: 'America/New_York' },
        { id: CARL, name: 'Carl', tz: 'UTC' },
        { id: DORA, name: 'Dora', tz: 'Asia/Kolkata' },
        { id: ADMIN, name: 'Admin', tz: 'UTC', is_admin: true },
      ],
    });
    // The fake's clock is the app's own: one clock, not two started seconds apart.
    t.fake.now = t.service.now;
    t.fake.addChannel({ id: CH, name: 'general', memberCount: 5 });
    t.fake.addChannel({ id: BIG, name: 'big-team', memberCount: 8 });
    t.fake.addChannel({ id: SMALL, name: 'tiny', memberCount: 2 });
    t.fake.addChannel({ id: OUTSIDE, name: 'a-channel-the-app-is-not-in', isMember: false, memberCount: 30 });
    await saveCharter(
      t.store.db,
      t.fake.teamId,
      makeCharter({ timezone: 'UTC', focus: { days: [], daily: { start: '09:00', end: '11:00' } }, min_group_size: 3, channel_overrides: { [BIG]: { response_windows: { normal: { working_minutes: 240 } } } } }),
      'test',
    );
    // Last week: Ana asks Ben (answered after 60 working minutes); Ben writes on Saturday evening.
    await say(ANA, `<@${BEN}> can you review the draft?`, sec('2026-11-17T10:00:00Z', 1), 'l1');
    await say(BEN, 'done, looks good', sec('2026-11-17T11:00:00Z', 2), 'l1r', { thread: 'l1' });
    await say(BEN, 'one more thought', sec('2026-11-21T20:00:00Z', 3), 'sat');
    // This week: Carl's request is overdue; Dora's answered in 30 min; Ana's is pending; Ben writes at 07:00 his time (elsewhere, so it answers nothing here).
    await say(CARL, `<@${BEN}> where are the Q4 numbers?`, sec('2026-11-23T10:00:00Z', 4), 'l2');
    await say(BEN, 'early start', sec('2026-11-24T06:00:00Z', 5), 'early', { channel: BIG });
    await say(DORA, `<@${BEN}> is the API frozen?`, sec('2026-11-24T09:00:00Z', 6), 'd1');
    await say(BEN, 'yes', sec('2026-11-24T09:30:00Z', 7), 'd1r', { thread: 'd1' });
    await say(ANA, `<@${BEN}> thoughts on the plan?`, sec('2026-11-25T13:00:00Z', 8), 'l3');
    // Carl asks Dora in the big channel: figures that have nothing to do with Ben.
    await say(CARL, `<@${DORA}> can you check the build?`, sec('2026-11-24T08:00:00Z', 9), 'cd', { channel: BIG });
    await say(DORA, 'on it', sec('2026-11-24T08:20:00Z', 10), 'cdr', { channel: BIG, thread: 'cd' });
    await t.service.idle();
  });
  afterAll(async () => {
    await t.stop();
    await t.store.close();
  });

  async function say(user: string, text: string, ts: string, key: string, o: { channel?: string; thread?: string } = {}): Promise<void> {
    const thread = o.thread !== undefined ? { thread_ts: messages[o.thread] } : {};
    const res = await t.sendEvent({ type: 'message', channel: o.channel ?? CH, channel_type: 'channel', user, ts, event_ts: ts, text, ...thread });
    expect(res.status).toBe(200);
    messages[key] = ts;
  }

  type Answer = { ack: Record<string, unknown> | null; ackMs: number; replies: RecordedCall[]; lastMs: number; reply: Record<string, unknown> | undefined };
  /** Runs `/async <text>`, waits for the work it started, and times the ack and the last response_url post. */
  async function ask(text: string, o: { user?: string; channel?: string; teamId?: string } = {}): Promise<Answer> {
    const id = `r${(n += 1)}`;
    const t0 = Date.now();
    const res = await t.slash(text, { userId: o.user ?? BEN, channelId: o.channel ?? CH, responseUrl: t.fake.responseUrl(id), ...(o.teamId ? { teamId: o.teamId } : {}) });
    const ackMs = Date.now() - t0;
    expect(res.status).toBe(200);
    const body = await res.text();
    await t.service.idle();
    const replies = t.fake.callsTo('response_url').filter((c) => c.args.response_url_id === id);
    const lastMs = replies.length === 0 ? ackMs : Math.max(...replies.map((c) => c.at)) - t0;
    expect(ackMs).toBeLessThan(3000);
    expect(lastMs).toBeLessThan(3000);
    const ack = body === '' ? null : (JSON.parse(body) as Record<string, unknown>);
    for (const m of [ack, ...replies.map((r) => r.args)]) if (m) expect(blocksProblem(m.blocks)).toBeUndefined();
    return { ack, ackMs, replies, lastMs, reply: replies.at(-1)?.args };
  }
  /** An answer given in the ack itself: ephemeral, and nothing posted later. */
  function immediate(a: Answer): string {
    expect(a.ack).toMatchObject({ response_type: 'ephemeral' });
    expect(a.replies).toEqual([]);
    return textOf(a.ack);
  }
  /** An answer given through response_url: the ack is empty, one ephemeral post follows. */
  function later(a: Answer): string {
    expect(a.ack).toBeNull();
    expect(a.replies).toHaveLength(1);
    expect(a.reply).toMatchObject({ response_type: 'ephemeral' });
    return textOf(a.reply);
  }

  it('help lists every subcommand with an example, in the ack', async () => {
    for (const text of ['', 'help', '  HELP ']) {
      const out = immediate(await ask(text));
      for (const s of SUBCOMMANDS) {
        expect(out).toContain(s.usage);
        expect(out).toContain(s.example);
      }
    }
  });

  it('an unknown subcommand gets help, naming what it did not understand', async () => {
    const out = immediate(await ask('frobnicate now'));
    expect(out).toContain("I don't know `frobnicate`");
    expect(out).toContain('/async stats');
  });

  it('charter: the charter in force, hours in the caller’s zone, this channel’s overrides', async () => {
    const general = later(await ask('charter'));
    expect(general).toContain('Mon–Fri, 09:00–17:00 in each person');
    expect(general).toContain('yours: Europe/Berlin');
    expect(general).toContain('8 h of the recipient');
    expect(general).toContain('No overrides: the charter above applies.');
    const big = later(await ask('charter', { channel: BIG }));
    expect(big).toContain(`In <#${BIG}>`);
    expect(big).toContain('Response window here: 4 h of the recipient');
    const ana = later(await ask('charter', { user: ANA }));
    expect(ana).toContain('yours: America/New_York');
  });

  it('stats: the caller’s own figures this week and last, and what waits on them, with links and due times in their zone', async () => {
    const out = later(await ask('stats'));
    const waiting = out.slice(out.indexOf('Waiting on you now'), out.indexOf('This week so far'));
    // Carl's request first (overdue since Tue 11:00 Berlin), then Ana's (due Thu 14:00 Berlin).
    expect(waiting).toContain(`https://slack.com/archives/${CH}/p${messages.l2?.replace('.', '')}`);
    expect(waiting).toContain('*overdue* since Tue 24 Nov 11:00');
    expect(waiting).toContain(`https://slack.com/archives/${CH}/p${messages.l3?.replace('.', '')}`);
    expect(waiting).toContain('due Thu 26 Nov 14:00');
    expect(waiting.indexOf(messages.l2?.replace('.', '') as string)).toBeLessThan(waiting.indexOf(messages.l3?.replace('.', '') as string));
    expect(waiting).not.toContain(messages.d1?.replace('.', '') as string);
    const thisWeek = out.slice(out.indexOf('This week so far'), out.indexOf('Last week'));
    expect(thisWeek).toContain('Requests to you: *3* · answered on time: *50%*');
    expect(thisWeek).toContain('median wait before answering: *30 min*');
    expect(thisWeek).toContain('after hours: *1* of 2');
    const lastWeek = out.slice(out.indexOf('Last week'));
    expect(lastWeek).toContain('Requests to you: *1* · answered on time: *100%*');
    expect(lastWeek).toContain('*1 h*');
    expect(lastWeek).toContain('after hours: *1* of 2');
  });

  it('stats shows nobody else’s figures: Dora sees her own', async () => {
    const out = later(await ask('stats', { user: DORA }));
    expect(out).toContain('Nothing is waiting on you.');
    expect(out).toContain('Requests to you: *1* · answered on time: *100%*');
    expect(out).not.toContain(messages.l2?.replace('.', '') as string);
  });

  it('stats #channel: aggregates for a channel of at least min_group_size members, never a person', async () => {
    const out = later(await ask(`stats <#${BIG}|big-team>`, { user: ANA }));
    expect(out).toContain('#big-team: team figures');
    expect(out).toContain('Requests: *1* · on time: *100%* · median wait: *20 min*');
    expect(out).not.toMatch(/U0[A-Z0-9]+/);
  });

  it('stats #channel under min_group_size: no figures, for members and non-members alike', async () => {
    for (const user of [BEN, ANA]) {
      const out = later(await ask(`stats <#${SMALL}|tiny>`, { user }));
      expect(out).toContain('fewer than 3 members');
      expect(out).not.toContain('Messages:');
      expect(out).not.toContain('Requests:');
    }
  });

  it('decision: stored (and says so), posted in the channel, counted as decisions_logged', async () => {
    const a = await ask('decision We ship v2 on Friday &amp; Ana owns the rollout');
    expect(a.ack).toBeNull();
    expect(a.replies.map((r) => r.args.response_type)).toEqual(['in_channel', 'ephemeral']);
    // Posted escaped, as Slack asks of text an app posts (Slack shows "&"); stored as typed.
    expect(textOf(a.replies[0]?.args)).toContain('We ship v2 on Friday &amp; Ana owns the rollout');
    expect(textOf(a.replies[1]?.args)).toContain('stored on purpose');
    const rows = await t.store.db.selectFrom('decisions').select(['user_id', 'channel_id', 'summary']).execute();
    expect(rows).toEqual([{ user_id: BEN, channel_id: CH, summary: 'We ship v2 on Friday & Ana owns the rollout' }]);
    const [report] = await buildReports(t.store.db, t.fake.teamId, { weeks: ['2026-11-23'], asOf: new Date(NOW + 60_000) });
    expect(report?.decisions_logged).toBe(1);
  });

  it('memo opens the decision memo modal with the command’s trigger', async () => {
    const before = t.fake.callsTo('views.open').length;
    const a = await ask('memo');
    expect(a.ack).toBeNull();
    const opened = t.fake.callsTo('views.open').slice(before);
    expect(opened).toHaveLength(1);
    expect(opened[0]?.args.trigger_id).toEqual(expect.any(String));
    expect((opened[0]?.args.view as { callback_id: string }).callback_id).toBe('decision_memo');
  });

  it('focus: until a time in the caller’s zone; whoever mentions them is told; counted in focus_hours; focus off ends it', async () => {
    const out = later(await ask('focus 2h'));
    expect(out).toContain('in focus until *17:00* your time (Europe/Berlin)');
    // Carl mentions Ben now: a private heads-up to Carl, in Ben's time.
    const before = t.fake.callsTo('chat.postEphemeral').length;
    // A second after the session started (a ts has whole seconds).
    const ts = `${Math.floor(t.fake.now() / 1000) + 1}.000900`;
    await say(CARL, `<@${BEN}> the numbers are in the sheet`, ts, 'f1');
    await t.service.idle();
    const told = t.fake.callsTo('chat.postEphemeral').slice(before);
    expect(told).toHaveLength(1);
    expect(told[0]?.args).toMatchObject({ user: CARL, channel: CH });
    expect(String(told[0]?.args.text)).toBe('Ben is in focus until 17:00 their time (Berlin); your message will wait for them.');
    const [report] = await buildReports(t.store.db, t.fake.teamId, { weeks: ['2026-11-23'], asOf: new Date(NOW + 3 * 3_600_000) });
    expect(report?.focus_hours).toBe(2);
    expect(later(await ask('focus off'))).toContain('Focus ended');
    expect(later(await ask('focus off'))).toContain('You were not in focus');
  });

  it('focus with no time: the charter’s focus block end when inside it, else 2 h', async () => {
    // 14:00 UTC is 19:30 for Dora: outside the 09:00–11:00 block, so 2 h.
    expect(later(await ask('focus', { user: DORA }))).toContain('until *21:30* your time (Asia/Kolkata)');
    expect(later(await ask('focus off', { user: DORA }))).toContain('Focus ended');
  });

  it('snooze: no nudges to the caller for that many days; snooze off resumes them', async () => {
    expect(later(await ask('snooze 3'))).toContain('No nudges for you until *Sat 28 Nov 15:00* your time');
    const before = t.fake.callsTo('chat.postEphemeral').filter((c) => c.args.user === BEN).length;
    await say(BEN, `<@${ANA}> can we hop on a quick call about the release?`, `${Math.floor(t.fake.now() / 1000)}.000901`, 'm1');
    await t.service.idle();
    expect(t.fake.callsTo('chat.postEphemeral').filter((c) => c.args.user === BEN)).toHaveLength(before);
    expect(later(await ask('snooze off'))).toContain('Nudges are back on.');
    expect(later(await ask('snooze'))).toContain('Wed 2 Dec 15:00');
    expect(later(await ask('snooze 0'))).toContain('Nudges are back on.');
  });

  it('digest: this week so far, to the caller only', async () => {
    const a = await ask('digest');
    const out = later(a);
    expect(out).toContain('A preview of this week so far, for you only.');
    expect(blocksOf(a.reply).length).toBeLessThanOrEqual(50);
    expect(t.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('config and pilot: refused for people who may not edit the charter', async () => {
    expect(later(await ask('config'))).toContain('Only workspace admins, owners and the charter’s editors');
    expect(later(await ask('pilot status'))).toContain('Only workspace admins');
  });

  it('pilot, for an admin: says plainly that pilots are not in this version (no claim of a baseline)', async () => {
    const out = later(await ask('pilot start', { user: ADMIN }));
    expect(out).toContain('Pilots are not available in this version');
    expect(out).toContain('does not compare against a baseline');
  });

  describe('bad input: a short ephemeral answer with an example, never a stack trace or a 500', () => {
    it.each([
      ['focus banana', /\/async focus 11:00/],
      ['snooze -3', /\/async snooze/],
      ['snooze 400', /90/],
      ['decision', /\/async decision/],
      ['stats #general', /pick it from the list/],
      ['charter yesterday', /\/async charter/],
    ])('%s', async (text, example) => {
      const out = immediate(await ask(text));
      expect(out).toMatch(example);
      expect(out).not.toMatch(/Error:|at .*\.ts:\d+/);
    });

    it('stats #a-channel-the-app-is-not-in', async () => {
      const out = later(await ask(`stats <#${OUTSIDE}|a-channel-the-app-is-not-in>`));
      expect(out).toContain("I'm not in");
      expect(out).toContain('/invite @Async Charter');
    });

    it('decision and memo in a DM: asked to run them in the channel', async () => {
      for (const text of ['decision We ship', 'memo']) {
        const out = immediate(await ask(text, { channel: DM }));
        expect(out).toContain('in the channel the decision belongs to');
      }
    });

    it('a request from a team the app does not serve', async () => {
      const out = immediate(await ask('stats', { teamId: 'T0ELSEWHERE' }));
      expect(out).toContain('serves another workspace');
    });

    it('a failing store read: an apology through response_url, the app stays up', async () => {
      await t.store.db.schema.alterTable('charters').renameTo('charters_away').execute();
      try {
        const out = later(await ask('charter'));
        expect(out).toContain('failed on our side');
      } finally {
        await t.store.db.schema.alterTable('charters_away').renameTo('charters').execute();
      }
      expect((await t.get('/healthz')).status).toBe(200);
    });
  });

  it('forget-me: asks first; on confirmation deletes every row naming the caller and says how many; others’ figures unchanged', async () => {
    const dora = async () => JSON.stringify({ ...(await ask('stats', { user: DORA })).reply, response_url_id: null });
    const doraBefore = await dora();
    const question = immediate(await ask('forget-me', { user: BEN }));
    expect(question).toContain('forget_me_confirm');
    expect(await dumpAllTables(t.store)).toContain(BEN);
    const res = await t.interact(buttonClick({ teamId: t.fake.teamId, userId: BEN, channelId: CH, actionId: 'forget_me_confirm', value: 'confirm', responseUrl: t.fake.responseUrl('forget') }));
    expect(res.status).toBe(200);
    await t.service.idle();
    const done = t.fake.callsTo('response_url').filter((c) => c.args.response_url_id === 'forget');
    expect(done).toHaveLength(1);
    expect(done[0]?.args).toMatchObject({ replace_original: true });
    expect(String(done[0]?.args.text)).toMatch(/^Done\. \d+ rows that named you were deleted or no longer name you: \d+ messages, /);
    expect(await dumpAllTables(t.store)).not.toContain(BEN);
    expect(await dora()).toBe(doraBefore);
  });
});
