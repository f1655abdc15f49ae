import { defaultCharter } from '../../src/domain/charter';
import { startRetentionSchedule } from '../../src/jobs/retention';
import { createLogger } from '../../src/logger';
import { EVENT_DEDUPE_DAYS, RetentionService, type RetentionOutcome } from '../../src/services/retention';
import { saveCharter } from '../../src/store/charters';
import { connectStore, type Store } from '../../src/store/connect';
import { ACTIVITY_TABLES, claimRetention, retentionRuns, retentionTeams } from '../../src/store/retention';
import { LogCapture, startTestApp } from '../helpers/app-harness';
import { makeCharter } from '../helpers/charter';
import { freshStore, type TestStore } from '../helpers/store';

/**
 * Issue 11, row 12: `retention_days` was validated but nothing deleted anything. A daily job,
 * claimed per (workspace, UTC day), deletes each workspace's activity older than its charter's
 * retention_days, and event-id dedupe rows older than a week. On the real store (PGlite, and
 * Postgres when DATABASE_URL is set).
 */

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const MARGIN = 60_000;

let seq = 0;
const next = (): number => (seq += 1);
const tsOf = (at: number): string => `${Math.floor(at / 1000)}.${String(next()).padStart(6, '0')}`;
const dateOf = (at: number): string => new Date(at).toISOString().slice(0, 10);

/** One row in every activity table of `team`, each stamped `at` by the column retention reads. */
async function seedActivity(db: Store['db'], team: string, at: number): Promise<void> {
  const t = new Date(at);
  const n = next();
  const ts = tsOf(at);
  // C1 is a channel the app has seen a message in (a reaction elsewhere is deleted a day after it came).
  await db.insertInto('channels').values({ team_id: team, channel_id: 'C1', channel_type: 'channel' }).onConflict((oc) => oc.columns(['team_id', 'channel_id']).doNothing()).execute();
  await db.insertInto('messages').values({ team_id: team, channel_id: 'C1', ts, posted_at: t, thread_ts: null, root_ts: ts, is_reply: false, user_id: 'U1', subtype: null, mentions: ['U2'], edited_ts: null, source: 'event' }).execute();
  await db.insertInto('deleted_messages').values({ team_id: team, channel_id: 'C1', ts: tsOf(at), deleted_at: t }).execute();
  await db.insertInto('reactions').values({ team_id: team, channel_id: 'C1', message_ts: ts, user_id: 'U2', reaction: `r${n}`, reacted_at: t, removed_at: null }).execute();
  await db.insertInto('nudges').values({ team_id: team, channel_id: 'C1', message_ts: ts, kind: 'meeting_request', user_id: 'U1', shown_at: t }).execute();
  await db.insertInto('decisions').values({ team_id: team, channel_id: 'C1', user_id: 'U1', summary: `decision ${n}`, decided_at: t }).execute();
  await db.insertInto('focus_sessions').values({ team_id: team, user_id: 'U1', started_at: new Date(at - 3_600_000), ends_at: t }).execute();
  await db.insertInto('pulse_responses').values({ team_id: team, user_id: `U${n}`, week_start: dateOf(at), answered_at: t, focus: 3, stress: 3, autonomy: 3 }).execute();
  await db.insertInto('digest_posts').values({ team_id: team, week_start: `w${n}`, round_started_at: new Date(at - 600_000), claimed_at: new Date(at - 600_000), lease_until: t, claim_token: `k${n}`, channel_id: 'C1', message_ts: tsOf(at), posted_at: new Date(at - 300_000), chart_file_id: 'F1', last_error: null }).execute();
  await db.insertInto('nudge_snoozes').values({ team_id: team, user_id: `U${n}`, until: t }).execute();
}

/** The times retention reads, per activity table, for one team (sorted). */
async function activityTimes(db: Store['db'], team: string): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [table, spec] of Object.entries(ACTIVITY_TABLES)) {
    const rows = (await db
      .selectFrom(table as keyof typeof ACTIVITY_TABLES)
      .select(spec.time as never)
      .where('team_id', '=', team)
      .execute()) as Array<Record<string, Date>>;
    out[table] = rows.map((r) => new Date(r[spec.time] as Date).getTime()).sort((a, b) => a - b);
  }
  return out;
}

const everyTable = (times: number[]): Record<string, number[]> => Object.fromEntries(Object.keys(ACTIVITY_TABLES).map((t) => [t, times]));

async function seedEvents(db: Store['db'], team: string, at: number, id: string): Promise<void> {
  await db.insertInto('slack_events').values({ team_id: team, event_id: id, event_type: 'message', received_at: new Date(at) }).execute();
}

const eventIds = async (db: Store['db'], team: string): Promise<string[]> => (await db.selectFrom('slack_events').select('event_id').where('team_id', '=', team).orderBy('event_id').execute()).map((r) => r.event_id);

describe('retention on the real store', () => {
  let store: TestStore;
  let logs: LogCapture;
  let clock: number;
  const service = (o: { batch?: number; store?: Store } = {}) => new RetentionService({ store: o.store ?? store, logger: createLogger({ level: 'debug', stream: logs }), now: () => clock, ...(o.batch ? { batch: o.batch } : {}) });

  beforeEach(async () => {
    store = await freshStore();
    logs = new LogCapture();
    clock = NOW;
  });
  afterEach(async () => {
    await store.close();
  });

  it('deletes, in every activity table, the rows just older than retention_days and keeps the rows just newer', async () => {
    await saveCharter(store.db, 'T1', makeCharter({ retention_days: 30 }), 'cli', new Date(NOW - 400 * DAY));
    const cutoff = NOW - 30 * DAY;
    await seedActivity(store.db, 'T1', cutoff - MARGIN);
    await seedActivity(store.db, 'T1', cutoff + MARGIN);
    // Not activity: kept whatever their age.
    await store.db.insertInto('users').values({ team_id: 'T1', user_id: 'U1', user_team_id: null, display_name: 'Ana', tz: 'UTC', updated_at: new Date(NOW - 400 * DAY) }).execute();
    await store.db.updateTable('channels').set({ name: 'general', updated_at: new Date(NOW - 400 * DAY) }).where('team_id', '=', 'T1').where('channel_id', '=', 'C1').execute();
    await store.db.insertInto('channel_members').values({ team_id: 'T1', channel_id: 'C1', user_id: 'U1', joined_at: new Date(NOW - 400 * DAY) }).execute();
    await store.db.insertInto('channel_intros').values({ team_id: 'T1', channel_id: 'C1', posted_at: new Date(NOW - 400 * DAY), claimed_at: new Date(NOW - 400 * DAY), message_ts: '1.000001' }).execute();

    expect(await activityTimes(store.db, 'T1')).toEqual(everyTable([cutoff - MARGIN, cutoff + MARGIN]));
    const [outcome] = await service().tick();
    expect(outcome).toMatchObject({ teamId: 'T1', status: 'done', retentionDays: 30, runOn: '2026-12-01' });
    expect(outcome?.deleted).toMatchObject(Object.fromEntries(Object.keys(ACTIVITY_TABLES).map((t) => [t, 1])));
    expect(await activityTimes(store.db, 'T1')).toEqual(everyTable([cutoff + MARGIN]));
    for (const table of ['users', 'channels', 'channel_members', 'channel_intros', 'charters', 'charter_history'] as const) {
      const n = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('team_id', '=', 'T1').executeTakeFirstOrThrow();
      expect([table, Number(n.n)]).toEqual([table, 1]);
    }
    expect(logs.parsed().find((l) => l.msg === 'retention: deleted what is older than the charter keeps')).toMatchObject({ team_id: 'T1', retention_days: 30, total: 9 });
  });

  it('deletes event-id dedupe rows older than a week, whatever retention_days says', async () => {
    await saveCharter(store.db, 'T1', makeCharter({ retention_days: 365 }), 'cli');
    const week = NOW - EVENT_DEDUPE_DAYS * DAY;
    await seedEvents(store.db, 'T1', week - MARGIN, 'EvOld');
    await seedEvents(store.db, 'T1', week + MARGIN, 'EvNew');
    await seedEvents(store.db, 'T2', week - MARGIN, 'EvOtherTeamOld');
    const outcomes = await service().tick();
    expect(outcomes.map((o) => [o.teamId, o.deleted.slack_events])).toEqual([['T1', 1]]);
    expect(await eventIds(store.db, 'T1')).toEqual(['EvNew']);
    // T2 has no workspace row, charter or messages: the job does not know it; its own rows are untouched by T1's run.
    expect(await eventIds(store.db, 'T2')).toEqual(['EvOtherTeamOld']);
  });

  it("follows each workspace's own retention_days (no charter: the default, 180)", async () => {
    await saveCharter(store.db, 'TSHORT', makeCharter({ retention_days: 30 }), 'cli');
    await saveCharter(store.db, 'TLONG', makeCharter({ retention_days: 365 }), 'cli');
    await store.db.insertInto('workspaces').values({ team_id: 'TDEFAULT', bot_user_id: null, bot_id: null }).execute();
    for (const team of ['TSHORT', 'TLONG', 'TDEFAULT']) {
      for (const age of [100, 200, 400]) await seedActivity(store.db, team, NOW - age * DAY);
    }
    // A team known only by its imported messages (an export's team id) is covered too, with the default.
    await seedActivity(store.db, 'TIMPORT', NOW - 200 * DAY);
    await seedActivity(store.db, 'TIMPORT', NOW - 100 * DAY);
    expect(await retentionTeams(store.db)).toEqual(['TDEFAULT', 'TIMPORT', 'TLONG', 'TSHORT']);

    const outcomes = await service().tick();
    expect(outcomes.map((o) => [o.teamId, o.status, o.retentionDays, o.deleted.messages])).toEqual([
      ['TDEFAULT', 'done', defaultCharter().retention_days, 2],
      ['TIMPORT', 'done', 180, 1],
      ['TLONG', 'done', 365, 1],
      ['TSHORT', 'done', 30, 3],
    ]);
    expect(await activityTimes(store.db, 'TSHORT')).toEqual(everyTable([]));
    expect(await activityTimes(store.db, 'TDEFAULT')).toEqual(everyTable([NOW - 100 * DAY]));
    expect(await activityTimes(store.db, 'TIMPORT')).toEqual(everyTable([NOW - 100 * DAY]));
    expect(await activityTimes(store.db, 'TLONG')).toEqual(everyTable([NOW - 200 * DAY, NOW - 100 * DAY]));
  });

  it('two replicas ticking at once: each workspace is cleaned once; a third tick that day does nothing; the next day runs again', async () => {
    await saveCharter(store.db, 'T1', makeCharter({ retention_days: 30 }), 'cli');
    await saveCharter(store.db, 'T2', makeCharter({ retention_days: 60 }), 'cli');
    for (const team of ['T1', 'T2']) for (let i = 0; i < 20; i += 1) await seedActivity(store.db, team, NOW - (90 + i) * DAY);
    // On Postgres the second replica has its own connections (the same schema); PGlite is one process.
    const other: Store = store.schema !== undefined ? await connectStore(store.storeConfig, { searchPath: store.schema, poolSize: 2 }) : store;
    try {
      const [a, b] = await Promise.all([service({ batch: 7 }).tick(), service({ batch: 7, store: other }).tick()]);
      const all: RetentionOutcome[] = [...a, ...b];
      for (const team of ['T1', 'T2']) {
        const mine = all.filter((o) => o.teamId === team);
        expect(mine.map((o) => o.status).sort()).toEqual(['done', 'taken']);
        expect(mine.find((o) => o.status === 'done')?.deleted.messages).toBe(20);
        expect(await retentionRuns(store.db, team)).toEqual([expect.objectContaining({ runOn: '2026-12-01', deleted: 20 * 9, finishedAt: expect.any(Date) })]);
      }
      expect(await activityTimes(store.db, 'T1')).toEqual(everyTable([]));

      // Later the same day: already done.
      clock = NOW + 6 * 3_600_000;
      expect((await service().tick()).map((o) => o.status)).toEqual(['taken', 'taken']);
      // The next day: a new run (nothing left to delete).
      clock = NOW + DAY;
      await seedActivity(store.db, 'T1', clock - 31 * DAY);
      const tomorrow = await service().tick();
      expect(tomorrow.map((o) => [o.teamId, o.status, o.deleted.messages])).toEqual([
        ['T1', 'done', 1],
        ['T2', 'done', 0],
      ]);
      expect((await retentionRuns(store.db, 'T1')).map((r) => r.runOn)).toEqual(['2026-12-02', '2026-12-01']);
    } finally {
      if (other !== store) await other.close();
    }
  });

  it('a replica that died holding the claim is followed by one that finishes the run once the lease ran out', async () => {
    await saveCharter(store.db, 'T1', makeCharter({ retention_days: 30 }), 'cli');
    await seedActivity(store.db, 'T1', NOW - 40 * DAY);
    expect(await claimRetention(store.db, 'T1', '2026-12-01', new Date(NOW), 10 * 60_000)).not.toBeNull();
    expect((await service().tick()).map((o) => o.status)).toEqual(['taken']);
    expect((await activityTimes(store.db, 'T1')).messages).toHaveLength(1);
    clock = NOW + 10 * 60_000;
    expect((await service().tick()).map((o) => [o.status, o.deleted.messages])).toEqual([['done', 1]]);
  });

  it('keeps the activity of a workspace whose stored charter no longer validates (its retention_days is unknown), and says so', async () => {
    await store.db.insertInto('charters').values({ team_id: 'T1', charter: JSON.stringify({ ...defaultCharter(), retention_days: 30, no_such_key: true }), updated_by: 'cli' }).execute();
    await seedActivity(store.db, 'T1', NOW - 400 * DAY);
    await seedEvents(store.db, 'T1', NOW - 8 * DAY, 'EvOld');
    const [outcome] = await service().tick();
    expect(outcome).toMatchObject({ status: 'done', retentionDays: null, deleted: { slack_events: 1 } });
    expect(await activityTimes(store.db, 'T1')).toEqual(everyTable([NOW - 400 * DAY]));
    expect(logs.parsed().some((l) => l.level === 40 && typeof l.msg === 'string' && l.msg.includes('does not validate'))).toBe(true);
  });

  it('deletes a reaction in a conversation no message has shown to be tracked a day after it came, whatever retention_days; keeps a younger one, and those in known channels', async () => {
    await saveCharter(store.db, 'T1', makeCharter({ retention_days: 365 }), 'cli');
    await seedActivity(store.db, 'T1', NOW - 10 * DAY);
    const reaction = (channel: string, at: number, reaction: string) => ({ team_id: 'T1', channel_id: channel, message_ts: tsOf(at), user_id: 'U2', reaction, reacted_at: new Date(at), removed_at: null });
    await store.db
      .insertInto('reactions')
      .values([reaction('C0NEVERSEEN', NOW - DAY - MARGIN, 'old'), reaction('C0NEVERSEEN', NOW - DAY + MARGIN, 'young'), reaction('G0GROUPDM', NOW - 3 * DAY, 'older'), reaction('C1', NOW - 3 * DAY, 'known')])
      .execute();
    // Another team's reaction in a channel T1 has seen, but T2 has not: T2's own run decides it.
    await store.db.insertInto('reactions').values({ ...reaction('C1', NOW - 3 * DAY, 'other-team'), team_id: 'T2' }).execute();
    const [outcome] = await service({ batch: 1 }).tick();
    expect(outcome).toMatchObject({ teamId: 'T1', status: 'done', deleted: { reactions: 2, messages: 0 } });
    const left = await store.db.selectFrom('reactions').select(['team_id', 'channel_id', 'reaction']).where('reaction', 'not like', 'r%').execute();
    expect(left.map((r) => `${r.team_id} ${r.channel_id} ${r.reaction}`).sort()).toEqual(['T1 C0NEVERSEEN young', 'T1 C1 known', 'T2 C1 other-team']);
    // seedActivity's reaction, in C1, ten days old: kept (retention_days is 365).
    expect((await activityTimes(store.db, 'T1')).reactions).toEqual([NOW - 10 * DAY, NOW - 3 * DAY, NOW - DAY + MARGIN]);
  });

  it('deletes in batches until none is left', async () => {
    await saveCharter(store.db, 'T1', makeCharter({ retention_days: 1 }), 'cli');
    for (let i = 0; i < 23; i += 1) await seedActivity(store.db, 'T1', NOW - (2 + i) * DAY);
    await seedActivity(store.db, 'T1', NOW - 3_600_000);
    const [outcome] = await service({ batch: 5 }).tick();
    expect(outcome?.deleted).toMatchObject({ messages: 23, reactions: 23, decisions: 23 });
    expect(await activityTimes(store.db, 'T1')).toEqual(everyTable([NOW - 3_600_000]));
  });
});

describe('the retention schedule', () => {
  it('does not tick at start; runNow ticks once (overlapping calls share it); stop waits for it', async () => {
    let ticks = 0;
    let release: () => void = () => undefined;
    const service = {
      tick: () =>
        new Promise<void>((r) => {
          ticks += 1;
          release = r;
        }),
    };
    const schedule = startRetentionSchedule(service, createLogger({ level: 'silent' }));
    await new Promise((r) => setTimeout(r, 50));
    expect(ticks).toBe(0);
    const first = schedule.runNow();
    const second = schedule.runNow();
    expect(ticks).toBe(1);
    release();
    await Promise.all([first, second]);
    await schedule.stop();
    await schedule.runNow();
    expect(ticks).toBe(1);
  });

  it('runs in the app: the service has a retention schedule that deletes what is too old', async () => {
    const t = await startTestApp({ logLevel: 'info' });
    try {
      const old = Date.now() - 181 * DAY;
      await seedActivity(t.store.db, t.fake.teamId, old);
      await seedActivity(t.store.db, t.fake.teamId, Date.now() - 179 * DAY);
      expect(t.service.retention).not.toBeNull();
      await t.service.retention?.runNow();
      expect((await activityTimes(t.store.db, t.fake.teamId)).messages).toHaveLength(1);
      expect(t.logs.parsed().find((l) => l.msg === 'retention: deleted what is older than the charter keeps')).toMatchObject({ team_id: t.fake.teamId, retention_days: 180 });
    } finally {
      await t.stop();
      await t.store.close();
    }
  });
});
