import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCharter } from '../../src/domain/charter';
import { weekStartOf } from '../../src/domain/report';
import { openExport } from '../../src/services/export-reader';
import { importExport } from '../../src/services/export-import';
import { buildReports } from '../../src/services/reports';
import { startTestApp, type TestApp } from '../helpers/app-harness';
import { FakeSlack } from '../helpers/fake-slack';
import { FIXTURES } from '../helpers/fixtures';
import { freshStore } from '../helpers/store';

const ANA = 'U0ANA00001';
const BEN = 'U0BEN00001';
const CH = 'C0GENERAL1';

describe('live tracking: requests follow messages, answers, reactions, edits and deletions as they arrive', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ users: [{ id: ANA, tz: 'UTC' }, { id: BEN, tz: 'UTC' }], logLevel: 'warn' });
  });
  afterAll(async () => {
    await t.stop();
    await t.store.close();
  });

  // A Monday 10:00 UTC, in the past so that every event is "old" and nothing else reacts.
  const base = Date.UTC(2026, 10, 16, 10, 0, 0);
  const ts = (minutes: number, seq: number) => `${Math.floor((base + minutes * 60_000) / 1000)}.${String(seq).padStart(6, '0')}`;
  const week = '2026-11-16';
  const report = async (asOfMinutes: number) => {
    await t.service.idle();
    const [r] = await buildReports(t.store.db, t.fake.teamId, { weeks: [week], asOf: new Date(base + asOfMinutes * 60_000) });
    return r;
  };
  const message = (user: string, at: string, text: string, extra: Record<string, unknown> = {}) => ({ type: 'message', channel: CH, channel_type: 'channel', user, ts: at, event_ts: at, text, ...extra });

  it('a mention is pending, an answer makes it on time, deleting the answer brings it back, a reaction answers it again', async () => {
    const ask = ts(0, 1);
    await t.sendEvent(message(ANA, ask, `<@${BEN}> could you review the draft?`));
    expect(await report(30)).toMatchObject({ requests: 1, pending: 1, on_time: 0 });

    const answer = ts(45, 2);
    await t.sendEvent(message(BEN, answer, 'done, looks good', { thread_ts: ask }));
    expect(await report(60)).toMatchObject({ requests: 1, on_time: 1, pending: 0, threaded_messages: 1, median_response_working_minutes: 45 });

    await t.sendEvent({ type: 'message', subtype: 'message_deleted', channel: CH, channel_type: 'channel', deleted_ts: answer, ts: ts(50, 3), event_ts: ts(50, 3), hidden: true });
    expect(await report(60)).toMatchObject({ requests: 1, on_time: 0, pending: 1, messages: 1 });
    // Due after 480 working minutes: Tuesday 10:00. At that instant it is still pending; a minute later, overdue.
    expect(await report(24 * 60)).toMatchObject({ pending: 1, overdue: 0 });
    expect(await report(24 * 60 + 1)).toMatchObject({ overdue: 1, compliance: 0 });

    await t.sendEvent({ type: 'reaction_added', user: BEN, reaction: 'eyes', item: { type: 'message', channel: CH, ts: ask }, event_ts: ts(90, 4) });
    expect(await report(120)).toMatchObject({ on_time: 1, median_response_working_minutes: 90 });
  });

  it('classifies at ingest: meeting requests and "where is" questions are counted, their text is not kept', async () => {
    await t.sendEvent(message(ANA, ts(300, 8), `<@${BEN}> can we hop on a quick call about the release?`));
    await t.sendEvent(message(BEN, ts(301, 9), 'anyone have the link to the release checklist?'));
    await t.sendEvent(message(BEN, ts(302, 10), 'notes from yesterday’s call are in the doc'));
    expect(await report(400)).toMatchObject({ meeting_requests: 1, where_is_questions: 1 });
    const flags = await t.store.db.selectFrom('messages').select(['ts', 'is_meeting_request', 'is_where_is', 'is_question']).where('ts', 'in', [ts(300, 8), ts(301, 9), ts(302, 10)]).orderBy('ts').execute();
    expect(flags).toEqual([
      { ts: ts(300, 8), is_meeting_request: true, is_where_is: false, is_question: true },
      { ts: ts(301, 9), is_meeting_request: false, is_where_is: true, is_question: true },
      { ts: ts(302, 10), is_meeting_request: false, is_where_is: false, is_question: false },
    ]);
  });

  it('an edit that drops the mention drops the request; one that adds it back restores it', async () => {
    const ask = ts(200, 5);
    await t.sendEvent(message(ANA, ask, `<@${BEN}> ping`));
    expect((await report(210))?.requests).toBe(2);
    const edit = (text: string, at: string) => ({ type: 'message', subtype: 'message_changed', channel: CH, channel_type: 'channel', hidden: true, ts: at, event_ts: at, message: { type: 'message', user: ANA, ts: ask, text, edited: { user: ANA, ts: at } } });
    await t.sendEvent(edit('never mind', ts(205, 6)));
    expect((await report(210))?.requests).toBe(1);
    await t.sendEvent(edit(`<@${BEN}> ping again`, ts(206, 7)));
    expect((await report(210))?.requests).toBe(2);
  });

  it("a reaction that comes before its message (the message's delivery retried later), in a channel never seen yet, answers it once the message comes; a DM's reaction is never kept", async () => {
    const fresh = 'C0NEWCHAN1';
    const ask = ts(330, 11);
    await t.sendEvent({ type: 'reaction_added', user: BEN, reaction: 'white_check_mark', item: { type: 'message', channel: fresh, ts: ask }, event_ts: ts(350, 12) });
    await t.sendEvent({ type: 'reaction_added', user: BEN, reaction: 'eyes', item: { type: 'message', channel: 'D0DIRECT01', ts: ask }, event_ts: ts(351, 13) });
    await t.sendEvent({ ...message(ANA, ask, `<@${BEN}> is the release note ready?`), channel: fresh });
    const [r] = await (async () => {
      await t.service.idle();
      return buildReports(t.store.db, t.fake.teamId, { weeks: [week], asOf: new Date(base + 600 * 60_000), channel: fresh });
    })();
    expect(r).toMatchObject({ messages: 1, requests: 1, on_time: 1, pending: 0, median_response_working_minutes: 20 });
    const kept = await t.store.db.selectFrom('reactions').select(['channel_id', 'reaction']).where('team_id', '=', t.fake.teamId).orderBy('channel_id').execute();
    expect(kept.filter((k) => k.channel_id !== CH)).toEqual([{ channel_id: fresh, reaction: 'white_check_mark' }]);
  });
});

describe('parity: an export imported with audit and the same messages replayed as signed events give identical reports', () => {
  it('for every week of the houstondatavis export', async () => {
    const dir = join(FIXTURES, 'slack-export-houstondatavis');
    const users = JSON.parse(readFileSync(join(dir, 'users.json'), 'utf8')) as Array<Record<string, unknown> & { id: string }>;
    const channels = JSON.parse(readFileSync(join(dir, 'channels.json'), 'utf8')) as Array<{ id: string; name: string }>;
    const charter = defaultCharter();

    const imported = await freshStore();
    const archive = await openExport(dir);
    const summary = await importExport(imported, archive, { charter, includePrivate: false });
    const asOf = new Date(summary.newestAt as number);
    const viaAudit = await buildReports(imported.db, 'T061A2UFL', { asOf, charter });
    await imported.close();

    // The app serves auth.test's workspace only: the export's, from the start.
    const fake = await new FakeSlack().start();
    fake.teamId = 'T061A2UFL';
    const t = await startTestApp({ fake, users: users.map((u) => ({ id: u.id, raw: u })), logLevel: 'warn' });
    try {
      const events: Array<Record<string, unknown>> = [];
      for (const ch of channels) {
        const files = readdirSync(join(dir, ch.name)).filter((f) => f.endsWith('.json'));
        for (const f of files) {
          for (const m of JSON.parse(readFileSync(join(dir, ch.name, f), 'utf8')) as Array<Record<string, unknown>>) {
            events.push({ ...m, channel: ch.id, channel_type: 'channel', event_ts: m.ts });
          }
        }
      }
      events.sort((a, b) => Number(a.ts) - Number(b.ts));
      let n = 0;
      for (const e of events) {
        const res = await t.sendEvent(e, { eventId: `EvReplay${String((n += 1)).padStart(6, '0')}` });
        expect(res.status).toBe(200);
      }
      await t.service.idle();
      const viaEvents = await buildReports(t.store.db, 'T061A2UFL', { asOf, charter });
      expect(viaEvents).toHaveLength(viaAudit.length);
      expect(viaEvents.map((r) => r.week_start)).toEqual(viaAudit.map((r) => r.week_start));
      expect(viaEvents).toEqual(viaAudit);
      expect(viaAudit.reduce((s, r) => s + r.requests, 0)).toBeGreaterThan(100);
      expect(weekStartOf(asOf.getTime(), 'UTC')).toBe(viaAudit.at(-1)?.week_start);
    } finally {
      await t.stop();
      await t.store.close();
      await fake.stop();
    }
  }, 240_000);
});
