import { sql } from 'kysely';
import type { Db } from './connect';
import { UNBOUNDED } from './prepared';

/**
 * The `requests` table (migrations/202612100001_requests.sql) is kept by triggers on messages and
 * reactions, statement by statement. A bulk load defers that work for the rest of its transaction
 * and has the team's requests computed anew, set-based, before it commits: for a 1M-message import
 * the triggers' per-chunk joins cost more than the COPY itself.
 */
export async function deferRequests(trx: Db): Promise<void> {
  await sql`select set_config('async_charter.defer_requests', 'on', true)`.execute(trx);
}

/** Computes the team's requests anew (after deferRequests, in the same transaction) and takes the triggers back. */
export async function rebuildRequests(trx: Db, teamId: string): Promise<void> {
  await sql`select set_config('async_charter.defer_requests', 'off', true)`.execute(trx);
  await sql`${sql.raw(UNBOUNDED)} select requests_rebuild(${teamId})`.execute(trx);
}
