import type { Logger } from '../logger';
import type { Db } from '../store/connect';
import { analyzeIfNever, drainRequests, vacuumQueue } from '../store/requests';
import { startCronJob, type Schedule } from './cron-job';

/** Every five seconds: the queue a drain takes stays small (a few thousand rows at the bench's ingest rate). */
export const REQUESTS_CRON = '*/5 * * * * *';

/**
 * Keeps the `requests` table (SPEC §4's requests with their first responses, which reports read)
 * in step with messages and reactions: the writes queue what changed (triggers), this applies the
 * queue, in shares, off the acknowledgement path. It ticks at start too: a team marked stale (an
 * import, the migration that made the table) is computed then. Every replica may tick; drains run
 * one at a time in the store (an advisory lock). Reports drain what is left before they read, so
 * a report never waits for a tick. With `vacuumQueue` (the embedded store, which has no
 * autovacuum), a tick that applied rows vacuums the queue after (see vacuumQueue).
 */
export function startRequestsSchedule(db: Db, logger: Logger, opts: { expression?: string; vacuumQueue?: boolean } = {}): Schedule {
  return startCronJob(
    {
      name: 'requests',
      expression: opts.expression ?? REQUESTS_CRON,
      timezone: 'Etc/UTC',
      tickAtStart: true,
      tick: async () => {
        // A new store's first rows: statistics before the drain plans its lookups (see analyzeIfNever).
        const analysed = await analyzeIfNever(db);
        if (analysed.length > 0) logger.info({ job: 'requests', tables: analysed }, 'tables analysed for the first time');
        const applied = await drainRequests(db);
        if (applied > 0) logger.debug({ job: 'requests', applied }, 'requests queue applied');
        if (applied > 0 && opts.vacuumQueue === true) await vacuumQueue(db);
      },
      done: 'requests tick done',
      failed: 'requests tick failed',
    },
    logger,
  );
}
