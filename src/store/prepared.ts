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

/** A pg Pool for Kysely whose clients run marked statements as named prepared statements. */
export function preparingPool(pool: Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client: PoolClient = await pool.connect();
      const query = (sqlOrCursor: unknown, parameters?: ReadonlyArray<unknown>): unknown => {
        if (typeof sqlOrCursor === 'string' && sqlOrCursor.includes(PREPARED)) {
          return client.query({ name: nameOf(sqlOrCursor), text: sqlOrCursor, values: parameters as unknown[] });
        }
        return (client.query as (a: unknown, b?: unknown) => unknown)(sqlOrCursor, parameters);
      };
      return { query: query as PostgresPoolClient['query'], release: (destroy?: boolean) => client.release(destroy) };
    },
    end: () => pool.end(),
  };
}
