/**
 * What the fake Slack keeps between calls: declared channels, every message (top level and
 * thread replies), uploaded files, and the rules Slack applies to them (history order and
 * ranges, cursors, thread bookkeeping, Block Kit limits, upload arguments). The HTTP side and
 * the channel membership rules live in fake-slack.ts.
 */

/** A channel a test declares; only declared channels get Slack's membership rules. */
export type ChannelSpec = { id: string; name: string; isPrivate?: boolean; isMember?: boolean; archived?: boolean; memberCount?: number };
export type FakeChannel = { id: string; name: string; isPrivate: boolean; isMember: boolean; archived: boolean; memberCount: number; created: number };
/** A stored message, as Slack would return it (metadata included; history strips it unless asked). */
export type FakeMessage = Record<string, unknown> & { ts: string; thread_ts?: string; user?: string; subtype?: string };
export type Range = { oldest?: string; latest?: string; inclusive?: boolean };
export type Page = { messages: FakeMessage[]; hasMore: boolean; nextCursor: string };
/** Slack's refusal: the error code, and the line it puts in response_metadata.messages, if any. */
export type Problem = { error: string; message?: string };

/** "1700000000.000100" → [seconds, microseconds]; accepts "1700000000", "1700000000.1" and numbers. */
function tsParts(v: string): [bigint, bigint] | null {
  const m = /^(\d+)(?:\.(\d{1,6})\d*)?$/.exec(v.trim());
  if (m === null) return null;
  return [BigInt(m[1] ?? '0'), BigInt((m[2] ?? '').padEnd(6, '0'))];
}

/** Orders two Slack timestamps exactly (no float rounding): <0, 0, >0. */
export function tsCompare(a: string, b: string): number {
  const x = tsParts(a) ?? [0n, 0n];
  const y = tsParts(b) ?? [0n, 0n];
  if (x[0] !== y[0]) return x[0] < y[0] ? -1 : 1;
  return x[1] === y[1] ? 0 : x[1] < y[1] ? -1 : 1;
}

/** A ts-like argument (oldest/latest/ts), or null when it is not one. */
export function tsArg(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v.toFixed(6);
  if (typeof v !== 'string' || tsParts(v) === null) return null;
  return v.trim();
}

/** Form bodies carry booleans as "true"/"1"; JSON bodies as booleans. */
export function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === 'true' || v === '1';
}

/** `limit` as Slack reads it: the default when absent or not a positive integer, at most `max`. */
export function limitArg(v: unknown, def: number, max: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number.parseInt(v, 10) : Number.NaN;
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : def;
}

// Slack's cursors for history and replies are base64 of "next_ts:<ts without the dot>"
// (the spec's example "bmV4dF90czoxNTEyMDg1ODYxMDAwNTQz" decodes to "next_ts:1512085861000543").
function encodeCursor(ts: string): string {
  const [s, us] = tsParts(ts) ?? [0n, 0n];
  return Buffer.from(`next_ts:${s}${String(us).padStart(6, '0')}`).toString('base64');
}

function decodeCursor(cursor: string): string | null {
  const m = /^next_ts:(\d{7,})$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return m?.[1] === undefined ? null : `${m[1].slice(0, -6)}.${m[1].slice(-6)}`;
}

/** One page of `list` (already in answer order), from `cursor` on. */
export function page(list: FakeMessage[], cursor: string | undefined, limit: number, order: 'asc' | 'desc'): Page | Problem {
  let start = 0;
  if (cursor !== undefined && cursor !== '') {
    const from = decodeCursor(cursor);
    if (from === null) return { error: 'invalid_cursor' };
    start = list.findIndex((m) => (order === 'desc' ? tsCompare(m.ts, from) <= 0 : tsCompare(m.ts, from) >= 0));
    if (start === -1) start = list.length;
  }
  const messages = list.slice(start, start + limit);
  const next = list[start + limit];
  return { messages, hasMore: next !== undefined, nextCursor: next === undefined ? '' : encodeCursor(next.ts) };
}

function inRange(ts: string, r: Range): boolean {
  if (r.oldest !== undefined) {
    const c = tsCompare(ts, r.oldest);
    if (c < 0 || (c === 0 && r.inclusive !== true)) return false;
  }
  if (r.latest !== undefined) {
    const c = tsCompare(ts, r.latest);
    if (c > 0 || (c === 0 && r.inclusive !== true)) return false;
  }
  return true;
}

const isReply = (m: FakeMessage): boolean => m.thread_ts !== undefined && m.thread_ts !== m.ts;

export class Conversations {
  readonly channels = new Map<string, FakeChannel>();
  private readonly messages = new Map<string, FakeMessage[]>();

  declare(spec: ChannelSpec, created: number): FakeChannel {
    const isMember = spec.isMember ?? true;
    const channel: FakeChannel = {
      id: spec.id,
      name: spec.name,
      isPrivate: spec.isPrivate ?? false,
      isMember,
      archived: spec.archived ?? false,
      memberCount: spec.memberCount ?? (isMember ? 1 : 0),
      created,
    };
    this.channels.set(spec.id, channel);
    return channel;
  }

  /** A declared channel by name, as chat.postMessage accepts ("general" or "#general"). */
  byName(name: string): FakeChannel | undefined {
    const bare = name.replace(/^#/, '');
    return [...this.channels.values()].find((c) => c.name === bare);
  }

  /** Every message of the channel, replies included, oldest first (copies). */
  all(channel: string): FakeMessage[] {
    return (this.messages.get(channel) ?? []).map((m) => structuredClone(m));
  }

  find(channel: string, ts: string): FakeMessage | undefined {
    return (this.messages.get(channel) ?? []).find((m) => tsCompare(m.ts, ts) === 0);
  }

  /**
   * Stores a message. A reply (thread_ts set) joins its thread's root (a thread_ts naming a reply
   * is followed to that reply's root) and updates the root's thread fields; a thread_ts that
   * names no message is kept as given (an orphan reply, seen by no history or replies call).
   */
  insert(channel: string, message: FakeMessage): FakeMessage {
    const list = this.messages.get(channel) ?? [];
    this.messages.set(channel, list);
    if (message.thread_ts !== undefined && message.thread_ts !== message.ts) {
      let root = this.find(channel, message.thread_ts);
      if (root !== undefined && isReply(root)) root = this.find(channel, String(root.thread_ts));
      if (root !== undefined) {
        message.thread_ts = root.ts;
        if (root.user !== undefined) message.parent_user_id = root.user;
        const users = new Set((root.reply_users as string[] | undefined) ?? []);
        if (message.user !== undefined) users.add(message.user);
        const latest = typeof root.latest_reply === 'string' && tsCompare(root.latest_reply, message.ts) > 0 ? root.latest_reply : message.ts;
        Object.assign(root, { thread_ts: root.ts, reply_count: Number(root.reply_count ?? 0) + 1, reply_users_count: users.size, latest_reply: latest, reply_users: [...users], is_locked: false, subscribed: false });
      }
    }
    list.push(message);
    list.sort((a, b) => tsCompare(a.ts, b.ts));
    return message;
  }

  /** conversations.history: top-level messages (and thread broadcasts) in range, newest first. */
  history(channel: string, r: Range, cursor: string | undefined, limit: number): Page | Problem {
    const list = (this.messages.get(channel) ?? []).filter((m) => (!isReply(m) || m.subtype === 'thread_broadcast') && inRange(m.ts, r));
    return page([...list].reverse(), cursor, limit, 'desc');
  }

  /**
   * conversations.replies: the root then its replies in range, oldest first; the root only on
   * the first page. A reply's own ts answers that reply alone (it has no replies of its own).
   */
  replies(channel: string, ts: string, r: Range, cursor: string | undefined, limit: number): Page | Problem {
    const target = this.find(channel, ts);
    if (target === undefined) return { error: 'thread_not_found' };
    if (isReply(target)) return page([target], cursor, limit, 'asc');
    const replies = (this.messages.get(channel) ?? []).filter((m) => m.thread_ts === target.ts && m.ts !== target.ts && inRange(m.ts, r));
    return page([target, ...replies], cursor, limit, 'asc');
  }
}

/** oldest/latest/inclusive as Slack reads them for history and replies. */
function rangeArgs(args: Record<string, unknown>): Range | Problem {
  const oldest = args.oldest === undefined || args.oldest === '' ? undefined : tsArg(args.oldest);
  const latest = args.latest === undefined || args.latest === '' ? undefined : tsArg(args.latest);
  if (oldest === null) return { error: 'invalid_ts_oldest' };
  if (latest === null) return { error: 'invalid_ts_latest' };
  return { ...(oldest !== undefined ? { oldest } : {}), ...(latest !== undefined ? { latest } : {}), inclusive: truthy(args.inclusive) };
}

function pageBody(p: Page, args: Record<string, unknown>): Record<string, unknown> {
  const meta = truthy(args.include_all_metadata);
  return { ok: true, messages: p.messages.map((m) => visible(m, meta)), has_more: p.hasMore, ...(p.hasMore ? { response_metadata: { next_cursor: p.nextCursor } } : {}) };
}

export const isProblem = (v: object): v is Problem => 'error' in v;

/** conversations.history's answer (limit: default 100, at most 999) for a channel the caller may read. */
export function historyAnswer(c: Conversations, channel: string, args: Record<string, unknown>): Record<string, unknown> | Problem {
  const r = rangeArgs(args);
  if (isProblem(r)) return r;
  const p = c.history(channel, r, args.cursor as string | undefined, limitArg(args.limit, 100, 999));
  if (isProblem(p)) return p;
  const echo = { ...(r.oldest !== undefined ? { oldest: args.oldest } : {}), ...(r.latest !== undefined ? { latest: args.latest } : {}) };
  return { ...pageBody(p, args), pin_count: 0, channel_actions_ts: null, channel_actions_count: 0, ...echo };
}

/** conversations.replies' answer (limit: default 1000) for a channel the caller may read. */
export function repliesAnswer(c: Conversations, channel: string, args: Record<string, unknown>): Record<string, unknown> | Problem {
  const ts = tsArg(args.ts);
  if (ts === null) return { error: 'thread_not_found' };
  const r = rangeArgs(args);
  if (isProblem(r)) return r;
  const p = c.replies(channel, ts, r, args.cursor as string | undefined, limitArg(args.limit, 1000, 1000));
  return isProblem(p) ? p : pageBody(p, args);
}

/** A message as history/replies answer it: metadata only when include_all_metadata was passed. */
export function visible(m: FakeMessage, includeMetadata: boolean): FakeMessage {
  const copy = structuredClone(m);
  if (!includeMetadata) delete copy.metadata;
  return copy;
}

const tooLong = (max: number, pointer: string): Problem => ({ error: 'invalid_blocks', message: `must be less than ${max + 1} characters [json-pointer:${pointer}]` });
const tooMany = (max: number, pointer: string): Problem => ({ error: 'invalid_blocks', message: `no more than ${max} items allowed [json-pointer:${pointer}]` });
const textOf = (v: unknown): string | undefined => {
  const t = (v as { text?: unknown } | null | undefined)?.text;
  return typeof t === 'string' ? t : undefined;
};

/**
 * Block Kit limits Slack enforces on chat.postMessage (docs.slack.dev block reference): at most
 * 50 blocks; section text 3000 chars, at most 10 fields of 2000; header text 150; context at
 * most 10 elements, text 3000. Undefined when the blocks pass.
 */
export function blocksProblem(blocks: unknown, max = 50): Problem | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return { error: 'invalid_blocks_format' };
  if (blocks.length > max) return tooMany(max, '/blocks');
  for (const [i, b] of blocks.entries()) {
    const block = b as { type?: unknown; text?: unknown; fields?: unknown; elements?: unknown } | null;
    if (block === null || typeof block !== 'object' || typeof block.type !== 'string') return { error: 'invalid_blocks', message: `missing required field: type [json-pointer:/blocks/${i}]` };
    const text = textOf(block.text);
    if (block.type === 'section') {
      if (text !== undefined && text.length > 3000) return tooLong(3000, `/blocks/${i}/text/text`);
      const fields = Array.isArray(block.fields) ? block.fields : [];
      if (fields.length > 10) return tooMany(10, `/blocks/${i}/fields`);
      const long = fields.findIndex((f) => (textOf(f) ?? '').length > 2000);
      if (long !== -1) return tooLong(2000, `/blocks/${i}/fields/${long}/text`);
    }
    if (block.type === 'header' && text !== undefined && text.length > 150) return tooLong(150, `/blocks/${i}/text/text`);
    if (block.type === 'context') {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length > 10) return tooMany(10, `/blocks/${i}/elements`);
      const long = elements.findIndex((e) => (textOf(e) ?? '').length > 3000);
      if (long !== -1) return tooLong(3000, `/blocks/${i}/elements/${long}/text`);
    }
  }
  return undefined;
}

/**
 * A view for views.open/push/update/publish as Slack checks it: type modal (title and buttons
 * of at most 24 characters, at most 100 blocks) or home (at most 100 blocks), block limits as in messages.
 */
export function viewProblem(view: unknown, method: string): Problem | undefined {
  const v = view as { type?: unknown; title?: unknown; submit?: unknown; close?: unknown; blocks?: unknown; private_metadata?: unknown; callback_id?: unknown } | null;
  if (v === null || typeof v !== 'object') return { error: 'invalid_arguments', message: 'missing required field: view' };
  const wanted = method === 'views.publish' ? 'home' : 'modal';
  if (v.type !== wanted) return { error: 'invalid_arguments', message: `view type must be ${wanted} [json-pointer:/view/type]` };
  if (!Array.isArray(v.blocks)) return { error: 'invalid_arguments', message: 'missing required field: blocks [json-pointer:/view/blocks]' };
  if (wanted === 'modal') {
    for (const k of ['title', 'submit', 'close'] as const) {
      const t = textOf(v[k]);
      if (k === 'title' && t === undefined) return { error: 'invalid_arguments', message: 'missing required field: title [json-pointer:/view/title]' };
      if (t !== undefined && t.length > 24) return tooLong(24, `/view/${k}/text`);
    }
  }
  if (typeof v.private_metadata === 'string' && v.private_metadata.length > 3000) return tooLong(3000, '/view/private_metadata');
  if (typeof v.callback_id === 'string' && v.callback_id.length > 255) return tooLong(255, '/view/callback_id');
  return blocksProblem(v.blocks, 100);
}

/** Message metadata must be {event_type: string, event_payload: object}. */
export function metadataProblem(metadata: unknown): Problem | undefined {
  if (metadata === undefined) return undefined;
  const m = metadata as { event_type?: unknown; event_payload?: unknown } | null;
  const ok = m !== null && typeof m === 'object' && typeof m.event_type === 'string' && m.event_type !== '' && typeof m.event_payload === 'object' && m.event_payload !== null && !Array.isArray(m.event_payload);
  return ok ? undefined : { error: 'invalid_metadata_format' };
}

/**
 * The file's bytes from a multipart/form-data body (the part with a filename, else the first
 * part), or undefined when the body is not multipart. Slack's upload URL takes raw bytes or a
 * multipart form; @slack/web-api 8.2.0 sends a form with one part, "body".
 */
export function multipartFile(body: Buffer, contentType: string | undefined): Buffer | undefined {
  const m = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const boundary = m?.[1] ?? m?.[2];
  if (boundary === undefined) return undefined;
  const first = Buffer.from(`--${boundary}`);
  const delim = Buffer.from(`\r\n--${boundary}`);
  const parts: Array<{ headers: string; data: Buffer }> = [];
  let pos = body.indexOf(first);
  if (pos === -1) return undefined;
  pos += first.length;
  while (body.subarray(pos, pos + 2).toString() !== '--') {
    const end = body.indexOf(delim, pos + 2);
    if (end === -1) break;
    const part = body.subarray(pos + 2, end);
    const sep = part.indexOf('\r\n\r\n');
    if (sep !== -1) parts.push({ headers: part.subarray(0, sep).toString('utf8'), data: part.subarray(sep + 4) });
    pos = end + delim.length;
  }
  return (parts.find((p) => /filename=/i.test(p.headers)) ?? parts[0])?.data;
}

/** A file from files.getUploadURLExternal on: what the app sent and where it was shared. */
export type FileRecord = {
  id: string;
  filename: string;
  length: number;
  altText: string | null;
  snippetType: string | null;
  created: number;
  bytes: Buffer | null;
  title: string | null;
  channel: string | null;
  threadTs: string | null;
  initialComment: string | null;
};

/** What tests read back from uploadedFiles(). */
export type UploadedFile = { id: string; filename: string; title: string | null; altText: string | null; bytes: Buffer; channel: string | null; threadTs: string | null; initialComment: string | null };

/** Uploads: files.getUploadURLExternal hands out ids, the upload URL takes bytes, completion shares them. */
export class Files {
  private readonly byId = new Map<string, FileRecord>();
  private counter = 0;

  /** files.getUploadURLExternal's checks (filename and length required; alt text up to 1000 chars); the new file or Slack's refusal. */
  create(args: Record<string, unknown>, created: number): FileRecord | Problem {
    const filename = typeof args.filename === 'string' ? args.filename : '';
    if (filename === '') return { error: 'invalid_arguments', message: 'missing required field: filename' };
    if (args.length === undefined || args.length === '') return { error: 'invalid_arguments', message: 'missing required field: length' };
    const length = Number(args.length);
    if (!Number.isInteger(length) || length < 0) return { error: 'invalid_arguments', message: 'must be an integer [json-pointer:/length]' };
    if (length === 0) return { error: 'missing_argument' };
    // Slack documents alt_txt; @slack/web-api 8.2.0's filesUploadV2 sends alt_text, which Slack does not read.
    const alt = args.alt_txt;
    if (typeof alt === 'string' && alt.length > 1000) return { error: 'alt_txt_too_large' };
    const id = `F${String((this.counter += 1)).padStart(10, '0')}`;
    const snippet = args.snippet_type;
    const f: FileRecord = { id, filename, length, altText: typeof alt === 'string' ? alt : null, snippetType: typeof snippet === 'string' ? snippet : null, created, bytes: null, title: null, channel: null, threadTs: null, initialComment: null };
    this.byId.set(id, f);
    return f;
  }

  /** Bytes posted to a file's upload URL (raw or multipart); false for an unknown id. */
  receive(id: string, body: Buffer, contentType: string | undefined): number | false {
    const f = this.byId.get(id);
    if (f === undefined) return false;
    f.bytes = multipartFile(body, contentType) ?? body;
    return f.bytes.length;
  }

  /** The files named in files.completeUploadExternal's `files`, titled; file_not_found for an id never uploaded. */
  complete(list: unknown): FileRecord[] | Problem {
    if (!Array.isArray(list) || list.length === 0) return { error: 'invalid_arguments', message: 'missing required field: files' };
    const out: FileRecord[] = [];
    for (const e of list as Array<{ id?: unknown; title?: unknown } | null>) {
      const f = this.byId.get(String(e?.id ?? ''));
      if (f === undefined || f.bytes === null) return { error: 'file_not_found' };
      f.title = typeof e?.title === 'string' && e.title !== '' ? e.title : f.filename;
      out.push(f);
    }
    return out;
  }

  uploaded(): UploadedFile[] {
    return [...this.byId.values()]
      .filter((f) => f.bytes !== null)
      .map((f) => ({ id: f.id, filename: f.filename, title: f.title, altText: f.altText, bytes: Buffer.from(f.bytes ?? []), channel: f.channel, threadTs: f.threadTs, initialComment: f.initialComment }));
  }
}

const MIME: Record<string, [string, string]> = {
  png: ['image/png', 'PNG'],
  jpg: ['image/jpeg', 'JPEG'],
  jpeg: ['image/jpeg', 'JPEG'],
  gif: ['image/gif', 'GIF'],
  svg: ['image/svg+xml', 'SVG'],
  pdf: ['application/pdf', 'PDF'],
  txt: ['text/plain', 'Plain Text'],
  csv: ['text/csv', 'CSV'],
  json: ['application/json', 'JSON'],
};

/**
 * A file object shaped like the one Slack sent in a real file_share event
 * (test/fixtures/slack-api/file.json), for a file the bot uploaded.
 */
export function fileObject(base: Record<string, unknown>, f: FileRecord, o: { user: string; team: string; origin: string }): Record<string, unknown> {
  const ext = /\.([A-Za-z0-9]+)$/.exec(f.filename)?.[1]?.toLowerCase() ?? '';
  const [mimetype, prettyType] = MIME[ext] ?? ['application/octet-stream', 'Binary'];
  const path = `${o.team}-${f.id}/${encodeURIComponent(f.filename)}`;
  const obj: Record<string, unknown> = {
    ...base,
    id: f.id,
    created: f.created,
    timestamp: f.created,
    name: f.filename,
    title: f.title ?? f.filename,
    mimetype,
    filetype: ext === '' ? 'binary' : ext === 'jpeg' ? 'jpg' : ext,
    pretty_type: prettyType,
    user: o.user,
    user_team: o.team,
    editable: false,
    size: f.bytes?.length ?? 0,
    mode: 'hosted',
    is_public: false,
    display_as_bot: false,
    url_private: `${o.origin}/files-pri/${path}`,
    url_private_download: `${o.origin}/files-pri/${o.team}-${f.id}/download/${encodeURIComponent(f.filename)}`,
    permalink: `${o.origin}/files/${o.user}/${f.id}/${encodeURIComponent(f.filename)}`,
    permalink_public: `${o.origin}/${o.team}-${f.id}`,
  };
  for (const k of ['edit_link', 'preview', 'preview_highlight', 'lines', 'lines_more', 'preview_is_truncated']) delete obj[k];
  if (f.altText !== null) obj.alt_txt = f.altText;
  return obj;
}

// conversations.list cursors are base64 of "team:<next channel id>" (a real one: "dGVhbTpDMDYxRkE1UEI=").
const CONVERSATION_TYPES = new Set(['public_channel', 'private_channel', 'mpim', 'im']);

/**
 * conversations.list over the declared channels, by id: `types` (default public_channel;
 * unknown → invalid_types), `exclude_archived`, `limit` (default 100, at most 1000) and a cursor.
 * A private channel the bot is not in is not listed (it does not exist for the bot).
 */
export function listAnswer(c: Conversations, args: Record<string, unknown>, object: (ch: FakeChannel) => Record<string, unknown>): Record<string, unknown> | Problem {
  const types = String(args.types ?? 'public_channel')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (types.length === 0 || types.some((t) => !CONVERSATION_TYPES.has(t))) return { error: 'invalid_types' };
  const wanted = [...c.channels.values()]
    .filter((ch) => (ch.isPrivate ? types.includes('private_channel') && ch.isMember : types.includes('public_channel')))
    .filter((ch) => !(truthy(args.exclude_archived) && ch.archived))
    .sort((a, b) => a.id.localeCompare(b.id));
  let start = 0;
  if (typeof args.cursor === 'string' && args.cursor !== '') {
    const m = /^team:([A-Z0-9]+)$/.exec(Buffer.from(args.cursor, 'base64').toString('utf8'));
    if (m === null) return { error: 'invalid_cursor' };
    start = wanted.findIndex((ch) => ch.id.localeCompare(m[1] as string) >= 0);
    if (start === -1) start = wanted.length;
  }
  const limit = limitArg(args.limit, 100, 1000);
  const next = wanted[start + limit];
  return { ok: true, channels: wanted.slice(start, start + limit).map(object), response_metadata: { next_cursor: next === undefined ? '' : Buffer.from(`team:${next.id}`).toString('base64') } };
}
