import { toUserRecord, type SlackUser, type UserRecord } from '../domain/activity';
import type { Logger } from '../logger';
import type { Store } from '../store/connect';
import { unknownUsers, upsertUser } from '../store/users';

/** What the directory needs from Slack: users.info for one person, null when Slack does not know them. */
export type UserLookup = (teamId: string, userId: string) => Promise<SlackUser | null>;

/** How much looking up the directory does, and how much it remembers. */
export type DirectoryLimits = {
  /** New people one ensure() call (one event) may queue for users.info; the rest are skipped (authors come first). */
  perCall: number;
  /** users.info calls per team per window; the rest wait for the next window. */
  perWindow: number;
  /** The window, ms. */
  windowMs: number;
  /** People waiting per team; more are skipped until they appear again. */
  queueMax: number;
  /** People remembered as in the directory (least recently seen forgotten first). */
  knownMax: number;
  /** Ids Slack did not know, remembered (not asked again) at most this many (least recently seen forgotten first). */
  notFoundMax: number;
};

/**
 * Defaults: 50 lookups per event; 100 users.info calls per team a minute (Slack's Tier 4 floor);
 * 1,000 people waiting per team; 50,000 known and 10,000 unknown ids remembered.
 */
export const DIRECTORY_LIMITS: Readonly<DirectoryLimits> = Object.freeze({ perCall: 50, perWindow: 100, windowMs: 60_000, queueMax: 1_000, knownMax: 50_000, notFoundMax: 10_000 });

export type DirectoryDeps = { store: Store; logger: Logger; lookup: UserLookup; limits?: Partial<DirectoryLimits>; now?: () => number };

/** Store reads (which people are in already) take this many ids at once. */
const BATCH = 50;

type Team = {
  /** People waiting for a lookup, in arrival order. */
  queue: string[];
  /** The worker draining the queue, while it runs. */
  worker: Promise<void> | null;
  windowStart: number;
  /** users.info calls made in this window. */
  used: number;
  /** Skips already logged this window (so a flood logs one line a minute). */
  skipsLogged: boolean;
};

type Waiter = { done: Promise<void>; resolve: () => void };

/** A set that forgets its least recently used entry beyond `max`. */
class Lru {
  private readonly keys = new Set<string>();
  constructor(private readonly max: number) {}
  get size(): number {
    return this.keys.size;
  }
  /** Whether it holds the key; a hit makes it the most recent. */
  has(key: string): boolean {
    if (!this.keys.has(key)) return false;
    this.keys.delete(key);
    this.keys.add(key);
    return true;
  }
  add(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    while (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value as string);
  }
}

/**
 * The user directory (tz, is_bot, deleted, admin flags), cached in the store. People seen in
 * events are looked up with users.info after the event is committed, off the ack path;
 * user_change events refresh them. Lookups are capped per event (perCall) and paced per team
 * (perWindow a minute, the rest queued, at most queueMax waiting); a skip is logged once a
 * minute per team. Ids Slack does not know are not asked again while remembered. Every cache
 * and queue is bounded.
 */
export class Directory {
  private readonly limits: DirectoryLimits;
  private readonly now: () => number;
  private readonly notFound: Lru;
  private readonly known: Lru;
  /** People queued or being looked up, by team:user. */
  private readonly pending = new Map<string, Waiter>();
  private readonly teams = new Map<string, Team>();
  private readonly sleeping = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private stopped = false;

  constructor(private readonly deps: DirectoryDeps) {
    this.limits = { ...DIRECTORY_LIMITS, ...(deps.limits ?? {}) };
    this.now = deps.now ?? Date.now;
    this.known = new Lru(this.limits.knownMax);
    this.notFound = new Lru(this.limits.notFoundMax);
  }

  /**
   * Looks up the given people not yet in the directory (at most `perCall` new ones, or
   * `opts.max`; the rest are skipped). Runs in the background; the promise (never rejected)
   * resolves when they are in, or were skipped or failed, for callers that need them (nudges).
   */
  ensure(teamId: string, userIds: readonly string[], opts: { max?: number } = {}): Promise<void> {
    const waits: Promise<void>[] = [];
    const fresh: string[] = [];
    let skipped = 0;
    const cap = opts.max ?? this.limits.perCall;
    for (const u of new Set(userIds)) {
      const key = `${teamId}:${u}`;
      const waiter = this.pending.get(key);
      if (waiter !== undefined) waits.push(waiter.done);
      else if (this.known.has(key) || this.notFound.has(key)) continue;
      else if (this.stopped || fresh.length >= cap) skipped += 1;
      else fresh.push(u);
    }
    if (fresh.length > 0) {
      const team = this.team(teamId);
      const room = Math.max(0, this.limits.queueMax - team.queue.length);
      skipped += Math.max(0, fresh.length - room);
      for (const u of fresh.slice(0, room)) {
        let resolve!: () => void;
        const done = new Promise<void>((r) => (resolve = r));
        this.pending.set(`${teamId}:${u}`, { done, resolve });
        team.queue.push(u);
        waits.push(done);
      }
      this.startWorker(teamId, team);
    }
    if (skipped > 0 && !this.stopped) this.logSkip(teamId, userIds.length, skipped);
    return Promise.all(waits).then(() => undefined);
  }

  /** Resolves when every lookup that can run now has finished (people waiting for the next window are not waited for). */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.teams.values()].filter((t) => t.worker !== null && !this.waitingForWindow(t));
      if (busy.length === 0) return;
      await Promise.race([Promise.allSettled(busy.map((t) => t.worker)), new Promise((r) => setTimeout(r, 20))]);
    }
  }

  /** Drops what waits for a later window (its callers resolve) and looks nothing up any more; for shutdown. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.sleeping) {
      clearTimeout(s.timer);
      s.wake();
    }
    this.sleeping.clear();
    await Promise.allSettled([...this.teams.values()].map((t) => t.worker));
  }

  /** How many ids the caches and queues hold now (for tests and metrics). */
  sizes(): { known: number; notFound: number; pending: number; queued: number } {
    let queued = 0;
    for (const t of this.teams.values()) queued += t.queue.length;
    return { known: this.known.size, notFound: this.notFound.size, pending: this.pending.size, queued };
  }

  /**
   * Asks Slack now (users.info) and stores the answer: for decisions that must not rest on a
   * cached row, such as who may edit the charter. Null when Slack does not know the person.
   */
  async refresh(teamId: string, userId: string): Promise<UserRecord | null> {
    const user = await this.deps.lookup(teamId, userId);
    const record = user === null ? null : toUserRecord(user);
    if (record !== null) await upsertUser(this.deps.store.db, teamId, record, 'refresh');
    return record;
  }

  private team(teamId: string): Team {
    let t = this.teams.get(teamId);
    if (t === undefined) {
      t = { queue: [], worker: null, windowStart: this.now(), used: 0, skipsLogged: false };
      this.teams.set(teamId, t);
    }
    return t;
  }

  private roll(t: Team): void {
    const now = this.now();
    if (now - t.windowStart >= this.limits.windowMs) {
      t.windowStart = now;
      t.used = 0;
      t.skipsLogged = false;
    }
  }

  private waitingForWindow(t: Team): boolean {
    this.roll(t);
    return t.used >= this.limits.perWindow && t.queue.length > 0;
  }

  private logSkip(teamId: string, asked: number, skipped: number): void {
    const t = this.team(teamId);
    this.roll(t);
    if (t.skipsLogged) return;
    t.skipsLogged = true;
    this.deps.logger.warn(
      { team_id: teamId, asked, skipped, per_event: this.limits.perCall, queue_max: this.limits.queueMax },
      'too many new people to look up at once: the rest are skipped until they appear again (further skips this minute are not logged)',
    );
  }

  private startWorker(teamId: string, t: Team): void {
    if (t.worker !== null) return;
    t.worker = this.drain(teamId, t).finally(() => {
      t.worker = null;
    });
  }

  /** Looks the team's queue up in batches, at most perWindow users.info calls per window. */
  private async drain(teamId: string, t: Team): Promise<void> {
    while (t.queue.length > 0 && !this.stopped) {
      this.roll(t);
      const room = this.limits.perWindow - t.used;
      if (room <= 0) {
        await this.sleep(t.windowStart + this.limits.windowMs - this.now());
        continue;
      }
      const batch = t.queue.splice(0, Math.min(room, BATCH));
      try {
        await this.fill(teamId, t, batch);
      } catch (err) {
        // Slack or the store failed: this batch and everyone waiting are let go, and asked again when they next appear.
        const dropped = [...batch, ...t.queue.splice(0)];
        for (const u of dropped) this.settle(teamId, u);
        this.deps.logger.warn({ err, team_id: teamId, dropped: dropped.length }, 'user directory fill failed; will retry on the next event');
      }
    }
    // Stopped: whoever still waits is let go.
    for (const u of t.queue.splice(0)) this.settle(teamId, u);
  }

  private async fill(teamId: string, t: Team, userIds: string[]): Promise<void> {
    const missing = new Set(await unknownUsers(this.deps.store.db, teamId, userIds));
    for (const u of userIds) {
      if (missing.has(u)) continue;
      this.known.add(`${teamId}:${u}`);
      this.settle(teamId, u);
    }
    for (const userId of missing) {
      t.used += 1;
      const user = await this.deps.lookup(teamId, userId);
      const record = user === null ? null : toUserRecord(user);
      if (record === null) {
        this.notFound.add(`${teamId}:${userId}`);
        this.deps.logger.info({ team_id: teamId, user_id: userId }, 'users.info does not know this user; not counted as a person');
      } else {
        await upsertUser(this.deps.store.db, teamId, record, 'fill');
        this.known.add(`${teamId}:${userId}`);
      }
      this.settle(teamId, userId);
    }
  }

  private settle(teamId: string, userId: string): void {
    const key = `${teamId}:${userId}`;
    this.pending.get(key)?.resolve();
    this.pending.delete(key);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeping.delete(entry);
          resolve();
        }, Math.max(1, ms)),
        wake: resolve,
      };
      entry.timer.unref();
      this.sleeping.add(entry);
    });
  }
}
