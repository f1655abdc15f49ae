import { toUserRecord, type SlackUser, type UserRecord } from '../domain/activity';
import type { Logger } from '../logger';
import type { Store } from '../store/connect';
import { unknownUsers, upsertUser } from '../store/users';

/** What the directory needs from Slack: users.info for one person, null when Slack does not know them. */
export type UserLookup = (teamId: string, userId: string) => Promise<SlackUser | null>;

export type DirectoryDeps = { store: Store; logger: Logger; lookup: UserLookup };

/**
 * The user directory (tz, is_bot, deleted, admin flags), cached in the store. People seen in
 * events are looked up once with users.info after the event is committed, off the ack path;
 * user_change events refresh them. Ids Slack does not know are not asked again this process.
 */
/** People remembered as present in the directory (most recent first out), so most events ask the store nothing. */
const KNOWN_MAX = 50_000;
/** Ids Slack did not know, remembered at most this many (not asked again this process). */
const NOT_FOUND_MAX = 10_000;

export class Directory {
  private readonly notFound = new Set<string>();
  private readonly known = new Set<string>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly deps: DirectoryDeps) {}

  /**
   * Looks up the given people not yet in the directory. Runs in the background; the promise
   * (never rejected) resolves when they are in, for callers that need them (nudges).
   */
  ensure(teamId: string, userIds: readonly string[]): Promise<void> {
    const already = userIds.map((u) => this.pending.get(`${teamId}:${u}`)).filter((p): p is Promise<void> => p !== undefined);
    const wanted = userIds.filter((u) => !this.known.has(`${teamId}:${u}`) && !this.notFound.has(`${teamId}:${u}`) && !this.pending.has(`${teamId}:${u}`));
    if (wanted.length === 0) return Promise.all(already).then(() => undefined);
    const work = this.fill(teamId, wanted).catch((err: unknown) => this.deps.logger.warn({ err, team_id: teamId }, 'user directory fill failed; will retry on the next event'));
    for (const u of wanted) this.pending.set(`${teamId}:${u}`, work);
    void work.finally(() => {
      for (const u of wanted) this.pending.delete(`${teamId}:${u}`);
    });
    return Promise.all([work, ...already]).then(() => undefined);
  }

  /** Resolves when every lookup under way has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...new Set(this.pending.values())]);
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

  private remember(set: Set<string>, key: string, max: number): void {
    set.add(key);
    if (set.size > max) set.delete(set.values().next().value as string);
  }

  private async fill(teamId: string, userIds: string[]): Promise<void> {
    const missing = await unknownUsers(this.deps.store.db, teamId, userIds);
    const absent = new Set(missing);
    for (const u of userIds) if (!absent.has(u)) this.remember(this.known, `${teamId}:${u}`, KNOWN_MAX);
    for (const userId of missing) {
      const user = await this.deps.lookup(teamId, userId);
      const record = user === null ? null : toUserRecord(user);
      if (record === null) {
        this.remember(this.notFound, `${teamId}:${userId}`, NOT_FOUND_MAX);
        this.deps.logger.info({ team_id: teamId, user_id: userId }, 'users.info does not know this user; not counted as a person');
        continue;
      }
      await upsertUser(this.deps.store.db, teamId, record, 'fill');
      this.remember(this.known, `${teamId}:${userId}`, KNOWN_MAX);
    }
  }
}
