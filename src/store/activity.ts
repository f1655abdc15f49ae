import { sql } from 'kysely';
import type { Change, MessageRecord } from '../domain/activity';
import type { Db } from './connect';
import { PREPARED } from './prepared';
import { upsertUser } from './users';

/** A Kysely handle or an open transaction: repositories work in whichever the edge opened. */
export type Executor = Pick<Db, 'selectFrom' | 'insertInto' | 'updateTable' | 'deleteFrom'>;

/** Claims several deliveries in one statement; returns the event ids that were new. */
export async function claimEvents(db: Executor, teamId: string, events: ReadonlyArray<{ eventId: string; eventType: string }>): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const rows = await db
    .insertInto('slack_events')
    .values(events.map((e) => ({ team_id: teamId, event_id: e.eventId, event_type: e.eventType })))
    .onConflict((oc) => oc.columns(['team_id', 'event_id']).doNothing())
    .returning('event_id')
    .execute();
  return new Set(rows.map((r) => r.event_id));
}

/** One delivery of new messages: its event id and type, the channels it saw and the messages it posted. */
export type MessageDelivery = { eventId: string; eventType: string; channels: ReadonlyArray<{ id: string; type: 'channel' | 'group' }>; messages: readonly MessageRecord[] };

/**
 * The live ingest's usual group in ONE statement (one round trip, one commit): claims the event
 * ids, records the channels, and inserts the messages of the deliveries that were new (never a
 * message deleted earlier). Returns the event ids that were new. The batch travels as one jsonb
 * parameter, so the statement's text is the same for every group.
 */
export async function commitMessageDeliveries(db: Db, teamId: string, deliveries: readonly MessageDelivery[]): Promise<Set<string>> {
  if (deliveries.length === 0) return new Set();
  const events = deliveries.map((d) => ({ event_id: d.eventId, event_type: d.eventType }));
  const channels = deliveries.flatMap((d) => d.channels.map((c) => ({ channel_id: c.id, channel_type: c.type })));
  const messages = deliveries.flatMap((d) =>
    // The row insertMessages writes (JSON turns posted_at into ISO text), with its event id.
    d.messages.map((m) => ({ event_id: d.eventId, ...messageRow(teamId, m, 'event') })),
  );
  const { rows } = await sql<{ event_id: string }>`${sql.raw(PREPARED)}
    with claimed as (
      insert into slack_events (team_id, event_id, event_type)
      select ${teamId}, e.event_id, e.event_type from jsonb_to_recordset(${JSON.stringify(events)}::jsonb) as e(event_id text, event_type text)
      on conflict (team_id, event_id) do nothing
      returning event_id
    ), seen as (
      insert into channels (team_id, channel_id, channel_type)
      select distinct on (c.channel_id) ${teamId}, c.channel_id, c.channel_type from jsonb_to_recordset(${JSON.stringify(channels)}::jsonb) as c(channel_id text, channel_type text)
      on conflict (team_id, channel_id) do nothing
    ), posted as (
      insert into messages (team_id, channel_id, ts, posted_at, thread_ts, root_ts, is_reply, user_id, subtype, mentions, edited_ts, source, is_meeting_request, is_where_is, is_question)
      select ${teamId}, m.channel_id, m.ts, m.posted_at, m.thread_ts, m.root_ts, m.is_reply, m.user_id, m.subtype, m.mentions, m.edited_ts, 'event', m.is_meeting_request, m.is_where_is, m.is_question
      from jsonb_to_recordset(${JSON.stringify(messages)}::jsonb) as m(event_id text, channel_id text, ts text, posted_at timestamptz, thread_ts text, root_ts text, is_reply boolean, user_id text, subtype text, mentions text[], edited_ts text, is_meeting_request boolean, is_where_is boolean, is_question boolean)
      where m.event_id in (select event_id from claimed)
        and not exists (select 1 from deleted_messages d where d.team_id = ${teamId} and d.channel_id = m.channel_id and d.ts = m.ts)
      on conflict (team_id, channel_id, ts) do nothing
    )
    select event_id from claimed`.execute(db);
  return new Set(rows.map((r) => r.event_id));
}

/** Applies the changes of one event (or one export batch), in order, idempotently. */
export async function applyChanges(db: Executor, teamId: string, changes: readonly Change[], source: 'event' | 'export'): Promise<void> {
  for (const c of changes) {
    switch (c.kind) {
      case 'channel_seen':
        await db
          .insertInto('channels')
          .values({ team_id: teamId, channel_id: c.channelId, channel_type: c.channelType })
          .onConflict((oc) => oc.columns(['team_id', 'channel_id']).doNothing())
          .execute();
        break;
      case 'channel_renamed':
        await db
          .insertInto('channels')
          .values({ team_id: teamId, channel_id: c.channelId, name: c.name })
          .onConflict((oc) => oc.columns(['team_id', 'channel_id']).doUpdateSet({ name: c.name, updated_at: sql`now()` }))
          .execute();
        break;
      case 'message':
        await upsertMessage(db, teamId, c.message, c.edit, source);
        break;
      case 'message_removed':
        await db.deleteFrom('messages').where('team_id', '=', teamId).where('channel_id', '=', c.channelId).where('ts', '=', c.ts).execute();
        await db
          .insertInto('deleted_messages')
          .values({ team_id: teamId, channel_id: c.channelId, ts: c.ts, deleted_at: c.at })
          .onConflict((oc) => oc.columns(['team_id', 'channel_id', 'ts']).doNothing())
          .execute();
        break;
      case 'reaction':
        await applyReaction(db, teamId, c);
        break;
      case 'member_joined':
        await db
          .insertInto('channel_members')
          .values({ team_id: teamId, channel_id: c.channelId, user_id: c.userId, joined_at: c.at })
          .onConflict((oc) => oc.columns(['team_id', 'channel_id', 'user_id']).doNothing())
          .execute();
        break;
      case 'user':
        await upsertUser(db, teamId, c.user, 'refresh');
        break;
    }
  }
}

/**
 * Inserts new messages in one statement (an export batch); existing (team, channel, ts) rows
 * and deleted messages are left alone. Returns how many were new.
 */
export async function insertMessages(db: Executor, teamId: string, records: readonly MessageRecord[], source: 'event' | 'export' = 'export'): Promise<number> {
  if (records.length === 0) return 0;
  const result = await db
    .insertInto('messages')
    .values(records.map((m) => messageRow(teamId, m, source)))
    .onConflict((oc) => oc.columns(['team_id', 'channel_id', 'ts']).doNothing())
    .executeTakeFirst();
  const inserted = Number(result.numInsertedOrUpdatedRows ?? 0n);
  if (inserted > 0) {
    await db
      .deleteFrom('messages')
      .where('team_id', '=', teamId)
      .where(({ exists, selectFrom }) =>
        exists(selectFrom('deleted_messages as d').select('d.ts').whereRef('d.team_id', '=', 'messages.team_id').whereRef('d.channel_id', '=', 'messages.channel_id').whereRef('d.ts', '=', 'messages.ts')),
      )
      .where('ts', 'in', records.map((r) => r.ts))
      .execute();
  }
  return inserted;
}

function messageRow(teamId: string, m: MessageRecord, source: 'event' | 'export') {
  return {
    team_id: teamId,
    channel_id: m.channelId,
    ts: m.ts,
    posted_at: m.postedAt,
    thread_ts: m.threadTs,
    root_ts: m.rootTs,
    is_reply: m.isReply,
    user_id: m.userId,
    subtype: m.subtype,
    mentions: m.mentions,
    edited_ts: m.editedTs,
    source,
    is_meeting_request: m.meetingRequest,
    is_where_is: m.whereIs,
    is_question: m.question,
  };
}

async function upsertMessage(db: Executor, teamId: string, m: MessageRecord, edit: boolean, source: 'event' | 'export'): Promise<void> {
  const tomb = await db
    .selectFrom('deleted_messages')
    .select('ts')
    .where('team_id', '=', teamId)
    .where('channel_id', '=', m.channelId)
    .where('ts', '=', m.ts)
    .executeTakeFirst();
  if (tomb !== undefined) return;
  const row = messageRow(teamId, m, source);
  await db
    .insertInto('messages')
    .values(row)
    .onConflict((oc) => {
      const target = oc.columns(['team_id', 'channel_id', 'ts']);
      if (!edit) return target.doNothing();
      // An edit wins over the stored version unless an even later edit is already stored.
      return target
        .doUpdateSet((eb) => ({
          mentions: eb.ref('excluded.mentions'),
          edited_ts: eb.ref('excluded.edited_ts'),
          subtype: eb.ref('excluded.subtype'),
          thread_ts: eb.ref('excluded.thread_ts'),
          root_ts: eb.ref('excluded.root_ts'),
          is_reply: eb.ref('excluded.is_reply'),
          is_meeting_request: eb.ref('excluded.is_meeting_request'),
          is_where_is: eb.ref('excluded.is_where_is'),
          is_question: eb.ref('excluded.is_question'),
        }))
        .where(sql<boolean>`messages.edited_ts is null or excluded.edited_ts is null or messages.edited_ts::numeric <= excluded.edited_ts::numeric`);
    })
    .execute();
}

async function applyReaction(db: Executor, teamId: string, c: Extract<Change, { kind: 'reaction' }>): Promise<void> {
  const key = { team_id: teamId, channel_id: c.channelId, message_ts: c.messageTs, user_id: c.userId, reaction: c.reaction };
  if (c.removed) {
    await db
      .updateTable('reactions')
      .set({ removed_at: c.at })
      .where('team_id', '=', teamId)
      .where('channel_id', '=', c.channelId)
      .where('message_ts', '=', c.messageTs)
      .where('user_id', '=', c.userId)
      .where('reaction', '=', c.reaction)
      .where('removed_at', 'is', null)
      .execute();
    return;
  }
  // Reactions are kept only in conversations the app tracks, never in a DM (an id starting with D).
  // One can come before the first message the app gets from its conversation (that message's
  // delivery failed and Slack retries it later): it is kept, and retention deletes it a day later
  // if no message has shown the conversation to be a tracked channel by then (deleteUnconfirmedReactions, store/retention.ts).
  if (c.channelId.startsWith('D')) return;
  await db
    .insertInto('reactions')
    .values({ ...key, reacted_at: c.at, removed_at: null })
    .onConflict((oc) =>
      oc.columns(['team_id', 'channel_id', 'message_ts', 'user_id', 'reaction']).doUpdateSet({
        removed_at: null,
        reacted_at: sql`least(reactions.reacted_at, excluded.reacted_at)`,
      }),
    )
    .execute();
}

/** Records the workspace the app serves and its own bot identity. */
/** When the app first served the workspace (its row in workspaces), or null when it never has. */
export async function workspaceSince(db: Executor, teamId: string): Promise<Date | null> {
  const row = await db.selectFrom('workspaces').select('created_at').where('team_id', '=', teamId).executeTakeFirst();
  return row === undefined ? null : new Date(row.created_at);
}

export async function upsertWorkspace(db: Executor, teamId: string, botUserId: string | null, botId: string | null): Promise<void> {
  await db
    .insertInto('workspaces')
    .values({ team_id: teamId, bot_user_id: botUserId, bot_id: botId })
    .onConflict((oc) => oc.column('team_id').doUpdateSet({ bot_user_id: botUserId, bot_id: botId, updated_at: sql`now()` }))
    .execute();
}
