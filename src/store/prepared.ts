import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type { Pool, PoolClient } from 'pg';

/**
 * Hot statements (every event, every mention) carry this comment: on Postgres they run as named
 * prepared statements, parsed and planned once per connection instead of on every call (planning
 * those statements took ~4× their execution). Only statements whose text does not vary with their
 * arguments may carry it: every distinct text stays prepared for the life of its connection.
 */
export const PREPARED = '/* prepared */';

/**
 * Statements that may run long by design (a migration filling a new table from a large store)
 * carry this comment: the pool's client-side query timeout (there to fail fast when the database
 * hangs) is raised to an hour for them.
 */
export const UNBOUNDED = '/* unbounded */';
const UNBOUNDED_TIMEOUT_MS = 3_600_000;

const names = new Map<string, string>();

/** The statement's name: a hash of its text, so that two texts never share a name. */
function nameOf(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `ac_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

/** A pg Pool for Kysely whose clients run marked statements as named prepared statements, or without the usual timeout. */
export function preparingPool(pool: Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client: PoolClient = await pool.connect();
      const query = (sqlOrCursor: unknown, parameters?: ReadonlyArray<unknown>): unknown => {
        if (typeof sqlOrCursor === 'string' && sqlOrCursor.includes(PREPARED)) {
          return client.query({ name: nameOf(sqlOrCursor), text: sqlOrCursor, values: parameters as unknown[] });
        }
        if (typeof sqlOrCursor === 'string' && sqlOrCursor.includes(UNBOUNDED)) {
          // pg reads query_timeout from a query's config too (its types leave it out).
          const config = { text: sqlOrCursor, values: parameters as unknown[], query_timeout: UNBOUNDED_TIMEOUT_MS };
          return client.query(config);
        }
        return (client.query as (a: unknown, b?: unknown) => unknown)(sqlOrCursor, parameters);
      };
      return { query: query as PostgresPoolClient['query'], release: (destroy?: boolean) => client.release(destroy) };
    },
    end: () => pool.end(),
  };
}
