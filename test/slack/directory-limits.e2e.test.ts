import type { SlackUser } from '../../src/domain/activity';
import { createLogger } from '../../src/logger';
import { DIRECTORY_LIMITS, Directory } from '../../src/services/directory';
import { LogCapture, startTestApp } from '../helpers/app-harness';
import { freshStore, type TestStore } from '../helpers/store';

/**
 * Issue 11, row 4: one message with 3,000 unknown mentions made 3,000 users.info calls, and the
 * ids Slack did not know were remembered without bound. Lookups are now capped per event and
 * paced per team per minute; the caches are bounded.
 */

const ANA = 'U0ANA00001';
const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);

describe('directory lookups through the real app', () => {
  it('a signed message with 3,000 distinct unknown mentions costs at most the per-event cap of users.info calls', async () => {
    const t = await startTestApp({ users: [{ id: ANA, tz: 'UTC' }], logLevel: 'info' });
    try {
      const ts = `${Math.floor(Date.now() / 1000)}.000100`;
      const text = ids('U9X', 3_000)
        .map((u) => `<@${u}>`)
        .join(' ');
      const res = await t.sendEvent({ type: 'message', channel: 'C0GENERAL1', channel_type: 'channel', user: ANA, ts, event_ts: ts, text });
      expect(res.status).toBe(200);
      await t.service.idle();
      const calls = t.fake.callsTo('users.info');
      expect(calls.length).toBeLessThanOrEqual(DIRECTORY_LIMITS.perCall);
      // The author comes first: they are looked up.
      expect(calls[0]?.args.user).toBe(ANA);
      // One line says so, not thousands.
      const skips = t.logs.parsed().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('too many new people to look up'));
      expect(skips).toHaveLength(1);
      expect(skips[0]).toMatchObject({ skipped: 3_001 - DIRECTORY_LIMITS.perCall });
      // The message is stored with its mentions all the same.
      const row = await t.store.db.selectFrom('messages').select('mentions').executeTakeFirstOrThrow();
      expect(row.mentions).toHaveLength(3_000);
    } finally {
      await t.stop();
      await t.store.close();
    }
  });
});

describe('Directory limits on a real store', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await freshStore();
  });
  afterAll(async () => {
    await store.close();
  });

  /** users.info as Slack answers it: people in `people` are known, everyone else is not. */
  function counting(people: ReadonlySet<string>) {
    const asked: string[] = [];
    const lookup = async (_team: string, user: string): Promise<SlackUser | null> => {
      asked.push(user);
      return people.has(user) ? ({ id: user, tz: 'UTC', is_bot: false, deleted: false } as SlackUser) : null;
    };
    return { asked, lookup };
  }

  it('remembers at most knownMax and notFoundMax ids however many unknown ones arrive, forgetting the least recently seen', async () => {
    const { asked, lookup } = counting(new Set(ids('U1K', 30)));
    const directory = new Directory({ store, logger: createLogger({ level: 'silent' }), lookup, limits: { knownMax: 20, notFoundMax: 25, perCall: 10, perWindow: 1_000 } });
    for (const batch of chunk(ids('U1K', 30), 10)) await directory.ensure('T1', batch);
    for (const batch of chunk(ids('U1N', 500), 10)) await directory.ensure('T1', batch);
    const sizes = directory.sizes();
    expect(sizes.known).toBeLessThanOrEqual(20);
    expect(sizes.notFound).toBeLessThanOrEqual(25);
    expect(sizes).toMatchObject({ pending: 0, queued: 0 });
    expect(asked).toHaveLength(530);
    // The most recent unknown ids are remembered (not asked again); the oldest were forgotten (asked again).
    await directory.ensure('T1', ids('U1N', 500).slice(-5));
    expect(asked).toHaveLength(530);
    await directory.ensure('T1', ids('U1N', 1));
    expect(asked).toHaveLength(531);
  });

  it('a hit keeps an id remembered (least recently used goes first, not first in)', async () => {
    const { asked, lookup } = counting(new Set());
    const directory = new Directory({ store, logger: createLogger({ level: 'silent' }), lookup, limits: { notFoundMax: 3 } });
    await directory.ensure('T2', ['UA', 'UB', 'UC']);
    await directory.ensure('T2', ['UA']); // a hit: UA is now the most recent
    await directory.ensure('T2', ['UD']); // UB (least recently seen) is forgotten
    expect(asked).toEqual(['UA', 'UB', 'UC', 'UD']);
    await directory.ensure('T2', ['UA', 'UC', 'UD']);
    expect(asked).toHaveLength(4);
    await directory.ensure('T2', ['UB']);
    expect(asked).toHaveLength(5);
  });

  it('paces users.info per team: perWindow calls a window, the rest wait for the next one; the queue is bounded', async () => {
    const { asked, lookup } = counting(new Set());
    const cap = new LogCapture();
    const directory = new Directory({ store, logger: createLogger({ level: 'info', stream: cap }), lookup, limits: { perCall: 10, perWindow: 5, windowMs: 400, queueMax: 12 } });
    const started = Date.now();
    const first = directory.ensure('T3', ids('U3A', 10));
    // 5 of the first ten are being looked up, 5 wait; of the next ten, 7 fit in the queue (12 waiting at most), 3 are skipped.
    const second = directory.ensure('T3', ids('U3B', 10));
    await new Promise((r) => setTimeout(r, 150));
    expect(asked).toHaveLength(5);
    // Another team has its own budget.
    const other = counting(new Set());
    await new Directory({ store, logger: createLogger({ level: 'silent' }), lookup: other.lookup, limits: { perCall: 10, perWindow: 5, windowMs: 400 } }).ensure('T4', ids('U4A', 3));
    expect(other.asked).toHaveLength(3);
    // idle() does not wait for the next window.
    await directory.idle();
    expect(Date.now() - started).toBeLessThan(400);
    await Promise.all([first, second]);
    expect(asked).toHaveLength(17);
    expect(asked).not.toContain('U3B000009');
    // 5, 5, 5, then 2: four windows.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_200);
    const skips = cap.parsed().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('too many new people'));
    expect(skips).toHaveLength(1);
    expect(skips[0]).toMatchObject({ team_id: 'T3', skipped: 3 });
    expect(directory.sizes()).toMatchObject({ pending: 0, queued: 0 });
  });

  it('stop() lets go of whoever waits for a later window: their promises resolve, nothing more is asked', async () => {
    const { asked, lookup } = counting(new Set());
    const directory = new Directory({ store, logger: createLogger({ level: 'silent' }), lookup, limits: { perCall: 20, perWindow: 3, windowMs: 60_000 } });
    const waiting = directory.ensure('T5', ids('U5A', 9));
    await new Promise((r) => setTimeout(r, 100));
    await directory.stop();
    await waiting;
    expect(asked).toHaveLength(3);
    await directory.ensure('T5', ['U5NEW']);
    expect(asked).toHaveLength(3);
  });
});

function chunk<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
