import type { SlackEvent } from '../../src/domain/activity';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/metrics';
import { Ingestor, type IngestOutcome } from '../../src/services/ingest';
import { freshStore, type TestStore } from '../helpers/store';

/**
 * The group commit against a real store (PGlite, or Postgres with DATABASE_URL): deliveries that
 * arrive together share one commit (one statement when they only add messages), and each is
 * answered by what happened to it alone.
 */
const TEAM = 'T0INGEST01';
const OTHER = 'T0INGEST02';
const CH = 'C0INGEST01';

const message = (user: string, ts: string, text: string, extra: Record<string, unknown> = {}): SlackEvent => ({ type: 'message', channel: CH, channel_type: 'channel', user, ts, event_ts: ts, text, ...extra }) as SlackEvent;

describe('Ingestor group commit', () => {
  let store: TestStore;
  let ingestor: Ingestor;
  let afterCommit: string[];
  beforeEach(async () => {
    store = await freshStore();
    afterCommit = [];
    ingestor = new Ingestor({ store, logger: createLogger({ level: 'silent' }), metrics: createMetrics(), afterCommit: (d) => afterCommit.push(d.eventId) });
  });
  afterEach(async () => {
    await ingestor.idle();
    await store.close();
  });
  const count = async (table: 'messages' | 'slack_events' | 'channels', team = TEAM): Promise<number> =>
    Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('team_id', '=', team).executeTakeFirstOrThrow()).n);

  it('stores 60 concurrent deliveries once each; a redelivery in the same group is a duplicate, not a second row', async () => {
    const events = Array.from({ length: 60 }, (_, i) => ({ id: `EvG${i}`, event: message(`U0P${i % 7}`, `1764580000.${String(i).padStart(6, '0')}`, `<@U0P${(i + 1) % 7}> item ${i}?`) }));
    // Every tenth delivery arrives twice at once (Slack's retry racing the original).
    const sends = [...events, ...events.filter((_, i) => i % 10 === 0)].map((e) => ingestor.ingest({ teamId: TEAM, eventId: e.id, event: e.event }));
    const outcomes: IngestOutcome[] = await Promise.all(sends);
    expect(outcomes.filter((o) => o.status === 'stored')).toHaveLength(60);
    expect(outcomes.filter((o) => o.status === 'duplicate')).toHaveLength(6);
    expect(await count('messages')).toBe(60);
    expect(await count('slack_events')).toBe(60);
    expect(await count('channels')).toBe(1);
    expect(new Set(afterCommit).size).toBe(60);
    expect(afterCommit).toHaveLength(60);
    const row = await store.db.selectFrom('messages').selectAll().where('ts', '=', '1764580000.000003').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ channel_id: CH, user_id: 'U0P3', mentions: ['U0P4'], is_reply: false, root_ts: '1764580000.000003', source: 'event', is_question: true });
    expect(row.posted_at.toISOString()).toBe('2025-12-01T09:06:40.000Z');
    // Later, one more redelivery of an event already stored.
    expect((await ingestor.ingest({ teamId: TEAM, eventId: 'EvG5', event: events[5]?.event as SlackEvent })).status).toBe('duplicate');
    expect(await count('messages')).toBe(60);
  });

  it('keeps a message deleted when its creation arrives after the deletion', async () => {
    const ts = '1764580100.000001';
    await ingestor.ingest({ teamId: TEAM, eventId: 'EvDel', event: { type: 'message', subtype: 'message_deleted', channel: CH, channel_type: 'channel', deleted_ts: ts, ts: '1764580200.000001', event_ts: '1764580200.000001' } as SlackEvent });
    const late = await Promise.all([ingestor.ingest({ teamId: TEAM, eventId: 'EvLate', event: message('U0P1', ts, 'too late') }), ingestor.ingest({ teamId: TEAM, eventId: 'EvOk', event: message('U0P1', '1764580100.000002', 'fine') })]);
    expect(late.map((o) => o.status)).toEqual(['stored', 'stored']);
    const rows = await store.db.selectFrom('messages').select('ts').where('team_id', '=', TEAM).execute();
    expect(rows.map((r) => r.ts)).toEqual(['1764580100.000002']);
  });

  it('applies a group that mixes messages, an edit, a reaction and another workspace', async () => {
    const ts = '1764580300.000001';
    await ingestor.ingest({ teamId: TEAM, eventId: 'EvBase', event: message('U0P1', ts, '<@U0P2> first') });
    const outcomes = await Promise.all([
      ingestor.ingest({ teamId: TEAM, eventId: 'EvM1', event: message('U0P2', '1764580300.000002', 'reply', { thread_ts: ts }) }),
      ingestor.ingest({ teamId: TEAM, eventId: 'EvEdit', event: { type: 'message', subtype: 'message_changed', channel: CH, channel_type: 'channel', ts: '1764580300.000003', event_ts: '1764580300.000003', message: { type: 'message', user: 'U0P1', ts, text: '<@U0P3> first, edited', edited: { user: 'U0P1', ts: '1764580300.000003' } } } as SlackEvent }),
      ingestor.ingest({ teamId: TEAM, eventId: 'EvReact', event: { type: 'reaction_added', user: 'U0P3', reaction: 'eyes', item: { type: 'message', channel: CH, ts }, event_ts: '1764580300.000004' } as SlackEvent }),
      ingestor.ingest({ teamId: OTHER, eventId: 'EvM1', event: message('U0P9', '1764580300.000005', 'elsewhere') }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['stored', 'stored', 'stored', 'stored']);
    const first = await store.db.selectFrom('messages').select(['mentions', 'edited_ts']).where('team_id', '=', TEAM).where('ts', '=', ts).executeTakeFirstOrThrow();
    expect(first).toEqual({ mentions: ['U0P3'], edited_ts: '1764580300.000003' });
    const reply = await store.db.selectFrom('messages').select(['is_reply', 'root_ts']).where('team_id', '=', TEAM).where('ts', '=', '1764580300.000002').executeTakeFirstOrThrow();
    expect(reply).toEqual({ is_reply: true, root_ts: ts });
    expect(await store.db.selectFrom('reactions').select('reaction').where('team_id', '=', TEAM).execute()).toEqual([{ reaction: 'eyes' }]);
    expect(await count('messages', OTHER)).toBe(1);
    expect(await count('slack_events', OTHER)).toBe(1);
  });

  it('fails a delivery the store refuses alone: the others of its group are stored and answered', async () => {
    const outcomes = await Promise.allSettled([
      ingestor.ingest({ teamId: TEAM, eventId: 'EvA', event: message('U0P1', '1764580400.000001', 'a') }),
      // Postgres text cannot hold NUL: this one cannot be stored.
      ingestor.ingest({ teamId: TEAM, eventId: 'EvBad', event: { ...message('U0P2', '1764580400.000002', 'b'), channel: 'C0BAD\u0000X' } as SlackEvent }),
      ingestor.ingest({ teamId: TEAM, eventId: 'EvC', event: message('U0P3', '1764580400.000003', 'c') }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await count('messages')).toBe(2);
    expect((await store.db.selectFrom('slack_events').select('event_id').where('team_id', '=', TEAM).orderBy('event_id').execute()).map((r) => r.event_id)).toEqual(['EvA', 'EvC']);
  });
});
