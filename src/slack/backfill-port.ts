import { WebClient } from '@slack/web-api';
import type { Logger } from '../logger';
import { quietLogger } from './web-api-logger';
import type { Metrics } from '../metrics';
import type { BackfillSlackPort, HistoryMessage, HistoryPage, ListedChannel } from '../services/slack-port';

export type BackfillPortOptions = {
  token: string;
  /** Web API base URL ending in "/". */
  apiUrl: string;
  logger: Logger;
  metrics?: Metrics;
  /** Messages asked per history/replies page (Slack: at most 999, 200 recommended); default 200. */
  pageSize?: number;
  /**
   * Least time in ms between two calls of one method, to stay inside its tier instead of running
   * into 429s: default 1,200 for history, replies and join (Tier 3: 50 a minute), 3,000 for
   * conversations.list (Tier 2: 20 a minute). 0 turns pacing off (tests).
   */
  paceMs?: number | Partial<Record<PacedMethod, number>>;
  /** Most 429 answers waited out for one call before it fails; default 20. */
  maxRateLimitWaits?: number;
  /** Most 5xx / timeouts / lost connections retried for one call (a doubling backoff); default 4. */
  maxErrorWaits?: number;
  /** Longest single wait in ms (a longer Retry-After is cut to it); default 120 s. */
  maxWaitMs?: number;
  /** One HTTP request's limit in ms; default 30 s. */
  timeoutMs?: number;
  /** Waits (tests pass one that records and returns at once). */
  sleep?: (ms: number) => Promise<void>;
  /** The clock pacing reads (ms); default Date.now. */
  now?: () => number;
};

type PacedMethod = 'conversations.list' | 'conversations.history' | 'conversations.replies' | 'conversations.join';
const PACE: Record<PacedMethod, number> = { 'conversations.list': 3_000, 'conversations.history': 1_200, 'conversations.replies': 1_200, 'conversations.join': 1_200 };
/** conversations.list pages read at most (200 channels each): a cursor loop cannot run forever. */
const MAX_LIST_PAGES = 1_000;

type CallError = { code?: string; retryAfter?: number; statusCode?: number; headers?: Record<string, string>; data?: { error?: string } };
const rateLimited = (e: CallError) => e.code === 'slack_webapi_rate_limited_error';
/** Server errors, timeouts and lost connections: a read can always be asked again. */
const transient = (e: CallError) => (e.code === 'slack_webapi_http_error' && (e.statusCode ?? 0) >= 500) || e.code === 'slack_webapi_request_error';

/**
 * The backfill's Slack calls over its own Web API client, which rejects rate-limited calls at
 * once and retries nothing itself: here a 429 is waited out for its Retry-After (seconds) and
 * asked again, a 5xx or a timeout is retried after a doubling backoff, and calls of one method
 * are spaced to its tier. Every call is a read except conversations.join, which is idempotent.
 */
export function backfillSlackPort(o: BackfillPortOptions): BackfillSlackPort {
  const client = new WebClient(o.token, { slackApiUrl: o.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, timeout: o.timeoutMs ?? 30_000, logger: quietLogger(o.logger) });
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? Date.now;
  const pageSize = o.pageSize ?? 200;
  const maxRateLimitWaits = o.maxRateLimitWaits ?? 20;
  const maxErrorWaits = o.maxErrorWaits ?? 4;
  const maxWaitMs = o.maxWaitMs ?? 120_000;
  const paceOf = (m: PacedMethod) => (typeof o.paceMs === 'number' ? o.paceMs : (o.paceMs?.[m] ?? PACE[m]));
  const lastCall = new Map<PacedMethod, number>();

  const count = (method: string, e: CallError | null) =>
    o.metrics?.slackApiCalls.inc({ method, outcome: e === null ? 'ok' : (e.data?.error ?? (rateLimited(e) ? 'ratelimited' : e.statusCode ? `http_${e.statusCode}` : 'error')) });

  async function call<T>(method: PacedMethod, fn: () => Promise<T>): Promise<T> {
    let limited = 0;
    let failed = 0;
    for (;;) {
      const gap = (lastCall.get(method) ?? -Infinity) + paceOf(method) - now();
      if (gap > 0) await sleep(gap);
      lastCall.set(method, now());
      try {
        const res = await fn();
        count(method, null);
        return res;
      } catch (err) {
        const e = err as CallError;
        count(method, e);
        let ms: number;
        if (rateLimited(e) && limited < maxRateLimitWaits) {
          limited += 1;
          const header = Number(e.retryAfter ?? e.headers?.['retry-after']);
          ms = Math.min(maxWaitMs, Number.isFinite(header) && header >= 0 ? header * 1000 : 30_000);
        } else if (transient(e) && failed < maxErrorWaits) {
          ms = Math.min(maxWaitMs, 1000 * 2 ** failed);
          failed += 1;
        } else {
          throw err;
        }
        o.logger.warn({ method, status: e.statusCode ?? (rateLimited(e) ? 429 : null), wait_ms: ms }, 'Slack asked to wait; retrying');
        await sleep(ms);
      }
    }
  }

  const page = (res: { messages?: unknown[]; has_more?: boolean; response_metadata?: { next_cursor?: string } }): HistoryPage => {
    const next = res.response_metadata?.next_cursor;
    return { messages: (res.messages ?? []) as HistoryMessage[], nextCursor: res.has_more === true && typeof next === 'string' && next !== '' ? next : null };
  };

  return {
    async channels() {
      const out: ListedChannel[] = [];
      let cursor: string | undefined;
      for (let n = 0; n < MAX_LIST_PAGES; n += 1) {
        const at = cursor;
        const res = await call('conversations.list', () => client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 200, ...(at ? { cursor: at } : {}) }));
        for (const c of res.channels ?? []) {
          if (typeof c.id !== 'string' || c.id === '' || c.is_im === true || c.is_mpim === true) continue;
          out.push({ id: c.id, name: c.name ?? null, isPrivate: c.is_private === true, isMember: c.is_member === true, isArchived: c.is_archived === true });
        }
        cursor = res.response_metadata?.next_cursor || undefined;
        if (cursor === undefined) return out;
      }
      throw new Error(`conversations.list gave more than ${MAX_LIST_PAGES} pages`);
    },
    async history(channel, oldestSec, cursor) {
      const res = await call('conversations.history', () => client.conversations.history({ channel, oldest: oldestSec, inclusive: true, limit: pageSize, ...(cursor ? { cursor } : {}) }));
      return page(res);
    },
    async replies(channel, threadTs, cursor) {
      const res = await call('conversations.replies', () => client.conversations.replies({ channel, ts: threadTs, limit: pageSize, ...(cursor ? { cursor } : {}) }));
      return page(res);
    },
    async join(channel) {
      await call('conversations.join', () => client.conversations.join({ channel }));
    },
  };
}
