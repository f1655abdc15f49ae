import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { HTTPModuleFunctions, isRawBodyError } from '@slack/bolt';
import type { Logger } from '../logger';
import { checkPayloadShape } from './payload-shape';

/** Slack's replay window: a request's timestamp may differ from now by at most this, either way. */
export const TIMESTAMP_WINDOW_SECONDS = 5 * 60;

export type EdgeOptions = {
  signingSecret: string;
  bodyLimit: number;
  logger: Logger;
  /** Real time in ms (the transport's clock, as Slack's signer uses: not the app's ASYNC_CHARTER_NOW). */
  now?: () => number;
  /** Called for each body refused with 400 (counted in /metrics). */
  onInvalid?: () => void;
};

type Buffered = IncomingMessage & { rawBody: Buffer };

/**
 * Whether Bolt's HTTPReceiver treats this request as an event delivery: the same test it makes
 * (the URL's pathname against its endpoints, the method upper-cased). Bolt's own signature check
 * is off, so this must never be narrower than Bolt's.
 */
export function isEventsPost(req: Pick<IncomingMessage, 'method' | 'url'>): boolean {
  return (req.method ?? '').toUpperCase() === 'POST' && new URL(req.url ?? '/', 'http://localhost').pathname === '/slack/events';
}

/**
 * Checks a POST to /slack/events before Bolt sees it: the signature, both sides of the 5-minute
 * window (Bolt rejects only old timestamps), then the body's shape (payload-shape.ts; 400). Answers and resolves null when refused; resolves
 * the parsed body (and leaves the bytes buffered on `req`, where Bolt reuses them) when the request may go on.
 */
export async function checkAtEdge(req: IncomingMessage, res: ServerResponse, opts: EdgeOptions): Promise<{ body: unknown } | null> {
  let buffered: Buffered;
  try {
    buffered = (await HTTPModuleFunctions.bufferIncomingMessage(req, opts.bodyLimit)) as Buffered;
  } catch (err) {
    if (isRawBodyError(err) && ((err as { type?: string }).type === 'entity.too.large' || (err as { statusCode?: number }).statusCode === 413)) {
      opts.logger.warn({ limit: opts.bodyLimit }, 'request body over the limit: 413');
      return refuse(res, 413, { close: true });
    }
    opts.logger.warn({ reason: (err as Error).message }, 'request body not read: 400');
    return refuse(res, 400, { close: true });
  }
  const unsigned = verifySignature(buffered, opts.signingSecret);
  if (unsigned !== null) {
    opts.logger.warn({ reason: unsigned }, 'request not verified: 401');
    return refuse(res, 401);
  }
  const header = buffered.headers['x-slack-request-timestamp'];
  // Only ssl_check (unsigned by design, its body stripped by Bolt) gets here without a timestamp.
  if (typeof header === 'string') {
    const ts = Number(header);
    const nowSec = Math.floor((opts.now ?? Date.now)() / 1000);
    if (!Number.isFinite(ts) || Math.abs(nowSec - ts) > TIMESTAMP_WINDOW_SECONDS) {
      opts.logger.warn({ request_timestamp: header, skew_seconds: Number.isFinite(ts) ? ts - nowSec : null }, 'request timestamp outside the 5-minute window: 401');
      return refuse(res, 401);
    }
  }
  let body: unknown;
  try {
    body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
  } catch {
    opts.logger.warn('malformed request body: 400');
    opts.onInvalid?.();
    return refuse(res, 400);
  }
  const shape = checkPayloadShape(body);
  if (!shape.ok) {
    opts.logger.warn({ problems: shape.problems }, 'request body can never be valid: 400');
    opts.onInvalid?.();
    return refuse(res, 400);
  }
  return { body };
}

const SIGNATURE_V0 = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP = /^\d{1,12}$/;

/**
 * Slack's request signature (v0: HMAC-SHA256 of `v0:<timestamp>:<body bytes>` with the signing
 * secret), in place of Bolt's parseAndVerifyHTTPRequest: the same verdicts on what Slack sends,
 * stricter on what it never sends (a timestamp that is not whole seconds, a digest not in lower-case
 * hex, an empty secret), compared in constant time with Node's timingSafeEqual (Bolt's tsscmp draws
 * random bytes and hashes both sides again on every request).
 * ssl_check posts are unsigned by design: as Bolt does, their body is cut down to `ssl_check=1`
 * so that nothing smuggled with one is read. Returns null when verified, else why not.
 */
export function verifySignature(req: Buffered, signingSecret: string): string | null {
  // Bolt refused an empty secret; with its check off, nothing else would (anyone can sign with '').
  if (signingSecret === '') return 'no signing secret configured';
  if (req.headers['content-type'] === 'application/x-www-form-urlencoded' && parseQuery(req.rawBody.toString()).ssl_check === '1') {
    req.rawBody = Buffer.from('ssl_check=1');
    return null;
  }
  const signature = req.headers['x-slack-signature'];
  const timestamp = req.headers['x-slack-request-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string') return 'x-slack-signature or x-slack-request-timestamp missing';
  // Whole seconds, as Slack sends them: a colon in it would let the signed text split at another place.
  if (!TIMESTAMP.test(timestamp)) return 'x-slack-request-timestamp is not a number of seconds';
  if (!signature.startsWith('v0=')) return 'unknown signature version';
  // Slack writes the digest as 64 lower-case hex digits; anything else cannot match.
  if (!SIGNATURE_V0.test(signature)) return 'signature mismatch';
  // Over the bytes as they came (Slack signs bytes; Bolt then reads the same bytes).
  const expected = createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(req.rawBody).digest();
  return timingSafeEqual(Buffer.from(signature.slice(3), 'hex'), expected) ? null : 'signature mismatch';
}

function refuse(res: ServerResponse, status: number, opts: { close?: boolean } = {}): null {
  if (!res.headersSent) {
    // A body left unread (over the limit, or broken off) leaves the connection unusable: say so, and close it after the answer.
    res.writeHead(status, opts.close === true ? { connection: 'close' } : {});
    res.end();
  }
  return null;
}
