import { sql } from 'kysely';
import type { MessageRecord } from '../../src/domain/activity';
import { insertMessages } from '../../src/store/activity';
import type { Db } from '../../src/store/connect';
import { analyzeIfNever, deferRequests } from '../../src/store/requests';
import { startRequestsSchedule } from '../../src/jobs/requests';
import { createLogger } from '../../src/logger';
import { startTestApp } from '../helpers/app-harness';
import { freshStore } from '../helpers/store';

/**
 * The app's requests job applies the requests queue (what writes to messages and reactions queued)
 * without any report asking, and computes at start a team marked stale (an import, the migration
 * that made the table). On the real store (PGlite, and Postgres when DATABASE_URL is set).
 */

const message = (channelId: string, ts: string, userId: string, mentions: string[]): MessageRecord => ({
  channelId,
  ts,
  postedAt: new Date(Math.floor(Number(ts) * 1000)),
  threadTs: null,
  rootTs: ts,
  isReply: false,
  userId,
  subtype: null,
  mentions,
  editedTs: null,
  meetingRequest: false,
  whereIs: false,
  question: false,
});

type Row = { ts: string; rcpt: string; answered: boolean };
const rows = async (db: Db, teamId: string): Promise<Row[]> => {
  const r = await sql<Row>`select ts, rcpt, reply_at < 'infinity' as answered from requests where team_id = ${teamId} order by ts, n`.execute(db);
  return r.rows;
};

const queueBytes = async (db: Db): Promise<number> => Number((await sql<{ n: string }>`select pg_relation_size('requests_queue') as n`.execute(db)).rows[0]?.n);

describe('the requests job', () => {
  it('runs in the app: what writes queued is in the requests table after a tick, and the queue is empty', async () => {
    const t = await startTestApp({ logLevel: 'info' });
    try {
      expect(t.service.requests).not.toBeNull();
      const team = t.fake.teamId;
      await insertMessages(t.store.db, team, [message('C0JOB00001', '1764000000.000100', 'U0JOBANNA1', ['U0JOBBEN01']), message('C0JOB00001', '1764000060.000100', 'U0JOBBEN01', [])]);
      // Nothing else in the app applies the queue without a report asking. (Whether a tick of the
      // schedule already ran since the insert is a race, so it is not asserted: test/store/requests-table
      // checks that a write only queues.) A tick under way when the rows were written may have missed
      // them: the next one has them.
      await t.service.requests?.runNow();
      await t.service.requests?.runNow();
      expect(await rows(t.store.db, team)).toEqual([{ ts: '1764000000.000100', rcpt: 'U0JOBBEN01', answered: true }]);
      expect(await t.store.db.selectFrom('requests_queue').select('ts').where('team_id', '=', team).execute()).toEqual([]);
      // The embedded store has no autovacuum: the app's job vacuums the queue it emptied (Postgres' autovacuum does it there).
      if (t.store.kind === 'pglite') expect(await queueBytes(t.store.db)).toBe(0);
    } finally {
      await t.stop();
      await t.store.close();
    }
  });

  it('computes a team marked stale at start (a bulk load before the app started)', async () => {
    const store = await freshStore();
    const team = 'T0JOBSTALE';
    await store.db.transaction().execute(async (trx) => {
      await deferRequests(trx, team);
      await insertMessages(trx, team, [message('C0JOB00002', '1764000000.000200', 'U0JOBANNA1', ['U0JOBCLO01'])]);
    });
    expect(await rows(store.db, team)).toEqual([]);
    const t = await startTestApp({ logLevel: 'info', store });
    try {
      for (let i = 0; i < 50 && (await rows(t.store.db, team)).length === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
      expect(await rows(t.store.db, team)).toEqual([{ ts: '1764000000.000200', rcpt: 'U0JOBCLO01', answered: false }]);
      expect(await t.store.db.selectFrom('requests_stale').select('team_id').where('team_id', '=', team).execute()).toEqual([]);
    } finally {
      await t.stop();
      await t.store.close();
    }
  });

  it('with vacuumQueue, vacuums the queue after a tick that applied rows: its pages do not grow with every message written', async () => {
    const store = await freshStore();
    const team = 'T0JOBVACUU';
    const logger = createLogger({ level: 'silent' });
    const write = async (from: number) =>
      insertMessages(store.db, team, Array.from({ length: 1000 }, (_, i) => message(`C0JOB0000${i % 4}`, `${1764000000 + from + i}.000100`, `U0JOBP${String(i % 7).padStart(4, '0')}`, [`U0JOBP${String((i + 3) % 7).padStart(4, '0')}`])));
    // Whether VACUUM could free the pages: always on the embedded store (one process); on Postgres,
    // another test file's open transaction may still see the deleted rows, and autovacuum runs too.
    const embedded = store.kind === 'pglite';
    try {
      // Without it (what the embedded store did before): the drained queue keeps its pages, and the next rows add more.
      const plain = startRequestsSchedule(store.db, logger, { expression: '0 0 1 1 *' });
      await write(0);
      const queued = await queueBytes(store.db);
      expect(queued).toBeGreaterThan(0);
      await plain.runNow();
      await plain.stop();
      expect(await store.db.selectFrom('requests_queue').select('ts').execute()).toEqual([]);
      if (embedded) expect(await queueBytes(store.db)).toBe(queued);
      const vacuumed = startRequestsSchedule(store.db, logger, { expression: '0 0 1 1 *', vacuumQueue: true });
      try {
        for (const from of [1000, 2000, 3000]) {
          await write(from);
          expect(await queueBytes(store.db)).toBeGreaterThan(0);
          await vacuumed.runNow();
          expect(await store.db.selectFrom('requests_queue').select('ts').execute()).toEqual([]);
          if (embedded) expect(await queueBytes(store.db)).toBe(0);
        }
      } finally {
        await vacuumed.stop();
      }
      expect(Number((await sql<{ n: string }>`select count(*) as n from requests where team_id = ${team}`.execute(store.db)).rows[0]?.n)).toBe(4000);
    } finally {
      await store.close();
    }
  });

  it('analyses messages and requests once they hold rows and were never analysed, and only then', async () => {
    const store = await freshStore();
    const reltuples = async () => {
      const r = await sql<{ relname: string; reltuples: number }>`select relname, reltuples from pg_class where oid in (to_regclass('messages'), to_regclass('requests')) order by relname`.execute(store.db);
      return Object.fromEntries(r.rows.map((row) => [row.relname, Number(row.reltuples)]));
    };
    try {
      // Empty tables are left alone (nothing to learn from them).
      expect(await analyzeIfNever(store.db)).toEqual([]);
      expect(await reltuples()).toEqual({ messages: -1, requests: -1 });
      const team = 'T0JOBSTATS';
      await insertMessages(store.db, team, [message('C0JOB00003', '1764000000.000100', 'U0JOBANNA1', ['U0JOBBEN01']), message('C0JOB00003', '1764000060.000100', 'U0JOBBEN01', ['U0JOBANNA1'])]);
      // Only messages holds rows before a drain.
      expect(await analyzeIfNever(store.db)).toEqual(['messages']);
      expect(await reltuples()).toEqual({ messages: 2, requests: -1 });
      const schedule = startRequestsSchedule(store.db, createLogger({ level: 'silent' }), { expression: '0 0 1 1 *' });
      try {
        await schedule.runNow();
        await schedule.runNow();
      } finally {
        await schedule.stop();
      }
      // The job's tick: requests now holds rows, so it was analysed too; messages is not analysed again.
      expect(await reltuples()).toEqual({ messages: 2, requests: 2 });
      expect(await rows(store.db, team)).toHaveLength(2);
      expect(await analyzeIfNever(store.db)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
