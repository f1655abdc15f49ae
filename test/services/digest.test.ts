import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logger';
import { renderPng } from '../../src/services/charts';
import { DigestService, DIGEST_LEASE_MS } from '../../src/services/digest';
import { generateExport } from '../../src/services/demo-export';
import { openExport } from '../../src/services/export-reader';
import { importExport } from '../../src/services/export-import';
import { digestSlackPort } from '../../src/slack/digest-port';
import { upsertWorkspace } from '../../src/store/activity';
import { saveCharter } from '../../src/store/charters';
import { connectStore, type Store } from '../../src/store/connect';
import { claimDigest, digestRow, markDigestPosted, releaseDigest, renewDigest } from '../../src/store/digests';
import { LogCapture } from '../helpers/app-harness';
import { makeCharter } from '../helpers/charter';
import { FakeSlack } from '../helpers/fake-slack';
import { freshStore, type TestStore } from '../helpers/store';

const TEAM = 'T0TEAM0001';
const DIGEST = 'C0DIGEST01';
const WEEK = '2026-11-23';
const SLOT = Date.parse('2026-11-30T09:00:00Z');
const charterInput = { timezone: 'UTC', digest: { channel: DIGEST, day: 'mon' as const, time: '09:00' } };

describe('the weekly digest service (real store, fake Slack Web API)', () => {
  let store: TestStore;
  let fake: FakeSlack;
  const dir = mkdtempSync(join(tmpdir(), 'ac-digest-'));

  beforeAll(async () => {
    store = await freshStore();
    generateExport(dir, 3000, { weeks: 6, start: new Date('2026-10-19T00:00:00Z'), teamId: TEAM });
    const archive = await openExport(dir);
    await importExport(store, archive, { charter: makeCharter(charterInput), includePrivate: false });
    await archive.close();
    await upsertWorkspace(store.db, TEAM, 'U0BOT00001', 'B0BOT00001');
  }, 120_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let logs: LogCapture;
  let clock: number;
  let waits: number[];
  beforeEach(async () => {
    fake = await new FakeSlack().start();
    fake.now = () => clock;
    fake.addChannel({ id: DIGEST, name: 'team-health', memberCount: 30 });
    for (let i = 0; i < 25; i += 1) fake.addChannel({ id: `C${String(i).padStart(8, '0')}`, name: `channel-${i}`, memberCount: i % 3 === 0 ? 3 : 25 });
    await store.db.deleteFrom('digest_posts').execute();
    await saveCharter(store.db, TEAM, makeCharter(charterInput), 'test');
    logs = new LogCapture();
    clock = SLOT + 30_000;
    waits = [];
  });
  afterEach(async () => {
    await fake.stop();
  });

  const service = (s: Store = store, sleep: (ms: number) => Promise<void> = async (ms) => void waits.push(ms)) =>
    new DigestService({
      store: s,
      logger: createLogger({ level: 'debug', stream: logs }),
      teams: () => [TEAM],
      now: () => clock,
      renderChart: (spec) => renderPng(spec, 1),
      slack: digestSlackPort({ token: fake.token, apiUrl: fake.apiUrl, logger: createLogger({ level: 'debug', stream: logs }), sleep }),
    });
  const digestsIn = (channel: string) => fake.messagesIn(channel).filter((m) => (m.metadata as { event_type?: string } | undefined)?.event_type === 'async_charter_digest');

  it('a tick at the charter slot posts the week that ended, once: blocks, SPEC §6 metadata, the chart in its thread', async () => {
    const svc = service();
    await svc.tick();
    const posts = fake.callsTo('chat.postMessage');
    expect(posts).toHaveLength(1);
    const args = posts[0]?.args as { channel: string; blocks: Array<{ type: string }>; metadata: unknown; text: string };
    expect(args.channel).toBe(DIGEST);
    expect(args.metadata).toEqual({ event_type: 'async_charter_digest', event_payload: { team_id: TEAM, week_start: WEEK } });
    expect(args.blocks.length).toBeGreaterThan(5);
    expect(args.blocks.length).toBeLessThanOrEqual(50);
    expect(args.text).toMatch(/^Async health for the week of 23 – 29 Nov 2026: \d+\.\d% of requests answered within the charter window, median wait (\d+ h )?\d+ min of working time\.$/);
    // Small channels (3 members) never get a line of their own.
    expect(JSON.stringify(args.blocks)).not.toContain('<#C00000000>');

    const files = fake.uploadedFiles();
    expect(files).toHaveLength(1);
    const [file] = files;
    expect(file?.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(file?.filename).toBe(`async-health-${WEEK}.png`);
    expect(file?.altText).toMatch(/^Async health, six weeks to 29 Nov 2026\. Answered within the window: 19 Oct \d+%/);
    const digestTs = digestsIn(DIGEST)[0]?.ts;
    expect(fake.messagesIn(DIGEST).filter((m) => m.thread_ts === digestTs && m.files !== undefined)).toHaveLength(1);

    const row = await digestRow(store.db, TEAM, WEEK);
    expect(row).toMatchObject({ channelId: DIGEST, messageTs: digestTs, attempts: 1, lastError: null });
    expect(row?.chartFileId).toMatch(/^F/);

    clock += 60_000;
    await svc.tick();
    await service().tick();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(fake.uploadedFiles()).toHaveLength(1);
  }, 60_000);

  it('a slot missed by over a day: one warning when the app served the workspace before it; none for a workspace first served after it; with no digest channel, that is what the log says', async () => {
    const missed = (l: Record<string, unknown>) => String(l.msg).includes('was not posted within a day of its time');
    const noChannel = (l: Record<string, unknown>) => String(l.msg).startsWith('weekly digest not posted: the charter has no digest.channel');
    clock = SLOT + 30 * 3_600_000;
    const setSince = (at: string) => store.db.updateTable('workspaces').set({ created_at: at }).where('team_id', '=', TEAM).execute();
    try {
      await setSince('2026-11-01T00:00:00Z');
      const svc = service();
      await svc.tick();
      await svc.tick();
      expect(logs.parsed().filter(missed)).toHaveLength(1);
      expect(logs.parsed().find(missed)).toMatchObject({ team_id: TEAM, week_start: WEEK });
      expect(fake.callsTo('chat.postMessage')).toHaveLength(0);

      // Installed after that slot: the week was never the app's to post.
      logs = new LogCapture();
      await setSince('2026-12-01T00:00:00Z');
      await service().tick();
      expect(logs.parsed().filter(missed)).toHaveLength(0);

      // No channel in the charter: the no-channel warning, not advice that would fail.
      logs = new LogCapture();
      await setSince('2026-11-01T00:00:00Z');
      await saveCharter(store.db, TEAM, makeCharter({ timezone: 'UTC', digest: { channel: null, day: 'mon', time: '09:00' } }), 'test');
      await service().tick();
      expect(logs.parsed().filter(missed)).toHaveLength(0);
      expect(logs.parsed().filter(noChannel)).toHaveLength(1);
    } finally {
      await setSince(new Date().toISOString());
    }
  }, 60_000);

  it('two replicas ticking at once post once', async () => {
    const other: Store = store.schema !== undefined ? await connectStore(store.storeConfig, { searchPath: store.schema, poolSize: 2 }) : store;
    try {
      await Promise.all([service().tick(), service(other).tick(), service().tick()]);
    } finally {
      if (other !== store) await other.close();
    }
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(fake.uploadedFiles()).toHaveLength(1);
  }, 60_000);

  it('nothing before the slot; a charter change re-plans it at the next tick, without a restart', async () => {
    clock = SLOT - 60 * 60_000;
    const svc = service();
    await svc.tick();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(0);
    await saveCharter(store.db, TEAM, makeCharter({ ...charterInput, digest: { channel: DIGEST, day: 'mon', time: '07:30' } }), 'test');
    await svc.tick();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  }, 60_000);

  it('no digest.channel: nothing is posted and one log line says where to set it', async () => {
    await saveCharter(store.db, TEAM, makeCharter({ timezone: 'UTC' }), 'test');
    const svc = service();
    await svc.tick();
    clock += 60_000;
    await svc.tick();
    expect(fake.calls.filter((c) => c.method !== 'auth.test')).toHaveLength(0);
    const lines = logs.parsed().filter((l) => String(l.msg).includes('digest.channel'));
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toBe(`weekly digest not posted: the charter has no digest.channel. Set it (digest: { channel: C0123ABCD }) with: npm run charter -- --team ${TEAM} --set charter.yml`);
  }, 60_000);

  it('not_in_channel: joins a public channel and posts', async () => {
    fake.addChannel({ id: 'C0PUBLIC01', name: 'health', isMember: false, memberCount: 12 });
    await saveCharter(store.db, TEAM, makeCharter({ ...charterInput, digest: { channel: 'C0PUBLIC01', day: 'mon', time: '09:00' } }), 'test');
    await service().tick();
    expect(fake.callsTo('conversations.join')).toHaveLength(1);
    expect(digestsIn('C0PUBLIC01')).toHaveLength(1);
  }, 60_000);

  it('a private channel the app is not in (Slack: channel_not_found): a clear warning, nothing posted, tried again later', async () => {
    fake.addChannel({ id: 'G0PRIVATE1', name: 'leads', isPrivate: true, isMember: false, memberCount: 6 });
    await saveCharter(store.db, TEAM, makeCharter({ ...charterInput, digest: { channel: 'G0PRIVATE1', day: 'mon', time: '09:00' } }), 'test');
    const out = await service().post(TEAM, WEEK);
    expect(out).toMatchObject({ status: 'failed', code: 'channel_not_found', message: expect.stringMatching(/^digest.channel G0PRIVATE1 was not found: if it is a private channel, invite the app there with \/invite @Async Charter; else pick another channel in the charter$/) });
    expect(fake.callsTo('conversations.join')).toHaveLength(0);
    expect(logs.parsed().filter((l) => l.level === 40 && String(l.msg).includes('invite the app there with /invite @Async Charter'))).toHaveLength(1);
    const row = await digestRow(store.db, TEAM, WEEK);
    expect(row?.lastError).toBe('channel_not_found');
    expect(row?.leaseUntil.getTime()).toBe(clock + 60_000);
    // Invited meanwhile: the next try after the backoff posts it.
    fake.addChannel({ id: 'G0PRIVATE1', name: 'leads', isPrivate: true, isMember: true, memberCount: 6 });
    clock += 61_000;
    expect((await service().post(TEAM, WEEK)).status).toBe('posted');
    expect(digestsIn('G0PRIVATE1')).toHaveLength(1);
  }, 60_000);

  it('429 and 5xx are waited out (Retry-After), and the digest still goes out once', async () => {
    fake.rateLimit('chat.postMessage', 7, 2);
    fake.override('files.completeUploadExternal', { status: 503, body: { ok: false, error: 'service_unavailable' }, headers: { 'retry-after': '3' } });
    fake.override('conversations.info', { status: 500, body: 'oops' });
    const out = await service().post(TEAM, WEEK);
    expect(out.status).toBe('posted');
    expect(waits).toEqual(expect.arrayContaining([7000, 7000, 3000, 1000]));
    expect(digestsIn(DIGEST)).toHaveLength(1);
    expect(fake.callsTo('files.completeUploadExternal').length).toBeGreaterThanOrEqual(2);
    expect((await digestRow(store.db, TEAM, WEEK))?.chartFileId).toMatch(/^F/);
  }, 60_000);

  it('a crash between claim and post: the claim holds until its lease ends, then the next tick posts once', async () => {
    expect(await claimDigest(store.db, TEAM, WEEK, new Date(clock), DIGEST_LEASE_MS)).not.toBeNull();
    clock += 60_000;
    await service().tick();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(0);
    clock += DIGEST_LEASE_MS;
    await service().tick();
    expect(fake.callsTo('conversations.history')).toHaveLength(1);
    expect(digestsIn(DIGEST)).toHaveLength(1);
    expect((await digestRow(store.db, TEAM, WEEK))?.attempts).toBe(2);
  }, 60_000);

  it('a crash between post and mark: the next claimant finds the message by its metadata and does not post again', async () => {
    expect(await claimDigest(store.db, TEAM, WEEK, new Date(clock), DIGEST_LEASE_MS)).not.toBeNull();
    const posted = fake.addMessage(DIGEST, { user: 'U0BOT00001', bot_id: 'B0BOT00001', text: 'Async health…', metadata: { event_type: 'async_charter_digest', event_payload: { team_id: TEAM, week_start: WEEK } } });
    // Another week's digest and a look-alike from someone else are not it.
    fake.addMessage(DIGEST, { metadata: { event_type: 'async_charter_digest', event_payload: { team_id: TEAM, week_start: '2026-11-16' } } });
    clock += DIGEST_LEASE_MS + 1;
    const out = await service().post(TEAM, WEEK);
    expect(out).toMatchObject({ status: 'found', ts: posted.ts });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(0);
    expect(fake.uploadedFiles()).toHaveLength(1);
    expect(fake.uploadedFiles()[0]?.threadTs).toBe(posted.ts);
    expect(await digestRow(store.db, TEAM, WEEK)).toMatchObject({ messageTs: posted.ts, attempts: 2 });
  }, 60_000);

  it('posting again needs force; a forced round does not take the earlier message for its own', async () => {
    const svc = service();
    expect((await svc.post(TEAM, WEEK)).status).toBe('posted');
    expect(await svc.post(TEAM, WEEK)).toMatchObject({ status: 'already_posted', channel: DIGEST });
    clock += 1000;
    expect((await svc.post(TEAM, WEEK, { force: true })).status).toBe('posted');
    expect(digestsIn(DIGEST)).toHaveLength(2);
    expect(fake.uploadedFiles()).toHaveLength(2);
  }, 60_000);

  it('a claimant that outlived its lease (Slack made it wait) writes nothing: the one that took over posts, once', async () => {
    // A is told to wait while composing, and the wait (with whatever else stalls it) outlasts its
    // 10-minute lease: B takes over meanwhile.
    fake.rateLimit('conversations.info', 60, 1);
    let outcomeB: unknown;
    const a = service(store, async () => {
      clock += DIGEST_LEASE_MS + 60_000;
      outcomeB = await service().post(TEAM, WEEK);
    });
    const outcomeA = await a.post(TEAM, WEEK);
    expect(outcomeB).toMatchObject({ status: 'posted' });
    expect(outcomeA).toEqual({ status: 'busy' });
    expect(digestsIn(DIGEST)).toHaveLength(1);
    expect(fake.uploadedFiles()).toHaveLength(1);
    expect(await digestRow(store.db, TEAM, WEEK)).toMatchObject({ attempts: 2, messageTs: digestsIn(DIGEST)[0]?.ts });
    expect(logs.text()).toContain('another process took over this claim after its lease ran out');
  }, 60_000);

  it('a 5xx after Slack took the post: the message is looked up by its metadata, not posted again', async () => {
    fake.override('chat.postMessage', { status: 503, body: { ok: false, error: 'service_unavailable' }, headers: { 'retry-after': '2' }, apply: true });
    const out = await service().post(TEAM, WEEK);
    expect(out.status).toBe('posted');
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(digestsIn(DIGEST)).toHaveLength(1);
    expect(waits).toContain(2000);
    expect((await digestRow(store.db, TEAM, WEEK))?.messageTs).toBe(digestsIn(DIGEST)[0]?.ts);
  }, 60_000);

  it('a 5xx before Slack took the post: looked up, not found, posted once', async () => {
    fake.override('chat.postMessage', { status: 502, body: 'bad gateway' });
    expect((await service().post(TEAM, WEEK)).status).toBe('posted');
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
    expect(digestsIn(DIGEST)).toHaveLength(1);
  }, 60_000);

  it('claims carry a token: after a takeover, the old claimant can neither renew nor mark', async () => {
    const first = await claimDigest(store.db, TEAM, WEEK, new Date(clock), DIGEST_LEASE_MS);
    expect(first).not.toBeNull();
    expect(await claimDigest(store.db, TEAM, WEEK, new Date(clock + 1000), DIGEST_LEASE_MS)).toBeNull();
    const second = await claimDigest(store.db, TEAM, WEEK, new Date(clock + DIGEST_LEASE_MS), DIGEST_LEASE_MS);
    expect(second?.attempts).toBe(2);
    if (first === null || second === null) return;
    expect(await renewDigest(store.db, first, DIGEST, new Date(clock + DIGEST_LEASE_MS + 1), DIGEST_LEASE_MS)).toBe(false);
    expect(await markDigestPosted(store.db, first, DIGEST, '1.000001', new Date(clock))).toBe(false);
    expect(await renewDigest(store.db, second, DIGEST, new Date(clock + DIGEST_LEASE_MS + 1), DIGEST_LEASE_MS)).toBe(true);
    expect((await digestRow(store.db, TEAM, WEEK))?.messageTs).toBeNull();
  }, 60_000);

  it('a person asking now (the CLI) is not held back by the backoff after a failed try, but never takes a live claim', async () => {
    const first = await claimDigest(store.db, TEAM, WEEK, new Date(clock), DIGEST_LEASE_MS);
    if (first === null) throw new Error('not claimed');
    // Live: nobody else, asking now or not.
    expect(await claimDigest(store.db, TEAM, WEEK, new Date(clock + 1000), DIGEST_LEASE_MS, { now: true })).toBeNull();
    // Failed and released until a retry an hour on: the schedule waits, a person asking does not.
    expect(await releaseDigest(store.db, first, new Date(clock + 3_600_000), 'not_in_channel')).toBe(true);
    expect(await claimDigest(store.db, TEAM, WEEK, new Date(clock + 2000), DIGEST_LEASE_MS)).toBeNull();
    const asked = await claimDigest(store.db, TEAM, WEEK, new Date(clock + 3000), DIGEST_LEASE_MS, { now: true });
    expect(asked).toMatchObject({ attempts: 2 });
    // Now live again (its last_error cleared): not even a person asking takes it.
    expect(await claimDigest(store.db, TEAM, WEEK, new Date(clock + 4000), DIGEST_LEASE_MS, { now: true })).toBeNull();
  }, 60_000);
});
