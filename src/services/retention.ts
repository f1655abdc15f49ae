import type { Logger } from '../logger';
import { refreshEmbeddedStatistics } from '../store/statistics';
import { loadCharter } from '../store/charters';
import type { Store } from '../store/connect';
import { ACTIVITY_TABLES, claimRetention, deleteOldRows, deleteUnconfirmedReactions, finishRetention, releaseRetention, renewRetention, retentionTeams, type ActivityTable, type RetentionTable } from '../store/retention';

const DAY_MS = 86_400_000;

/** Event-id dedupe rows (slack_events) are kept this many days: Slack redelivers within hours. */
export const EVENT_DEDUPE_DAYS = 7;

/** A reaction in a conversation no message has shown to be a tracked channel is kept this long (its message may still come). */
export const UNCONFIRMED_REACTION_MS = DAY_MS;

export type RetentionDeps = {
  store: Store;
  logger: Logger;
  /** The app clock (ms). */
  now: () => number;
  /** Rows per delete statement (default 5,000). */
  batch?: number;
  /** How long a claim holds between renewals (default 10 minutes; renewed after every batch). */
  leaseMs?: number;
};

/**
 * One workspace's run on one day. `done`: this replica deleted (counts per table); `taken`:
 * another replica holds or finished that day's run; `failed`: an error, logged, retried later that day.
 */
export type RetentionOutcome = { teamId: string; runOn: string; status: 'done' | 'taken' | 'failed'; retentionDays: number | null; deleted: Partial<Record<RetentionTable, number>> };

class ClaimLost extends Error {}

/**
 * Retention (SPEC §1 `retention_days`): once a day, per workspace, activity older than its
 * charter's retention_days is deleted (see ACTIVITY_TABLES for what counts and by which time),
 * and event-id dedupe rows older than EVENT_DEDUPE_DAYS. A workspace whose stored charter no
 * longer validates keeps its activity (its retention_days cannot be read) and says so in the log.
 * Each (workspace, UTC day) is claimed in the store, so any number of replicas may tick.
 */
export class RetentionService {
  constructor(private readonly deps: RetentionDeps) {}

  /** Runs today's retention for every workspace in the store not yet done today. */
  async tick(): Promise<RetentionOutcome[]> {
    const teams = await retentionTeams(this.deps.store.db);
    const out: RetentionOutcome[] = [];
    for (const teamId of teams) out.push(await this.runTeam(teamId));
    // The embedded store has no autovacuum: its statistics are refreshed here, once a day, and the
    // space of the rows deleted today is made reusable (VACUUM), so the store stops growing.
    const deleted = out.some((o) => Object.values(o.deleted).some((n) => (n ?? 0) > 0));
    await refreshEmbeddedStatistics(this.deps.store, { vacuum: deleted });
    return out;
  }

  /** Today's run (UTC date of the app clock) for one workspace, unless another replica has it. */
  async runTeam(teamId: string): Promise<RetentionOutcome> {
    const { db } = this.deps.store;
    const now = this.deps.now();
    const runOn = new Date(now).toISOString().slice(0, 10);
    const leaseMs = this.deps.leaseMs ?? 10 * 60_000;
    const token = await claimRetention(db, teamId, runOn, new Date(now), leaseMs);
    const outcome: RetentionOutcome = { teamId, runOn, status: 'taken', retentionDays: null, deleted: {} };
    if (token === null) return outcome;
    const renew = async (): Promise<void> => {
      if (!(await renewRetention(db, teamId, runOn, token, new Date(this.deps.now() + leaseMs)))) throw new ClaimLost();
    };
    try {
      const { charter, problems } = await loadCharter(db, teamId);
      const days = problems.length === 0 ? charter.retention_days : null;
      const cutoff = days === null ? null : new Date(now - days * DAY_MS);
      const eventsCutoff = new Date(now - EVENT_DEDUPE_DAYS * DAY_MS);
      outcome.retentionDays = days;
      if (cutoff === null) {
        this.deps.logger.warn({ team_id: teamId, problems }, 'retention: the stored charter does not validate, so its retention_days is unknown: activity is kept until the charter is fixed');
      } else {
        for (const table of Object.keys(ACTIVITY_TABLES) as ActivityTable[]) outcome.deleted[table] = await this.purge(teamId, table, cutoff, renew);
      }
      // Whatever the charter keeps: a reaction in a conversation no message showed to be a tracked
      // channel is deleted a day after it came (applyReaction keeps it meanwhile; never a DM's).
      const unconfirmed = await this.purgeWith((limit) => deleteUnconfirmedReactions(db, teamId, new Date(now - UNCONFIRMED_REACTION_MS), limit), renew);
      outcome.deleted.reactions = (outcome.deleted.reactions ?? 0) + unconfirmed;
      outcome.deleted.slack_events = await this.purge(teamId, 'slack_events', eventsCutoff, renew);
      const runsCutoff = cutoff === null || cutoff > eventsCutoff ? eventsCutoff : cutoff;
      outcome.deleted.retention_runs = await this.purge(teamId, 'retention_runs', runsCutoff, renew);
      const total = Object.values(outcome.deleted).reduce((a, b) => a + (b ?? 0), 0);
      await finishRetention(db, teamId, runOn, token, new Date(this.deps.now()), { retentionDays: days, cutoff, deleted: total });
      outcome.status = 'done';
      this.deps.logger.info({ team_id: teamId, retention_days: days, cutoff, deleted: outcome.deleted, total }, 'retention: deleted what is older than the charter keeps');
      return outcome;
    } catch (err) {
      if (err instanceof ClaimLost) {
        this.deps.logger.warn({ team_id: teamId, run_on: runOn }, 'retention: the claim was taken over (this replica was held up); the other one finishes the run');
        return { ...outcome, status: 'taken' };
      }
      await releaseRetention(db, teamId, runOn, token, new Date(this.deps.now())).catch(() => undefined);
      this.deps.logger.error({ err, team_id: teamId, run_on: runOn }, 'retention run failed; the next tick tries again');
      return { ...outcome, status: 'failed' };
    }
  }

  /** Deletes the team's rows of one table older than `cutoff`, batch by batch, renewing the claim between batches. */
  private purge(teamId: string, table: RetentionTable, cutoff: Date, renew: () => Promise<void>): Promise<number> {
    return this.purgeWith((limit) => deleteOldRows(this.deps.store.db, teamId, table, cutoff, limit), renew);
  }

  /** Runs a batched delete until a batch comes back short, renewing the claim between batches. */
  private async purgeWith(deleteBatch: (limit: number) => Promise<number>, renew: () => Promise<void>): Promise<number> {
    const batch = this.deps.batch ?? 5_000;
    let total = 0;
    for (;;) {
      const n = await deleteBatch(batch);
      total += n;
      if (n < batch) return total;
      await renew();
    }
  }
}
