import { WebClient, type WebAPICallResult } from '@slack/web-api';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { DigestSlackPort } from '../services/slack-port';
import { DIGEST_EVENT_TYPE, digestMessage, digestMetadata } from './blocks/digest';

export type DigestPortOptions = {
  token: string;
  /** Web API base URL ending in "/". */
  apiUrl: string;
  logger: Logger;
  metrics?: Metrics;
  /** Most waits for one call (429 Retry-After, 5xx backoff) before it fails; default 6. */
  maxWaits?: number;
  /** Longest single wait in ms (a Retry-After beyond it is cut to it); default 60 s. */
  maxWaitMs?: number;
  /** Waits (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
};

const HISTORY_PAGES = 10;

/**
 * The digest's Slack calls over its own Web API client. The client rejects rate-limited calls
 * at once and retries nothing itself; `call` waits out 429 (Retry-After) and 5xx answers
 * (Retry-After when given, else a doubling backoff), so a slow Slack delays the digest and never
 * loses it.
 */
export function digestSlackPort(o: DigestPortOptions): DigestSlackPort {
  const client = new WebClient(o.token, { slackApiUrl: o.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, logger: quietLogger(o.logger) });
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxWaits = o.maxWaits ?? 6;
  const maxWaitMs = o.maxWaitMs ?? 60_000;

  async function call<T extends WebAPICallResult>(method: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const res = await fn();
        o.metrics?.slackApiCalls.inc({ method, outcome: 'ok' });
        return res;
      } catch (err) {
        const e = err as { code?: string; retryAfter?: number; statusCode?: number; headers?: Record<string, string>; data?: { error?: string } };
        const waitable = e.code === 'slack_webapi_rate_limited_error' || (e.code === 'slack_webapi_http_error' && (e.statusCode ?? 0) >= 500);
        o.metrics?.slackApiCalls.inc({ method, outcome: e.data?.error ?? (e.code === 'slack_webapi_rate_limited_error' ? 'ratelimited' : e.statusCode ? `http_${e.statusCode}` : 'error') });
        if (!waitable || attempt >= maxWaits) throw err;
        const header = Number(e.retryAfter ?? e.headers?.['retry-after']);
        const ms = Math.min(maxWaitMs, Number.isFinite(header) && header > 0 ? header * 1000 : 1000 * 2 ** attempt);
        o.logger.warn({ method, status: e.statusCode ?? 429, wait_ms: ms }, 'Slack asked to wait; retrying');
        await sleep(ms);
      }
    }
  }

  return {
    async postDigest(channel, digest) {
      const { text, blocks } = digestMessage(digest);
      const res = await call('chat.postMessage', () =>
        client.chat.postMessage({ channel, text, blocks, unfurl_links: false, unfurl_media: false, metadata: digestMetadata(digest.team_id ?? '', digest.week_start) }),
      );
      return String(res.ts);
    },
    async findDigest(channel, teamId, weekStart, oldest) {
      let cursor: string | undefined;
      for (let page = 0; page < HISTORY_PAGES; page += 1) {
        const res = await call('conversations.history', () =>
          client.conversations.history({ channel, oldest: (oldest / 1000).toFixed(6), include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) }),
        );
        const hit = (res.messages ?? []).find((m) => {
          const meta = (m as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }).metadata;
          return meta?.event_type === DIGEST_EVENT_TYPE && meta.event_payload?.team_id === teamId && meta.event_payload?.week_start === weekStart;
        });
        if (hit?.ts) return hit.ts;
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!res.has_more || cursor === undefined) return null;
      }
      return null;
    },
    // The three steps of Slack's upload API done here rather than with filesUploadV2: web-api
    // 8.2 sends the image description as `alt_text`, while files.getUploadURLExternal reads `alt_txt`.
    async uploadChart(channel, threadTs, png, meta) {
      const url = (await call('files.getUploadURLExternal', () => client.apiCall('files.getUploadURLExternal', { filename: meta.filename, length: png.length, alt_txt: meta.altText }))) as WebAPICallResult & { upload_url?: string; file_id?: string };
      if (!url.upload_url || !url.file_id) throw new Error('files.getUploadURLExternal answered without an upload URL');
      const uploadUrl = url.upload_url;
      await call('upload', async () => {
        const res = await fetch(uploadUrl, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: png });
        await res.arrayBuffer();
        if (res.status !== 200) throw Object.assign(new Error(`file upload answered HTTP ${res.status}`), { code: 'slack_webapi_http_error', statusCode: res.status, headers: Object.fromEntries(res.headers.entries()) });
        return { ok: true };
      });
      await call('files.completeUploadExternal', () => client.files.completeUploadExternal({ files: [{ id: url.file_id as string, title: meta.title }], channel_id: channel, thread_ts: threadTs }));
      return url.file_id;
    },
    async findChart(channel, threadTs) {
      const res = await call('conversations.replies', () => client.conversations.replies({ channel, ts: threadTs, limit: 200 }));
      for (const m of res.messages ?? []) {
        const file = (m.files ?? []).find((f) => f.id !== undefined && f.name?.startsWith('async-health-'));
        if (file?.id) return file.id;
      }
      return null;
    },
    async channelInfo(channel) {
      try {
        const res = await call('conversations.info', () => client.conversations.info({ channel, include_num_members: true }));
        const c = res.channel;
        if (c === undefined) return null;
        return { id: channel, name: c.name ?? null, members: typeof c.num_members === 'number' ? c.num_members : null, isPrivate: c.is_private === true, isMember: c.is_member === true, isArchived: c.is_archived === true };
      } catch (err) {
        if ((err as { data?: { error?: string } }).data?.error === 'channel_not_found') return null;
        throw err;
      }
    },
    async joinChannel(channel) {
      await call('conversations.join', () => client.conversations.join({ channel }));
    },
  };
}

/** web-api's own logger, sent to ours at debug level (its info lines would repeat ours). */
function quietLogger(logger: Logger) {
  const child = logger.child({ module: 'web-api' });
  return {
    debug: () => undefined,
    info: (...msg: unknown[]) => child.debug(msg.map(String).join(' ')),
    warn: (...msg: unknown[]) => child.warn(msg.map(String).join(' ')),
    error: (...msg: unknown[]) => child.error(msg.map(String).join(' ')),
    setLevel: () => undefined,
    getLevel: () => 'info' as never,
    setName: () => undefined,
  };
}
