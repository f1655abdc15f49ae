import { LogLevel, WebClient, type Logger } from '@slack/web-api';
import { FakeSlack } from '../helpers/fake-slack';

// The fake Slack Web API driven by the real @slack/web-api client, so that what the app's own
// client sends (form bodies, JSON-string fields, multipart uploads) is what the fake reads.

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, setLevel: () => undefined, getLevel: () => LogLevel.ERROR, setName: () => undefined };

/** Slack's error code of a failed call, or "ok". */
async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return (err as { data?: { error?: string } }).data?.error ?? String(err);
  }
}

const DIGEST = 'C0DIGEST01';
const meta = { event_type: 'async_charter_digest', event_payload: { team_id: 'T0TEAM0001', week_start: '2026-01-05' } };
/** A PNG header plus bytes a careless multipart parser would trip on (CRLF, dashes, NUL). */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('\r\n--\r\n\r\n------formdata-undici-0\r\n'), Buffer.alloc(300, 0), Buffer.from([0xff, 0xfe])]);

describe('FakeSlack against @slack/web-api 8.2.0', () => {
  let fake: FakeSlack;
  let client: WebClient;
  let clock: number;

  beforeEach(async () => {
    fake = await new FakeSlack().start();
    clock = Date.UTC(2026, 0, 5, 9, 0, 0);
    fake.now = () => clock;
    fake.addChannel({ id: DIGEST, name: 'team-health' });
    client = new WebClient(fake.token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logger: quiet });
  });
  afterEach(async () => {
    await fake.stop();
  });

  it('stores a posted message with its metadata; history shows metadata only with include_all_metadata', async () => {
    const res = await client.chat.postMessage({ channel: DIGEST, text: 'Weekly health', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Weekly*' } }], metadata: meta, unfurl_links: false });
    expect(res).toMatchObject({ ok: true, channel: DIGEST, message: { type: 'message', user: fake.botUserId, bot_id: fake.botId, text: 'Weekly health', metadata: meta } });
    // The injected clock sets the ts (2026-01-05T09:00:00Z).
    expect(res.ts).toMatch(/^1767603600\.\d{6}$/);

    const plain = await client.conversations.history({ channel: DIGEST });
    expect(plain).toMatchObject({ ok: true, has_more: false, pin_count: 0 });
    expect(plain.messages).toHaveLength(1);
    expect(plain.messages?.[0]).toMatchObject({ ts: res.ts, text: 'Weekly health' });
    expect(plain.messages?.[0]).not.toHaveProperty('metadata');

    const withMeta = await client.conversations.history({ channel: DIGEST, include_all_metadata: true, oldest: '1767600000.000000' });
    expect(withMeta.messages?.[0]?.metadata).toEqual(meta);
    expect(fake.messagesIn(DIGEST)).toEqual([expect.objectContaining({ ts: res.ts, metadata: meta })]);

    // A JSON body carries metadata as an object rather than a string.
    const json = await fetch(`${fake.apiUrl}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ channel: DIGEST, text: 'again', metadata: meta }) });
    expect(await json.json()).toMatchObject({ ok: true, message: { metadata: meta } });
  });

  it('pages history newest first over more than two pages, and honours oldest/latest/inclusive', async () => {
    const ts: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      clock += 60_000;
      ts.push(String((await client.chat.postMessage({ channel: DIGEST, text: `m${i}` })).ts));
    }
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await client.conversations.history({ channel: DIGEST, limit: 3, ...(cursor ? { cursor } : {}) });
      pages.push((page.messages ?? []).map((m) => String(m.text)));
      expect(page.has_more).toBe(pages.length < 3);
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor !== undefined);
    expect(pages).toEqual([
      ['m6', 'm5', 'm4'],
      ['m3', 'm2', 'm1'],
      ['m0'],
    ]);

    // The client's own paginate() follows the same cursors.
    let seen = 0;
    for await (const page of client.paginate('conversations.history', { channel: DIGEST, limit: 3 })) seen += (page as { messages?: unknown[] }).messages?.length ?? 0;
    expect(seen).toBe(7);

    const texts = async (o: Record<string, unknown>) => ((await client.conversations.history({ channel: DIGEST, ...o })).messages ?? []).map((m) => m.text);
    expect(await texts({ oldest: ts[4], latest: ts[6] })).toEqual(['m5']);
    expect(await texts({ oldest: ts[4], latest: ts[6], inclusive: true })).toEqual(['m6', 'm5', 'm4']);
    expect(await errorOf(client.conversations.history({ channel: DIGEST, oldest: 'yesterday' }))).toBe('invalid_ts_oldest');
    expect(await errorOf(client.conversations.history({ channel: DIGEST, cursor: 'bm9wZQ==' }))).toBe('invalid_cursor');
  });

  it('keeps threads: replies answers the parent then its replies; history shows only top level and broadcasts', async () => {
    const parent = String((await client.chat.postMessage({ channel: DIGEST, text: 'digest' })).ts);
    fake.addMessage(DIGEST, { user: 'U0ANA00001', text: 'first reply', thread_ts: parent });
    await client.chat.postMessage({ channel: DIGEST, text: 'second reply', thread_ts: parent });
    await client.chat.postMessage({ channel: DIGEST, text: 'also here', thread_ts: parent, reply_broadcast: true });

    const thread = await client.conversations.replies({ channel: DIGEST, ts: parent });
    expect((thread.messages ?? []).map((m) => m.text)).toEqual(['digest', 'first reply', 'second reply', 'also here']);
    expect(thread.messages?.[0]).toMatchObject({ ts: parent, thread_ts: parent, reply_count: 3, reply_users_count: 2, reply_users: ['U0ANA00001', fake.botUserId] });
    expect(thread.messages?.[1]).toMatchObject({ thread_ts: parent, parent_user_id: fake.botUserId });

    const paged = await client.conversations.replies({ channel: DIGEST, ts: parent, limit: 2 });
    expect((paged.messages ?? []).map((m) => m.text)).toEqual(['digest', 'first reply']);
    const rest = await client.conversations.replies({ channel: DIGEST, ts: parent, limit: 2, cursor: String(paged.response_metadata?.next_cursor) });
    expect((rest.messages ?? []).map((m) => m.text)).toEqual(['second reply', 'also here']);
    expect(rest.has_more).toBe(false);

    const top = await client.conversations.history({ channel: DIGEST });
    expect((top.messages ?? []).map((m) => [m.text, m.subtype])).toEqual([
      ['also here', 'thread_broadcast'],
      ['digest', undefined],
    ]);
    expect(await errorOf(client.conversations.replies({ channel: DIGEST, ts: '1767603600.999999' }))).toBe('thread_not_found');
  });

  it('refuses a public channel the bot is not in until it joins', async () => {
    fake.addChannel({ id: 'C0OPEN0001', name: 'open', isMember: false, memberCount: 12 });
    expect(await errorOf(client.chat.postMessage({ channel: 'C0OPEN0001', text: 'hi' }))).toBe('not_in_channel');
    expect(await errorOf(client.conversations.history({ channel: 'C0OPEN0001' }))).toBe('not_in_channel');
    const before = await client.conversations.info({ channel: 'C0OPEN0001', include_num_members: true });
    expect(before.channel).toMatchObject({ id: 'C0OPEN0001', name: 'open', is_member: false, is_private: false, is_channel: true, num_members: 12 });
    expect((await client.conversations.info({ channel: 'C0OPEN0001' })).channel).not.toHaveProperty('num_members');

    const joined = await client.conversations.join({ channel: 'C0OPEN0001' });
    expect(joined).toMatchObject({ ok: true, channel: { id: 'C0OPEN0001', is_member: true } });
    expect(joined).not.toHaveProperty('warning');
    expect(await client.conversations.join({ channel: 'C0OPEN0001' })).toMatchObject({ ok: true, warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } });
    expect(await errorOf(client.chat.postMessage({ channel: 'C0OPEN0001', text: 'hi' }))).toBe('ok');
    expect((await client.conversations.info({ channel: 'C0OPEN0001', include_num_members: true })).channel).toMatchObject({ is_member: true, num_members: 13 });
    expect(fake.messagesIn('C0OPEN0001').map((m) => m.text)).toEqual(['hi']);
  });

  it('hides private channels the bot is not in, refuses to join them, and refuses archived channels', async () => {
    fake.addChannel({ id: 'C0SECRET01', name: 'secret', isPrivate: true, isMember: false });
    expect(await errorOf(client.conversations.join({ channel: 'C0SECRET01' }))).toBe('method_not_supported_for_channel_type');
    expect(await errorOf(client.chat.postMessage({ channel: 'C0SECRET01', text: 'hi' }))).toBe('channel_not_found');
    expect(await errorOf(client.conversations.info({ channel: 'C0SECRET01' }))).toBe('channel_not_found');

    fake.addChannel({ id: 'C0INSIDE01', name: 'inside', isPrivate: true });
    expect((await client.conversations.info({ channel: 'C0INSIDE01' })).channel).toMatchObject({ is_private: true, is_member: true });
    expect(await errorOf(client.chat.postMessage({ channel: 'C0INSIDE01', text: 'hi' }))).toBe('ok');

    fake.addChannel({ id: 'C0OLD00001', name: 'old', archived: true, isMember: false });
    expect(await errorOf(client.conversations.join({ channel: 'C0OLD00001' }))).toBe('is_archived');
    fake.addChannel({ id: 'C0OLD00002', name: 'old-in', archived: true });
    expect(await errorOf(client.chat.postMessage({ channel: 'C0OLD00002', text: 'hi' }))).toBe('is_archived');
    expect((await client.conversations.info({ channel: 'C0OLD00002' })).channel).toMatchObject({ is_archived: true });
  });

  it("validates messages like Slack: text or blocks, Block Kit limits, metadata, channel", async () => {
    expect(await errorOf(client.chat.postMessage({ channel: DIGEST } as never))).toBe('no_text');
    const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
    expect(await errorOf(client.chat.postMessage({ channel: DIGEST, text: 't', blocks: Array.from({ length: 50 }, () => section('x')) }))).toBe('ok');
    const tooMany = client.chat.postMessage({ channel: DIGEST, text: 't', blocks: Array.from({ length: 51 }, () => section('x')) });
    await expect(tooMany).rejects.toMatchObject({ data: { error: 'invalid_blocks', response_metadata: { messages: ['[ERROR] no more than 50 items allowed [json-pointer:/blocks]'] } } });
    expect(await errorOf(client.chat.postMessage({ channel: DIGEST, text: 't', blocks: [section('x'.repeat(3000))] }))).toBe('ok');
    const long = client.chat.postMessage({ channel: DIGEST, text: 't', blocks: [section('x'.repeat(3001))] });
    await expect(long).rejects.toMatchObject({ data: { error: 'invalid_blocks', response_metadata: { messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'] } } });
    expect(await errorOf(client.chat.postMessage({ channel: DIGEST, text: 't', blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: 'y'.repeat(3001) }] }] }))).toBe('invalid_blocks');
    expect(await errorOf(client.chat.postMessage({ channel: DIGEST, text: 't', metadata: { event_type: 'x' } as never }))).toBe('invalid_metadata_format');
    expect(await errorOf(client.chat.postMessage({ channel: 'no-such-channel', text: 't' }))).toBe('channel_not_found');
    // A declared channel's name works as Slack allows for chat.postMessage; the answer names the id.
    expect((await client.chat.postMessage({ channel: '#team-health', text: 'by name' })).channel).toBe(DIGEST);
    // Undeclared ids behave as channels the bot is in, unless the fake is strict.
    expect(await errorOf(client.chat.postMessage({ channel: 'C0ELSEWHERE', text: 't' }))).toBe('ok');
    fake.strictChannels = true;
    expect(await errorOf(client.chat.postMessage({ channel: 'C0ELSEWHERE', text: 't' }))).toBe('channel_not_found');
    expect(fake.messagesIn(DIGEST).map((m) => m.text)).toEqual(['t', 't', 'by name']);
  });

  it('uploads a chart with filesUploadV2 into a thread: bytes, alt text and the thread file message', async () => {
    const parent = String((await client.chat.postMessage({ channel: DIGEST, text: 'digest', metadata: meta })).ts);
    clock += 5_000;
    const res = await client.filesUploadV2({ channel_id: DIGEST, thread_ts: parent, file: PNG, filename: 'chart.png', title: 'Response times', alt_text: 'Bar chart of median response times', initial_comment: 'This week in one picture' });
    const completions = (res as unknown as { files: Array<{ ok: boolean; files: Array<Record<string, unknown>> }> }).files;
    expect(completions).toHaveLength(1);
    const file = completions[0]?.files[0];
    expect(file).toMatchObject({ name: 'chart.png', title: 'Response times', mimetype: 'image/png', filetype: 'png', size: PNG.length, shares: {} });
    // Slack reads the description as alt_txt; filesUploadV2 sends alt_text, so it is lost (the app sends alt_txt itself).
    expect(file).not.toHaveProperty('alt_txt');

    // What the client sent: filename and length (a form string), and alt text as alt_text.
    expect(fake.callsTo('files.getUploadURLExternal')[0]?.args).toMatchObject({ filename: 'chart.png', length: String(PNG.length), alt_text: 'Bar chart of median response times' });
    expect(String(fake.callsTo('upload_url')[0]?.args.content_type)).toMatch(/^multipart\/form-data; boundary=/);
    expect(fake.callsTo('files.completeUploadExternal')[0]?.args).toMatchObject({ channel_id: DIGEST, thread_ts: parent, initial_comment: 'This week in one picture', files: [{ id: file?.id, title: 'Response times' }] });

    const uploaded = fake.uploadedFiles();
    expect(uploaded).toHaveLength(1);
    expect(uploaded[0]).toMatchObject({ id: file?.id, filename: 'chart.png', title: 'Response times', altText: null, channel: DIGEST, threadTs: parent, initialComment: 'This week in one picture' });
    expect(uploaded[0]?.bytes.equals(PNG)).toBe(true);

    const thread = await client.conversations.replies({ channel: DIGEST, ts: parent });
    expect(thread.messages).toHaveLength(2);
    expect(thread.messages?.[1]).toMatchObject({ subtype: 'file_share', text: 'This week in one picture', thread_ts: parent, user: fake.botUserId, upload: true, files: [{ id: file?.id, name: 'chart.png', mimetype: 'image/png', size: PNG.length }] });
    expect(thread.messages?.[1]?.ts).toMatch(/^1767603605\./);
    // The file message is a reply, so the channel's top level still holds only the digest.
    expect((await client.conversations.history({ channel: DIGEST })).messages?.map((m) => m.text)).toEqual(['digest']);
  });

  it('refuses uploads like Slack: required arguments, unknown files, channels the bot is not in', async () => {
    const missing = client.files.getUploadURLExternal({ length: 10 } as never);
    await expect(missing).rejects.toMatchObject({ data: { error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: filename'] } } });
    expect(await errorOf(client.files.getUploadURLExternal({ filename: 'a.png' } as never))).toBe('invalid_arguments');
    expect(await errorOf(client.files.getUploadURLExternal({ filename: 'a.png', length: 0 }))).toBe('missing_argument');
    const ticket = await client.files.getUploadURLExternal({ filename: 'a.png', length: 3 });
    expect(ticket.upload_url).toBe(`${fake.apiUrl.replace(/api\/$/, '')}upload/v1/${ticket.file_id}`);
    // Never uploaded: completing it fails.
    expect(await errorOf(client.files.completeUploadExternal({ files: [{ id: String(ticket.file_id) }], channel_id: DIGEST }))).toBe('file_not_found');
    expect(await errorOf(client.files.completeUploadExternal({ files: [{ id: 'F0NOSUCH01' }] }))).toBe('file_not_found');

    fake.addChannel({ id: 'C0OPEN0001', name: 'open', isMember: false });
    expect(await errorOf(client.filesUploadV2({ channel_id: 'C0OPEN0001', file: PNG, filename: 'chart.png' }))).toBe('not_in_channel');
    expect(await errorOf(client.filesUploadV2({ channel_id: 'C1', file: PNG, filename: 'chart.png' }))).toBe('invalid_arguments');
    expect(fake.messagesIn('C0OPEN0001')).toEqual([]);

    // An upload URL that fails (overridden) fails filesUploadV2 before completion.
    const completions = fake.callsTo('files.completeUploadExternal').length;
    fake.override('upload_url', { status: 500, body: { error: 'boom' } });
    await expect(client.filesUploadV2({ channel_id: DIGEST, file: PNG, filename: 'chart.png' })).rejects.toMatchObject({ code: 'slack_webapi_http_error', statusCode: 500 });
    expect(fake.callsTo('files.completeUploadExternal')).toHaveLength(completions);
  });

  it('answers 429 with Retry-After, which a client with the default retry policy waits out', async () => {
    const patient = new WebClient(fake.token, { slackApiUrl: fake.apiUrl, logger: quiet });
    fake.rateLimit('chat.postMessage', 1);
    const res = await patient.chat.postMessage({ channel: DIGEST, text: 'after the wait' });
    expect(res.ok).toBe(true);
    const calls = fake.callsTo('chat.postMessage');
    expect(calls).toHaveLength(2);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect(fake.messagesIn(DIGEST).map((m) => m.text)).toEqual(['after the wait']);
    // A client that rejects rate-limited calls sees the wait Slack asked for.
    fake.rateLimit('chat.postMessage', 7);
    const hasty = new WebClient(fake.token, { slackApiUrl: fake.apiUrl, rejectRateLimitedCalls: true, logger: quiet });
    await expect(hasty.chat.postMessage({ channel: DIGEST, text: 'x' })).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
  });
});
