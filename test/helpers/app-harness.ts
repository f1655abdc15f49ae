import { Writable } from 'node:stream';
import type { RetryOptions } from '@slack/web-api';
import { sql } from 'kysely';
import { loadConfig, type Config } from '../../src/config';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { startService, type Service } from '../../src/main';
import { drainRequests } from '../../src/store/requests';
import { FakeSlack, type FakeUser } from './fake-slack';
import { fixture } from './fixtures';
import { signedRequest } from './signing';
import { freshStore, type TestStore } from './store';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

/** Collects every log line the app writes (JSON), so tests can read them. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
    cb();
  }
  text(): string {
    return this.lines.join('\n');
  }
  parsed(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

let eventCounter = 0;

/** An Events API envelope (event_callback) around one event, shaped like Slack's own. */
export function eventEnvelope(event: Record<string, unknown>, opts: { teamId: string; eventId?: string; apiAppId?: string; botUserId?: string }): Record<string, unknown> {
  eventCounter += 1;
  return {
    token: 'verification-token-unused',
    team_id: opts.teamId,
    api_app_id: opts.apiAppId ?? 'A0APP00001',
    event,
    type: 'event_callback',
    event_id: opts.eventId ?? `Ev${String(eventCounter).padStart(9, '0')}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: opts.teamId, user_id: opts.botUserId ?? 'U0BOT00001', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: 'EC0000000001',
  };
}

export type TestApp = {
  fake: FakeSlack;
  store: TestStore;
  logs: LogCapture;
  service: Service;
  config: Config;
  baseUrl: string;
  /** POSTs a body to /slack/events, signed unless told otherwise. */
  post(body: string, opts?: { sign?: boolean; secret?: string; timestamp?: number; contentType?: string; retryNum?: number; headers?: Record<string, string> }): Promise<Response>;
  /** Sends one event in a signed envelope; returns the HTTP response. */
  sendEvent(event: Record<string, unknown>, opts?: { eventId?: string; retryNum?: number }): Promise<Response>;
  /** Sends an interactivity payload (block_actions, view_submission) as Slack does: a signed form with payload=JSON. */
  interact(payload: Record<string, unknown>): Promise<Response>;
  /** Sends `/async <text>` as Slack does: a signed form (test/fixtures/java-slack-sdk/app-backend/SlashCommandPayload.json's fields). */
  slash(text: string, o: SlashOptions): Promise<Response>;
  get(path: string): Promise<Response>;
  /** GET /metrics from the metrics listener (its own port on 127.0.0.1, not the public one). */
  metrics(): Promise<Response>;
  stop(): Promise<void>;
};

export type SlashOptions = { userId: string; channelId?: string; channelName?: string; teamId?: string; responseUrl?: string; triggerId?: string; command?: string };

/** The form fields of a slash command, in the shape of Slack's own (SlashCommandPayload.json). */
export function slashCommandForm(text: string, o: SlashOptions & { teamId: string; responseUrl: string }): string {
  const shape = fixture('java-slack-sdk', 'app-backend', 'SlashCommandPayload.json') as Record<string, unknown>;
  const channelId = o.channelId ?? 'C0GENERAL1';
  const values: Record<string, string> = {
    token: 'verification-token-unused',
    api_app_id: 'A0APP00001',
    team_id: o.teamId,
    team_domain: 'acme-test',
    enterprise_id: '',
    enterprise_name: '',
    channel_id: channelId,
    channel_name: o.channelName ?? (channelId.startsWith('D') ? 'directmessage' : 'general'),
    user_id: o.userId,
    user_name: o.userId.toLowerCase(),
    command: o.command ?? '/async',
    text,
    response_url: o.responseUrl,
    trigger_id: o.triggerId ?? `${Date.now()}.1234567890.${Math.random().toString(16).slice(2, 10)}`,
    is_enterprise_install: 'false',
  };
  // Exactly the fields Slack sends, no more and no fewer.
  return new URLSearchParams(Object.keys(shape).map((k): [string, string] => [k, values[k] ?? ''])).toString();
}

export type TestAppOptions = { /** More environment for loadConfig (e.g. ASYNC_CHARTER_NOW). */ env?: Record<string, string>; users?: FakeUser[]; store?: TestStore; logLevel?: Config['log']['level']; retryConfig?: RetryOptions; fake?: FakeSlack; socketMode?: boolean };

/** The real app (Bolt over HTTP, real store) against a fake Slack Web API, on a free port. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const fake = opts.fake ?? (await new FakeSlack().start());
  for (const u of opts.users ?? []) fake.addUser(u);
  const store = opts.store ?? (await freshStore());
  const logs = new LogCapture();
  const logger = createLogger({ level: opts.logLevel ?? 'debug', stream: logs });
  const result = loadConfig({
    SLACK_BOT_TOKEN: fake.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    LOG_LEVEL: opts.logLevel ?? 'debug',
    ...(opts.socketMode ? { SLACK_APP_TOKEN: fake.appToken } : {}),
    ...(opts.env ?? {}),
  });
  if (!result.ok) throw new Error(result.message);
  const config = { ...result.config, store: store.storeConfig };
  const service = await startService(config, { logger, store, metrics: createMetrics(), port: 0, metricsPort: 0, retryConfig: opts.retryConfig ?? { retries: 0 } });
  const baseUrl = `http://127.0.0.1:${service.slack.port()}`;

  const post: TestApp['post'] = async (body, o = {}) => {
    const signed = signedRequest(o.secret ?? SIGNING_SECRET, body, {
      ...(o.timestamp !== undefined ? { timestamp: o.timestamp } : {}),
      ...(o.contentType !== undefined ? { contentType: o.contentType } : {}),
      ...(o.retryNum !== undefined ? { retryNum: o.retryNum } : {}),
    });
    const headers = o.sign === false ? { 'content-type': o.contentType ?? 'application/json' } : signed.headers;
    return fetch(`${baseUrl}/slack/events`, { method: 'POST', headers: { ...headers, ...(o.headers ?? {}) }, body });
  };

  return {
    fake,
    store,
    logs,
    service,
    config,
    baseUrl,
    post,
    sendEvent: (event, o = {}) =>
      post(JSON.stringify(eventEnvelope(event, { teamId: fake.teamId, botUserId: fake.botUserId, ...(o.eventId ? { eventId: o.eventId } : {}) })), o.retryNum !== undefined ? { retryNum: o.retryNum } : {}),
    interact: (payload) => post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), { contentType: 'application/x-www-form-urlencoded' }),
    slash: (text, o) => post(slashCommandForm(text, { ...o, teamId: o.teamId ?? fake.teamId, responseUrl: o.responseUrl ?? fake.responseUrl('cmd') }), { contentType: 'application/x-www-form-urlencoded' }),
    get: (path) => fetch(`${baseUrl}${path}`),
    metrics: () => fetch(`http://127.0.0.1:${String(service.metricsPort())}/metrics`),
    async stop() {
      await service.stop();
      if (opts.fake === undefined) await fake.stop();
    },
  };
}

/**
 * Every row of every table in the store, as JSON text (to search for what must not be there, or to
 * compare two states). The requests queue is applied first, so that the dump does not depend on
 * whether the app's requests job (every few seconds) happened to run in between.
 */
export async function dumpAllTables(store: TestStore): Promise<string> {
  await drainRequests(store.db);
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(store.db);
  const out: Record<string, unknown[]> = {};
  for (const { table_name } of tables.rows) {
    const rows = await sql`select * from ${sql.table(table_name)}`.execute(store.db);
    out[table_name] = rows.rows;
  }
  return JSON.stringify(out);
}

/** A block_actions payload for one button click, shaped like Slack's (see test/fixtures/java-slack-sdk/app-backend). */
export function buttonClick(o: { teamId: string; userId: string; channelId: string; actionId: string; value: string; responseUrl: string; messageTs?: string }): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: o.teamId, domain: 'acme-test' },
    user: { id: o.userId, username: o.userId.toLowerCase(), name: o.userId.toLowerCase(), team_id: o.teamId },
    api_app_id: 'A0APP00001',
    token: 'verification-token-unused',
    container: { type: 'message', message_ts: o.messageTs ?? '1700000000.000100', channel_id: o.channelId, is_ephemeral: true },
    trigger_id: '1234567890.0987654321.abcdef0123456789',
    channel: { id: o.channelId, name: 'general' },
    response_url: o.responseUrl,
    is_enterprise_install: false,
    actions: [{ action_id: o.actionId, block_id: 'nudge_actions', text: { type: 'plain_text', text: 'button', emoji: true }, value: o.value, type: 'button', action_ts: `${Math.floor(Date.now() / 1000)}.000001` }],
  };
}

/** A view_submission payload for a modal the app opened (the view as views.open received it, with state). */
export function viewSubmission(o: { teamId: string; userId: string; view: Record<string, unknown>; values: Record<string, Record<string, Record<string, unknown>>> }): Record<string, unknown> {
  return {
    type: 'view_submission',
    team: { id: o.teamId, domain: 'acme-test' },
    user: { id: o.userId, username: o.userId.toLowerCase(), name: o.userId.toLowerCase(), team_id: o.teamId },
    api_app_id: 'A0APP00001',
    token: 'verification-token-unused',
    trigger_id: '1234567890.0987654321.fedcba9876543210',
    view: { id: 'V0000000001', team_id: o.teamId, type: 'modal', hash: '1700000000.abc', app_id: 'A0APP00001', bot_id: 'B0BOT00001', ...o.view, state: { values: o.values } },
    is_enterprise_install: false,
  };
}
