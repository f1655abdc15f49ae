import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { WebClient } from '@slack/web-api';
import { sql } from 'kysely';
import { toMessageRecord, type SlackMessage, type SlackUser } from '../../src/domain/activity';
import type { WeeklyReport } from '../../src/domain/report';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { BackfillService, type BackfillIngest } from '../../src/services/backfill';
import { historyIngest } from '../../src/services/history-ingest';
import { Directory } from '../../src/services/directory';
import { openExport } from '../../src/services/export-reader';
import { importExport } from '../../src/services/export-import';
import { Ingestor } from '../../src/services/ingest';
import { buildReports } from '../../src/services/reports';
import { backfillSlackPort } from '../../src/slack/backfill-port';
import { backfillChannels, backfillRun } from '../../src/store/backfill';
import { saveCharter } from '../../src/store/charters';
import type { Store } from '../../src/store/connect';
import { migrateToLatest } from '../../src/store/migrate';
import { makeCharter } from '../helpers/charter';
import { cliStore, ROOT } from '../helpers/cli';
import { FakeSlack, type RecordedCall } from '../helpers/fake-slack';
import { freshStore, testBackend, type TestStore } from '../helpers/store';

/**
 * The backfill over the fake Slack Web API and a real store (PGlite, or Postgres with
 * DATABASE_URL): ~1,500 messages in paginated history and threads, 429s and a 503 injected, a live
 * event already stored, a process killed half-way and continued. What is stored is checked
 * message by message, and the weekly reports against an `audit` import of the same messages.
 */

const TEAM = 'T0TEAM0001';
const NOW = Date.parse('2026-11-30T12:00:00Z');
const DAY = 86_400_000;
const DAYS = 30;
const OLDEST_SEC = ((NOW - DAYS * DAY) / 1000).toFixed(6);
const PAGE = 100;

const CH = {
  notIn: 'C0NOTIN001', // public, the app is not in it: joined with join=true
  pub: 'C0PUBLIC01', // public, the app is in it
  priv: 'G0PRIVATE1', // private, the app was invited
  excluded: 'C0EXCLUDE1', // public, the app is in it, the charter excludes it
  archived: 'C0ARCHIVE1', // archived
  secret: 'G0SECRET01', // private, the app is not in it: Slack does not show it
} as const;
const NAMES: Record<string, string> = { [CH.notIn]: 'random', [CH.pub]: 'general', [CH.priv]: 'leads', [CH.excluded]: 'hr', [CH.archived]: 'old-project', [CH.secret]: 'secret' };
const TRACKED = [CH.notIn, CH.pub, CH.priv];
const charter = makeCharter({ timezone: 'Europe/Berlin', excluded_channels: [CH.excluded] });

type Msg = SlackMessage & { ts: string; channel: string } & Record<string, unknown>;

/** Deterministic workspace: 40 people (one a bot by its directory entry), six channels, ~1,500 messages. */
function generate(): { messages: Msg[]; users: SlackUser[]; long: string; edited: Msg; plain: Msg } {
  let s = 20261130;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'America/Los_Angeles'];
  const users: SlackUser[] = Array.from({ length: 40 }, (_, i) => ({
    id: `U${String(i).padStart(9, '0')}`,
    team_id: TEAM,
    name: `person${i}`,
    real_name: `Person ${i}`,
    tz: zones[i % zones.length] as string,
    is_bot: i === 39,
    deleted: false,
    profile: { display_name: `person${i}` },
  }));
  const writers = users.slice(0, 39);
  let seq = 0;
  const ts = (ms: number) => `${Math.floor(ms / 1000)}.${String((seq += 1)).padStart(6, '0')}`;
  const text = () => {
    const r = rand();
    if (r < 0.3) return `<@${pick(users).id as string}> can you take a look?`;
    if (r < 0.33) return 'can we hop on a quick call about the rollout?';
    if (r < 0.35) return 'where is the onboarding doc?';
    return 'lorem ipsum dolor sit amet';
  };
  const out: Msg[] = [];
  const plan: Array<[string, number]> = [
    [CH.notIn, 200],
    [CH.pub, 300],
    [CH.priv, 160],
    [CH.excluded, 30],
    [CH.archived, 10],
    [CH.secret, 10],
  ];
  for (const [channel, count] of plan) {
    for (let i = 0; i < count; i += 1) {
      const at = NOW - 28 * DAY + rand() * 27.5 * DAY;
      const r = rand();
      const root: Msg = { channel, type: 'message', user: pick(writers).id as string, ts: ts(at), text: text() };
      if (r < 0.03) Object.assign(root, { subtype: 'bot_message', bot_id: 'B0DEPLOY01', user: undefined, username: 'deploybot' });
      else if (r < 0.05) Object.assign(root, { subtype: 'channel_join', text: `<@${root.user as string}> has joined the channel` });
      out.push(root);
      if (r >= 0.05 && rand() < 0.3) {
        const n = 1 + Math.floor(rand() * 5);
        for (let k = 0; k < n; k += 1) {
          const reply: Msg = { channel, type: 'message', user: pick(writers).id as string, ts: ts(Math.min(NOW - 60_000, at + (k + 1) * (60_000 + rand() * 6 * 3_600_000))), thread_ts: root.ts, text: text() };
          if (rand() < 0.05) reply.subtype = 'thread_broadcast';
          out.push(reply);
        }
      }
    }
    // Older than the window: never read, never in the export.
    for (let i = 0; i < 12; i += 1) out.push({ channel, type: 'message', user: pick(writers).id as string, ts: ts(NOW - (35 + rand() * 10) * DAY), text: 'old news' });
  }
  // One long thread: its replies take three pages.
  const longAt = NOW - 10 * DAY;
  const long: Msg = { channel: CH.pub, type: 'message', user: 'U000000001', ts: ts(longAt), text: `<@U000000002> incident review, please` };
  out.push(long);
  for (let k = 0; k < 230; k += 1) out.push({ channel: CH.pub, type: 'message', user: pick(writers).id as string, ts: ts(longAt + (k + 1) * 60_000), thread_ts: long.ts, text: text() });
  // Someone the directory knows as a bot, writing without bot_id: stored, then not counted.
  for (let k = 0; k < 5; k += 1) out.push({ channel: CH.priv, type: 'message', user: 'U000000039', ts: ts(NOW - (5 - k) * DAY), text: 'automated summary' });
  // Edited after a live event stored its first version (which mentioned nobody).
  const edited: Msg = { channel: CH.pub, type: 'message', user: 'U000000003', ts: ts(NOW - 3 * DAY), text: '<@U000000004> please review the draft', edited: { ts: `${Math.floor((NOW - 3 * DAY) / 1000) + 600}.000000`, user: 'U000000003' } };
  // Stored by a live event before the backfill, unchanged since.
  const plain: Msg = { channel: CH.notIn, type: 'message', user: 'U000000005', ts: ts(NOW - 2 * DAY), text: '<@U000000006> can you take a look?' };
  out.push(edited, plain);
  const key = (m: Msg) => BigInt(m.ts.replace('.', ''));
  out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return { messages: out, users, long: long.ts, edited, plain };
}

const DATA = generate();
const inWindow = (m: Msg) => Number(m.ts) >= Number(OLDEST_SEC);
/** The (channel, ts) of every human message the backfill must store. */
const EXPECTED = DATA.messages
  .filter((m) => TRACKED.includes(m.channel as never) && inWindow(m) && toMessageRecord(m, m.channel) !== null)
  .map((m) => `${m.channel}/${m.ts}`)
  .sort();
const THREADS = new Set(DATA.messages.filter((m) => TRACKED.includes(m.channel as never) && m.thread_ts !== undefined && m.thread_ts !== m.ts).map((m) => `${m.channel}/${m.thread_ts as string}`)).size;

/** A fake Slack holding the workspace. */
async function startFake(): Promise<FakeSlack> {
  const fake = await new FakeSlack().start();
  fake.now = () => NOW;
  fake.strictChannels = true;
  fake.addChannel({ id: CH.notIn, name: NAMES[CH.notIn] as string, isMember: false, memberCount: 30 });
  fake.addChannel({ id: CH.pub, name: NAMES[CH.pub] as string, memberCount: 40 });
  fake.addChannel({ id: CH.priv, name: NAMES[CH.priv] as string, isPrivate: true, memberCount: 6 });
  fake.addChannel({ id: CH.excluded, name: NAMES[CH.excluded] as string, memberCount: 5 });
  fake.addChannel({ id: CH.archived, name: NAMES[CH.archived] as string, archived: true, memberCount: 3 });
  fake.addChannel({ id: CH.secret, name: NAMES[CH.secret] as string, isPrivate: true, isMember: false, memberCount: 3 });
  for (const u of DATA.users) fake.addUser({ id: u.id as string, raw: u as Record<string, unknown> });
  for (const m of DATA.messages) {
    const { channel, ...rest } = m;
    fake.addMessage(channel, rest as never);
  }
  return fake;
}

/** The same messages as a Slack export folder (the window only; the private channel in groups.json). */
function writeExport(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'users.json'), JSON.stringify(DATA.users));
  const listed = (ids: string[]) => ids.map((id) => ({ id, name: NAMES[id], created: 1700000000, is_archived: false, members: [] }));
  writeFileSync(join(dir, 'channels.json'), JSON.stringify(listed([CH.notIn, CH.pub, CH.excluded])));
  writeFileSync(join(dir, 'groups.json'), JSON.stringify(listed([CH.priv])));
  const files = new Map<string, unknown[]>();
  for (const m of DATA.messages) {
    if (![CH.notIn, CH.pub, CH.priv, CH.excluded].includes(m.channel as never) || !inWindow(m)) continue;
    const { channel, ...rest } = m;
    const file = `${NAMES[channel] as string}/${new Date(Number(m.ts.split('.')[0]) * 1000).toISOString().slice(0, 10)}.json`;
    files.set(file, [...(files.get(file) ?? []), rest]);
  }
  for (const [file, list] of files) {
    mkdirSync(join(dir, file.split('/')[0] as string), { recursive: true });
    writeFileSync(join(dir, file), JSON.stringify(list));
  }
}

/** users.info over the fake, for the directory. */
function lookupOver(fake: FakeSlack) {
  const client = new WebClient(fake.token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
  return async (_team: string, user: string): Promise<SlackUser | null> => {
    try {
      return ((await client.users.info({ user })).user ?? null) as SlackUser | null;
    } catch {
      return null;
    }
  };
}

/** A live message event, stored by the real Ingestor before the backfill (no afterCommit: nudges are the live path's own). */
async function liveEvent(store: Store, m: Msg, eventId: string, text?: string): Promise<void> {
  const ingestor = new Ingestor({ store, logger: createLogger({ level: 'silent' }), metrics: createMetrics() });
  const { channel, edited: _e, ...rest } = m;
  const out = await ingestor.ingest({ teamId: TEAM, eventId, event: { ...rest, type: 'message', channel, channel_type: channel.startsWith('G') ? 'group' : 'channel', text: text ?? m.text } as never });
  expect(out.status).toBe('stored');
}

async function storedKeys(store: Store): Promise<string[]> {
  const rows = await store.db.selectFrom('messages').select(['channel_id', 'ts']).where('team_id', '=', TEAM).execute();
  return rows.map((r) => `${r.channel_id}/${r.ts}`).sort();
}

/** Weekly reports of an audit of the same messages: the export imported into a store of its own. */
let auditReports: WeeklyReport[] = [];
async function audit(dir: string): Promise<WeeklyReport[]> {
  const s = await freshStore();
  try {
    writeExport(dir);
    const archive = await openExport(dir);
    const summary = await importExport(s, archive, { charter, includePrivate: true });
    await archive.close();
    expect(summary.teamId).toBe(TEAM);
    return await buildReports(s.db, TEAM, { asOf: new Date(NOW), charter });
  } finally {
    await s.close();
  }
}

/** Log lines, to read back (app-harness has one too, but it loads the whole app). */
class LogCapture extends Writable {
  private readonly lines: string[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.lines.push(chunk.toString());
    cb();
  }
  text(): string {
    return this.lines.join('');
  }
}

const key = (c: RecordedCall) => `${String(c.args.channel)}|${String(c.args.ts ?? '')}|${String(c.args.cursor ?? '')}`;

describe('backfill (fake Slack Web API, real store)', () => {
  const work = mkdtempSync(join(tmpdir(), 'ac-backfill-'));
  beforeAll(async () => {
    auditReports = await audit(join(work, 'export'));
    expect(auditReports.length).toBeGreaterThanOrEqual(4);
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('the data: ~1,500 messages, the backfill must store the human ones of three channels', () => {
    expect(DATA.messages.length).toBeGreaterThan(1400);
    expect(EXPECTED.length).toBeGreaterThan(1200);
    expect(THREADS).toBeGreaterThan(120);
  });

  describe('in one process', () => {
    let store: TestStore;
    let fake: FakeSlack;
    let logs: LogCapture;
    let waits: number[];
    beforeEach(async () => {
      store = await freshStore();
      await saveCharter(store.db, TEAM, charter, 'test');
      fake = await startFake();
      logs = new LogCapture();
      waits = [];
    });
    afterEach(async () => {
      await fake.stop();
      await store.close();
    });

    const service = (o: { ingest?: BackfillIngest; clock?: () => number } = {}) => {
      const logger = createLogger({ level: 'debug', stream: logs });
      const directory = new Directory({ store, logger, lookup: lookupOver(fake) });
      return new BackfillService({
        store,
        logger,
        now: o.clock ?? (() => NOW),
        slack: backfillSlackPort({ token: fake.token, apiUrl: fake.apiUrl, logger, pageSize: PAGE, paceMs: 0, sleep: async (ms) => void waits.push(ms) }),
        ingest: o.ingest ?? historyIngest({ store, ensurePeople: (t, ids) => directory.ensure(t, ids) }),
      });
    };

    it('reads every page of history and of every thread through 429s and a 503: each message stored once, live ones kept, no nudge, the weekly reports of an audit', async () => {
      await liveEvent(store, DATA.plain, 'Ev0PLAIN01');
      await liveEvent(store, DATA.edited, 'Ev0EDITED1', 'draft, not ready');
      fake.rateLimit('conversations.list', 1, 1);
      fake.rateLimit('conversations.history', 2, 2);
      fake.rateLimit('conversations.replies', 3, 1);
      fake.override('conversations.replies', { status: 503, body: { ok: false, error: 'service_unavailable' } }, 1);

      const svc = service();
      expect(await svc.start(TEAM, { days: DAYS, join: true })).toEqual({ started: true });
      expect(await svc.start(TEAM, { days: DAYS })).toEqual({ started: false, reason: 'already_running' });
      await svc.idle();

      // Every human message of the three tracked channels in the window, once; nothing else.
      expect(await storedKeys(store)).toEqual(EXPECTED);
      const progress = await svc.progress(TEAM);
      expect(progress).toMatchObject({ status: 'done', days: DAYS, oldest: new Date(NOW - DAYS * DAY), joinPublic: true, channelsTotal: 3, channelsDone: 3, channelsSkipped: [], threads: THREADS, paused: false, lastError: null });
      expect(progress?.messages).toBe(EXPECTED.length - 2);
      // The live event's row stays the live one; the edit read from history replaced the stored first version.
      const row = (m: Msg) => store.db.selectFrom('messages').select(['source', 'mentions', 'edited_ts']).where('team_id', '=', TEAM).where('channel_id', '=', m.channel).where('ts', '=', m.ts).executeTakeFirstOrThrow();
      expect(await row(DATA.plain)).toEqual({ source: 'event', mentions: ['U000000006'], edited_ts: null });
      expect(await row(DATA.edited)).toEqual({ source: 'event', mentions: ['U000000004'], edited_ts: (DATA.edited.edited as { ts: string }).ts });

      // Slack's rate limits were waited out for their Retry-After; the 503 after a backoff.
      expect(waits.sort((a, b) => a - b)).toEqual([1000, 1000, 2000, 2000, 3000]);
      // Joined the public channel it was not in, and nothing else; never read archived, hidden or excluded channels.
      expect(fake.callsTo('conversations.join').map((c) => c.args.channel)).toEqual([CH.notIn]);
      expect(fake.callsTo('conversations.list')[0]?.args).toMatchObject({ types: 'public_channel,private_channel', exclude_archived: 'true' });
      const history = fake.callsTo('conversations.history');
      expect(new Set(history.map((c) => c.args.channel))).toEqual(new Set(TRACKED));
      for (const c of history) expect(c.args).toMatchObject({ oldest: OLDEST_SEC, limit: String(PAGE) });
      // Paginated: several pages per channel, each asked once (the 429s apart), each later one by Slack's cursor.
      const pages = new Set(history.map(key));
      expect(history.length).toBe(pages.size + 2);
      for (const ch of TRACKED) expect(history.filter((c) => c.args.channel === ch && c.args.cursor !== undefined).length).toBeGreaterThanOrEqual(1);
      const replies = fake.callsTo('conversations.replies');
      expect(replies.length).toBe(new Set(replies.map(key)).size + 2);
      expect(new Set(replies.map((c) => `${String(c.args.channel)}/${String(c.args.ts)}`)).size).toBe(THREADS);
      expect(replies.filter((c) => c.args.ts === DATA.long && c.args.cursor !== undefined)).toHaveLength(2);

      // Nothing nudged: no ephemeral message, no nudge row.
      expect(fake.callsTo('chat.postEphemeral')).toHaveLength(0);
      expect(await store.db.selectFrom('nudges').select('id').execute()).toHaveLength(0);
      // No message text anywhere in the store.
      const dump = JSON.stringify((await sql`select * from messages`.execute(store.db)).rows);
      expect(dump).not.toContain('lorem ipsum');

      // The weekly figures are those of an audit of the same messages.
      const reports = await buildReports(store.db, TEAM, { asOf: new Date(NOW), charter });
      expect(reports).toEqual(auditReports);
      expect(reports.reduce((n, r) => n + r.requests, 0)).toBeGreaterThan(100);
      expect(reports.reduce((n, r) => n + r.meeting_requests, 0)).toBeGreaterThan(10);

      // Once more: a new run reads it all again and stores nothing new.
      expect(await svc.start(TEAM, { days: DAYS })).toEqual({ started: true });
      await svc.idle();
      expect(await svc.progress(TEAM)).toMatchObject({ status: 'done', messages: 0, joinPublic: false });
      expect(await storedKeys(store)).toEqual(EXPECTED);
    }, 120_000);

    it('stopped part way, it lets go of the run; the next process continues from the stored cursors', async () => {
      const ingest = historyIngest({ store });
      let pages = 0;
      let stopped: Promise<void> | undefined;
      // The process is told to stop (SIGTERM) while it stores its 40th page.
      const svc: BackfillService = service({
        ingest: async (team, messages) => {
          pages += 1;
          if (pages === 40) stopped = svc.stop();
          return ingest(team, messages);
        },
      });
      await svc.start(TEAM, { days: DAYS, join: true });
      await svc.idle();
      await stopped;
      const paused = await svc.progress(TEAM);
      expect(paused).toMatchObject({ status: 'running', paused: true });
      expect(paused?.channelsDone).toBeLessThan(3);
      const states = await backfillChannels(store.db, TEAM);
      expect(states.some((c) => c.historyCursor !== null || c.threadTs !== null)).toBe(true);
      const before = fake.calls.length;

      const next = service();
      await next.resume();
      await next.idle();
      expect(await next.progress(TEAM)).toMatchObject({ status: 'done', channelsDone: 3 });
      expect(await storedKeys(store)).toEqual(EXPECTED);
      const after = fake.calls.slice(before).filter((c) => c.method === 'conversations.history');
      for (const st of states) {
        const calls = after.filter((c) => c.args.channel === st.channelId);
        if (st.done) expect(calls).toHaveLength(0);
        else expect(calls[0]?.args.cursor).toBe(st.historyCursor ?? undefined);
      }
      // A thread half read is continued at its replies cursor.
      const thread = states.find((st) => st.threadTs !== null);
      if (thread !== undefined) {
        const r = fake.calls.slice(before).find((c) => c.method === 'conversations.replies');
        expect(r?.args).toMatchObject({ channel: thread.channelId, ts: thread.threadTs, ...(thread.threadCursor !== null ? { cursor: thread.threadCursor } : {}) });
      }
      expect(fake.callsTo('conversations.list')).toHaveLength(1);
    }, 120_000);

    it('a run another process holds is not started twice; a lapsed one is taken over; bad days are refused', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      let waiting = false;
      const ingest = historyIngest({ store });
      const a = service({
        ingest: async (team, messages) => {
          waiting = true;
          await gate;
          return ingest(team, messages);
        },
      });
      expect(await a.start(TEAM, { days: 0 })).toEqual({ started: false, reason: 'invalid_days' });
      expect(await a.start(TEAM, { days: 400 })).toEqual({ started: false, reason: 'invalid_days' });
      expect(await a.start(TEAM, { days: 7 })).toEqual({ started: true });
      while (!waiting) await new Promise((r) => setTimeout(r, 5));
      const b = service();
      expect(await b.start(TEAM, { days: 7 })).toEqual({ started: false, reason: 'already_running' });
      // Eleven minutes later the lease has lapsed (the holder hangs): another process continues the same run (7 days, not 30).
      const c = service({ clock: () => NOW + 11 * 60_000 });
      expect(await c.start(TEAM, { days: DAYS })).toEqual({ started: true, reason: 'resumed' });
      await c.idle();
      expect(await c.progress(TEAM)).toMatchObject({ status: 'done', days: 7, channelsDone: 2 });
      // The first holder wakes up, finds its claim gone and writes nothing more.
      release();
      await a.idle();
      expect(await c.progress(TEAM)).toMatchObject({ status: 'done', days: 7, channelsDone: 2 });
      expect(logs.text()).toContain('backfill taken over by another process');
    }, 120_000);

    it('at startup, a run whose dead holder still has a lease is continued once that lease ends', async () => {
      const t0 = Date.now();
      const clock = () => NOW + (Date.now() - t0);
      let waiting = false;
      const ingest = historyIngest({ store });
      // The holder hangs for good (as a killed process would), holding a 1.5 s lease.
      const dead = new BackfillService({
        store,
        logger: createLogger({ level: 'silent' }),
        now: clock,
        leaseMs: 1_500,
        slack: backfillSlackPort({ token: fake.token, apiUrl: fake.apiUrl, logger: createLogger({ level: 'silent' }), pageSize: PAGE, paceMs: 0 }),
        ingest: async () => {
          waiting = true;
          return new Promise<number>(() => undefined);
        },
      });
      await dead.start(TEAM, { days: DAYS, join: true });
      while (!waiting) await new Promise((r) => setTimeout(r, 5));
      const next = service({ clock, ingest });
      await next.resume();
      expect(await next.progress(TEAM)).toMatchObject({ status: 'running', paused: false });
      const until = Date.now() + 20_000;
      while ((await next.progress(TEAM))?.status !== 'done') {
        if (Date.now() > until) throw new Error('the run was not continued after the lease');
        await new Promise((r) => setTimeout(r, 50));
      }
      await next.idle();
      expect(await storedKeys(store)).toEqual(EXPECTED);
      expect(logs.text()).toContain('backfill resumed');
    }, 60_000);

    it('Slack refusing for good (missing_scope) fails the run with the code; a channel the app was removed from is skipped', async () => {
      fake.override('conversations.history', { body: { ok: false, error: 'not_in_channel' } }, 1);
      const svc = service();
      await svc.start(TEAM, { days: DAYS });
      await svc.idle();
      const p = await svc.progress(TEAM);
      expect(p).toMatchObject({ status: 'done', channelsTotal: 2, channelsDone: 2, channelsSkipped: [{ channel: CH.pub, reason: 'not_in_channel' }] });

      fake.override('conversations.replies', { body: { ok: false, error: 'missing_scope', needed: 'groups:history' } }, 1);
      await svc.start(TEAM, { days: DAYS });
      await svc.idle();
      expect(await svc.progress(TEAM)).toMatchObject({ status: 'failed', lastError: 'missing_scope' });
    }, 120_000);
  });

  it("the fake's conversations.list pages as Slack does: types, exclude_archived, limit, next_cursor; hidden private channels left out", async () => {
    const fake = await new FakeSlack().start();
    try {
      for (let i = 0; i < 230; i += 1) fake.addChannel({ id: `C${String(i).padStart(9, '0')}`, name: `c${i}`, isMember: i % 2 === 0, archived: i % 50 === 7 });
      fake.addChannel({ id: 'G000000001', name: 'mine', isPrivate: true });
      fake.addChannel({ id: 'G000000002', name: 'not-mine', isPrivate: true, isMember: false });
      const client = new WebClient(fake.token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
      const ids: string[] = [];
      for await (const p of client.paginate('conversations.list', { types: 'public_channel,private_channel', exclude_archived: true, limit: 100 })) {
        ids.push(...((p as { channels?: Array<{ id: string }> }).channels ?? []).map((c) => c.id));
      }
      expect(ids).toHaveLength(230 - 5 + 1);
      expect(ids).toContain('G000000001');
      expect(ids).not.toContain('G000000002');
      expect(ids).not.toContain('C000000007');
      expect(fake.callsTo('conversations.list').map((c) => c.args.cursor === undefined)).toEqual([true, false, false]);
      expect(((await client.conversations.list({})).channels ?? []).every((c) => c.is_private === false)).toBe(true);
      const first = await client.conversations.list({ limit: 1000 });
      expect(first.response_metadata?.next_cursor).toBe('');
      expect(first.channels?.[0]).toMatchObject({ id: 'C000000000', name: 'c0', is_channel: true, is_member: true, is_archived: false });
      await expect(client.conversations.list({ types: 'channels' })).rejects.toMatchObject({ data: { error: 'invalid_types' } });
      await expect(client.conversations.list({ cursor: 'bm9wZQ==' })).rejects.toMatchObject({ data: { error: 'invalid_cursor' } });

      // The port reads every page (200 a page) and waits out a 429 for its Retry-After.
      fake.rateLimit('conversations.list', 4, 1);
      const waits: number[] = [];
      const port = backfillSlackPort({ token: fake.token, apiUrl: fake.apiUrl, logger: createLogger({ level: 'silent' }), paceMs: 0, sleep: async (ms) => void waits.push(ms) });
      const listed = await port.channels();
      expect(listed).toHaveLength(226);
      expect(listed.find((c) => c.id === 'C000000001')).toEqual({ id: 'C000000001', name: 'c1', isPrivate: false, isMember: false, isArchived: false });
      expect(waits).toEqual([4000]);

      // Calls of one method are spaced to its tier by default (Tier 3: 1.2 s), other methods not held up.
      const paced: number[] = [];
      const pacedPort = backfillSlackPort({ token: fake.token, apiUrl: fake.apiUrl, logger: createLogger({ level: 'silent' }), now: () => 5_000, sleep: async (ms) => void paced.push(ms) });
      await pacedPort.history('C000000000', '0');
      await pacedPort.join('C000000002');
      await pacedPort.history('C000000000', '0');
      expect(paced).toEqual([1200]);
    } finally {
      await fake.stop();
    }
  });

  describe('killed half-way (SIGKILL) and continued by the next process', () => {
    it('finishes without duplicates, from the stored cursors, with the figures of an audit', async () => {
      const fake = await startFake();
      const shared = await cliStore();
      try {
        // Before: the schema, the charter and one live event, then the store is let go (PGlite: one process at a time).
        let s = await shared.open();
        await migrateToLatest(s.db);
        await saveCharter(s.db, TEAM, charter, 'test');
        await liveEvent(s, DATA.plain, 'Ev0PLAIN01');
        await s.close();

        const script = join(work, 'backfill-child.ts');
        writeFileSync(script, childScript());
        // node itself with tsx's loader: the tsx CLI would run the script in a child of its own, which SIGKILL would not reach.
        const child = spawn(process.execPath, ['--import', 'tsx', script], {
          cwd: ROOT,
          env: { ...shared.env, SLACK_API_URL: fake.apiUrl, SLACK_BOT_TOKEN: fake.token, TEAM, NOW: String(NOW), DAYS: String(DAYS), PAGE: String(PAGE) },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
        const exited = new Promise((r) => child.once('exit', r));
        // Half-way: the second channel's history has moved past its first pages.
        const t0 = Date.now();
        while (fake.callsTo('conversations.history').filter((c) => c.args.channel === CH.pub).length < 3) {
          if (Date.now() - t0 > 90_000 || child.exitCode !== null) throw new Error(`the child did not get half-way:\n${out}`);
          await new Promise((r) => setTimeout(r, 5));
        }
        child.kill('SIGKILL');
        await exited;
        // A request the child wrote just before it died may still be read: let it land first.
        await new Promise((r) => setTimeout(r, 300));
        const killedAt = fake.calls.length;
        // Dead indeed: nothing calls Slack any more.
        await new Promise((r) => setTimeout(r, 500));
        expect(fake.calls.length).toBe(killedAt);

        s = await shared.open();
        try {
          const states = await backfillChannels(s.db, TEAM);
          expect(states.filter((c) => c.done).map((c) => c.channelId)).toEqual([CH.notIn]);
          const pending = states.find((c) => c.channelId === CH.pub);
          expect(pending?.historyCursor).not.toBeNull();
          const storedBefore = await storedKeys(s);
          expect(storedBefore.length).toBeLessThan(EXPECTED.length);
          expect((await backfillRun(s.db, TEAM))?.status).toBe('running');

          // The next process starts once the dead one's lease has run out, and continues.
          const logger = createLogger({ level: 'silent' });
          const directory = new Directory({ store: s, logger, lookup: lookupOver(fake) });
          const svc = new BackfillService({
            store: s,
            logger,
            now: () => NOW + 61_000,
            slack: backfillSlackPort({ token: fake.token, apiUrl: fake.apiUrl, logger, pageSize: PAGE, paceMs: 0, sleep: async () => undefined }),
            ingest: historyIngest({ store: s, ensurePeople: (t, ids) => directory.ensure(t, ids) }),
            leaseMs: 60_000,
          });
          await svc.resume();
          await svc.idle();

          expect(await svc.progress(TEAM)).toMatchObject({ status: 'done', channelsTotal: 3, channelsDone: 3 });
          expect(await storedKeys(s)).toEqual(EXPECTED);
          const after = fake.calls.slice(killedAt);
          expect(after.filter((c) => c.method === 'conversations.list' || c.method === 'conversations.join')).toHaveLength(0);
          const history = after.filter((c) => c.method === 'conversations.history');
          expect(history.filter((c) => c.args.channel === CH.notIn)).toHaveLength(0);
          expect(history.find((c) => c.args.channel === CH.pub)?.args.cursor).toBe(pending?.historyCursor);
          expect(fake.callsTo('chat.postEphemeral')).toHaveLength(0);
          expect(await s.db.selectFrom('nudges').select('id').execute()).toHaveLength(0);
          expect(await buildReports(s.db, TEAM, { asOf: new Date(NOW), charter })).toEqual(auditReports);
        } finally {
          await s.close();
        }
      } finally {
        await fake.stop();
        await shared.dispose();
      }
    }, 180_000);
  });
});

/** The process that gets killed: the backfill over the shared store, slowed down so that it can be caught half-way. */
function childScript(): string {
  const src = (p: string) => JSON.stringify(join(ROOT, 'src', p));
  return `
import { WebClient } from ${JSON.stringify(join(ROOT, 'node_modules', '@slack', 'web-api'))};
import { createLogger } from ${src('logger')};
import { BackfillService } from ${src('services/backfill')};
import { historyIngest } from ${src('services/history-ingest')};
import { Directory } from ${src('services/directory')};
import { backfillSlackPort } from ${src('slack/backfill-port')};
import { connectStore } from ${src('store/connect')};
import { migrateToLatest } from ${src('store/migrate')};

async function main(): Promise<void> {
  const env = process.env;
  const store = await connectStore(env.DATABASE_URL ? { kind: 'postgres', url: env.DATABASE_URL } : { kind: 'pglite', dataDir: String(env.DATA_DIR) });
  await migrateToLatest(store.db);
  const logger = createLogger({ level: 'warn', fd: 2 });
  const client = new WebClient(env.SLACK_BOT_TOKEN, { slackApiUrl: env.SLACK_API_URL, retryConfig: { retries: 0 } });
  const directory = new Directory({ store, logger, lookup: async (_t, user) => (await client.users.info({ user }).catch(() => null))?.user ?? null });
  const svc = new BackfillService({
    store,
    logger,
    now: () => Number(env.NOW),
    slack: backfillSlackPort({ token: String(env.SLACK_BOT_TOKEN), apiUrl: String(env.SLACK_API_URL), logger, pageSize: Number(env.PAGE), paceMs: 25 }),
    ingest: historyIngest({ store, ensurePeople: (t, ids) => directory.ensure(t, ids) }),
    leaseMs: 60_000,
  });
  process.stdout.write(JSON.stringify(await svc.start(String(env.TEAM), { days: Number(env.DAYS), join: true })) + '\\n');
  await svc.idle();
  await store.close();
}
void main();
`;
}
