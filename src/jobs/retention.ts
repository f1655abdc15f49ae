import type { Logger } from '../logger';
import { startCronJob, type Schedule } from './cron-job';

/** What the schedule drives: one idempotent tick that runs the day's retention (src/services/retention.ts). */
export type RetentionTickable = { tick(): Promise<unknown> };

/** Daily at 03:17 UTC: a quiet hour for most, and off the hour when other jobs start. */
export const RETENTION_CRON = '17 3 * * *';

/**
 * Once a day (node-cron, UTC). Every replica ticks; the claim per (workspace, UTC day) in the
 * store makes one of them delete. There is no tick at start: a day the app was down at 03:17 is
 * caught up the next day (whatever is older than retention_days then goes). Ticks never overlap;
 * a failing tick is logged and tomorrow's tries again.
 */
export function startRetentionSchedule(service: RetentionTickable, logger: Logger, expression = RETENTION_CRON): Schedule {
  return startCronJob({ name: 'retention', expression, timezone: 'Etc/UTC', tickAtStart: false, tick: () => service.tick(), done: 'retention tick done', failed: 'retention tick failed' }, logger);
}
