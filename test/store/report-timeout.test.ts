import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Client } from 'pg';
import { buildReports } from '../../src/services/reports';
import { connectStore, type Store } from '../../src/store/connect';
import { migrateToLatest } from '../../src/store/migrate';
import { adminQuery } from '../helpers/store';

/**
 * The pool's statement timeout is there to fail fast on the acknowledgement path when the
 * database hangs; a report's statements may run for seconds on a large workspace (more on a busy
 * server) and must not fail by it. Postgres only has the timeout (pg's query_timeout), so this
 * runs on Postgres whichever store the suite is on. A table lock held by another session stands in
 * for a slow statement: whatever waits on it runs past a 300 ms timeout.
 */
const URL_ = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const HOLD_MS = 1_200;

describe('a report runs past the pool statement timeout (Postgres)', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let store: Store;
  beforeAll(async () => {
    await adminQuery(URL_, `create schema ${schema}`);
    store = await connectStore({ kind: 'postgres', url: URL_ }, { searchPath: schema, poolSize: 4, queryTimeoutMs: 300 });
    await migrateToLatest(store.db);
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await adminQuery(URL_, `drop schema if exists ${schema} cascade`);
  });

  /** Holds `requests` locked from another session for HOLD_MS while `run` runs; its result or error. */
  async function whileLocked<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
    const other = new Client({ connectionString: URL_, options: `-c search_path=${schema}` });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('lock table requests in access exclusive mode');
      const started = run().then(
        (value) => ({ ok: true as const, value }),
        (err: unknown) => ({ ok: false as const, error: (err as Error).message }),
      );
      await new Promise((r) => setTimeout(r, HOLD_MS));
      await other.query('commit');
      return await started;
    } finally {
      await other.end();
    }
  }

  it('an ordinary statement waiting on the lock fails at the timeout (the timeout is real)', async () => {
    const r = await whileLocked(() => sql`select count(*) from requests`.execute(store.db));
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/timeout/i) });
  }, 30_000);

  it("the week's report waits for the lock and answers", async () => {
    const t0 = performance.now();
    const r = await whileLocked(() => buildReports(store.db, 'T0TIMEOUT1', { weeks: ['2026-11-23'], asOf: new Date('2026-11-30T09:00:00Z') }));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(HOLD_MS - 50);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual([expect.objectContaining({ team_id: 'T0TIMEOUT1', week_start: '2026-11-23', messages: 0, requests: 0 })]);
  }, 30_000);
});
