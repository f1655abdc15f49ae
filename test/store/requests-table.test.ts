import fc from 'fast-check';
import { sql } from 'kysely';
import type { MessageRecord } from '../../src/domain/activity';
import { tsMicros } from '../../src/domain/requests';
import { applyChanges, commitMessageDeliveries, insertMessages } from '../../src/store/activity';
import { forgetPerson } from '../../src/store/forget';
import { deferRequests, drainRequests } from '../../src/store/requests';
import { encodeMessageRows, openMessageCopy } from '../../src/store/import-copy';
import { deleteOldRows } from '../../src/store/retention';
import { freshStore, testBackend, type TestStore } from '../helpers/store';

/**
 * `requests` (migrations/202612100001_requests.sql) is kept by triggers on messages and reactions
 * that queue what changed, and drains that apply the queue in shares: after any sequence of the
 * store's own writers (live deliveries, export batches, COPY imports, edits, deletions, reactions
 * added, moved earlier and removed, retention, forgetting someone, an import that queues nothing
 * and has the team's requests computed anew), drained at any points in shares of any size, its
 * rows equal SPEC §4's requests recomputed from the stored messages and reactions: one per
 * (message, mentioned person other than the author), with the recipient's first later message of
 * the same root (or, for a top-level request, their first later top-level message in the channel)
 * and their first reaction to it later than it.
 */

const CHANNELS = ['C0RQ000001', 'C0RQ000002'] as const;
const PEOPLE = ['U0RQANNA01', 'U0RQBEN001', 'U0RQCLOE01', 'U0RQDAN001'] as const;
const BASE_S = 1_764_000_000;

let store: TestStore;
let teamNo = 0;
beforeAll(async () => {
  store = await freshStore();
});
afterAll(async () => {
  await store.close();
});

type Row = { channel_id: string; ts: string; n: number; rcpt: string; requester: string; posted_at: number; root_ts: string; is_reply: boolean; reply_at: number | null; reaction_at: number | null };

/** What the table must hold, recomputed from the stored messages and reactions. */
async function expected(teamId: string): Promise<Row[]> {
  const messages = await store.db.selectFrom('messages').selectAll().where('team_id', '=', teamId).execute();
  const reactions = await store.db.selectFrom('reactions').selectAll().where('team_id', '=', teamId).execute();
  const rows: Row[] = [];
  for (const m of messages) {
    m.mentions.forEach((rcpt, i) => {
      if (rcpt === m.user_id) return;
      const answers = messages.filter(
        (y) => y.channel_id === m.channel_id && y.user_id === rcpt && tsMicros(y.ts) > tsMicros(m.ts) && (y.root_ts === m.root_ts || (!m.is_reply && !y.is_reply)),
      );
      const reacted = reactions.filter((x) => x.channel_id === m.channel_id && x.message_ts === m.ts && x.user_id === rcpt);
      const first = (xs: number[]) => (xs.length === 0 ? null : Math.min(...xs));
      rows.push({
        channel_id: m.channel_id,
        ts: m.ts,
        n: i + 1,
        rcpt,
        requester: m.user_id,
        posted_at: m.posted_at.getTime(),
        root_ts: m.root_ts,
        is_reply: m.is_reply,
        reply_at: first(answers.map((y) => y.posted_at.getTime())),
        reaction_at: first(reacted.map((x) => x.reacted_at.getTime()).filter((at) => at > m.posted_at.getTime())),
      });
    });
  }
  return sortRows(rows);
}

/** The table's rows of a team, after draining the team's queue (in shares of `share` rows). */
async function stored(teamId: string, share?: number): Promise<Row[]> {
  await drainRequests(store.db, share === undefined ? { team: teamId } : { team: teamId, share });
  return storedNow(teamId);
}

/** The table's rows as they are, queue or not. */
async function storedNow(teamId: string): Promise<Row[]> {
  const { rows } = await sql<Omit<Row, 'posted_at' | 'reply_at' | 'reaction_at'> & { posted_at: Date; reply: string | null; reaction: string | null }>`
    select channel_id, ts, n, rcpt, requester, posted_at, root_ts, is_reply,
           case when reply_at < 'infinity' then (date_part('epoch', reply_at) * 1000)::int8::text end as reply,
           case when reaction_at < 'infinity' then (date_part('epoch', reaction_at) * 1000)::int8::text end as reaction
    from requests where team_id = ${teamId}`.execute(store.db);
  return sortRows(
    rows.map(({ reply, reaction, posted_at, ...r }) => ({
      ...r,
      posted_at: posted_at.getTime(),
      reply_at: reply === null ? null : Number(reply),
      reaction_at: reaction === null ? null : Number(reaction),
    })),
  );
}

const sortRows = (rows: Row[]) => rows.sort((a, b) => (a.channel_id + a.ts + String(a.n)).localeCompare(b.channel_id + b.ts + String(b.n)));

/** A message at second s (of the history) and microsecond u; ts written with fewer digits when short. */
type MsgSpec = { channel: number; s: number; u: number; short: boolean; author: number; mentions: number[]; reply: number | null };

function record(spec: MsgSpec, roots: ReadonlyMap<string, string>): MessageRecord {
  const fraction = String(spec.u).padStart(6, '0');
  const ts = `${BASE_S + spec.s}.${spec.short ? fraction.replace(/0+$/, '') || '0' : fraction}`;
  const channelId = CHANNELS[spec.channel] as string;
  // A reply names an earlier stored top-level message of the channel as its root (else it is top-level).
  const root = spec.reply === null ? undefined : [...roots.entries()].filter(([, ch]) => ch === channelId).map(([t]) => t)[spec.reply % Math.max(1, roots.size)];
  const isReply = root !== undefined && root !== ts;
  return {
    channelId,
    ts,
    postedAt: new Date(Math.floor(tsMicros(ts) / 1000)),
    threadTs: isReply ? (root as string) : null,
    rootTs: isReply ? (root as string) : ts,
    isReply,
    userId: PEOPLE[spec.author] as string,
    subtype: null,
    mentions: [...new Set(spec.mentions.map((i) => PEOPLE[i] as string))],
    editedTs: null,
    meetingRequest: false,
    whereIs: false,
    question: false,
  };
}

const msgSpec = fc.record({
  channel: fc.integer({ min: 0, max: 1 }),
  s: fc.integer({ min: 0, max: 40 }),
  u: fc.constantFrom(0, 100, 100_000, 123_456, 999_999),
  short: fc.boolean(),
  author: fc.integer({ min: 0, max: 3 }),
  mentions: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
  reply: fc.option(fc.nat(), { nil: null }),
});

type Op =
  | { op: 'deliver'; msgs: MsgSpec[] }
  | { op: 'batch'; msgs: MsgSpec[] }
  | { op: 'copy'; msgs: MsgSpec[] }
  | { op: 'import'; msgs: MsgSpec[] }
  | { op: 'edit'; pick: number; mentions: number[] }
  | { op: 'delete'; pick: number }
  | { op: 'react'; pick: number; who: number; s: number; emoji: number }
  | { op: 'unreact'; pick: number }
  | { op: 'retention'; s: number; table: 'messages' | 'reactions' }
  | { op: 'forget'; who: number };

const ops: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('deliver' as const), msgs: fc.array(msgSpec, { minLength: 1, maxLength: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('batch' as const), msgs: fc.array(msgSpec, { minLength: 1, maxLength: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('copy' as const), msgs: fc.array(msgSpec, { minLength: 1, maxLength: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('import' as const), msgs: fc.array(msgSpec, { minLength: 1, maxLength: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('edit' as const), pick: fc.nat(), mentions: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('react' as const), pick: fc.nat(), who: fc.integer({ min: 0, max: 3 }), s: fc.integer({ min: 0, max: 50 }), emoji: fc.integer({ min: 0, max: 1 }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unreact' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('retention' as const), s: fc.integer({ min: 0, max: 30 }), table: fc.constantFrom('messages' as const, 'reactions' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('forget' as const), who: fc.integer({ min: 0, max: 3 }) }) },
);

async function apply(teamId: string, op: Op, step: number): Promise<void> {
  const db = store.db;
  const current = await db.selectFrom('messages').selectAll().where('team_id', '=', teamId).orderBy('channel_id').orderBy('ts').execute();
  const roots = new Map(current.filter((m) => !m.is_reply).map((m) => [m.ts, m.channel_id]));
  const picked = (pick: number) => current[pick % Math.max(1, current.length)];
  const at = (s: number) => new Date((BASE_S + s) * 1000);
  switch (op.op) {
    case 'deliver':
      await commitMessageDeliveries(
        db,
        teamId,
        op.msgs.map((m, i) => ({ eventId: `Ev${step}x${i}`, eventType: 'message', channels: [{ id: CHANNELS[m.channel] as string, type: 'channel' as const }], messages: [record(m, roots)] })),
      );
      return;
    case 'batch':
      await insertMessages(db, teamId, op.msgs.map((m) => record(m, roots)));
      return;
    case 'copy':
      if (testBackend() !== 'postgres') {
        await insertMessages(db, teamId, op.msgs.map((m) => record(m, roots)));
        return;
      }
      await db.transaction().execute(async (trx) => {
        const copy = await openMessageCopy(trx, teamId);
        await copy.load([Buffer.from(encodeMessageRows(teamId, op.msgs.map((m) => record(m, roots))))]);
        await copy.finish();
      });
      return;
    case 'import':
      // As an export's import writes: nothing queued, the team's requests computed anew at the next drain.
      await db.transaction().execute(async (trx) => {
        await deferRequests(trx, teamId);
        const half = Math.ceil(op.msgs.length / 2);
        await insertMessages(trx, teamId, op.msgs.slice(0, half).map((m) => record(m, roots)));
        await insertMessages(trx, teamId, op.msgs.slice(half).map((m) => record(m, roots)));
      });
      return;
    case 'edit': {
      const m = picked(op.pick);
      if (m === undefined) return;
      const message: MessageRecord = {
        channelId: m.channel_id,
        ts: m.ts,
        postedAt: m.posted_at,
        threadTs: m.thread_ts,
        rootTs: m.root_ts,
        isReply: m.is_reply,
        userId: m.user_id,
        subtype: m.subtype,
        mentions: [...new Set(op.mentions.map((i) => PEOPLE[i] as string))],
        editedTs: `${BASE_S + 100 + step}.000000`,
        meetingRequest: false,
        whereIs: false,
        question: false,
      };
      await applyChanges(db, teamId, [{ kind: 'message', message, edit: true }], 'event');
      return;
    }
    case 'delete': {
      const m = picked(op.pick);
      if (m !== undefined) await applyChanges(db, teamId, [{ kind: 'message_removed', channelId: m.channel_id, ts: m.ts, at: at(60) }], 'event');
      return;
    }
    case 'react': {
      const m = picked(op.pick);
      if (m === undefined) return;
      await applyChanges(db, teamId, [{ kind: 'channel_seen', channelId: m.channel_id, channelType: 'channel' }], 'event');
      await applyChanges(
        db,
        teamId,
        [{ kind: 'reaction', channelId: m.channel_id, messageTs: m.ts, userId: PEOPLE[op.who] as string, reaction: op.emoji === 0 ? 'eyes' : 'white_check_mark', at: at(op.s), removed: false }],
        'event',
      );
      return;
    }
    case 'unreact': {
      const reactions = await db.selectFrom('reactions').selectAll().where('team_id', '=', teamId).orderBy('message_ts').execute();
      const x = reactions[op.pick % Math.max(1, reactions.length)];
      if (x !== undefined) {
        await applyChanges(db, teamId, [{ kind: 'reaction', channelId: x.channel_id, messageTs: x.message_ts, userId: x.user_id, reaction: x.reaction, at: at(70), removed: true }], 'event');
      }
      return;
    }
    case 'retention':
      await deleteOldRows(db, teamId, op.table, at(op.s), 1_000);
      return;
    case 'forget':
      await forgetPerson(db, teamId, PEOPLE[op.who] as string);
      return;
  }
}

describe(`requests kept by queue and drains equal SPEC §4 recomputed from the stored rows (${testBackend()})`, () => {
  test('after any sequence of the store writers, drained at any points in shares of any size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(ops, fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }), fc.boolean()), { minLength: 1, maxLength: 20 }), async (sequence) => {
        teamNo += 1;
        const teamId = `T0RQ${String(teamNo).padStart(6, '0')}`;
        for (const [step, [op, share, check]] of sequence.entries()) {
          await apply(teamId, op, step);
          // Some steps drain part of the whole queue only (one share, any team's rows), some drain nothing: later drains catch up.
          if (!check) {
            if (share !== undefined) await drainRequests(store.db, { share, maxShares: 1 });
            continue;
          }
          expect({ step, op: op.op, rows: await stored(teamId, share) }).toEqual({ step, op: op.op, rows: await expected(teamId) });
        }
        expect(await stored(teamId)).toEqual(await expected(teamId));
        // Computed anew, set-based (a stale team), the rows are the same.
        await store.db.insertInto('requests_stale').values({ team_id: teamId }).execute();
        expect(await stored(teamId)).toEqual(await expected(teamId));
      }),
      { numRuns: 100, seed: 20261201 },
    );
  }, 180_000);

  test('a late-delivered answer moves the first response earlier; deleting it restores the next one', async () => {
    teamNo += 1;
    const teamId = `T0RQ${String(teamNo).padStart(6, '0')}`;
    const roots = new Map<string, string>();
    const ask = record({ channel: 0, s: 1, u: 0, short: false, author: 0, mentions: [1], reply: null }, roots);
    const later = record({ channel: 0, s: 20, u: 0, short: false, author: 1, mentions: [], reply: null }, roots);
    const earlier = record({ channel: 0, s: 5, u: 0, short: false, author: 1, mentions: [], reply: null }, roots);
    await insertMessages(store.db, teamId, [ask, later]);
    const replyAt = async () => (await stored(teamId))[0]?.reply_at;
    expect(await replyAt()).toBe(later.postedAt.getTime());
    await insertMessages(store.db, teamId, [earlier]);
    expect(await replyAt()).toBe(earlier.postedAt.getTime());
    await applyChanges(store.db, teamId, [{ kind: 'message_removed', channelId: earlier.channelId, ts: earlier.ts, at: new Date() }], 'event');
    expect(await replyAt()).toBe(later.postedAt.getTime());
    await applyChanges(store.db, teamId, [{ kind: 'message_removed', channelId: later.channelId, ts: later.ts, at: new Date() }], 'event');
    expect(await replyAt()).toBeNull();
  });

  test('in a thread: the recipient’s next reply answers once their first is deleted; a top-level message does not', async () => {
    teamNo += 1;
    const teamId = `T0RQ${String(teamNo).padStart(6, '0')}`;
    const root = record({ channel: 0, s: 1, u: 0, short: false, author: 0, mentions: [], reply: null }, new Map());
    const roots = new Map([[root.ts, root.channelId]]);
    const ask = record({ channel: 0, s: 2, u: 0, short: false, author: 0, mentions: [1], reply: 0 }, roots);
    const first = record({ channel: 0, s: 3, u: 0, short: false, author: 1, mentions: [], reply: 0 }, roots);
    const top = record({ channel: 0, s: 4, u: 0, short: false, author: 1, mentions: [], reply: null }, roots);
    const second = record({ channel: 0, s: 5, u: 0, short: false, author: 1, mentions: [], reply: 0 }, roots);
    expect([ask.isReply, first.isReply, second.isReply]).toEqual([true, true, true]);
    await commitMessageDeliveries(store.db, teamId, [root, ask, first, top, second].map((m, i) => ({ eventId: `EvT${i}`, eventType: 'message', channels: [{ id: m.channelId, type: 'channel' as const }], messages: [m] })));
    const replyAt = async () => (await stored(teamId)).find((r) => r.ts === ask.ts)?.reply_at;
    expect(await replyAt()).toBe(first.postedAt.getTime());
    await applyChanges(store.db, teamId, [{ kind: 'message_removed', channelId: first.channelId, ts: first.ts, at: new Date() }], 'event');
    expect(await replyAt()).toBe(second.postedAt.getTime());
    expect(await stored(teamId)).toEqual(await expected(teamId));
  });

  test('reactions stored before their message (out of order): only one later than the message answers it', async () => {
    teamNo += 1;
    const teamId = `T0RQ${String(teamNo).padStart(6, '0')}`;
    const ask = record({ channel: 0, s: 10, u: 0, short: false, author: 0, mentions: [1], reply: null }, new Map());
    const reaction = (s: number, emoji: string) => ({ kind: 'reaction' as const, channelId: ask.channelId, messageTs: ask.ts, userId: PEOPLE[1] as string, reaction: emoji, at: new Date((BASE_S + s) * 1000), removed: false });
    await applyChanges(store.db, teamId, [{ kind: 'channel_seen', channelId: ask.channelId, channelType: 'channel' }, reaction(5, 'eyes')], 'event');
    expect(await store.db.selectFrom('reactions').select('reaction').where('team_id', '=', teamId).execute()).toEqual([{ reaction: 'eyes' }]);
    expect(await stored(teamId)).toEqual([]);
    // Live, the message's requests are added by the drain (requests_add), which reads the reactions already stored.
    await applyChanges(store.db, teamId, [{ kind: 'message', message: ask, edit: false }], 'event');
    expect((await stored(teamId)).map((r) => r.reaction_at)).toEqual([null]);
    await applyChanges(store.db, teamId, [reaction(20, 'white_check_mark')], 'event');
    expect((await stored(teamId)).map((r) => r.reaction_at)).toEqual([(BASE_S + 20) * 1000]);
    expect(await stored(teamId)).toEqual(await expected(teamId));
  });

  test('a write only queues: the table changes at the drain, not before', async () => {
    teamNo += 1;
    const teamId = `T0RQ${String(teamNo).padStart(6, '0')}`;
    const roots = new Map<string, string>();
    const ask = record({ channel: 0, s: 1, u: 0, short: false, author: 0, mentions: [1, 2], reply: null }, roots);
    const answer = record({ channel: 0, s: 9, u: 0, short: false, author: 1, mentions: [], reply: null }, roots);
    await insertMessages(store.db, teamId, [ask, answer]);
    const queued = await store.db.selectFrom('requests_queue').select(['kind', 'ts']).where('team_id', '=', teamId).orderBy('ts').execute();
    expect(queued).toEqual([
      { kind: 'm', ts: ask.ts },
      { kind: 'm', ts: answer.ts },
    ]);
    expect(await storedNow(teamId)).toEqual([]);
    expect(await drainRequests(store.db)).toBeGreaterThanOrEqual(2);
    expect((await storedNow(teamId)).map((r) => [r.rcpt, r.reply_at])).toEqual([
      [PEOPLE[1], answer.postedAt.getTime()],
      [PEOPLE[2], null],
    ]);
    expect(await store.db.selectFrom('requests_queue').select('ts').where('team_id', '=', teamId).execute()).toEqual([]);
  });

  test('a bulk load queues nothing and marks its team; the next drain computes it, and a rolled-back one leaves nothing', async () => {
    teamNo += 1;
    const teamId = `T0RQ${String(teamNo).padStart(6, '0')}`;
    const roots = new Map<string, string>();
    const msgs = [
      record({ channel: 0, s: 1, u: 0, short: false, author: 0, mentions: [1], reply: null }, roots),
      record({ channel: 0, s: 2, u: 0, short: false, author: 1, mentions: [0], reply: null }, roots),
    ];
    await expect(
      store.db.transaction().execute(async (trx) => {
        await deferRequests(trx, teamId);
        await insertMessages(trx, teamId, msgs);
        throw new Error('the import failed');
      }),
    ).rejects.toThrow('the import failed');
    expect(await store.db.selectFrom('requests_stale').select('team_id').where('team_id', '=', teamId).execute()).toEqual([]);
    await store.db.transaction().execute(async (trx) => {
      await deferRequests(trx, teamId);
      await insertMessages(trx, teamId, msgs);
    });
    expect(await store.db.selectFrom('requests_queue').select('ts').where('team_id', '=', teamId).execute()).toEqual([]);
    expect(await store.db.selectFrom('requests_stale').select('team_id').where('team_id', '=', teamId).execute()).toEqual([{ team_id: teamId }]);
    // Later writes of the same transaction's session queue again (the deferral was the transaction's).
    await insertMessages(store.db, teamId, [record({ channel: 1, s: 3, u: 0, short: false, author: 2, mentions: [3], reply: null }, roots)]);
    expect(await store.db.selectFrom('requests_queue').select('ts').where('team_id', '=', teamId).execute()).toHaveLength(1);
    expect(await stored(teamId)).toEqual(await expected(teamId));
    expect(await storedNow(teamId)).toHaveLength(3);
    expect(await store.db.selectFrom('requests_stale').select('team_id').where('team_id', '=', teamId).execute()).toEqual([]);
  });

  test('a stale team is computed channel by channel, a statement each: a partial drain leaves the rest marked; a channel left without messages loses its requests', async () => {
    teamNo += 1;
    const teamId = `T0RQ${String(teamNo).padStart(6, '0')}`;
    const roots = new Map<string, string>();
    const third = 'C0RQ000003';
    const msgs = Array.from({ length: 12 }, (_, i) => {
      const m = record({ channel: i % 2, s: i + 1, u: 0, short: false, author: i % 4, mentions: [(i + 1) % 4], reply: null }, roots);
      return i % 3 === 2 ? { ...m, channelId: third } : m;
    });
    await insertMessages(store.db, teamId, msgs);
    expect(await stored(teamId)).toEqual(await expected(teamId));
    expect((await storedNow(teamId)).some((r) => r.channel_id === third)).toBe(true);
    // A bulk load: the third channel's messages go, the first gets one more; the triggers queue nothing.
    await store.db.transaction().execute(async (trx) => {
      await deferRequests(trx, teamId);
      await trx.deleteFrom('messages').where('team_id', '=', teamId).where('channel_id', '=', third).execute();
      await insertMessages(trx, teamId, [record({ channel: 0, s: 40, u: 0, short: false, author: 3, mentions: [0, 1], reply: null }, roots)]);
    });
    const pending = async () => (await store.db.selectFrom('requests_stale_channels').select('channel_id').where('team_id', '=', teamId).orderBy('channel_id').execute()).map((r) => r.channel_id);
    // One step: the team becomes its two channels with messages, the third's requests go, and one channel is computed.
    await drainRequests(store.db, { team: teamId, maxShares: 1 });
    expect(await pending()).toEqual([CHANNELS[1]]);
    const now = await storedNow(teamId);
    expect(now.filter((r) => r.channel_id === third)).toEqual([]);
    expect(now.filter((r) => r.channel_id === CHANNELS[0])).toEqual((await expected(teamId)).filter((r) => r.channel_id === CHANNELS[0]));
    // The rest at the next drain.
    expect(await stored(teamId)).toEqual(await expected(teamId));
    expect(await pending()).toEqual([]);
    expect(await store.db.selectFrom('requests_stale').select('team_id').where('team_id', '=', teamId).execute()).toEqual([]);
  });

  test('drains at the same time apply the queue once between them (one at a time)', async () => {
    teamNo += 1;
    const teamId = `T0RQ${String(teamNo).padStart(6, '0')}`;
    const roots = new Map<string, string>();
    const msgs = Array.from({ length: 30 }, (_, i) => record({ channel: i % 2, s: i, u: 0, short: false, author: i % 4, mentions: [(i + 1) % 4, (i + 2) % 4], reply: null }, roots));
    for (const m of msgs) await insertMessages(store.db, teamId, [m]);
    const applied = await Promise.all([drainRequests(store.db, { share: 4 }), drainRequests(store.db, { share: 5 }), drainRequests(store.db, { share: 7 })]);
    expect(applied.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(30);
    expect(await storedNow(teamId)).toEqual(await expected(teamId));
  });

  test("a team's drain (a report's) applies that team's queue and stale mark only", async () => {
    const teams = [1, 2].map(() => `T0RQ${String((teamNo += 1)).padStart(6, '0')}`);
    const [mine, other] = teams as [string, string];
    const roots = new Map<string, string>();
    for (const team of teams) {
      await insertMessages(store.db, team, [record({ channel: 0, s: 1, u: 0, short: false, author: 0, mentions: [1], reply: null }, roots)]);
      await store.db.insertInto('requests_stale').values({ team_id: team }).execute();
    }
    expect(await drainRequests(store.db, { team: mine })).toBe(1);
    expect(await storedNow(mine)).toEqual(await expected(mine));
    expect(await storedNow(other)).toEqual([]);
    expect(await store.db.selectFrom('requests_queue').select('team_id').where('team_id', 'in', teams).execute()).toEqual([{ team_id: other }]);
    expect(await store.db.selectFrom('requests_stale').select('team_id').where('team_id', 'in', teams).execute()).toEqual([{ team_id: other }]);
    await drainRequests(store.db);
    expect(await storedNow(other)).toEqual(await expected(other));
  });
});
