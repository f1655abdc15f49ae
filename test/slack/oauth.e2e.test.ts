import { makeCharter } from '../helpers/charter';
import { saveCharter } from '../../src/store/charters';
import { eventEnvelope, startTestApp, type TestApp } from '../helpers/app-harness';
import { FakeSlack, type FakeWorkspace, type RecordedCall } from '../helpers/fake-slack';
import { freshStore, type TestStore } from '../helpers/store';
import type { InstalledWorkspaces } from '../../src/slack/installations';

/**
 * OAuth mode (SPEC §6: GET /slack/install + /slack/oauth_redirect, several workspaces): the real
 * app over HTTP against the fake Slack Web API, whose oauth.v2.access hands out one bot token per
 * workspace. Each workspace's events are recorded under its team, and every call made for it
 * carries its own token; its token is stored only sealed; an uninstall ends it.
 */

const KEY = 'k3y-'.repeat(16);
const A: FakeWorkspace = { teamId: 'T0OAUTHA01', botUserId: 'U0BOTA0001', botId: 'B0BOTA0001', token: 'xoxb-team-a-secret-0001', teamName: 'Team A' };
const B: FakeWorkspace = { teamId: 'T0OAUTHB01', botUserId: 'U0BOTB0001', botId: 'B0BOTB0001', token: 'xoxb-team-b-secret-0002', teamName: 'Team B' };
const ANN = 'U0ANN00001';
const BEN = 'U0BEN00001';
const CH = 'C0GENERAL1';

const oauthEnv = (fake: FakeSlack, key = KEY): Record<string, string> => ({
  SLACK_CLIENT_ID: fake.clientId,
  SLACK_CLIENT_SECRET: fake.clientSecret,
  SLACK_STATE_SECRET: 'state-secret-for-tests-0123456789',
  TOKEN_ENCRYPTION_KEY: key,
});

/** The browser's side of an install: /slack/install, Slack's authorize page (the fake's grant), back to /slack/oauth_redirect with the state cookie. */
async function install(t: TestApp, w: FakeWorkspace, code: string): Promise<Response> {
  const page = await t.get('/slack/install');
  expect(page.status).toBe(200);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const html = await page.text();
  const href = /href="(https:\/\/slack\.com\/oauth\/v2\/authorize\?[^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
  expect(href).toBeDefined();
  const state = new URL(href as string).searchParams.get('state') ?? '';
  t.fake.grant(code, w);
  return fetch(`${t.baseUrl}/slack/oauth_redirect?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`, { headers: { cookie } });
}

describe('OAuth mode: several workspaces install the app (real app, fake Slack Web API)', () => {
  let store: TestStore;
  let fake: FakeSlack;
  let t: TestApp;
  let seq = 0;
  beforeAll(async () => {
    store = await freshStore();
    fake = await new FakeSlack().start();
    fake.addUser({ id: ANN, name: 'Ann', tz: 'UTC' });
    fake.addUser({ id: BEN, name: 'Ben', tz: 'UTC' });
    // Who installs (the fake's grants name U0INSTALL1): an admin in Berlin.
    fake.addUser({ id: 'U0INSTALL1', name: 'Ines', tz: 'Europe/Berlin', is_admin: true });
    t = await startTestApp({ fake, store, env: oauthEnv(fake), logLevel: 'debug' });
  });
  afterAll(async () => {
    await t.stop();
    await fake.stop();
    await store.close();
  });

  const say = async (w: FakeWorkspace, user: string, text: string, eventId?: string): Promise<Response> => {
    seq += 1;
    const ts = `${Math.floor(Date.now() / 1000)}.${String(seq).padStart(6, '0')}`;
    const event = { type: 'message', channel: CH, channel_type: 'channel', user, ts, event_ts: ts, text };
    const res = await t.post(JSON.stringify(eventEnvelope(event, { teamId: w.teamId, botUserId: w.botUserId, ...(eventId ? { eventId } : {}) })));
    await t.service.idle();
    return res;
  };
  const messagesOf = async (teamId: string) => Number((await store.db.selectFrom('messages').select((e) => e.fn.countAll().as('n')).where('team_id', '=', teamId).executeTakeFirstOrThrow()).n);
  const since = (k: number, method: string): RecordedCall[] => fake.calls.slice(k).filter((c) => c.method === method);

  it('GET /slack/install serves the Add to Slack page: the authorize URL with the client id, the manifest\'s bot scopes and a state bound to a cookie', async () => {
    const res = await t.get('/slack/install');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    const href = /href="(https:\/\/slack\.com\/oauth\/v2\/authorize\?[^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&') as string;
    const url = new URL(href);
    expect(url.searchParams.get('client_id')).toBe(fake.clientId);
    expect(url.searchParams.get('scope')?.split(',')).toEqual(['channels:history', 'groups:history', 'channels:read', 'groups:read', 'reactions:read', 'users:read', 'chat:write', 'files:write', 'channels:join', 'commands']);
    const state = url.searchParams.get('state');
    expect(state).toBeTruthy();
    expect(res.headers.get('set-cookie')).toContain(`slack-app-oauth-state=${state as string}`);
  });

  it('before any install, no workspace is served: its events are answered 200 and never stored', async () => {
    const res = await say(A, ANN, 'hello before the install');
    expect(res.status).toBe(200);
    expect(await messagesOf(A.teamId)).toBe(0);
  });

  it('/slack/oauth_redirect exchanges the code (oauth.v2.access with the client credentials) and stores the installation sealed: no token in the store', async () => {
    const k = fake.calls.length;
    const res = await install(t, A, 'code-a-1');
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Thank you|installed|success/i);
    expect(since(k, 'oauth.v2.access')).toHaveLength(1);
    const row = await store.db.selectFrom('installations').selectAll().where('team_id', '=', A.teamId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ team_id: A.teamId, bot_user_id: A.botUserId });
    const sealed = Buffer.from(row.sealed);
    expect(sealed.includes(Buffer.from(A.token))).toBe(false);
    expect(sealed.includes(Buffer.from('xoxb-'))).toBe(false);
    // The workspace is recorded as token mode records auth.test's.
    expect(await store.db.selectFrom('workspaces').select(['team_id', 'bot_user_id', 'bot_id']).where('team_id', '=', A.teamId).executeTakeFirst()).toEqual({ team_id: A.teamId, bot_user_id: A.botUserId, bot_id: A.botId });
    // SPEC §1: the new workspace's charter timezone is the installing admin's, saved as theirs.
    await t.service.idle();
    const charter = await store.db.selectFrom('charters').select(['charter', 'updated_by']).where('team_id', '=', A.teamId).executeTakeFirstOrThrow();
    expect(charter.updated_by).toBe('U0INSTALL1');
    expect((typeof charter.charter === 'string' ? JSON.parse(charter.charter) : charter.charter) as { timezone: string }).toMatchObject({ timezone: 'Europe/Berlin', workdays: ['mon', 'tue', 'wed', 'thu', 'fri'] });
    // Nothing in any table or log line carries the token in clear.
    const dump = JSON.stringify(await store.db.selectFrom('installations').selectAll().execute());
    expect(dump).not.toContain(A.token);
    expect(t.logs.text()).not.toContain(A.token);
  });

  it("an installed workspace's events are recorded under its team; its lookups and nudges carry its own bot token", async () => {
    await saveCharter(store.db, A.teamId, makeCharter({ workdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], working_hours: { start: '00:00', end: '23:59' }, focus: { days: [], daily: null } }), 'test');
    const k = fake.calls.length;
    const res = await say(A, ANN, `<@${BEN}> can we hop on a quick call about the release?`);
    expect(res.status).toBe(200);
    expect(await messagesOf(A.teamId)).toBe(1);
    const lookups = since(k, 'users.info');
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.every((c) => c.token === A.token)).toBe(true);
    const nudges = since(k, 'chat.postEphemeral');
    expect(nudges).toHaveLength(1);
    expect(nudges[0]).toMatchObject({ token: A.token, args: { channel: CH, user: ANN } });
  });

  it("its own bot's messages are dropped, as Bolt's ignoreSelf drops them", async () => {
    const before = await messagesOf(A.teamId);
    await say(A, A.botUserId, 'a message by our own bot user');
    expect(await messagesOf(A.teamId)).toBe(before);
  });

  it('a second workspace installs: both are served, each with its own token', async () => {
    expect((await install(t, B, 'code-b-1')).status).toBe(200);
    expect(t.service.slack.workspaces.served()).toEqual([A.teamId, B.teamId]);
    const k = fake.calls.length;
    await say(B, ANN, `<@${BEN}> could we jump on a call to go over the plan?`);
    expect(await messagesOf(B.teamId)).toBe(1);
    const lookups = since(k, 'users.info');
    const nudges = since(k, 'chat.postEphemeral');
    expect(lookups.length).toBeGreaterThan(0);
    // The meeting-request nudge (and, this team's charter being the default, the off-hours heads-up).
    expect(nudges.map((c) => String(c.args.text))).toEqual(expect.arrayContaining([expect.stringMatching(/^This looks like a meeting request/)]));
    expect([...lookups, ...nudges].every((c) => c.token === B.token)).toBe(true);
  });

  it('/async from an installed workspace is answered (Bolt authorizes it through the installation); from any other, 200 and nothing done', async () => {
    const ok = await t.slash('help', { userId: ANN, teamId: A.teamId });
    expect(ok.status).toBe(200);
    expect(JSON.stringify(await ok.json())).toMatch(/async/i);
    const k = fake.calls.length;
    const other = await t.slash('help', { userId: ANN, teamId: 'T0NOTINST1' });
    expect(other.status).toBe(200);
    expect(await other.text()).toBe('');
    const home = await t.post(JSON.stringify(eventEnvelope({ type: 'app_home_opened', user: ANN, channel: 'D0HOME0001', tab: 'home', event_ts: '1700000000.000100' }, { teamId: 'T0NOTINST1' })));
    expect(home.status).toBe(200);
    await t.service.idle();
    expect(fake.calls.slice(k)).toEqual([]);
    expect(t.logs.text()).toMatch(/request from a workspace this app does not serve: answered 200, nothing done/);
  });

  it("App Home of an installed workspace is published with that workspace's token", async () => {
    const k = fake.calls.length;
    const res = await t.post(JSON.stringify(eventEnvelope({ type: 'app_home_opened', user: ANN, channel: 'D0HOME0001', tab: 'home', event_ts: '1700000000.000100' }, { teamId: B.teamId, botUserId: B.botUserId })));
    expect(res.status).toBe(200);
    await t.service.idle();
    const published = since(k, 'views.publish');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ token: B.token, args: { user_id: ANN } });
  });

  it('a reinstall replaces the token: the calls after it carry the new one', async () => {
    const renewed: FakeWorkspace = { ...A, token: 'xoxb-team-a-secret-0003' };
    expect((await install(t, renewed, 'code-a-2')).status).toBe(200);
    const k = fake.calls.length;
    await say(A, ANN, `<@${BEN}> can we hop on a call later today?`);
    const nudges = since(k, 'chat.postEphemeral');
    expect(nudges.length).toBeGreaterThan(0);
    expect(nudges.every((c) => c.token === renewed.token)).toBe(true);
    expect(await store.db.selectFrom('installations').select('team_id').execute()).toHaveLength(2);
    // A workspace with a charter keeps it: the reinstall does not touch its timezone.
    await t.service.idle();
    const charter = await store.db.selectFrom('charters').select('charter').where('team_id', '=', A.teamId).executeTakeFirstOrThrow();
    expect((typeof charter.charter === 'string' ? JSON.parse(charter.charter) : charter.charter) as { timezone: string }).toMatchObject({ timezone: 'UTC' });
  });

  it("each workspace's digest is posted into its own workspace, with its own token", async () => {
    await saveCharter(store.db, B.teamId, makeCharter({ digest: { channel: 'C0DIGESTB1' } }), 'test');
    const k = fake.calls.length;
    const out = await t.service.digests.post(B.teamId, '2026-11-23', { now: true });
    expect(out).toMatchObject({ status: 'posted', channel: 'C0DIGESTB1' });
    const posts = since(k, 'chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.token).toBe(B.token);
    expect(posts[0]?.args.metadata).toEqual({ event_type: 'async_charter_digest', event_payload: { team_id: B.teamId, week_start: '2026-11-23' } });
  });

  it('a state that is not this browser\'s is refused, and nothing is installed', async () => {
    fake.grant('code-c-1', { teamId: 'T0OAUTHC01', botUserId: 'U0BOTC0001', botId: 'B0BOTC0001', token: 'xoxb-team-c-secret' });
    const res = await fetch(`${t.baseUrl}/slack/oauth_redirect?code=code-c-1&state=not-a-state`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    // A real state, but from another browser (no cookie, or another one): the login-CSRF case.
    const page = await t.get('/slack/install');
    const state = new URL(/href="([^"]+)"/.exec(await page.text())?.[1]?.replace(/&amp;/g, '&') ?? '').searchParams.get('state') ?? '';
    const noCookie = await fetch(`${t.baseUrl}/slack/oauth_redirect?code=code-c-1&state=${encodeURIComponent(state)}`);
    expect(noCookie.status).toBeGreaterThanOrEqual(400);
    const otherCookie = await fetch(`${t.baseUrl}/slack/oauth_redirect?code=code-c-1&state=${encodeURIComponent(state)}`, { headers: { cookie: 'slack-app-oauth-state=another' } });
    expect(otherCookie.status).toBeGreaterThanOrEqual(400);
    expect(await store.db.selectFrom('installations').select('team_id').where('team_id', '=', 'T0OAUTHC01').executeTakeFirst()).toBeUndefined();
    expect((await t.get('/healthz')).status).toBe(200);
  });

  it('app_uninstalled deletes the installation: the workspace is no longer served', async () => {
    const res = await t.post(JSON.stringify(eventEnvelope({ type: 'app_uninstalled' }, { teamId: B.teamId, botUserId: B.botUserId })));
    expect(res.status).toBe(200);
    await t.service.idle();
    expect(await store.db.selectFrom('installations').select('team_id').where('team_id', '=', B.teamId).executeTakeFirst()).toBeUndefined();
    expect(t.service.slack.workspaces.served()).toEqual([A.teamId]);
    await say(B, ANN, 'after the uninstall');
    expect(await messagesOf(B.teamId)).toBe(1);
  });

  it('tokens_revoked: only user tokens changes nothing; the bot token deletes the installation', async () => {
    const revoked = (tokens: Record<string, string[]>) => t.post(JSON.stringify(eventEnvelope({ type: 'tokens_revoked', tokens }, { teamId: A.teamId, botUserId: A.botUserId })));
    expect((await revoked({ oauth: ['U0INSTALL1'] })).status).toBe(200);
    await t.service.idle();
    expect(t.service.slack.workspaces.served()).toEqual([A.teamId]);
    expect((await revoked({ bot: [A.botUserId] })).status).toBe(200);
    await t.service.idle();
    expect(t.service.slack.workspaces.served()).toEqual([]);
    expect(await store.db.selectFrom('installations').select('team_id').execute()).toEqual([]);
  });
});

describe('OAuth mode with two processes on one database (replicas, a rolling deploy)', () => {
  it('an install taken by one process is served by the other at once; an uninstall reaches the other at its next read of the table', async () => {
    const store = await freshStore();
    const fake = await new FakeSlack().start();
    fake.addUser({ id: ANN, name: 'Ann', tz: 'UTC' });
    const kept: TestStore = { ...store, close: async () => undefined };
    const one = await startTestApp({ fake, store: kept, env: oauthEnv(fake) });
    const two = await startTestApp({ fake, store: kept, env: oauthEnv(fake) });
    try {
      expect((await install(one, A, 'code-two-1')).status).toBe(200);
      const ts = `${Math.floor(Date.now() / 1000)}.000777`;
      const res = await two.post(JSON.stringify(eventEnvelope({ type: 'message', channel: CH, channel_type: 'channel', user: ANN, ts, event_ts: ts, text: 'hello' }, { teamId: A.teamId, botUserId: A.botUserId })));
      expect(res.status).toBe(200);
      await two.service.idle();
      expect(await store.db.selectFrom('messages').select('ts').where('team_id', '=', A.teamId).execute()).toEqual([{ ts }]);
      expect((await two.slash('help', { userId: ANN, teamId: A.teamId })).status).toBe(200);

      await one.post(JSON.stringify(eventEnvelope({ type: 'app_uninstalled' }, { teamId: A.teamId, botUserId: A.botUserId })));
      await one.service.idle();
      expect(one.service.slack.workspaces.served()).toEqual([]);
      // What the other's timer does every minute:
      await (two.service.slack.workspaces as InstalledWorkspaces).refresh();
      expect(two.service.slack.workspaces.served()).toEqual([]);
    } finally {
      await one.service.stop();
      await two.service.stop();
      await fake.stop();
      await store.close();
    }
  });
});

describe('OAuth mode across restarts', () => {
  it('a restarted app serves the workspaces installed before; with another TOKEN_ENCRYPTION_KEY it serves none and says why', async () => {
    const store = await freshStore();
    const fake = await new FakeSlack().start();
    // Each app's stop would close the store: the same store outlives them, closed at the end.
    const kept: TestStore = { ...store, close: async () => undefined };
    try {
      const first = await startTestApp({ fake, store: kept, env: oauthEnv(fake) });
      expect((await install(first, A, 'code-r-1')).status).toBe(200);
      await first.service.stop();

      const again = await startTestApp({ fake, store: kept, env: oauthEnv(fake) });
      expect(again.service.slack.workspaces.served()).toEqual([A.teamId]);
      await again.service.stop();

      const otherKey = await startTestApp({ fake, store: kept, env: oauthEnv(fake, 'another-key-'.repeat(4)) });
      expect(otherKey.service.slack.workspaces.served()).toEqual([]);
      expect(otherKey.logs.text()).toMatch(/does not open with TOKEN_ENCRYPTION_KEY/);
      await otherKey.service.stop();
    } finally {
      await fake.stop();
      await store.close();
    }
  });
});

describe('token mode (one workspace, SLACK_BOT_TOKEN)', () => {
  it('has no install pages: /slack/install and /slack/oauth_redirect answer 404', async () => {
    const t = await startTestApp();
    try {
      expect((await t.get('/slack/install')).status).toBe(404);
      expect((await t.get('/slack/oauth_redirect?code=x&state=y')).status).toBe(404);
      expect(t.service.slack.workspaces.served()).toEqual([t.fake.teamId]);
      // As before OAuth mode: the one token goes out whatever team a payload names, or none (the edge fuzz sends such).
      expect(await t.service.slack.workspaces.serves('T0ANOTHER1')).toBe(false);
      expect(t.service.slack.clientFor('')).not.toBeNull();
      expect(t.service.slack.clientFor('T0ANOTHER1')).toBe(t.service.slack.clientFor(t.fake.teamId));
    } finally {
      await t.stop();
      await t.store.close();
    }
  });
});
