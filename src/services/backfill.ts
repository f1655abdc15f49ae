import type { SlackMessage } from '../domain/activity';
import type { Logger } from '../logger';
import {
  backfillChannels,
  backfillRun,
  beginBackfill,
  claimBackfill,
  finishBackfill,
  listBackfillChannels,
  releaseBackfill,
  renewBackfill,
  runningBackfills,
  saveChannelStep,
  type BackfillChannelState,
  type BackfillClaim,
  type BackfillRun,
  type ChannelStep,
} from '../store/backfill';
import { loadCharter } from '../store/charters';
import type { Store } from '../store/connect';
import { notServed, slackErrorCode, type BackfillSlackPort, type HistoryMessage } from './slack-port';

/** How long a claim on a run holds before another process may continue it (a crash); renewed before every Slack call. */
export const BACKFILL_LEASE_MS = 10 * 60_000;
export const DEFAULT_BACKFILL_DAYS = 30;
/** Slack's free plans show 90 days; paid plans more. A year is the most asked for. */
export const MAX_BACKFILL_DAYS = 365;
/** After a failure that may pass (Slack down, the store unreachable), the run is tried again this much later. */
const RETRY_MS = 5 * 60_000;
/** Such failures in a row, in one process, before the run is marked failed. */
const MAX_RETRIES = 5;

/** Stores messages read from history the way live events are keyed (team, channel, ts); never nudges. Returns how many were new. */
export type BackfillIngest = (teamId: string, messages: SlackMessage[]) => Promise<number>;

export type BackfillDeps = {
  store: Store;
  logger: Logger;
  /** ms since the epoch. */
  now: () => number;
  /** One port (token mode), or each workspace's own (OAuth mode; null for a workspace no longer served). */
  slack: BackfillSlackPort | ((teamId: string) => BackfillSlackPort | null);
  ingest: BackfillIngest;
  leaseMs?: number;
  /** The workspaces this process serves; resume() continues only theirs (default: every one in the store). */
  teams?: () => readonly string[];
};

export type BackfillOptions = {
  /** Whole days back from now; default 30, 1 to 365. */
  days?: number;
  /** Join every public channel the app is not in first (channels:join). */
  join?: boolean;
};

export type BackfillStart =
  | { started: true; reason?: 'resumed' }
  | { started: false; reason: 'already_running' | 'invalid_days' };

/** Where a workspace's backfill stands, for App Home and `/async`. */
export type BackfillProgress = Pick<BackfillRun, 'status' | 'days' | 'oldest' | 'joinPublic' | 'startedAt' | 'finishedAt'> & {
  /** Channels of the run; null until they are listed (the first seconds). */
  channelsTotal: number | null;
  /** Channels read to the end, skipped ones included. */
  channelsDone: number;
  /** Channels left out on the way (the app was removed, the channel deleted), with Slack's reason. */
  channelsSkipped: Array<{ channel: string; reason: string }>;
  /** Messages stored that were not stored before (live events and imports already had the rest). */
  messages: number;
  threads: number;
  /** Running, but no process holds it (stopped or crashed): it continues when the app next starts. */
  paused: boolean;
  /** Slack's error code of a failed run. */
  lastError: BackfillRun['lastError'];
};

/** The claim was taken over by another process (this one outlived its lease): stop, writing nothing. */
class ClaimLost extends Error {
  override name = 'ClaimLost';
}
/** The process is stopping: let go of the run so that the next start continues it. */
class Stopping extends Error {
  override name = 'Stopping';
}

/** Slack's answers that mean a channel cannot be read any more: it is left, the run goes on. */
const CHANNEL_GONE = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'access_denied']);
/** Answers to conversations.join that leave one channel out; anything else Slack says stops joining. */
const JOIN_SKIP = new Set(['is_archived', 'channel_not_found', 'method_not_supported_for_channel_type', 'cannot_join', 'restricted_action']);

/** Orders two Slack ts exactly ("1700000000.000100"): <0, 0, >0. */
function compareTs(a: string, b: string): number {
  const n = (ts: string) => {
    const [s = '0', f = ''] = ts.split('.');
    return BigInt(s) * 1_000_000n + BigInt(f.padEnd(6, '0').slice(0, 6) || '0');
  };
  const d = n(a) - n(b);
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}

/** A message that starts a thread with replies (a reply or a broadcast is not one). */
const isThreadRoot = (m: HistoryMessage): boolean => typeof m.ts === 'string' && (m.reply_count ?? 0) > 0 && (m.thread_ts === undefined || m.thread_ts === m.ts);

/**
 * The backfill: the last N days of every tracked channel (the app's public and private channels,
 * after joining public ones when asked, minus the charter's excluded_channels; DMs never) read
 * through conversations.history and conversations.replies and stored like an import, so the
 * first digest has weeks behind it. One run per workspace, claimed with a lease in the store;
 * every page moves a cursor stored per channel, so a process that stops or dies is continued
 * where it was by the next one (resume() at startup), and pages read twice store nothing twice.
 * Nothing here nudges: messages go to `ingest`, never through the live Ingestor's afterCommit.
 */
export class BackfillService {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly active = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private stopping = false;

  constructor(private readonly deps: BackfillDeps) {}

  private get leaseMs(): number {
    return this.deps.leaseMs ?? BACKFILL_LEASE_MS;
  }
  private nowDate(): Date {
    return new Date(this.deps.now());
  }

  /**
   * Starts a backfill of the workspace in the background (idle() waits for it). A run under way
   * is not started over: when no process holds it any more it is continued ('resumed', with its
   * own days), else 'already_running'. A finished or failed run is replaced by a new one.
   */
  async start(teamId: string, opts: BackfillOptions = {}): Promise<BackfillStart> {
    const days = opts.days ?? DEFAULT_BACKFILL_DAYS;
    if (!Number.isInteger(days) || days < 1 || days > MAX_BACKFILL_DAYS) return { started: false, reason: 'invalid_days' };
    if (this.active.has(teamId) || this.stopping) return { started: false, reason: 'already_running' };
    const now = this.nowDate();
    const oldest = new Date(now.getTime() - days * 86_400_000);
    const fresh = await beginBackfill(this.deps.store.db, teamId, { days, oldest, joinPublic: opts.join === true }, now, this.leaseMs);
    if (fresh !== null) {
      this.launch(fresh, 'started');
      return { started: true };
    }
    const lapsed = await claimBackfill(this.deps.store.db, teamId, now, this.leaseMs);
    if (lapsed === null) return { started: false, reason: 'already_running' };
    this.launch(lapsed, 'resumed');
    return { started: true, reason: 'resumed' };
  }

  /**
   * At startup: continues every run left under way (by a crash or a stop). A run whose lease
   * another process still holds is looked at again when that lease ends.
   */
  async resume(): Promise<void> {
    const teams = this.deps.teams?.();
    for (const r of await runningBackfills(this.deps.store.db, teams)) await this.resumeTeam(r.teamId);
  }

  /** Where the workspace's latest backfill stands; null when it never had one. */
  async progress(teamId: string): Promise<BackfillProgress | null> {
    const { db } = this.deps.store;
    const run = await backfillRun(db, teamId);
    if (run === null) return null;
    const channels = await backfillChannels(db, teamId);
    return {
      status: run.status,
      days: run.days,
      oldest: run.oldest,
      joinPublic: run.joinPublic,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      channelsTotal: run.channelsListed ? channels.length : null,
      channelsDone: channels.filter((c) => c.done).length,
      channelsSkipped: channels.filter((c) => c.error !== null).map((c) => ({ channel: c.channelId, reason: c.error as string })),
      messages: channels.reduce((n, c) => n + c.messages, 0),
      threads: channels.reduce((n, c) => n + c.threads, 0),
      paused: run.status === 'running' && run.leaseUntil.getTime() <= this.deps.now(),
      lastError: run.lastError,
    };
  }

  /** Resolves when every run this process is doing has ended (done, failed, lost or paused by stop()). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** For shutdown: runs stop at their next page and let go of their claim (the next start continues them). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.idle();
  }

  private async resumeTeam(teamId: string): Promise<void> {
    this.timers.delete(teamId);
    if (this.stopping || this.active.has(teamId)) return;
    const { db } = this.deps.store;
    const claim = await claimBackfill(db, teamId, this.nowDate(), this.leaseMs);
    if (claim !== null) return this.launch(claim, 'resumed');
    const run = await backfillRun(db, teamId);
    if (run?.status === 'running') this.later(teamId, run.leaseUntil.getTime() - this.deps.now() + 1_000);
  }

  /** Looks at the team's run again in `ms` (real time), unless the process stops first. */
  private later(teamId: string, ms: number): void {
    if (this.stopping || this.timers.has(teamId)) return;
    const t = setTimeout(() => {
      void this.resumeTeam(teamId).catch((err: unknown) => this.deps.logger.warn({ err, team_id: teamId }, 'backfill resume failed'));
    }, Math.max(1_000, ms));
    t.unref();
    this.timers.set(teamId, t);
  }

  private launch(claim: BackfillClaim, how: 'started' | 'resumed'): void {
    this.active.add(claim.teamId);
    this.deps.logger.info({ team_id: claim.teamId, days: claim.days, oldest: claim.oldest.toISOString(), join: claim.joinPublic }, `backfill ${how}`);
    const work = this.run(claim)
      .catch((err: unknown) => this.deps.logger.error({ err, team_id: claim.teamId }, 'backfill crashed'))
      .finally(() => {
        this.active.delete(claim.teamId);
        this.inFlight.delete(work);
      });
    this.inFlight.add(work);
  }

  private async run(claim: BackfillClaim): Promise<void> {
    const { db } = this.deps.store;
    const teamId = claim.teamId;
    try {
      if (!claim.channelsListed) await this.listChannels(claim);
      for (const ch of await backfillChannels(db, teamId)) {
        if (!ch.done) await this.readChannel(claim, ch);
      }
      if (!(await finishBackfill(db, claim, 'done', this.nowDate()))) throw new ClaimLost();
      this.failures.delete(teamId);
      const p = await this.progress(teamId);
      this.deps.logger.info({ team_id: teamId, channels: p?.channelsTotal, messages: p?.messages, threads: p?.threads }, 'backfill done');
    } catch (err) {
      if (err instanceof ClaimLost) {
        this.deps.logger.warn({ team_id: teamId }, 'backfill taken over by another process; this one stops');
        return;
      }
      if (err instanceof Stopping) {
        await releaseBackfill(db, claim, this.nowDate());
        this.deps.logger.info({ team_id: teamId }, 'backfill paused for shutdown; the next start continues it');
        return;
      }
      const code = slackErrorCode(err);
      const tries = (this.failures.get(teamId) ?? 0) + 1;
      this.failures.set(teamId, tries);
      // Slack refused for a reason that will not pass by itself (a scope, the token), or it kept failing.
      if (code !== null || tries >= MAX_RETRIES) {
        this.failures.delete(teamId);
        await finishBackfill(db, claim, 'failed', this.nowDate(), code ?? 'error').catch(() => undefined);
        this.deps.logger.warn({ err, team_id: teamId, code }, 'backfill failed');
        return;
      }
      const retryAt = new Date(this.deps.now() + RETRY_MS);
      const released = await releaseBackfill(db, claim, retryAt).catch(() => false);
      this.deps.logger.warn({ err, team_id: teamId, retry_at: retryAt.toISOString(), tries }, 'backfill interrupted; it continues later');
      if (released) this.later(teamId, RETRY_MS);
    }
  }

  private checkStop(): void {
    if (this.stopping) throw new Stopping();
  }

  private async renew(claim: BackfillClaim): Promise<void> {
    this.checkStop();
    if (!(await renewBackfill(this.deps.store.db, claim, this.nowDate(), this.leaseMs))) throw new ClaimLost();
  }

  private async step(claim: BackfillClaim, channel: string, step: ChannelStep): Promise<void> {
    if (!(await saveChannelStep(this.deps.store.db, claim, channel, step, this.nowDate(), this.leaseMs))) throw new ClaimLost();
    this.checkStop();
  }

  /** The workspace's Slack calls; a workspace no longer served fails the run as a revoked token would. */
  private slackFor(teamId: string): BackfillSlackPort {
    const s = this.deps.slack;
    const port = typeof s === 'function' ? s(teamId) : s;
    if (port === null) throw notServed(teamId);
    return port;
  }

  /** The run's channels: listed by Slack, public ones joined when asked, archived and excluded ones left out. */
  private async listChannels(claim: BackfillClaim): Promise<void> {
    const { logger, store } = this.deps;
    const slack = this.slackFor(claim.teamId);
    await this.renew(claim);
    const listed = [...(await slack.channels())].sort((a, b) => a.id.localeCompare(b.id));
    const excluded = new Set((await loadCharter(store.db, claim.teamId)).charter.excluded_channels);
    let joining = claim.joinPublic;
    const tracked: Array<{ id: string; name: string | null; type: 'channel' | 'group' }> = [];
    for (const c of listed) {
      if (c.isArchived || excluded.has(c.id)) continue;
      let member = c.isMember;
      if (!member && !c.isPrivate && joining) {
        await this.renew(claim);
        try {
          await slack.join(c.id);
          member = true;
        } catch (err) {
          const code = slackErrorCode(err);
          if (code === null) throw err;
          if (JOIN_SKIP.has(code)) {
            logger.info({ team_id: claim.teamId, channel: c.id, code }, 'backfill: channel not joined');
          } else {
            // missing_scope (channels:join not granted) and the like: the app reads the channels it is in.
            joining = false;
            logger.warn({ team_id: claim.teamId, channel: c.id, code }, 'backfill: cannot join channels; reading only those the app is in');
          }
        }
      }
      if (member) tracked.push({ id: c.id, name: c.name, type: c.isPrivate ? 'group' : 'channel' });
    }
    if (!(await listBackfillChannels(store.db, claim, tracked, this.nowDate(), this.leaseMs))) throw new ClaimLost();
  }

  /** Stores a page's messages as the channel's (the ingest keeps only people's messages). */
  private ingest(teamId: string, ch: BackfillChannelState, messages: readonly HistoryMessage[]): Promise<number> {
    if (messages.length === 0) return Promise.resolve(0);
    return this.deps.ingest(
      teamId,
      messages.map((m) => ({ ...m, channel: ch.channelId, channel_type: ch.channelType })),
    );
  }

  /**
   * One channel from where its cursors stand: history pages newest first; after each page, the
   * threads started on it, each to its end. The stored cursor is the page being read, and the
   * thread of it being read with its replies cursor, so a restart reads at most one page again.
   */
  private async readChannel(claim: BackfillClaim, ch: BackfillChannelState): Promise<void> {
    const { store } = this.deps;
    const teamId = claim.teamId;
    const slack = this.slackFor(teamId);
    const channel = ch.channelId;
    const excluded = (await loadCharter(store.db, teamId)).charter.excluded_channels.includes(channel);
    if (excluded) return this.step(claim, channel, { done: true, error: 'excluded', historyCursor: null, threadTs: null, threadCursor: null });
    const oldestSec = (claim.oldest.getTime() / 1000).toFixed(6);
    const gone = (code: string) => this.step(claim, channel, { done: true, error: code, historyCursor: null, threadTs: null, threadCursor: null });

    let cursor = ch.historyCursor;
    let resumeThread = ch.threadTs;
    let resumeCursor = ch.threadCursor;
    await this.renew(claim);
    for (;;) {
      let page;
      try {
        page = await slack.history(channel, oldestSec, cursor ?? undefined);
      } catch (err) {
        const code = slackErrorCode(err);
        if (code !== null && CHANNEL_GONE.has(code)) return gone(code);
        throw err;
      }
      let added = await this.ingest(teamId, ch, page.messages);
      const roots = page.messages.filter(isThreadRoot);
      let first = 0;
      if (resumeThread !== null) {
        const from = resumeThread;
        const at = roots.findIndex((r) => r.ts === from);
        // The thread being read is gone from the page (deleted): go on with the older ones (history is newest first).
        first = at !== -1 ? at : roots.findIndex((r) => compareTs(r.ts as string, from) < 0);
        if (first === -1) first = roots.length;
      }
      let threads = 0;
      for (let i = first; i < roots.length; i += 1) {
        const root = (roots[i] as HistoryMessage).ts as string;
        let tc = root === resumeThread ? resumeCursor : null;
        resumeThread = null;
        resumeCursor = null;
        // Counts so far go with the step that names the thread now being read.
        await this.step(claim, channel, { threadTs: root, threadCursor: tc, addMessages: added, addThreads: threads });
        added = 0;
        threads = 0;
        for (;;) {
          let replies;
          try {
            replies = await slack.replies(channel, root, tc ?? undefined);
          } catch (err) {
            const code = slackErrorCode(err);
            if (code === 'thread_not_found') break;
            if (code !== null && CHANNEL_GONE.has(code)) return gone(code);
            throw err;
          }
          added += await this.ingest(teamId, ch, replies.messages.filter((m) => m.ts !== root));
          tc = replies.nextCursor;
          if (tc === null) break;
          await this.step(claim, channel, { threadCursor: tc, addMessages: added });
          added = 0;
        }
        threads += 1;
      }
      resumeThread = null;
      resumeCursor = null;
      cursor = page.nextCursor;
      await this.step(claim, channel, { historyCursor: cursor, threadTs: null, threadCursor: null, addMessages: added, addThreads: threads, ...(cursor === null ? { done: true } : {}) });
      if (cursor === null) return;
    }
  }
}
