import { sql } from 'kysely';
import type { CharterInput } from '../../src/domain/charter';
import { saveCharter } from '../../src/store/charters';
import { buttonClick, startTestApp, viewSubmission, type TestApp } from '../helpers/app-harness';
import { makeCharter } from '../helpers/charter';
import type { RecordedCall } from '../helpers/fake-slack';
import { initialState } from '../helpers/view-state';

/**
 * Interactivity hardening (issue 11, rows 6 and 7), end to end: the real app over HTTP with
 * signed requests, the fake Slack Web API, the real store (PGlite, or Postgres with DATABASE_URL).
 * - Slack may deliver one view_submission or block_actions twice (retries, double clicks): each
 *   is handled once, and a replay is answered like the first but does nothing.
 * - A nudge's buttons act for the nudge's author only; anyone else gets a short private refusal.
 * - Text people wrote is posted escaped, so `<!channel>` and friends notify nobody; the decision
 *   kept is what the person typed.
 */

const ANA = 'U0ANA00001';
const BEN = 'U0BEN00001';
const DEE = 'U0DEE00001';
const FAY = 'U0FAY00001';
const ADMIN = 'U0ADMIN001';
/** Each nudge goes to an author of its own, so the daily limit of 3 meeting-request nudges never interferes. */
const AUTHORS = Array.from({ length: 24 }, (_, i) => `U0AUTH${String(i).padStart(4, '0')}`);
const CH = 'C0GENERAL1';
const GROUP_PINGS = '<!channel> hi <!here> <!subteam^S123> and <!everyone>';
/** What must never reach Slack in a post: the raw group mentions (escaped they read &lt;!channel&gt;). */
const RAW_GROUP = /<!(channel|here|everyone|subteam)/;

const ALWAYS_ON: CharterInput = {
  workdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  working_hours: { start: '00:00', end: '23:59' },
  focus: { days: [], daily: null },
};

describe('interactivity: once, by the right person, escaped (real app, fake Slack Web API)', () => {
  let t: TestApp;
  let seq = 0;
  let views = 0;
  let authors = 0;
  beforeAll(async () => {
    t = await startTestApp({ users: [...[ANA, BEN, DEE, FAY, ...AUTHORS].map((id) => ({ id, name: id.slice(2, 5).toLowerCase(), tz: 'UTC' })), { id: ADMIN, name: 'admin', tz: 'UTC', is_admin: true }], logLevel: 'warn' });
    await saveCharter(t.store.db, t.fake.teamId, makeCharter(ALWAYS_ON), 'test');
  });
  afterAll(async () => {
    await t.stop();
    await t.store.close();
  });

  type Ref = { n: string; c: string; ts: string };
  /** A new author asks for a meeting in #general; returns them and the ref the nudge's buttons carry. */
  async function nudged(): Promise<{ author: string; ref: Ref }> {
    const author = AUTHORS[authors++] as string;
    const ts = `${Math.floor(Date.now() / 1000)}.${String((seq += 1)).padStart(6, '0')}`;
    const res = await t.sendEvent({ type: 'message', channel: CH, channel_type: 'channel', user: author, ts, event_ts: ts, text: 'can we hop on a quick call about the release?' });
    expect(res.status).toBe(200);
    await t.service.idle();
    const call = t.fake.callsTo('chat.postEphemeral').filter((c) => c.args.user === author).at(-1);
    const value = (call?.args.blocks as Array<{ elements?: Array<{ value?: string }> }> | undefined)?.[1]?.elements?.[0]?.value;
    expect(value).toBeDefined();
    return { author, ref: JSON.parse(value as string) as Ref };
  }
  /** One click as Slack sends it; `actionTs` makes it a distinct click (Slack's action_ts is unique per click). */
  function click(user: string, actionId: string, ref: Ref | string, responseId: string): Record<string, unknown> {
    const p = buttonClick({ teamId: t.fake.teamId, userId: user, channelId: CH, actionId, value: typeof ref === 'string' ? ref : JSON.stringify(ref), responseUrl: t.fake.responseUrl(responseId) });
    const [action] = p.actions as Array<Record<string, unknown>>;
    return { ...p, actions: [{ ...action, action_ts: `${Math.floor(Date.now() / 1000)}.${String((seq += 1)).padStart(6, '0')}` }] };
  }
  /** The modal the last views.open showed, as a submission of `values` by `user` (a view id of its own, as Slack gives each view). */
  function submission(user: string, values: Record<string, Record<string, Record<string, unknown>>>): Record<string, unknown> {
    const view = t.fake.callsTo('views.open').at(-1)?.args.view as Record<string, unknown>;
    return viewSubmission({ teamId: t.fake.teamId, userId: user, view: { ...view, id: `V0INTER${String((views += 1)).padStart(4, '0')}`, hash: `1700000000.h${views}` }, values });
  }
  async function send(payload: Record<string, unknown>): Promise<Response> {
    const res = await t.interact(payload);
    await t.service.idle();
    return res;
  }
  const memoValues = (recommendation: string, context = 'Two vendors bid.') => ({
    context: { context: { type: 'plain_text_input', value: context } },
    options: { options: { type: 'plain_text_input', value: 'A: cheaper. B: faster.' } },
    recommendation: { recommendation: { type: 'plain_text_input', value: recommendation } },
    decide_by: { decide_by: { type: 'datepicker', selected_date: '2026-12-04' } },
  });
  const decisionsBy = (user: string) => t.store.db.selectFrom('decisions').select('summary').where('user_id', '=', user).execute();
  const postsSince = (n: number): RecordedCall[] => t.fake.callsTo('chat.postMessage').slice(n);
  const responses = (id: string): RecordedCall[] => t.fake.callsTo('response_url').filter((c) => c.args.response_url_id === id);

  describe('row 6: a view or an action is handled once', () => {
    it('a decision-memo submission replayed 3 times in a row: one decision, one chat.postMessage, every replay answered 200', async () => {
      const { author, ref } = await nudged();
      await send(click(author, 'nudge_memo', ref, 'memo-seq'));
      const payload = submission(author, memoValues('Go with B.'));
      const before = t.fake.callsTo('chat.postMessage').length;
      for (let i = 0; i < 3; i += 1) {
        const res = await send(payload);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe('');
      }
      expect(postsSince(before)).toHaveLength(1);
      expect(await decisionsBy(author)).toEqual([{ summary: 'Go with B.' }]);
    });

    it('the same submission delivered 3 times at once: one decision, one chat.postMessage', async () => {
      const { author, ref } = await nudged();
      await send(click(author, 'nudge_memo', ref, 'memo-par'));
      const payload = submission(author, memoValues('Go with A.'));
      const before = t.fake.callsTo('chat.postMessage').length;
      const answers = await Promise.all([t.interact(payload), t.interact(payload), t.interact(payload)]);
      await t.service.idle();
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(postsSince(before)).toHaveLength(1);
      expect(await decisionsBy(author)).toEqual([{ summary: 'Go with A.' }]);
    });

    it('a thread starter delivered twice at once: one post under the message', async () => {
      const { author, ref } = await nudged();
      await send(click(author, 'nudge_thread', ref, 'thread'));
      const payload = submission(author, { starter: { starter: { type: 'plain_text_input', value: 'Pricing: A or B?' } } });
      const before = t.fake.callsTo('chat.postMessage').length;
      await Promise.all([t.interact(payload), t.interact(payload)]);
      await t.service.idle();
      expect(postsSince(before).map((c) => c.args.thread_ts)).toEqual([ref.ts]);
    });

    it('the same button click delivered twice: one effect ("Not a meeting request" answers once)', async () => {
      const { author, ref } = await nudged();
      const payload = click(author, 'nudge_not_meeting', ref, 'notmeeting-twice');
      expect((await send(payload)).status).toBe(200);
      expect((await send(payload)).status).toBe(200);
      expect(responses('notmeeting-twice')).toHaveLength(1);
      // Another click (its own action_ts) is another interaction: it is answered too.
      await send(click(author, 'nudge_not_meeting', ref, 'notmeeting-again'));
      expect(responses('notmeeting-again')).toHaveLength(1);
    });

    it('the same modal button delivered twice at once opens one modal', async () => {
      const { author, ref } = await nudged();
      const payload = click(author, 'nudge_agenda', ref, 'agenda-twice');
      const before = t.fake.callsTo('views.open').length;
      await Promise.all([t.interact(payload), t.interact(payload)]);
      await t.service.idle();
      expect(t.fake.callsTo('views.open').slice(before)).toHaveLength(1);
    });

    it('an App Home button delivered twice republishes the tab once', async () => {
      const p = click(FAY, 'home_refresh', 'refresh', 'home');
      const payload = { ...p, container: { type: 'view', view_id: 'V0HOMEFAY1' }, view: { id: 'V0HOMEFAY1', type: 'home' } };
      const before = t.fake.callsTo('views.publish').length;
      await send(payload);
      await send(payload);
      expect(t.fake.callsTo('views.publish').slice(before)).toHaveLength(1);
    });

    it('a charter settings save delivered twice saves once; one refused (errors) can be sent again once the reason is gone', async () => {
      const before = t.fake.callsTo('views.open').length;
      expect((await t.slash('config', { userId: ADMIN, channelId: CH, responseUrl: t.fake.responseUrl('config') })).status).toBe(200);
      await t.service.idle();
      const view = t.fake.callsTo('views.open').slice(before)[0]?.args.view as { blocks: unknown[] } & Record<string, unknown>;
      expect(view.callback_id).toBe('charter_settings');
      const history = async () => (await t.store.db.selectFrom('charter_history').select(sql<number>`count(*)::int`.as('n')).where('team_id', '=', t.fake.teamId).executeTakeFirstOrThrow()).n;
      const state = initialState(view);
      const withSize = (n: string) => ({ ...state, min_group_size: { v: { ...state.min_group_size?.v, value: n } } });
      const saved = await history();

      const payload = viewSubmission({ teamId: t.fake.teamId, userId: ADMIN, view: { ...view, id: 'V0SETTINGS1', hash: '1700000000.s1' }, values: withSize('6') });
      const answers = await Promise.all([t.interact(payload), t.interact(payload)]);
      expect(answers.map((r) => r.status)).toEqual([200, 200]);
      expect(await Promise.all(answers.map((r) => r.text()))).toEqual(['', '']);
      expect((await send(payload)).status).toBe(200);
      expect(await history()).toBe(saved + 1);

      // Demoted in Slack: refused with errors, and the claim is given back…
      const again = viewSubmission({ teamId: t.fake.teamId, userId: ADMIN, view: { ...view, id: 'V0SETTINGS2', hash: '1700000000.s2' }, values: withSize('7') });
      t.fake.addUser({ id: ADMIN, name: 'admin', tz: 'UTC', is_admin: false });
      try {
        expect(await (await send(again)).json()).toMatchObject({ response_action: 'errors' });
      } finally {
        t.fake.addUser({ id: ADMIN, name: 'admin', tz: 'UTC', is_admin: true });
      }
      // …so the same submission, sent again once they are an admin again, saves.
      expect(await (await send(again)).text()).toBe('');
      expect(await history()).toBe(saved + 2);
    });

    it('claims keep no user id, and claims older than a day are swept when a new one is taken', async () => {
      const claims = t.store.db.withTables<{ interaction_claims: { team_id: string; key: string; claimed_at: Date } }>();
      const rows = await claims.selectFrom('interaction_claims').selectAll().execute();
      expect(rows.length).toBeGreaterThan(5);
      for (const r of rows) expect(r.key).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(rows)).not.toMatch(/U0[A-Z0-9]{8}/);

      await claims.insertInto('interaction_claims').values({ team_id: t.fake.teamId, key: 'old', claimed_at: new Date(Date.now() - 25 * 3_600_000) }).execute();
      await claims.insertInto('interaction_claims').values({ team_id: t.fake.teamId, key: 'recent', claimed_at: new Date(Date.now() - 23 * 3_600_000) }).execute();
      await send(click(FAY, 'home_refresh', 'refresh', 'home-sweep'));
      const keys = (await claims.selectFrom('interaction_claims').select('key').where('key', 'in', ['old', 'recent']).execute()).map((r) => r.key);
      expect(keys).toEqual(['recent']);
    });
  });

  describe('row 7: the actor is checked first', () => {
    it.each([['nudge_thread'], ['nudge_memo'], ['nudge_agenda'], ['nudge_not_meeting'], ['nudge_snooze']])(
      'someone else clicking the nudge’s %s: no modal, nothing recorded, a private refusal',
      async (actionId) => {
        const { author, ref } = await nudged();
        const opened = t.fake.callsTo('views.open').length;
        const id = `other-${actionId}`;
        expect((await send(click(ANA, actionId, ref, id))).status).toBe(200);
        expect(t.fake.callsTo('views.open')).toHaveLength(opened);
        expect(responses(id).map((c) => ({ response_type: c.args.response_type, replace_original: c.args.replace_original, text: c.args.text }))).toEqual([
          { response_type: 'ephemeral', replace_original: false, text: 'This note was for someone else, so nothing happened.' },
        ]);
        const row = await t.store.db.selectFrom('nudges').select(['user_id', 'outcome']).where('id', '=', ref.n).executeTakeFirstOrThrow();
        expect(row).toEqual({ user_id: author, outcome: null });
        expect(await t.store.db.selectFrom('nudge_snoozes').select('user_id').where('user_id', '=', ANA).execute()).toEqual([]);
      },
    );

    it('someone else’s "Got it" does not dismiss the note', async () => {
      const { ref } = await nudged();
      await send(click(BEN, 'nudge_dismiss', ref, 'other-dismiss'));
      expect(responses('other-dismiss').map((c) => [c.args.delete_original, c.args.text])).toEqual([[undefined, 'This note was for someone else, so nothing happened.']]);
      expect((await t.store.db.selectFrom('nudges').select('outcome').where('id', '=', ref.n).executeTakeFirstOrThrow()).outcome).toBeNull();
    });

    it('a click naming a nudge that does not exist opens nothing', async () => {
      const opened = t.fake.callsTo('views.open').length;
      await send(click(ANA, 'nudge_memo', { n: '987654321', c: CH, ts: '1700000000.000100' }, 'ghost'));
      expect(t.fake.callsTo('views.open')).toHaveLength(opened);
      expect(responses('ghost')).toHaveLength(1);
    });
  });

  describe('row 7: text people wrote cannot mention groups', () => {
    const noRawGroups = (c: RecordedCall | undefined): string => {
      expect(c).toBeDefined();
      const all = JSON.stringify({ text: c?.args.text, blocks: c?.args.blocks });
      expect(all).not.toMatch(RAW_GROUP);
      expect(c?.args.link_names).not.toBe(true);
      expect(c?.args.parse).not.toBe('full');
      return all;
    };

    it('a memo with <!channel> <!here> <!subteam^…>: posted escaped, kept as typed', async () => {
      const { author, ref } = await nudged();
      await send(click(author, 'nudge_memo', ref, 'memo-esc'));
      const before = t.fake.callsTo('chat.postMessage').length;
      await send(submission(author, memoValues(`${GROUP_PINGS} <@${BEN}> & co`, `Context ${GROUP_PINGS} <https://evil.example|click>`)));
      const [post] = postsSince(before);
      const all = noRawGroups(post);
      expect(all).toContain('&lt;!channel&gt; hi &lt;!here&gt; &lt;!subteam^S123&gt; and &lt;!everyone&gt;');
      // Everything typed in a modal is escaped: a typed <@U…> or link is shown as text, not followed.
      expect(all).toContain(`&lt;@${BEN}&gt; &amp; co`);
      expect(all).toContain('&lt;https://evil.example|click&gt;');
      expect(String(post?.args.text)).toBe(`Decision memo from <@${author}>: &lt;!channel&gt; hi &lt;!here&gt; &lt;!subteam^S123&gt; and &lt;!everyone&gt; &lt;@${BEN}&gt; &amp; co`);
      expect(await decisionsBy(author)).toEqual([{ summary: `${GROUP_PINGS} <@${BEN}> & co` }]);
    });

    it('a thread starter and an agenda are posted escaped', async () => {
      const first = await nudged();
      await send(click(first.author, 'nudge_thread', first.ref, 'thread-esc'));
      let before = t.fake.callsTo('chat.postMessage').length;
      await send(submission(first.author, { starter: { starter: { type: 'plain_text_input', value: `Thread ${GROUP_PINGS}` } } }));
      const [starter] = postsSince(before);
      noRawGroups(starter);
      expect(starter?.args.text).toBe(`<@${first.author}> started this thread:\nThread &lt;!channel&gt; hi &lt;!here&gt; &lt;!subteam^S123&gt; and &lt;!everyone&gt;`);

      const second = await nudged();
      await send(click(second.author, 'nudge_agenda', second.ref, 'agenda-esc'));
      before = t.fake.callsTo('chat.postMessage').length;
      await send(
        submission(second.author, {
          purpose: { purpose: { type: 'plain_text_input', value: `Purpose ${GROUP_PINGS}` } },
          outcome: { outcome: { type: 'plain_text_input', value: `Outcome ${GROUP_PINGS}` } },
          pre_reading: { pre_reading: { type: 'url_text_input', value: 'https://docs.example.com/a?x=1&y=<!here>' } },
          when: { when: { type: 'datetimepicker', selected_date_time: Math.floor((Date.now() + 3 * 86_400_000) / 1000) } },
          post_anyway: { post_anyway: { type: 'checkboxes', selected_options: [] } },
        }),
      );
      const all = noRawGroups(postsSince(before)[0]);
      expect(all).toContain('Purpose &lt;!channel&gt;');
      expect(all).toContain('Outcome &lt;!channel&gt;');
      expect(all).toContain('https://docs.example.com/a?x=1&amp;y=&lt;!here&gt;');
    });

    it('/async decision with group mentions: posted escaped (people and links Slack made stay), kept as typed', async () => {
      // As Slack sends it with should_escape: @channel → <!channel>, a typed "<!here>" → &lt;!here&gt;, @ben → <@U…|ben>.
      const res = await t.slash(`decision Ship it <!channel> &lt;!here&gt; <!subteam^S123|@eng> ask <@${BEN}|ben> in <#${CH}|general> see <https://docs.example.com/d?a=1&amp;b=2>`, {
        userId: DEE,
        channelId: CH,
        responseUrl: t.fake.responseUrl('decision-esc'),
      });
      expect(res.status).toBe(200);
      await t.service.idle();
      const [post] = responses('decision-esc').filter((c) => c.args.response_type === 'in_channel');
      const all = noRawGroups(post);
      expect(all).toContain(`Ship it &lt;!channel&gt; &lt;!here&gt; &lt;!subteam^S123|@eng&gt; ask <@${BEN}> in <#${CH}> see <https://docs.example.com/d?a=1&amp;b=2>`);
      expect(await decisionsBy(DEE)).toEqual([{ summary: `Ship it <!channel> <!here> <!subteam^S123|@eng> ask <@${BEN}|ben> in <#${CH}|general> see <https://docs.example.com/d?a=1&b=2>` }]);
    });
  });
});
