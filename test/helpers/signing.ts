import { createHmac } from 'node:crypto';

/** Slack's v0 request signature: v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}") in hex. */
export function slackSignature(secret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export type SignedRequest = { headers: Record<string, string>; body: string };

/** Headers Slack sends with a request: content type, timestamp and signature (and retry headers when given). */
export function signedRequest(
  secret: string,
  body: string,
  opts: { timestamp?: number; contentType?: string; retryNum?: number; retryReason?: string } = {},
): SignedRequest {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': opts.contentType ?? 'application/json',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(secret, timestamp, body),
  };
  if (opts.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(opts.retryNum);
    headers['x-slack-retry-reason'] = opts.retryReason ?? 'http_error';
  }
  return { headers, body };
}
