import { randomUUID } from 'node:crypto';
import type { Selectable, Updateable } from 'kysely';
import type { MessageRecord } from '../domain/activity';
import { applyChanges, insertMessages, type Executor } from './activity';
import { addChannel } from './channels';
import type { Db } from './connect';
import type { BackfillChannelsTable, BackfillsTable } from './schema';

/**
 * Backfill runs (table `backfills`, one per workspace) and where each channel of the run stands
 * (`backfill_channels`): the one module that reads and writes them. A run is claimed with a lease;
 * every write checks the claimant's token, so a claimant that outlived its lease writes nothing.
 */

export type BackfillStatus = 'running' | 'done' | 'failed';

export type BackfillRun = {
  teamId: string;
  status: BackfillStatus;
  days: number;
  /** Messages posted from this instant on are read. */
  oldest: Date;
  joinPublic: boolean;
  startedAt: Date;
  finishedAt: Date | null;
  leaseUntil: Date;
  /** The run's channels are listed (joined, excluded ones left out) in backfill_channels. */
  channelsListed: boolean;
  lastError: string | null;
};

/** A run this caller holds; `token` is checked by every write. */
export type BackfillClaim = BackfillRun & { token: string };

export type BackfillChannelState = {
  channelId: string;
  channelType: 'channel' | 'group';
  /** Cursor of the history page being read; null: the first page (or the channel is done). */
  historyCursor: string | null;
  /** The thread of that page being read, and the cursor of its replies page (null: the first). */
  threadTs: string | null;
  threadCursor: string | null;
  messages: number;
  threads: number;
  done: boolean;
  error: string | null;
};

/** What one step of a channel changes: cursors as they now stand, counts to add. */
export type ChannelStep = {
  historyCursor?: string | null;
  threadTs?: string | null;
  threadCursor?: string | null;
  addMessages?: number;
  addThreads?: number;
  done?: boolean;
  error?: string | null;
};

type RunRow = Selectable<BackfillsTable>;

const toRun = (r: RunRow): BackfillRun => ({
  teamId: r.team_id,
  status: r.status,
  days: Number(r.days),
  oldest: new Date(r.oldest),
  joinPublic: r.join_public,
  startedAt: new Date(r.started_at),
  finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
  leaseUntil: new Date(r.lease_until),
  channelsListed: r.channels_listed,
  lastError: r.last_error,
});
const toClaim = (r: RunRow): BackfillClaim => ({ ...toRun(r), token: r.claim_token });

/**
 * Starts a new run for the workspace, claimed until `now + leaseMs`, and forgets the previous
 * run's channels. Null when a run is under way (running, whatever its lease: a lapsed one is
 * continued with claimBackfill, not started over).
 */
export async function beginBackfill(db: Db, teamId: string, o: { days: number; oldest: Date; joinPublic: boolean }, now: Date, leaseMs: number): Promise<BackfillClaim | null> {
  const row = {
    team_id: teamId,
    status: 'running' as const,
    days: o.days,
    oldest: o.oldest,
    join_public: o.joinPublic,
    started_at: now,
    finished_at: null,
    claim_token: randomUUID(),
    lease_until: new Date(now.getTime() + leaseMs),
    channels_listed: false,
    last_error: null,
  };
  const { team_id: _t, ...update } = row;
  return db.transaction().execute(async (trx) => {
    const r = await trx
      .insertInto('backfills')
      .values(row)
      .onConflict((oc) => oc.column('team_id').doUpdateSet(update).where('backfills.status', '<>', 'running'))
      .returningAll()
      .executeTakeFirst();
    if (r === undefined) return null;
    await trx.deleteFrom('backfill_channels').where('team_id', '=', teamId).execute();
    return toClaim(r);
  });
}

/** Takes over the workspace's running run when its lease has lapsed (its process died or stopped); null otherwise. */
export async function claimBackfill(db: Executor, teamId: string, now: Date, leaseMs: number): Promise<BackfillClaim | null> {
  const r = await db
    .updateTable('backfills')
    .set({ claim_token: randomUUID(), lease_until: new Date(now.getTime() + leaseMs) })
    .where('team_id', '=', teamId)
    .where('status', '=', 'running')
    .where('lease_until', '<=', now)
    .returningAll()
    .executeTakeFirst();
  return r === undefined ? null : toClaim(r);
}

/** The workspace's latest run, if it ever had one. */
export async function backfillRun(db: Executor, teamId: string): Promise<BackfillRun | null> {
  const r = await db.selectFrom('backfills').selectAll().where('team_id', '=', teamId).executeTakeFirst();
  return r === undefined ? null : toRun(r);
}

/** Runs under way (any workspace, or the given ones), with their leases. */
export async function runningBackfills(db: Executor, teamIds?: readonly string[]): Promise<Array<{ teamId: string; leaseUntil: Date }>> {
  if (teamIds !== undefined && teamIds.length === 0) return [];
  const rows = await db
    .selectFrom('backfills')
    .select(['team_id', 'lease_until'])
    .where('status', '=', 'running')
    .$if(teamIds !== undefined, (q) => q.where('team_id', 'in', [...(teamIds as readonly string[])]))
    .orderBy('team_id')
    .execute();
  return rows.map((r) => ({ teamId: r.team_id, leaseUntil: new Date(r.lease_until) }));
}

/** The channels of the workspace's run, by id. */
export async function backfillChannels(db: Executor, teamId: string): Promise<BackfillChannelState[]> {
  const rows = await db.selectFrom('backfill_channels').selectAll().where('team_id', '=', teamId).orderBy('channel_id').execute();
  return rows.map((r) => ({
    channelId: r.channel_id,
    channelType: r.channel_type === 'group' ? 'group' : 'channel',
    historyCursor: r.history_cursor,
    threadTs: r.thread_ts,
    threadCursor: r.thread_cursor,
    messages: Number(r.messages),
    threads: Number(r.threads),
    done: r.done,
    error: r.error,
  }));
}

/** Extends the claim's lease to `now + leaseMs`; false when it was taken over (or the run ended). */
async function renew(db: Executor, c: BackfillClaim, now: Date, leaseMs: number, set: Updateable<BackfillsTable> = {}): Promise<boolean> {
  const r = await db
    .updateTable('backfills')
    .set({ ...set, lease_until: new Date(now.getTime() + leaseMs) })
    .where('team_id', '=', c.teamId)
    .where('claim_token', '=', c.token)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Renews the lease (before a call to Slack); false when the claim was lost: stop. */
export function renewBackfill(db: Executor, c: BackfillClaim, now: Date, leaseMs: number): Promise<boolean> {
  return renew(db, c, now, leaseMs);
}

/**
 * Fixes the run's channels (new rows start at the first page; rows already there keep their
 * cursors), records them as the workspace's channels, and renews the lease. False when the claim was lost.
 */
export async function listBackfillChannels(db: Db, c: BackfillClaim, channels: ReadonlyArray<{ id: string; name: string | null; type: 'channel' | 'group' }>, now: Date, leaseMs: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await renew(trx, c, now, leaseMs, { channels_listed: true }))) return false;
    for (const ch of channels) {
      await trx
        .insertInto('backfill_channels')
        .values({ team_id: c.teamId, channel_id: ch.id, channel_type: ch.type })
        .onConflict((oc) => oc.columns(['team_id', 'channel_id']).doNothing())
        .execute();
      await addChannel(trx, c.teamId, ch);
    }
    return true;
  });
}

/** Records one step of a channel and renews the lease, together; false when the claim was lost (nothing written). */
export async function saveChannelStep(db: Db, c: BackfillClaim, channelId: string, step: ChannelStep, now: Date, leaseMs: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await renew(trx, c, now, leaseMs))) return false;
    await trx
      .updateTable('backfill_channels')
      .set((eb) => ({
        ...(step.historyCursor !== undefined ? { history_cursor: step.historyCursor } : {}),
        ...(step.threadTs !== undefined ? { thread_ts: step.threadTs } : {}),
        ...(step.threadCursor !== undefined ? { thread_cursor: step.threadCursor } : {}),
        ...(step.addMessages ? { messages: eb('messages', '+', step.addMessages) } : {}),
        ...(step.addThreads ? { threads: eb('threads', '+', step.addThreads) } : {}),
        ...(step.done !== undefined ? { done: step.done } : {}),
        ...(step.error !== undefined ? { error: step.error } : {}),
        updated_at: now,
      }))
      .where('team_id', '=', c.teamId)
      .where('channel_id', '=', channelId)
      .execute();
    return true;
  });
}

/** Ends the run (done, or failed with an error code); false when the claim was lost. */
export async function finishBackfill(db: Executor, c: BackfillClaim, status: 'done' | 'failed', at: Date, error: string | null = null): Promise<boolean> {
  const r = await db
    .updateTable('backfills')
    .set({ status, finished_at: at, lease_until: at, last_error: error })
    .where('team_id', '=', c.teamId)
    .where('claim_token', '=', c.token)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Lets go of a run still under way (a graceful stop): the next claimant may continue at once. */
export async function releaseBackfill(db: Executor, c: BackfillClaim, at: Date): Promise<boolean> {
  const r = await db.updateTable('backfills').set({ lease_until: at }).where('team_id', '=', c.teamId).where('claim_token', '=', c.token).where('status', '=', 'running').executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Stores messages read from Slack's history as an export import does, in one transaction:
 * the channels are recorded, new (team, channel, ts) rows inserted (those stored by live events,
 * an import or an earlier page are left alone; deleted ones stay deleted), and an edited message
 * replaces an older stored version the way a message_changed event does. Returns how many were new.
 */
export async function insertHistory(db: Db, teamId: string, channels: ReadonlyArray<{ id: string; type: 'channel' | 'group' }>, records: readonly MessageRecord[]): Promise<number> {
  if (records.length === 0 && channels.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    await applyChanges(trx, teamId, channels.map((c) => ({ kind: 'channel_seen' as const, channelId: c.id, channelType: c.type })), 'export');
    const inserted = await insertMessages(trx, teamId, records);
    const edited = records.filter((m) => m.editedTs !== null);
    if (edited.length > 0) await applyChanges(trx, teamId, edited.map((message) => ({ kind: 'message' as const, message, edit: true })), 'export');
    return inserted;
  });
}
