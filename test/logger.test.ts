import { createLogger, redact, scrubString, slackLoggerAdapter, REDACTED } from '../src/logger';
import { LogCapture } from './helpers/app-harness';

describe('redaction', () => {
  it('replaces tokens, secrets and message text at any depth', () => {
    const out = redact({
      token: 'xoxb-123',
      headers: { authorization: 'Bearer xoxb-123', 'x-slack-signature': 'v0=abc' },
      body: { event: { text: 'private words', blocks: [{ elements: [{ type: 'text', text: 'private words' }] }], previous_message: { text: 'older words' } } },
      attachments: [{ fallback: 'unfurl words' }],
      ok: 'kept',
    });
    const s = JSON.stringify(out);
    expect(s).not.toMatch(/private words|older words|unfurl words|xoxb-123|v0=abc/);
    expect(s).toContain('"ok":"kept"');
    expect((out as { body: { event: { text: string } } }).body.event.text).toBe(REDACTED);
  });

  it('scrubs JSON text and tokens inside plain strings', () => {
    expect(scrubString('body: {"text":"hi \\"there\\"","user":"U1"} token xoxb-1-2-3')).toBe(`body: {"text":"${REDACTED}","user":"U1"} token ${REDACTED}`);
    expect(scrubString('https://slack.com/api/chat.postMessage?text=hello&channel=C1')).toBe(`https://slack.com/api/chat.postMessage?text=${REDACTED}&channel=C1`);
  });
});

describe('logger', () => {
  it('writes JSON lines without message text or tokens', () => {
    const cap = new LogCapture();
    const log = createLogger({ level: 'debug', stream: cap });
    log.info({ event: { text: 'do not keep', user: 'U1' }, token: 'xoxb-9' }, 'event received');
    log.debug('raw {"text":"do not keep either"}');
    const lines = cap.parsed();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ msg: 'event received', event: { text: REDACTED, user: 'U1' }, token: REDACTED, level: 30 });
    expect(cap.text()).not.toMatch(/do not keep|xoxb-9/);
  });

  it('hands Bolt a logger that keeps error objects (type, message, stack)', () => {
    const cap = new LogCapture();
    const bolt = slackLoggerAdapter(createLogger({ level: 'debug', stream: cap }));
    const err = Object.assign(new Error('store is down'), { code: 'ECONNREFUSED' });
    bolt.error('An unhandled error occurred', err);
    bolt.warn({ hint: 'x' }, 'warned');
    const [first, second] = cap.parsed();
    expect(first).toMatchObject({ lib: 'bolt', level: 50, msg: 'An unhandled error occurred', err: { type: 'Error', message: 'store is down', code: 'ECONNREFUSED' } });
    expect(String((first?.err as { stack?: string }).stack)).toContain('logger.test.ts');
    expect(second).toMatchObject({ level: 40, msg: 'warned', hint: 'x' });
    expect(bolt.getLevel()).toBe('debug');
  });

  it('builds nothing for a level that is off (Bolt logs at debug on every request)', () => {
    const cap = new LogCapture();
    const bolt = slackLoggerAdapter(createLogger({ level: 'info', stream: cap }));
    let read = 0;
    const arg = { get hint(): string { read += 1; return 'x'; } };
    bolt.debug('http request body', arg);
    expect(read).toBe(0);
    expect(cap.lines).toHaveLength(0);
    bolt.info('kept', arg);
    expect(read).toBe(1);
    expect(cap.parsed()[0]).toMatchObject({ msg: 'kept', hint: 'x' });
  });
});
