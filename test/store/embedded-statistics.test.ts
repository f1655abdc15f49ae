import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { defaultCharter } from '../../src/domain/charter';
import { createLogger } from '../../src/logger';
import { generateExport } from '../../src/services/demo-export';
import { importExport } from '../../src/services/export-import';
import { openExport } from '../../src/services/export-reader';
import { RetentionService } from '../../src/services/retention';
import { connectStore, type Store } from '../../src/store/connect';
import { migrateToLatest } from '../../src/store/migrate';
import { refreshEmbeddedStatistics } from '../../src/store/statistics';

/**
 * PGlite is one standalone Postgres backend: no autovacuum, so nothing analyses its tables but the
 * app (a planner that knows nothing of a table may read whole histories: see followups-bounded).
 * The app analyses an embedded store never analysed when it starts, after an import, and daily
 * with retention. In-memory PGlite stores, whatever DATABASE_URL says (CI runs this file once).
 */

/** pg_class.reltuples of messages: -1 until analysed (or vacuumed). */
async function reltuples(store: Store): Promise<number> {
  const r = await sql<{ reltuples: number }>`select reltuples from pg_class where oid = to_regclass('messages')`.execute(store.db);
  return Number(r.rows[0]?.reltuples);
}

const addMessages = (store: Store, n: number) =>
  sql`insert into messages (team_id, channel_id, ts, posted_at, root_ts, is_reply, user_id, mentions, source)
    select 'T0STATS001', 'C0STATS001', (1764000000 + g)::text || '.000100', to_timestamp(1764000000 + g), (1764000000 + g)::text || '.000100', false, 'U0STATS001', '{}', 'event'
    from generate_series(1, ${n}::int) g`.execute(store.db);

describe('embedded store statistics', () => {
  it('analyses a store never analysed, once (ifNever), and whenever asked otherwise', async () => {
    const store = await connectStore({ kind: 'pglite', dataDir: 'memory://' });
    try {
      await migrateToLatest(store.db);
      await addMessages(store, 500);
      expect(await reltuples(store)).toBeLessThan(0);
      expect(await refreshEmbeddedStatistics(store, { ifNever: true })).toBe(true);
      expect(await reltuples(store)).toBe(500);
      await addMessages(store, 0);
      expect(await refreshEmbeddedStatistics(store, { ifNever: true })).toBe(false);
      expect(await refreshEmbeddedStatistics(store)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('an import leaves the store analysed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ac-stats-'));
    const store = await connectStore({ kind: 'pglite', dataDir: 'memory://' });
    try {
      await migrateToLatest(store.db);
      const made = generateExport(join(dir, 'export'), 2_000, { weeks: 2 });
      const archive = await openExport(join(dir, 'export'));
      const summary = await importExport(store, archive, { charter: defaultCharter(), includePrivate: false });
      await archive.close();
      expect(summary.inserted).toBeGreaterThan(made.messages / 2);
      expect(await reltuples(store)).toBe(summary.inserted);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the daily retention tick vacuums after it deletes: the next rows reuse the space (no autovacuum here)', async () => {
    const store = await connectStore({ kind: 'pglite', dataDir: 'memory://' });
    // The table's own pages: a vacuum frees them for new rows at once (freed index pages are recycled by a later one).
    const size = async () => Number((await sql<{ n: string }>`select pg_relation_size('messages') as n`.execute(store.db)).rows[0]?.n);
    try {
      await migrateToLatest(store.db);
      await addMessages(store, 4_000);
      const full = await size();
      // A year later every one of them is past the default 180 days.
      const outcomes = await new RetentionService({ store, logger: createLogger({ level: 'silent' }), now: () => Date.parse('2026-12-01T03:17:00Z') }).tick();
      expect(outcomes.map((o) => o.deleted.messages)).toEqual([4_000]);
      await addMessages(store, 4_000);
      // Unvacuumed, the table held both sets (twice the size).
      expect(await size()).toBeLessThanOrEqual(full * 1.1);
    } finally {
      await store.close();
    }
  });

  it('the daily retention tick refreshes them', async () => {
    const store = await connectStore({ kind: 'pglite', dataDir: 'memory://' });
    try {
      await migrateToLatest(store.db);
      await addMessages(store, 300);
      await new RetentionService({ store, logger: createLogger({ level: 'silent' }), now: () => Date.parse('2025-12-01T03:17:00Z') }).tick();
      expect(await reltuples(store)).toBe(300);
    } finally {
      await store.close();
    }
  });
});
