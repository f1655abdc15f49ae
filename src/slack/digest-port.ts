import { WebClient, type WebAPICallResult } from '@slack/web-api';
import type { Logger } from '../logger';
import { quietLogger } from './web-api-logger';
import type { Metrics } from '../metrics';
import type { DigestSlackPort } from '../services/slack-port';
import { DIGEST_EVENT_TYPE, digestMessage, digestMetadata } from './blocks/digest';

export type DigestPortOptions = {
  token: string;
  /** Web API base URL ending in "/". */
  apiUrl: string;
  logger: Logger;
  metrics?: Metrics;
  /** Most waits for one call (429 Retry-After, 5xx backoff) before it fails; default 4. */
  maxWaits?: number;
  /** Longest single wait in ms (a Retry-After beyond it is cut to it); default 60 s. */
  maxWaitMs?: number;
  /** One HTTP request's limit in ms; default 30 s. */
  timeoutMs?: number;
  /** Waits (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
};

const HISTORY_PAGES = 10;
/** Files the digest shares are named so; findChart knows them by it. */
const CHART_PREFIX = 'async-health-';

type CallError = { code?: string; retryAfter?: number; statusCode?: number; headers?: Record<string, string>; data?: { error?: string } };
/** Slack did not take the call (429): waiting and calling again is always safe. */
const rateLimited = (e: CallError) => e.code === 'slack_webapi_rate_limited_error';
/** Slack may or may not have done it (5xx, timeout, connection lost): a write must be checked before it is made again. */
const uncertain = (e: CallError) => (e.code === 'slack_webapi_http_error' && (e.statusCode ?? 0) >= 500) || e.code === 'slack_webapi_request_error';

/**
 * The workspace a bot token speaks for (auth.test's team_id, SPEC §7 "the team"), or why Slack
 * would not say (its error code, or the request's). Posting checks it first, so that a store
 * holding several teams never posts one team's figures into another's workspace.
 */
export async function tokenTeam(o: Pick<DigestPortOptions, 'token' | 'apiUrl' | 'logger' | 'timeoutMs'>): Promise<{ ok: true; teamId: string } | { ok: false; error: string }> {
  const client = new WebClient(o.token, { slackApiUrl: o.apiUrl, retryConfig: { retries: 2, minTimeout: 500, maxTimeout: 2_000 }, timeout: o.timeoutMs ?? 30_000, logger: quietLogger(o.logger) });
  try {
    const r = await client.auth.test();
    if (typeof r.team_id !== 'string' || r.team_id === '') return { ok: false, error: 'auth.test gave no team_id' };
    return { ok: true, teamId: r.team_id };
  } catch (err) {
    const e = err as CallError & { message?: string };
    return { ok: false, error: e.data?.error ?? (e.statusCode ? `HTTP ${e.statusCode}` : (e.code ?? e.message ?? 'no answer')) };
  }
}

/**
 * The digest's Slack calls over its own Web API client, which rejects rate-limited calls at once
 * and retries nothing itself. Reads wait out 429 and 5xx (Retry-After when given, else a doubling
 * backoff). Writes (the post, the file share) wait out 429; after a 5xx or a timeout they first
 * look whether Slack did it after all (by the message's metadata, by the chart in the thread)
 * and only then try again, so an answer lost on the way never makes a second post.
 */
export function digestSlackPort(o: DigestPortOptions): DigestSlackPort {
  const client = new WebClient(o.token, { slackApiUrl: o.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, timeout: o.timeoutMs ?? 30_000, logger: quietLogger(o.logger) });
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxWaits = o.maxWaits ?? 4;
  const maxWaitMs = o.maxWaitMs ?? 60_000;

  const waitFor = (e: CallError, attempt: number) => {
    const header = Number(e.retryAfter ?? e.headers?.['retry-after']);
    return Math.min(maxWaitMs, Number.isFinite(header) && header > 0 ? header * 1000 : 1000 * 2 ** attempt);
  };
  const count = (method: string, e: CallError | null) =>
    o.metrics?.slackApiCalls.inc({ method, outcome: e === null ? 'ok' : (e.data?.error ?? (rateLimited(e) ? 'ratelimited' : e.statusCode ? `http_${e.statusCode}` : 'error')) });

  /** A call; `verify` (for writes) says whether an uncertain failure took effect after all. */
  async function call<T>(method: string, fn: () => Promise<T>, verify?: () => Promise<T | null>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const res = await fn();
        count(method, null);
        return res;
      } catch (err) {
        const e = err as CallError;
        count(method, e);
        if (!(rateLimited(e) || uncertain(e)) || attempt >= maxWaits) throw err;
        const ms = waitFor(e, attempt);
        o.logger.warn({ method, status: e.statusCode ?? (rateLimited(e) ? 429 : null), wait_ms: ms }, 'Slack asked to wait; retrying');
        await sleep(ms);
        if (verify !== undefined && uncertain(e)) {
          const done = await verify();
          if (done !== null) return done;
        }
      }
    }
  }

  async function findDigest(channel: string, teamId: string, weekStart: string, oldest: number): Promise<string | null> {
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
  }

  async function findChart(channel: string, threadTs: string): Promise<string | null> {
    const res = await call('conversations.replies', () => client.conversations.replies({ channel, ts: threadTs, limit: 200 }));
    for (const m of res.messages ?? []) {
      const file = (m.files ?? []).find((f) => f.id !== undefined && f.name?.startsWith(CHART_PREFIX));
      if (file?.id) return file.id;
    }
    return null;
  }

  return {
    async postDigest(channel, teamId, digest, since) {
      const { text, blocks } = digestMessage(digest);
      const metadata = digestMetadata(teamId, digest.week_start);
      return call(
        'chat.postMessage',
        async () => String((await client.chat.postMessage({ channel, text, blocks, unfurl_links: false, unfurl_media: false, metadata })).ts),
        () => findDigest(channel, teamId, digest.week_start, since),
      );
    },
    findDigest,
    // The three steps of Slack's upload API done here rather than with filesUploadV2: web-api
    // 8.2 sends the image description as `alt_text`, while files.getUploadURLExternal reads `alt_txt`.
    async uploadChart(channel, threadTs, png, meta) {
      const filename = `${CHART_PREFIX}${meta.weekStart}.png`;
      const url = await call('files.getUploadURLExternal', async () => (await client.apiCall('files.getUploadURLExternal', { filename, length: png.length, alt_txt: meta.altText })) as WebAPICallResult & { upload_url?: string; file_id?: string });
      if (!url.upload_url || !url.file_id) throw new Error('files.getUploadURLExternal answered without an upload URL');
      const uploadUrl = url.upload_url;
      const fileId = url.file_id;
      await call('upload', async () => {
        const res = await fetch(uploadUrl, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: png, signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) });
        await res.arrayBuffer();
        if (res.status !== 200) throw Object.assign(new Error(`file upload answered HTTP ${res.status}`), { code: 'slack_webapi_http_error', statusCode: res.status, headers: Object.fromEntries(res.headers.entries()) });
      });
      return call(
        'files.completeUploadExternal',
        async () => (await client.files.completeUploadExternal({ files: [{ id: fileId, title: meta.title }], channel_id: channel, thread_ts: threadTs }), fileId),
        () => findChart(channel, threadTs),
      );
    },
    findChart,
    async channelInfo(channel) {
      try {
        const res = await call('conversations.info', () => client.conversations.info({ channel, include_num_members: true }));
        const c = res.channel;
        if (c === undefined) return null;
        return { id: channel, name: c.name ?? null, members: typeof c.num_members === 'number' ? c.num_members : null, isPrivate: c.is_private === true, isMember: c.is_member === true, isArchived: c.is_archived === true };
      } catch (err) {
        if ((err as CallError).data?.error === 'channel_not_found') return null;
        throw err;
      }
    },
    async joinChannel(channel) {
      await call('conversations.join', () => client.conversations.join({ channel }));
    },
  };
}
