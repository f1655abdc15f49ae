import { createHash } from 'node:crypto';
import type { Logger } from '../logger';
import type { Store } from '../store/connect';
import { claimInteraction, releaseInteraction } from '../store/interactions';
import { nudgeAuthor } from '../store/nudge-authors';

/** A claim taken on an interaction; `release()` gives it back when the payload did nothing after all (answered with errors). */
export type InteractionClaim = { release(): Promise<void> };

/** Who is acting on a nudge: the person it was shown to, someone else, or nobody can tell (no such nudge). */
export type NudgeActor = 'author' | 'someone_else' | 'unknown';

/**
 * Guards for interactivity (buttons and modals), used before anything else happens:
 * - handled once: Slack may deliver one block_actions or view_submission twice (a retry, a double
 *   click); the first delivery claims it in the store, every later one is a replay that does nothing;
 * - by the right person: a nudge's buttons and modals act for the person it was shown to only.
 */
export class InteractionService {
  constructor(private readonly deps: { store: Store; logger: Logger; now: () => number }) {}

  /**
   * Claims the interaction `identity` names (what identifies the payload: a view's id and hash, a
   * click's action_ts, action id, clicker and container). Returns null for a replay: it was claimed
   * within the last day. Only a SHA-256 of the identity is stored.
   */
  async claim(teamId: string, identity: readonly string[], what: string): Promise<InteractionClaim | null> {
    const key = createHash('sha256').update(JSON.stringify(identity)).digest('hex');
    const db = this.deps.store.db;
    if (!(await claimInteraction(db, teamId, key, new Date(this.deps.now())))) {
      this.deps.logger.info({ team_id: teamId, what }, 'interaction delivered again: handled once already, nothing done');
      return null;
    }
    return { release: () => releaseInteraction(db, teamId, key) };
  }

  /** Whether `userId` is the person nudge `nudgeId` was shown to; anyone else is logged (no text). */
  async nudgeActor(teamId: string, nudgeId: string, userId: string): Promise<NudgeActor> {
    const author = await nudgeAuthor(this.deps.store.db, teamId, nudgeId);
    const actor: NudgeActor = author === null ? 'unknown' : author === userId ? 'author' : 'someone_else';
    if (actor !== 'author') this.deps.logger.warn({ team_id: teamId, nudge: nudgeId, actor }, 'nudge used by someone it was not shown to: refused');
    return actor;
  }
}
