import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { freshStore, type TestStore } from './helpers/store';

/**
 * PRIVACY.md tells operators how to delete a whole workspace with SQL. That block must name
 * every table holding a team_id, and running it must leave nothing of that team and touch no
 * other team (on PGlite, and Postgres when DATABASE_URL is set).
 */

const doc = readFileSync(join(__dirname, '..', 'PRIVACY.md'), 'utf8');
const block = /```sql\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';

async function teamTables(store: TestStore): Promise<string[]> {
  const r = await sql<{ table_name: string }>`
    select table_name from information_schema.columns
    where table_schema = current_schema() and column_name = 'team_id' order by table_name`.execute(store.db);
  return r.rows.map((row) => row.table_name);
}

async function rowsOf(store: TestStore, team: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of await teamTables(store)) {
    const r = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where team_id = ${team}`.execute(store.db);
    out[table] = Number(r.rows[0]?.n ?? 0);
  }
  return out;
}

describe("PRIVACY.md's SQL that deletes a workspace", () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await freshStore();
  });
  afterAll(async () => {
    await store.close();
  });

  it('names every table that holds a team_id', async () => {
    const named = [...block.matchAll(/delete from (\w+) where team_id = 'T0123ABCD';/g)].map((m) => m[1]).sort();
    expect(named).toEqual(await teamTables(store));
  });

  it('deletes every row of that team and none of another', async () => {
    for (const team of ['T0123ABCD', 'T0OTHER01']) {
      const at = new Date('2026-11-30T10:00:00Z');
      await store.db.insertInto('workspaces').values({ team_id: team, bot_user_id: 'UB', bot_id: 'BB' }).execute();
      await store.db.insertInto('slack_events').values({ team_id: team, event_id: 'Ev1', event_type: 'message' }).execute();
      await store.db.insertInto('users').values({ team_id: team, user_id: 'U1', user_team_id: null, display_name: 'Ana', tz: 'UTC' }).execute();
      await store.db.insertInto('channels').values({ team_id: team, channel_id: 'C1', name: 'general' }).execute();
      await store.db.insertInto('messages').values({ team_id: team, channel_id: 'C1', ts: '1.000001', posted_at: at, thread_ts: null, root_ts: '1.000001', is_reply: false, user_id: 'U1', subtype: null, mentions: [], edited_ts: null, source: 'event' }).execute();
      await store.db.insertInto('decisions').values({ team_id: team, channel_id: 'C1', user_id: 'U1', summary: 'we ship', decided_at: at }).execute();
      await store.db.insertInto('charters').values({ team_id: team, charter: '{}', updated_by: 'cli' }).execute();
      await store.db.insertInto('retention_runs').values({ team_id: team, run_on: '2026-11-30', claim_token: 'k', claimed_at: at, lease_until: at }).execute();
    }
    await sql.raw(block).execute(store.db);
    expect(Object.values(await rowsOf(store, 'T0123ABCD')).every((n) => n === 0)).toBe(true);
    expect(await rowsOf(store, 'T0OTHER01')).toMatchObject({ workspaces: 1, slack_events: 1, users: 1, channels: 1, messages: 1, decisions: 1, charters: 1, retention_runs: 1 });
  });
});
