import { sql } from 'kysely';
import type { Store } from './connect';

/**
 * Planner statistics for the embedded store. PGlite runs Postgres as one standalone backend, with
 * no autovacuum: its tables are never analysed unless the app does it, and a planner that sees
 * tables it knows nothing of may pick scans that read whole histories. Postgres servers keep
 * their own statistics (autovacuum); nothing is done there.
 *
 * `ifNever`: only when `messages` has never been analysed (once, for a store from before this).
 * Returns whether it analysed. ANALYZE samples at most 30,000 rows a table: well under a second
 * for a store with a million messages.
 *
 * `vacuum`: VACUUM (ANALYZE) instead, after deletions (the daily retention): without it the space of
 * deleted rows is never reused there and the data directory grows by every row ever written. Pages
 * VACUUM has marked all-visible are skipped the next time, so a daily run reads what changed since.
 */
export async function refreshEmbeddedStatistics(store: Pick<Store, 'db' | 'kind'>, opts: { ifNever?: boolean; vacuum?: boolean } = {}): Promise<boolean> {
  if (store.kind !== 'pglite') return false;
  if (opts.ifNever) {
    const r = await sql<{ reltuples: number }>`select reltuples from pg_class where oid = to_regclass('messages')`.execute(store.db);
    const known = r.rows[0];
    if (known === undefined || Number(known.reltuples) >= 0) return false;
  }
  await (opts.vacuum === true ? sql`vacuum (analyze)` : sql`analyze`).execute(store.db);
  return true;
}
