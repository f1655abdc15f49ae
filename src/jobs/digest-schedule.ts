import type { Logger } from '../logger';
import { startCronJob, type Schedule } from './cron-job';

/** What the schedule drives: one idempotent tick that posts whatever digest is due (src/services/digest.ts). */
export type Tickable = { tick(): Promise<void> };

export type { Schedule };

/**
 * Every minute (node-cron), plus once at start so that a digest due while the app was down goes
 * out now. The charter is read at every tick, so a change of digest.day/time/channel is planned
 * anew in every replica without a restart; the claim in the store makes each digest go out once.
 * Ticks never overlap; a failing tick is logged and the next one tries again.
 */
export function startDigestSchedule(service: Tickable, logger: Logger, expression = '* * * * *'): Schedule {
  return startCronJob({ name: 'weekly-digest', expression, tickAtStart: true, tick: () => service.tick(), done: 'digest tick done', failed: 'digest schedule tick failed' }, logger);
}
