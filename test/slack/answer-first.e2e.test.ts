import { claimNudge } from '../../src/store/nudges';
import { buttonClick, startTestApp, viewSubmission, type TestApp } from '../helpers/app-harness';

/**
 * Buttons and modals answer Slack first. Bolt with processBeforeResponse sends the ack only when
 * the handler returns, so the Web API work a click or a submission starts (views.open,
 * chat.postMessage, response_url) runs detached, tracked until it ends: a hung or failing call
 * neither delays the answer nor turns an accepted modal into a 500, and shutdown waits for it.
 */

const AUTHOR = 'U0AUTHOR77';
const CH = 'C0GENERAL1';
type Ref = { n: string; c: string; ts: string };
/** The meeting-request nudge AUTHOR was shown (its buttons and modals act for AUTHOR only). */
let REF: Ref = { n: '', c: CH, ts: '1700000000.000100' };
const STARTER = 'Pricing: option A or B? Reply here by Friday.';
const RECOMMENDATION = 'Go with vendor B, the faster one.';

/** Stores the nudge REF names in this app's store. */
async function seedNudge(t: TestApp): Promise<void> {
  const n = await claimNudge(t.store.db, { teamId: t.fake.teamId, channelId: CH, messageTs: REF.ts, kind: 'meeting_request', userId: AUTHOR });
  REF = { ...REF, n: n ?? '' };
}

const sleep = (ms: number) => new Promise<string>((r) => setTimeout(() => r('still waiting'), ms));
/** Each submission is of a modal of its own (Slack gives every view its own id): none is a redelivery of another. */
let views = 0;
const viewOf = (callback_id: string) => ({ id: `V0ANSWER${String((views += 1)).padStart(3, '0')}`, callback_id, private_metadata: JSON.stringify(REF) });
const threadStarter = (teamId: string) => viewSubmission({ teamId, userId: AUTHOR, view: viewOf('thread_starter'), values: { starter: { starter: { type: 'plain_text_input', value: STARTER } } } });
const decisionMemo = (teamId: string) =>
  viewSubmission({
    teamId,
    userId: AUTHOR,
    view: viewOf('decision_memo'),
    values: {
      context: { context: { type: 'plain_text_input', value: 'Two vendors bid.' } },
      options: { options: { type: 'plain_text_input', value: 'A: cheaper. B: faster.' } },
      recommendation: { recommendation: { type: 'plain_text_input', value: RECOMMENDATION } },
      decide_by: { decide_by: { type: 'datepicker', selected_date: '2026-12-04' } },
    },
  });

/** Sends a payload and measures how long Slack would wait for the answer. */
async function timed(t: TestApp, payload: Record<string, unknown>): Promise<{ status: number; body: string; ms: number }> {
  const started = Date.now();
  const res = await t.interact(payload);
  const body = await res.text();
  return { status: res.status, body, ms: Date.now() - started };
}

describe('buttons and modals answer first (real app, fake Slack Web API)', () => {
  it('a submission whose chat.postMessage hangs is answered 200 at once; the post stays tracked until it ends', async () => {
    const t = await startTestApp({ users: [{ id: AUTHOR, name: 'ana', tz: 'UTC' }], logLevel: 'warn' });
    try {
      await seedNudge(t);
      t.fake.hold('chat.postMessage', { apply: false });
      const answer = await timed(t, threadStarter(t.fake.teamId));
      expect(answer.status).toBe(200);
      expect(answer.body).toBe('');
      expect(answer.ms).toBeLessThan(1000);
      const [post] = await t.fake.waitForCalls('chat.postMessage');
      expect(post?.args).toMatchObject({ channel: CH, thread_ts: REF.ts, text: `<@${AUTHOR}> started this thread:\n${STARTER}` });

      // The post is tracked: idle() (and so stop()) waits for it while Slack holds the answer…
      const idle = t.service.idle().then(() => 'idle');
      expect(await Promise.race([idle, sleep(500)])).toBe('still waiting');
      // …and resolves once the call ends (here Slack goes away), the failure logged.
      await t.fake.stop();
      expect(await idle).toBe('idle');
      const failed = t.logs.parsed().filter((l) => l.msg === 'thread starter post failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ level: 40, team_id: t.fake.teamId, channel: CH, nudge: REF.n });
      expect(t.logs.text()).not.toContain('Pricing');
    } finally {
      await t.stop();
      await t.store.close();
    }
  });

  it('a button whose views.open hangs is answered 200 at once', async () => {
    const t = await startTestApp({ users: [{ id: AUTHOR, name: 'ana', tz: 'UTC' }], logLevel: 'warn' });
    try {
      await seedNudge(t);
      t.fake.hold('views.open', { apply: false });
      const answer = await timed(t, buttonClick({ teamId: t.fake.teamId, userId: AUTHOR, channelId: CH, actionId: 'nudge_memo', value: JSON.stringify(REF), responseUrl: t.fake.responseUrl('memo') }));
      expect(answer.status).toBe(200);
      expect(answer.ms).toBeLessThan(1000);
      await t.fake.waitForCalls('views.open');
      await t.fake.stop();
      await t.service.idle();
      expect(t.logs.parsed().filter((l) => l.msg === 'nudge button (memo) failed')).toHaveLength(1);
    } finally {
      await t.stop();
      await t.store.close();
    }
  });

  describe('when chat.postMessage fails', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ users: [{ id: AUTHOR, name: 'ana', tz: 'UTC' }], logLevel: 'warn' });
      await seedNudge(t);
    });
    afterAll(async () => {
      await t.stop();
      await t.store.close();
    });

    it('an accepted memo is still answered 200 (not 500); the failure is logged and no decision is recorded', async () => {
      t.fake.override('chat.postMessage', { body: { ok: false, error: 'channel_not_found' } });
      const answer = await timed(t, decisionMemo(t.fake.teamId));
      expect(answer.status).toBe(200);
      expect(answer.body).toBe('');
      expect(answer.ms).toBeLessThan(1000);
      await t.service.idle();
      expect(t.fake.callsTo('chat.postMessage')).toHaveLength(1);
      const failed = t.logs.parsed().filter((l) => l.msg === 'decision memo post failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ level: 40, team_id: t.fake.teamId, channel: CH, nudge: REF.n });
      expect(JSON.stringify(failed[0]?.err)).toContain('channel_not_found');
      // What the person wrote never reaches the log; the decision is kept only once the memo is posted.
      expect(t.logs.text()).not.toContain(RECOMMENDATION);
      expect(await t.store.db.selectFrom('decisions').select('summary').where('user_id', '=', AUTHOR).execute()).toEqual([]);
    });

    it('a 5xx from Slack is answered 200 too, and the next submission posts', async () => {
      t.fake.override('chat.postMessage', { status: 503, body: { ok: false, error: 'service_unavailable' } });
      const answer = await timed(t, threadStarter(t.fake.teamId));
      expect(answer.status).toBe(200);
      await t.service.idle();
      expect(t.logs.parsed().filter((l) => l.msg === 'thread starter post failed')).toHaveLength(1);

      expect((await timed(t, decisionMemo(t.fake.teamId))).status).toBe(200);
      await t.service.idle();
      expect(t.fake.callsTo('chat.postMessage').slice(-1)[0]?.args).toMatchObject({ channel: CH, text: `Decision memo from <@${AUTHOR}>: ${RECOMMENDATION}` });
      expect(await t.store.db.selectFrom('decisions').select(['channel_id', 'summary']).where('user_id', '=', AUTHOR).execute()).toEqual([{ channel_id: CH, summary: RECOMMENDATION }]);
    });
  });
});
