import { sql } from 'kysely';
import { breakableStore, testBackend } from '../helpers/store';

describe('a store outage in the middle of a query', () => {
  it('fails that query and never the process; the store answers again once it is back', async () => {
    const outage = await breakableStore();
    const { store } = outage;
    try {
      expect(await store.ping()).toBe(true);
      // A query that holds its connection (checked out of the pool) while the store goes away.
      const slow = sql`select pg_sleep(1.5), count(*) from slack_events`.execute(store.db);
      await new Promise((r) => setTimeout(r, 300));
      await outage.down();
      // Postgres: the connection is cut under the query, which fails (pg emits 'error' on the
      // checked-out client too; unhandled, it would end the process). PGlite runs one query at a
      // time, so its outage (a renamed table) comes after the query.
      expect(await slow.then(() => 'done', () => 'failed')).toBe(testBackend() === 'postgres' ? 'failed' : 'done');
      expect(await store.ping(1_000)).toBe(false);
      await outage.up();
      let back = false;
      for (let i = 0; i < 50 && !back; i += 1) {
        back = await store.ping(1_000);
        if (!back) await new Promise((r) => setTimeout(r, 100));
      }
      expect(back).toBe(true);
    } finally {
      await store.close();
      await outage.dispose();
    }
  }, 30_000);
});
