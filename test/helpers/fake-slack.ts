import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { WebSocketServer, type WebSocket } from 'ws';
import { blocksProblem, viewProblem, Conversations, fileObject, Files, historyAnswer, isProblem, listAnswer, metadataProblem, repliesAnswer, truthy, type ChannelSpec, type FakeChannel, type FakeMessage, type Problem, type UploadedFile } from './fake-slack-state';
import { fixture } from './fixtures';

export type { ChannelSpec, FakeChannel, FakeMessage, UploadedFile } from './fake-slack-state';

/** One Web API call the fake received. */
export type RecordedCall = { method: string; args: Record<string, unknown>; token: string | undefined; at: number };

type Reply = { status: number; body: unknown; headers?: Record<string, string>; apply?: boolean };
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

const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'unfurls', 'files']);
/** Ids an undeclared channel may have, per use (conversations.info answered C/G ids before channels could be declared). */
const UNDECLARED = { info: /^[CG][A-Z0-9]+$/, read: /^[CDG][A-Z0-9]+$/, post: /^[CDGUW][A-Z0-9]+$/ };
/** files.completeUploadExternal's check on channel_id (Slack's own message, bolt-js#2115). */
const FILE_CHANNEL = /^[CGDZ][A-Z0-9]{8,}$/;

const fail = (error: string, extra: Record<string, unknown> = {}): Reply => ({ status: 200, body: { ok: false, error, ...extra } });
const refuse = (p: Problem): Reply => fail(p.error, p.message === undefined ? {} : { response_metadata: { messages: [`[ERROR] ${p.message}`] } });

/**
 * A local stand-in for the Slack Web API (SLACK_API_URL=fake.apiUrl). It answers the way Slack
 * does: HTTP 200 with {ok:false, error} for failures, 429 with Retry-After when rate limited,
 * invalid_auth for a wrong token. Response shapes follow test/fixtures/java-slack-sdk/api and
 * test/fixtures/slack-api. Every call is recorded, including posts to response_url (method
 * "response_url") and file uploads to an upload URL (method "upload_url").
 *
 * It keeps what was posted: each channel's messages and threads (conversations.history/replies
 * answer from them) and uploaded files. Channels declared with addChannel follow Slack's
 * membership rules; any other well-formed channel id acts as a channel the bot is in, unless
 * strictChannels is set.
 */
/** A workspace installed through OAuth: its id, its bot, the bot token Slack gave for it. */
export type FakeWorkspace = { teamId: string; botUserId: string; botId: string; token: string; teamName?: string };

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  readonly users = new Map<string, FakeUser>();
  teamId = 'T0TEAM0001';
  botUserId = 'U0BOT00001';
  botId = 'B0BOT00001';
  appId = 'A0APP00001';
  token = 'xoxb-test-token';
  /** App-level token for Socket Mode (apps.connections.open). */
  appToken = 'xapp-1-A0APP00001-1-test';
  /** OAuth mode: the app's credentials, which oauth.v2.access checks. */
  clientId = '1111111111.2222222222';
  clientSecret = 'fake-client-secret';
  /** Workspaces installed through OAuth, by their bot token (auth.test answers for each). */
  private readonly installs = new Map<string, FakeWorkspace>();
  /** Codes oauth.v2.access exchanges (once each), as Slack's authorize page hands them out. */
  private readonly grants = new Map<string, FakeWorkspace & { installer: string }>();
  /** The clock behind the ts the fake assigns (ms); tests with a fake app clock set it. */
  now: () => number = () => Date.now();
  /** When true, channel ids not declared with addChannel are channel_not_found everywhere. */
  strictChannels = false;
  /** Messages the app sent back over the Socket Mode connection (acks). */
  readonly socketReceived: Array<Record<string, unknown>> = [];
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly sockets = new Set<WebSocket>();
  private readonly overrides = new Map<string, Reply[]>();
  private readonly holds = new Map<string, Array<{ apply: boolean }>>();
  private readonly handlers = new Map<string, Handler>();
  private readonly conversations = new Conversations();
  private readonly files = new Files();
  private tsCounter = 0;

  constructor() {
    this.handlers.set('auth.test', (_args, call) => {
      const w = this.installs.get(call.token ?? '') ?? { teamId: this.teamId, botUserId: this.botUserId, botId: this.botId, token: this.token, teamName: 'Acme Test' };
      return {
        ok: true,
        url: `https://${w.teamId.toLowerCase()}.slack.com/`,
        team: w.teamName ?? w.teamId,
        user: 'async-charter',
        team_id: w.teamId,
        user_id: w.botUserId,
        bot_id: w.botId,
        is_enterprise_install: false,
      };
    });
    this.handlers.set('users.info', (args) => {
      const u = this.users.get(String(args.user ?? ''));
      return u === undefined ? fail('user_not_found') : { ok: true, user: this.userObject(u) };
    });
    this.handlers.set('conversations.info', (args) => {
      const r = this.resolve(String(args.channel ?? ''), 'info');
      return isProblem(r) ? refuse(r) : { ok: true, channel: this.channelObject(r, truthy(args.include_num_members)) };
    });
    this.handlers.set('conversations.join', (args) => this.join(String(args.channel ?? '')));
    this.handlers.set('conversations.list', (args) => {
      const out = listAnswer(this.conversations, args, (c) => this.channelObject(c, true));
      return isProblem(out) ? refuse(out) : out;
    });
    this.handlers.set('conversations.history', (args) => this.history(args));
    this.handlers.set('conversations.replies', (args) => this.replies(args));
    this.handlers.set('chat.postMessage', (args) => this.postMessage(args));
    this.handlers.set('chat.postEphemeral', () => ({ ok: true, message_ts: this.nextTs() }));
    this.handlers.set('files.getUploadURLExternal', (args) => this.getUploadUrl(args));
    this.handlers.set('files.completeUploadExternal', (args) => this.completeUpload(args));
    const view = (args: Record<string, unknown>) => ({ ok: true, view: { id: `V${String(++this.tsCounter).padStart(9, '0')}`, team_id: this.teamId, ...(args.view as object) } });
    this.handlers.set('apps.connections.open', () => {
      const addr = this.wss?.address();
      if (addr === undefined || addr === null || typeof addr === 'string') return fail('internal_error');
      return { ok: true, url: `ws://127.0.0.1:${addr.port}/link/?ticket=test-ticket&app_id=A0APP00001` };
    });
    const checked = (method: string, needs: 'trigger_id' | 'user_id' | 'view_id') => (args: Record<string, unknown>) => {
      const missing = needs === 'view_id' ? args.view_id === undefined && args.external_id === undefined : typeof args[needs] !== 'string' || args[needs] === '';
      if (missing) return fail('invalid_arguments', { response_metadata: { messages: [`[ERROR] missing required field: ${needs}`] } });
      const p = viewProblem(args.view, method);
      return p === undefined ? view(args) : refuse(p);
    };
    this.handlers.set('views.open', checked('views.open', 'trigger_id'));
    this.handlers.set('views.publish', checked('views.publish', 'user_id'));
    this.handlers.set('views.update', checked('views.update', 'view_id'));
    this.handlers.set('views.push', checked('views.push', 'trigger_id'));
  }

  /**
   * OAuth mode: Slack's authorize page sends the installer back with this code; oauth.v2.access
   * exchanges it (once, with the app's client id and secret) for the workspace's bot token.
   */
  grant(code: string, w: FakeWorkspace & { installer?: string }): void {
    this.grants.set(code, { ...w, installer: w.installer ?? 'U0INSTALL1' });
  }

  /** A workspace's bot token as accepted by every method (what an install made, or a test set up). */
  addWorkspace(w: FakeWorkspace): void {
    this.installs.set(w.token, w);
  }

  /** Revokes a bot token (an uninstall): Slack answers token_revoked from then on. */
  revoke(token: string): void {
    this.installs.delete(token);
    this.revoked.add(token);
  }
  private readonly revoked = new Set<string>();

  private oauthAccess(args: Record<string, unknown>, basic: { id: string; secret: string } | null): Reply | Record<string, unknown> {
    const id = basic?.id ?? args.client_id;
    const secret = basic?.secret ?? args.client_secret;
    if (id !== this.clientId) return fail('invalid_client_id');
    if (secret !== this.clientSecret) return fail('bad_client_secret');
    const g = this.grants.get(String(args.code ?? ''));
    if (g === undefined) return fail('invalid_code');
    this.grants.delete(String(args.code));
    this.addWorkspace(g);
    // As Slack answers a bot-only install (oauth.v2.access's documented response, without a user token).
    return {
      ok: true,
      access_token: g.token,
      token_type: 'bot',
      scope: String(args.scope ?? 'channels:history,groups:history,channels:read,groups:read,reactions:read,users:read,chat:write,files:write,channels:join,commands'),
      bot_user_id: g.botUserId,
      app_id: this.appId,
      team: { id: g.teamId, name: g.teamName ?? g.teamId },
      enterprise: null,
      authed_user: { id: g.installer },
      is_enterprise_install: false,
    };
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

  /** Declares a channel; the bot is a member unless isMember is false. */
  addChannel(spec: ChannelSpec): this {
    this.conversations.declare(spec, Math.floor(this.now() / 1000));
    return this;
  }

  /** A declared channel as the fake holds it now (membership changes with conversations.join). */
  channel(id: string): FakeChannel | undefined {
    const c = this.conversations.channels.get(id);
    return c === undefined ? undefined : { ...c };
  }

  /** Puts a message into a channel as if someone had posted it (a user by default); returns it. */
  addMessage(channel: string, message: Partial<FakeMessage> & { text?: string }): FakeMessage {
    return structuredClone(this.conversations.insert(channel, { type: 'message', user: 'U0SOMEONE1', text: '', ...structuredClone(message), ts: message.ts ?? this.nextTs() }));
  }

  /** Every message the fake holds for a channel, replies included, oldest first, metadata included. */
  messagesIn(channel: string): FakeMessage[] {
    return this.conversations.all(channel);
  }

  /** Files whose bytes reached the upload URL, in the order their URLs were handed out. */
  uploadedFiles(): UploadedFile[] {
    return this.files.uploaded();
  }

  /**
   * The next `times` calls of `method` get this answer instead (e.g. an error or a 429); "upload_url" for uploads.
   * With `apply`, Slack does the work first and only the answer is this one (a 5xx after a post went through).
   */
  override(method: string, reply: { status?: number; body: unknown; headers?: Record<string, string>; apply?: boolean }, times = 1): void {
    const list = this.overrides.get(method) ?? [];
    for (let i = 0; i < times; i += 1) list.push({ status: reply.status ?? 200, body: reply.body, ...(reply.headers ? { headers: reply.headers } : {}), ...(reply.apply ? { apply: true } : {}) });
    this.overrides.set(method, list);
  }

  /**
   * The next call of `method` is never answered, so its caller hangs (tests then kill it):
   * with `apply`, Slack does the work first (a message is posted) and only the answer is lost.
   */
  hold(method: string, opts: { apply: boolean }): void {
    const list = this.holds.get(method) ?? [];
    list.push({ apply: opts.apply });
    this.holds.set(method, list);
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

  /**
   * The channel behind an id, or Slack's refusal. A private channel the bot is not in does not
   * exist for it (channel_not_found); a public one is not_in_channel for posting and reading.
   */
  private resolve(id: string, use: 'info' | 'read' | 'post'): FakeChannel | Problem {
    const declared = this.conversations.channels.get(id);
    if (declared === undefined) {
      if (this.strictChannels || !UNDECLARED[use].test(id)) return { error: 'channel_not_found' };
      return { id, name: `channel-${id.toLowerCase()}`, isPrivate: id.startsWith('G'), isMember: true, archived: false, memberCount: 12345, created: 1664407230 };
    }
    if (declared.isPrivate && !declared.isMember) return { error: 'channel_not_found' };
    if (use === 'post' && declared.archived) return { error: 'is_archived' };
    if (use !== 'info' && !declared.isMember) return { error: 'not_in_channel' };
    return declared;
  }

  /** A conversation object shaped like a real conversations.join answer (test/fixtures/slack-api). */
  private channelObject(c: FakeChannel, withMemberCount: boolean): Record<string, unknown> {
    const { last_read: lastRead, ...base } = fixture<{ channel: Record<string, unknown> }>('slack-api', 'conversations.join.json').channel;
    return {
      ...base,
      id: c.id,
      name: c.name,
      name_normalized: c.name,
      is_channel: c.id.startsWith('C'),
      is_group: c.id.startsWith('G'),
      is_private: c.isPrivate,
      is_archived: c.archived,
      is_member: c.isMember,
      created: c.created,
      context_team_id: this.teamId,
      shared_team_ids: [this.teamId],
      ...(c.isMember ? { last_read: lastRead } : {}),
      ...(withMemberCount ? { num_members: c.memberCount } : {}),
    };
  }

  private join(id: string): Reply | Record<string, unknown> {
    const declared = this.conversations.channels.get(id);
    if (declared === undefined) {
      const r = this.resolve(id, 'info');
      return isProblem(r) ? refuse(r) : { ok: true, channel: this.channelObject(r, false), warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } };
    }
    if (declared.isPrivate) return fail('method_not_supported_for_channel_type');
    if (declared.archived) return fail('is_archived');
    if (declared.isMember) return { ok: true, channel: this.channelObject(declared, false), warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } };
    declared.isMember = true;
    declared.memberCount += 1;
    return { ok: true, channel: this.channelObject(declared, false) };
  }

  private history(args: Record<string, unknown>): Reply | Record<string, unknown> {
    const ch = this.resolve(String(args.channel ?? ''), 'read');
    const out = isProblem(ch) ? ch : historyAnswer(this.conversations, ch.id, args);
    return isProblem(out) ? refuse(out) : out;
  }

  private replies(args: Record<string, unknown>): Reply | Record<string, unknown> {
    const ch = this.resolve(String(args.channel ?? ''), 'read');
    const out = isProblem(ch) ? ch : repliesAnswer(this.conversations, ch.id, args);
    return isProblem(out) ? refuse(out) : out;
  }

  /** A message from the bot, shaped like the one in a real chat.update answer (test/fixtures/slack-web). */
  private botMessage(ts: string, fields: Record<string, unknown>): FakeMessage {
    return { user: this.botUserId, type: 'message', ts, bot_id: this.botId, app_id: this.appId, team: this.teamId, ...fields };
  }

  private postMessage(args: Record<string, unknown>): Reply | Record<string, unknown> {
    const given = String(args.channel ?? '');
    const named = this.conversations.channels.has(given) ? undefined : this.conversations.byName(given);
    const ch = this.resolve(named?.id ?? given, 'post');
    if (isProblem(ch)) return refuse(ch);
    const text = typeof args.text === 'string' ? args.text : '';
    const blocks = args.blocks;
    const noBlocks = blocks === undefined || (Array.isArray(blocks) && blocks.length === 0);
    if (text === '' && noBlocks && args.attachments === undefined) return fail('no_text');
    const problem = blocksProblem(blocks) ?? metadataProblem(args.metadata);
    if (problem !== undefined) return refuse(problem);
    const ts = this.nextTs();
    const threadTs = args.thread_ts === undefined || args.thread_ts === '' ? undefined : String(args.thread_ts);
    const message = this.botMessage(ts, {
      text,
      ...(blocks !== undefined ? { blocks } : {}),
      ...(args.attachments !== undefined ? { attachments: args.attachments } : {}),
      ...(args.metadata !== undefined ? { metadata: args.metadata } : {}),
      ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
      ...(threadTs !== undefined && truthy(args.reply_broadcast) ? { subtype: 'thread_broadcast' } : {}),
    });
    const stored = this.conversations.insert(ch.id, message);
    return { ok: true, channel: ch.id, ts, message: structuredClone(stored) };
  }

  private getUploadUrl(args: Record<string, unknown>): Reply | Record<string, unknown> {
    const f = this.files.create(args, Math.floor(this.now() / 1000));
    return isProblem(f) ? refuse(f) : { ok: true, upload_url: `${this.origin}/upload/v1/${f.id}`, file_id: f.id };
  }

  private completeUpload(args: Record<string, unknown>): Reply | Record<string, unknown> {
    const channelArg = args.channel_id ?? (typeof args.channels === 'string' && !args.channels.includes(',') ? args.channels : undefined);
    let channel: FakeChannel | undefined;
    if (channelArg !== undefined && channelArg !== '') {
      if (!FILE_CHANNEL.test(String(channelArg))) return refuse({ error: 'invalid_arguments', message: 'input must match regex pattern: ^[CGDZ][A-Z0-9]{8,}$ [json-pointer:/channel_id]' });
      const r = this.resolve(String(channelArg), 'post');
      if (isProblem(r)) return refuse(r);
      channel = r;
    }
    const records = this.files.complete(args.files);
    if (isProblem(records)) return refuse(records);
    const threadTs = channel === undefined || args.thread_ts === undefined || args.thread_ts === '' ? null : String(args.thread_ts);
    const comment = typeof args.initial_comment === 'string' && args.initial_comment !== '' ? args.initial_comment : null;
    if (channel !== undefined) for (const f of records) Object.assign(f, { channel: channel.id, threadTs, initialComment: comment });
    const base = fixture<Record<string, unknown>>('slack-api', 'file.json');
    const objects = records.map((f) => fileObject(base, f, { user: this.botUserId, team: this.teamId, origin: this.origin }));
    if (channel !== undefined) {
      const ts = this.nextTs();
      const blocks = comment === null && args.blocks !== undefined ? { blocks: args.blocks } : {};
      this.conversations.insert(channel.id, {
        type: 'message',
        subtype: 'file_share',
        text: comment ?? '',
        files: structuredClone(objects),
        upload: true,
        user: this.botUserId,
        display_as_bot: false,
        ts,
        ...blocks,
        ...(threadTs !== null ? { thread_ts: threadTs } : {}),
      });
    }
    // Slack shares files asynchronously: its answer lists the files with no shares yet.
    return { ok: true, files: objects.map((o) => ({ ...o, channels: [], groups: [], ims: [], shares: {} })) };
  }

  /** A POST of a file's bytes to its upload URL; Slack answers 200 "OK - <bytes>". */
  private upload(id: string, body: Buffer, contentType: string | undefined): Reply {
    const n = this.files.receive(id, body, contentType);
    return n === false ? { status: 404, body: 'Not Found', headers: { 'content-type': 'text/plain' } } : { status: 200, body: `OK - ${n}`, headers: { 'content-type': 'text/plain; charset=utf-8' } };
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
    return `${Math.floor(this.now() / 1000)}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const contentType = req.headers['content-type'];
    const auth = req.headers.authorization;
    const bearer = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;

    if (url.pathname.startsWith('/upload/v1/')) {
      // Slack's upload URL needs no token (the client sends its own anyway); Slack takes raw bytes or a form.
      const id = url.pathname.slice('/upload/v1/'.length);
      this.calls.push({ method: 'upload_url', args: { file_id: id, content_type: contentType, bytes: body.length }, token: bearer, at: Date.now() });
      const queued = this.overrides.get('upload_url');
      return send(res, queued !== undefined && queued.length > 0 ? (queued.shift() as Reply) : this.upload(id, body, contentType));
    }
    const args = parseArgs(body.toString('utf8'), contentType, url.searchParams);
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);

    if (url.pathname.startsWith('/response/')) {
      this.calls.push({ method: 'response_url', args: { ...args, response_url_id: url.pathname.slice(10) }, token, at: Date.now() });
      // Slack answers a response_url post in plain text: "ok", or 4xx with the problem.
      const problem = blocksProblem(args.blocks) ?? (args.text === undefined && args.blocks === undefined && args.delete_original === undefined ? { error: 'no_text' } : undefined);
      const plain = { 'content-type': 'text/plain' };
      return send(res, problem === undefined ? { status: 200, body: 'ok', headers: plain } : { status: 400, body: problem.error, headers: plain });
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const call: RecordedCall = { method, args, token, at: Date.now() };
    this.calls.push(call);
    const queued = this.overrides.get(method);
    const next = queued !== undefined && queued.length > 0 ? (queued.shift() as Reply) : undefined;
    // apply: Slack did the work, and then the answer went wrong (a 5xx after the post).
    if (next?.apply === true) this.handlers.get(method)?.(args, call);
    if (next !== undefined) return send(res, { status: next.status, body: next.body, ...(next.headers ? { headers: next.headers } : {}) });
    if (method === 'oauth.v2.access') {
      // Client credentials in the body, or as HTTP Basic auth; no token.
      const basic = typeof auth === 'string' && auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':') : null;
      const out = this.oauthAccess(args, basic === null ? null : { id: basic[0] ?? '', secret: basic.slice(1).join(':') });
      return send(res, 'status' in out && 'body' in out ? (out as Reply) : { status: 200, body: out });
    }
    const expected = method === 'apps.connections.open' ? this.appToken : this.token;
    if (token !== expected && (method === 'apps.connections.open' || token === undefined || !this.installs.has(token))) {
      return send(res, fail(token === undefined ? 'not_authed' : this.revoked.has(token) ? 'token_revoked' : 'invalid_auth'));
    }
    const handler = this.handlers.get(method);
    if (handler === undefined) return send(res, fail('unknown_method'));
    const hold = this.holds.get(method)?.shift();
    if (hold !== undefined && !hold.apply) return; // never answered, nothing done: the caller dies waiting
    const out = handler(args, call);
    if (hold !== undefined) return; // done (the message is in the channel), but the answer never comes
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
  const text = typeof reply.body === 'string' && reply.headers?.['content-type']?.startsWith('text/') === true;
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...(reply.headers ?? {}) });
  res.end(text ? String(reply.body) : JSON.stringify(reply.body));
}
