import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { WebSocketServer, type WebSocket } from 'ws';
import { fixture } from './fixtures';

/** One Web API call the fake received. */
export type RecordedCall = { method: string; args: Record<string, unknown>; token: string | undefined; at: number };

type Reply = { status: number; body: unknown; headers?: Record<string, string> };
type Handler = (args: Record<string, unknown>, call: RecordedCall) => Reply | Record<string, unknown>;

export type FakeUser = {
  id: string;
  name?: string;
  tz?: string | null;
  is_bot?: boolean;
  deleted?: boolean;
  is_admin?: boolean;
  is_owner?: boolean;
  team_id?: string;
  real_name?: string;
  /** A complete user object (e.g. from an export's users.json), answered as it is. */
  raw?: Record<string, unknown>;
};

const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'unfurls']);

/**
 * A local stand-in for the Slack Web API (SLACK_API_URL=fake.apiUrl). It answers the way Slack
 * does: HTTP 200 with {ok:false, error} for failures, 429 with Retry-After when rate limited,
 * invalid_auth for a wrong token. Response shapes follow test/fixtures/java-slack-sdk/api.
 * Every call is recorded, including posts to response_url (method "response_url").
 */
export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  readonly users = new Map<string, FakeUser>();
  teamId = 'T0TEAM0001';
  botUserId = 'U0BOT00001';
  botId = 'B0BOT00001';
  token = 'xoxb-test-token';
  /** App-level token for Socket Mode (apps.connections.open). */
  appToken = 'xapp-1-A0APP00001-1-test';
  /** Messages the app sent back over the Socket Mode connection (acks). */
  readonly socketReceived: Array<Record<string, unknown>> = [];
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly sockets = new Set<WebSocket>();
  private readonly overrides = new Map<string, Reply[]>();
  private readonly handlers = new Map<string, Handler>();
  private tsCounter = 0;

  constructor() {
    this.handlers.set('auth.test', () => ({
      ok: true,
      url: 'https://acme-test.slack.com/',
      team: 'Acme Test',
      user: 'async-charter',
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    }));
    this.handlers.set('users.info', (args) => {
      const u = this.users.get(String(args.user ?? ''));
      return u === undefined ? { status: 200, body: { ok: false, error: 'user_not_found' } } : { ok: true, user: this.userObject(u) };
    });
    this.handlers.set('conversations.info', (args) => {
      const base = fixture<{ channel: Record<string, unknown> }>('java-slack-sdk', 'api', 'conversations.info.json').channel;
      const id = String(args.channel ?? '');
      if (!/^[CG][A-Z0-9]+$/.test(id)) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
      return { ok: true, channel: { ...base, id, name: `channel-${id.toLowerCase()}`, is_channel: id.startsWith('C'), is_private: id.startsWith('G'), is_member: true, is_im: false, is_mpim: false } };
    });
    this.handlers.set('chat.postMessage', (args) => {
      const ts = this.nextTs();
      return { ok: true, channel: args.channel, ts, message: { type: 'message', user: this.botUserId, bot_id: this.botId, text: args.text ?? '', ts, blocks: args.blocks } };
    });
    this.handlers.set('chat.postEphemeral', () => ({ ok: true, message_ts: this.nextTs() }));
    const view = (args: Record<string, unknown>) => ({ ok: true, view: { id: `V${String(++this.tsCounter).padStart(9, '0')}`, team_id: this.teamId, ...(args.view as object) } });
    this.handlers.set('apps.connections.open', () => {
      const addr = this.wss?.address();
      if (addr === undefined || addr === null || typeof addr === 'string') return { status: 200, body: { ok: false, error: 'internal_error' } };
      return { ok: true, url: `ws://127.0.0.1:${addr.port}/link/?ticket=test-ticket&app_id=A0APP00001` };
    });
    this.handlers.set('views.open', view);
    this.handlers.set('views.publish', view);
    this.handlers.set('views.update', view);
    this.handlers.set('views.push', view);
  }

  /** Base URL for SLACK_API_URL, ending in "/". */
  get apiUrl(): string {
    return `${this.origin}/api/`;
  }

  /** A response_url the app can post to; posts are recorded as method "response_url". */
  responseUrl(id = 'r1'): string {
    return `${this.origin}/response/${id}`;
  }

  private get origin(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    if (addr === undefined) throw new Error('FakeSlack is not started');
    return `http://127.0.0.1:${addr.port}`;
  }

  addUser(u: FakeUser): this {
    this.users.set(u.id, u);
    return this;
  }

  /** The next `times` calls of `method` get this answer instead (e.g. an error or a 429). */
  override(method: string, reply: { status?: number; body: unknown; headers?: Record<string, string> }, times = 1): void {
    const list = this.overrides.get(method) ?? [];
    for (let i = 0; i < times; i += 1) list.push({ status: reply.status ?? 200, body: reply.body, ...(reply.headers ? { headers: reply.headers } : {}) });
    this.overrides.set(method, list);
  }

  /** The next `times` calls of `method` are rate limited, as Slack does it. */
  rateLimit(method: string, retryAfterSeconds = 1, times = 1): void {
    this.override(method, { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(retryAfterSeconds) } }, times);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Waits until `method` has been called at least `count` times. */
  async waitForCalls(method: string, count = 1, timeoutMs = 5_000): Promise<RecordedCall[]> {
    const start = Date.now();
    while (this.callsTo(method).length < count) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${count} call(s) to ${method}; got ${this.callsTo(method).length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.callsTo(method);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => this.wss?.on('listening', () => resolve()));
    this.wss.on('connection', (ws) => {
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('message', (data) => this.socketReceived.push(JSON.parse(data.toString()) as Record<string, unknown>));
      // Slack greets every Socket Mode connection before it sends anything else.
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 }, connection_info: { app_id: 'A0APP00001' } }));
    });
    return this;
  }

  /** Sends an Events API body over every open Socket Mode connection, as Slack does; returns the envelope id. */
  socketEvent(body: Record<string, unknown>, retryAttempt = 0): string {
    const envelopeId = `env-${String((this.tsCounter += 1)).padStart(6, '0')}`;
    const frame = JSON.stringify({ envelope_id: envelopeId, payload: body, type: 'events_api', accepts_response_payload: false, retry_attempt: retryAttempt, retry_reason: retryAttempt > 0 ? 'timeout' : '' });
    for (const ws of this.sockets) ws.send(frame);
    return envelopeId;
  }

  get socketConnections(): number {
    return this.sockets.size;
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    this.wss = undefined;
    const s = this.server;
    if (s === undefined) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    this.server = undefined;
  }

  private userObject(u: FakeUser): Record<string, unknown> {
    if (u.raw !== undefined) return u.raw;
    const base = fixture<{ user: Record<string, unknown> & { profile: Record<string, unknown> } }>('java-slack-sdk', 'api', 'users.info.json').user;
    const name = u.name ?? u.id.toLowerCase();
    return {
      ...base,
      id: u.id,
      team_id: u.team_id ?? this.teamId,
      name,
      real_name: u.real_name ?? name,
      deleted: u.deleted ?? false,
      tz: u.tz === null ? undefined : (u.tz ?? 'America/New_York'),
      tz_label: 'Local time',
      tz_offset: 0,
      is_admin: u.is_admin ?? false,
      is_owner: u.is_owner ?? false,
      is_primary_owner: false,
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: u.is_bot ?? false,
      is_app_user: false,
      profile: { ...base.profile, real_name: u.real_name ?? name, display_name: name, team: u.team_id ?? this.teamId },
    };
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const args = parseArgs(raw, req.headers['content-type'], url.searchParams);
    const auth = req.headers.authorization;
    const token = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : undefined;

    if (url.pathname.startsWith('/response/')) {
      this.calls.push({ method: 'response_url', args: { ...args, response_url_id: url.pathname.slice(10) }, token, at: Date.now() });
      return send(res, { status: 200, body: { ok: true } });
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const call: RecordedCall = { method, args, token, at: Date.now() };
    this.calls.push(call);
    const queued = this.overrides.get(method);
    if (queued !== undefined && queued.length > 0) return send(res, queued.shift() as Reply);
    const expected = method === 'apps.connections.open' ? this.appToken : this.token;
    if (token !== expected) return send(res, { status: 200, body: { ok: false, error: token === undefined ? 'not_authed' : 'invalid_auth' } });
    const handler = this.handlers.get(method);
    if (handler === undefined) return send(res, { status: 200, body: { ok: false, error: 'unknown_method' } });
    const out = handler(args, call);
    send(res, 'status' in out && 'body' in out ? (out as Reply) : { status: 200, body: out });
  }
}

function parseArgs(raw: string, contentType: string | undefined, query: URLSearchParams): Record<string, unknown> {
  const args: Record<string, unknown> = Object.fromEntries(query.entries());
  if (raw === '') return args;
  if (contentType?.includes('application/json')) return { ...args, ...(JSON.parse(raw) as Record<string, unknown>) };
  for (const [k, v] of Object.entries(parseQuery(raw))) {
    const value = Array.isArray(v) ? v[0] : v;
    args[k] = JSON_FIELDS.has(k) && typeof value === 'string' ? safeJson(value) : value;
  }
  return args;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...(reply.headers ?? {}) });
  res.end(JSON.stringify(reply.body));
}
