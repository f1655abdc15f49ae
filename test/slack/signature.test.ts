import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { verifySlackRequest } from '@slack/bolt';
import { verifySignature } from '../../src/slack/edge';
import { slackSignature } from '../helpers/signing';

/**
 * The edge checks Slack's v0 signature itself (Bolt's check is off): the same verdicts as Bolt's
 * verifySlackRequest, compared in constant time, and ssl_check posts cut down as Bolt cuts them.
 */

const SECRET = 'signing-secret-for-tests-0123456789';
const TS = '1764590400';

type Buffered = IncomingMessage & { rawBody: Buffer };
const req = (body: string | Buffer, headers: Record<string, string | undefined>): Buffered =>
  ({ rawBody: Buffer.from(body), headers: Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) }) as unknown as Buffered;
/** Slack's definition: HMAC-SHA256 over `v0:<timestamp header>:` and the body's bytes as sent. */
const slackSigns = (secret: string, timestamp: string, body: Buffer) =>
  `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
const signed = (body: string, over: Record<string, string | undefined> = {}) =>
  req(body, { 'content-type': 'application/json', 'x-slack-request-timestamp': TS, 'x-slack-signature': slackSignature(SECRET, Number(TS), body), ...over });

/** Bolt's verdict on the same request (its staleness rule held off: the edge checks the window on both sides). */
function boltAccepts(r: Buffered): boolean {
  try {
    verifySlackRequest({
      signingSecret: SECRET,
      body: r.rawBody.toString(),
      headers: { 'x-slack-signature': r.headers['x-slack-signature'] as string, 'x-slack-request-timestamp': Number(r.headers['x-slack-request-timestamp']) },
      nowMilliseconds: Number(TS) * 1000,
    });
    return true;
  } catch {
    return false;
  }
}

describe('verifySignature', () => {
  const body = '{"type":"event_callback","event_id":"Ev1"}';
  it.each([
    ['correctly signed', signed(body), null],
    ['signed with another secret', req(body, { 'x-slack-request-timestamp': TS, 'x-slack-signature': slackSignature('another-secret', Number(TS), body) }), 'signature mismatch'],
    ['the body changed after signing', signed(body, { 'x-slack-signature': slackSignature(SECRET, Number(TS), `${body} `) }), 'signature mismatch'],
    ['the timestamp changed after signing', signed(body, { 'x-slack-request-timestamp': String(Number(TS) + 1) }), 'signature mismatch'],
    ['no signature', signed(body, { 'x-slack-signature': undefined }), 'x-slack-signature or x-slack-request-timestamp missing'],
    ['no timestamp', signed(body, { 'x-slack-request-timestamp': undefined }), 'x-slack-signature or x-slack-request-timestamp missing'],
    ['another version', signed(body, { 'x-slack-signature': slackSignature(SECRET, Number(TS), body).replace('v0=', 'v1=') }), 'unknown signature version'],
    ['the digest in capitals', signed(body, { 'x-slack-signature': `v0=${slackSignature(SECRET, Number(TS), body).slice(3).toUpperCase()}` }), 'signature mismatch'],
    ['the digest cut short', signed(body, { 'x-slack-signature': slackSignature(SECRET, Number(TS), body).slice(0, -2) }), 'signature mismatch'],
    ['the digest with a digit more', signed(body, { 'x-slack-signature': `${slackSignature(SECRET, Number(TS), body)}0` }), 'signature mismatch'],
    ['the digest not hex', signed(body, { 'x-slack-signature': `v0=${'zz'.repeat(32)}` }), 'signature mismatch'],
    // A signed request re-split at a colon of its body: the same signed text, another timestamp and body.
    [
      'a timestamp that carries part of the body',
      req('"Ev1"}', { 'x-slack-request-timestamp': `${TS}:{"type":"event_callback","event_id"`, 'x-slack-signature': slackSignature(SECRET, Number(TS), body) }),
      'x-slack-request-timestamp is not a number of seconds',
    ],
    ['a timestamp with a fraction', signed(body, { 'x-slack-request-timestamp': `${TS}.0`, 'x-slack-signature': slackSignature(SECRET, `${TS}.0`, body) }), 'x-slack-request-timestamp is not a number of seconds'],
  ])('%s', (_name, r, expected) => {
    expect(verifySignature(r, SECRET)).toBe(expected);
  });

  it('refuses everything when no signing secret is configured (anyone could sign with an empty one)', () => {
    const r = req(body, { 'x-slack-request-timestamp': TS, 'x-slack-signature': slackSignature('', Number(TS), body) });
    expect(verifySignature(r, '')).toBe('no signing secret configured');
  });

  it('lets an unsigned ssl_check through with nothing else in its body (as Bolt does)', () => {
    const r = req('ssl_check=1&token=x&payload=%7B%22type%22%3A%22block_actions%22%7D', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(verifySignature(r, SECRET)).toBeNull();
    expect(r.rawBody.toString()).toBe('ssl_check=1');
    // Only as a form post: the same body sent as JSON must be signed.
    expect(verifySignature(req('ssl_check=1', { 'content-type': 'application/json' }), SECRET)).not.toBeNull();
  });

  it("accepts exactly what Slack's definition signs: any bytes, any timestamp header (property)", () => {
    const timestamp = fc.oneof(fc.constant(TS), fc.integer({ min: 0, max: 2 ** 40 }).map(String), fc.constantFrom(`0${TS}`, `${TS}.0`, ` ${TS}`, `${TS}:x`, '', '-1', '1e9'));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), timestamp, fc.boolean(), (bytes, ts, right) => {
        const body = Buffer.from(bytes);
        const signature = slackSigns(right ? SECRET : 'another-secret', ts, body);
        const r = req(body, { 'content-type': 'application/json', 'x-slack-request-timestamp': ts, 'x-slack-signature': signature });
        expect(verifySignature(r, SECRET) === null).toBe(right && /^\d{1,12}$/.test(ts));
      }),
      { numRuns: 3000, seed: 1202 },
    );
  });

  it("gives Bolt's verdict on signed, re-signed and mangled requests (property)", () => {
    const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 });
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: 0, max: 5 }), hex, (b, how, random) => {
        const good = slackSignature(SECRET, Number(TS), b);
        const signature = [good, `v0=${random}`, good.slice(0, 20), `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`, slackSignature(SECRET, Number(TS) + 1, b), good.toUpperCase()][how] as string;
        const r = signed(b, { 'x-slack-signature': signature });
        expect(verifySignature(r, SECRET) === null).toBe(boltAccepts(r));
      }),
      { numRuns: 2000, seed: 1201 },
    );
  });
});
