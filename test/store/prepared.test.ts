import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import { PREPARED, preparingPool, UNBOUNDED } from '../../src/store/prepared';

/**
 * Hot statements run as named prepared statements on Postgres (planned once per connection);
 * others as before. Real Postgres: DATABASE_URL, or the local server CI always has.
 */
const URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('preparingPool', () => {
  let pool: Pool;
  let db: Kysely<Record<string, never>>;
  beforeAll(() => {
    pool = new Pool({ connectionString: URL, max: 1 });
    db = new Kysely({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('prepares marked statements once per connection and answers them like any other', async () => {
    const marked = (n: number) => sql<{ n: number; s: string }>`${sql.raw(PREPARED)} select ${n}::int + 1 as n, 'x' || ${String(n)} as s`.execute(db);
    const answers = [];
    for (let i = 0; i < 8; i += 1) answers.push((await marked(i)).rows[0]);
    expect(answers).toEqual(Array.from({ length: 8 }, (_, i) => ({ n: i + 1, s: `x${i}` })));
    await sql`select 42 as plain`.execute(db);
    const prepared = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(db);
    // One connection (max 1): the marked text is prepared once, under a name of its own; the plain one is not.
    expect(prepared.rows).toHaveLength(1);
    expect(prepared.rows[0]?.name).toMatch(/^ac_[0-9a-f]{20}$/);
    expect(prepared.rows[0]?.statement).toContain(PREPARED);
  });

  it('gives two different marked texts two names, and a failing one fails only itself', async () => {
    await sql`${sql.raw(PREPARED)} select 1 as a`.execute(db);
    await sql`${sql.raw(PREPARED)} select 2 as b`.execute(db);
    const names = await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(db);
    expect(new Set(names.rows.map((r) => r.name)).size).toBe(names.rows.length);
    expect(names.rows.length).toBeGreaterThanOrEqual(3);
    await expect(sql`${sql.raw(PREPARED)} select 1 / ${0}::int as boom`.execute(db)).rejects.toThrow(/division by zero/);
    expect((await sql<{ ok: number }>`${sql.raw(PREPARED)} select 1 as ok`.execute(db)).rows).toEqual([{ ok: 1 }]);
  });
});

describe('preparingPool: statements marked UNBOUNDED', () => {
  let pool: Pool;
  let db: Kysely<Record<string, never>>;
  beforeAll(() => {
    // The pool's client-side timeout, short here (the app's is 10 s).
    pool = new Pool({ connectionString: URL, max: 1, query_timeout: 300 });
    db = new Kysely({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('run past the pool query timeout (a migration filling a table); unmarked ones still time out', async () => {
    await expect(sql`select pg_sleep(0.8)`.execute(db)).rejects.toThrow(/timeout/i);
    const r = await sql<{ done: boolean }>`${sql.raw(UNBOUNDED)} select true as done from pg_sleep(0.8)`.execute(db);
    expect(r.rows).toEqual([{ done: true }]);
  });
});
