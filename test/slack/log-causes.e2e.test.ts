import { createLogger, REDACTED } from '../../src/logger';
import { IngestError } from '../../src/services/ingest';
import { LogCapture, startTestApp } from '../helpers/app-harness';
import { breakableStore } from '../helpers/store';

/**
 * Issue 11, row 3: a failed commit was logged as "could not store event …" alone, because the
 * redaction rebuilt each Error without its `cause`. The whole chain must reach the log, each
 * link redacted the same way (never message text, never a token).
 */

type Logged = { message?: string; type?: string; code?: string; stack?: string; cause?: Logged; original?: Logged; text?: string; token?: string };

/** Every error in a logged `err`, following `original` (Bolt's wrapper) and `cause`. */
function chain(err: Logged | undefined): Logged[] {
  const out: Logged[] = [];
  for (let e = err; e !== undefined && out.length < 10; e = e.original ?? e.cause) out.push(e);
  return out;
}

describe('error causes reach the log, redacted', () => {
  it('a cause chain is logged link by link, with each link redacted', () => {
    const cap = new LogCapture();
    const log = createLogger({ level: 'info', stream: cap });
    const driver = Object.assign(new Error('write failed near {"text":"words somebody wrote"} for xoxb-1-2-3'), { code: 'XX000', text: 'words somebody wrote', token: 'xoxb-9-9-9' });
    const db = Object.assign(new Error('relation "slack_events" does not exist', { cause: driver }), { code: '42P01' });
    log.error({ err: new IngestError('could not store event Ev1 (message)', { cause: db }) }, 'event not stored');
    const [line] = cap.parsed();
    const links = chain(line?.err as Logged);
    expect(links.map((e) => e.message)).toEqual(['could not store event Ev1 (message)', 'relation "slack_events" does not exist', `write failed near {"text":"${REDACTED}"} for ${REDACTED}`]);
    expect(links.map((e) => e.code)).toEqual([undefined, '42P01', 'XX000']);
    expect(links[0]?.type).toBe('IngestError');
    expect(links[2]).toMatchObject({ text: REDACTED, token: REDACTED });
    expect(String(links[1]?.stack)).toContain('log-causes.e2e.test.ts');
    expect(cap.text()).not.toMatch(/words somebody wrote|xoxb-1-2-3|xoxb-9-9-9/);
  });

  it("a database error's bound values and quoted row are redacted (they may hold a decision's text)", () => {
    const cap = new LogCapture();
    const log = createLogger({ level: 'info', stream: cap });
    const db = Object.assign(new Error('new row for relation "decisions" violates check constraint "x"'), {
      code: '23514',
      detail: 'Failing row contains (7, T1, C1, U1, we ship the secret plan on friday, 2026-12-01).',
      query: 'insert into "decisions" ("team_id", "summary") values ($1, $2)',
      params: ['T1', 'we ship the secret plan on friday'],
    });
    log.error({ err: new Error('could not record the decision', { cause: db }) }, 'failed');
    const cause = (cap.parsed()[0]?.err as Logged & { cause: Record<string, unknown> }).cause;
    expect(cause).toMatchObject({ code: '23514', params: REDACTED, detail: `Failing row contains (${REDACTED}).`, query: 'insert into "decisions" ("team_id", "summary") values ($1, $2)' });
    expect(cap.text()).not.toContain('secret plan');
  });

  it('a cause that is not an Error, or a cycle, does not break the line', () => {
    const cap = new LogCapture();
    const log = createLogger({ level: 'info', stream: cap });
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    log.error({ err: new Error('outer', { cause: { text: 'a body', status: 500 } }) }, 'plain cause');
    log.error({ err: b }, 'cycle');
    const [plain, cycle] = cap.parsed();
    expect((plain?.err as { cause?: unknown }).cause).toEqual({ text: REDACTED, status: 500 });
    expect((cycle?.err as Logged).message).toBe('b');
    expect(cap.text()).not.toContain('a body');
  });

  it('the app logs the database error under the event it could not store', async () => {
    const broken = await breakableStore();
    const t = await startTestApp({ users: [{ id: 'U0ANA00001' }], store: broken.store, logLevel: 'warn' });
    try {
      await broken.down();
      const ts = `${Math.floor(Date.now() / 1000)}.000010`;
      const res = await t.sendEvent({ type: 'message', channel: 'C0GENERAL1', channel_type: 'channel', user: 'U0ANA00001', ts, event_ts: ts, text: 'private words <@U0BEN00001>' }, { eventId: 'EvCause0001' });
      expect(res.status).toBeGreaterThanOrEqual(500);
      const line = t.logs.parsed().find((l) => l.msg === 'event not stored; answering 500 so Slack redelivers');
      const links = chain(line?.err as Logged);
      const messages = links.map((e) => e.message ?? '');
      expect(messages.some((m) => m.startsWith('could not store event EvCause0001'))).toBe(true);
      // Below the IngestError: what the database (or the driver, when the connection is cut) said.
      const below = links.slice(messages.map((m) => m.startsWith('could not store event')).lastIndexOf(true) + 1);
      expect(below.length).toBeGreaterThan(0);
      expect(below[0]?.message).toMatch(broken.store.kind === 'pglite' ? /slack_events/ : /./);
      expect(t.logs.text()).not.toContain('private words');
    } finally {
      await broken.up();
      await t.stop();
      await broken.store.close();
      await broken.dispose();
    }
  });
});
