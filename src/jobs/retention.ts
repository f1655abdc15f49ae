import cron from 'node-cron';
import type { Logger } from '../logger';
import type { Schedule } from './digest-schedule';

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
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running !== null) return running;
    running = service
      .tick()
      .then(() => logger.debug({ job: 'retention' }, 'retention tick done'))
      .catch((err: unknown) => logger.error({ err }, 'retention tick failed'))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const cronLogger = {
    info: (m: string) => logger.debug({ job: 'retention' }, m),
    warn: (m: string) => logger.debug({ job: 'retention' }, m),
    error: (m: string | Error, err?: Error) => logger.error({ job: 'retention', err: err ?? m }, 'node-cron error'),
    debug: () => undefined,
  };
  const task = cron.schedule(expression, () => tick(), { name: 'retention', timezone: 'Etc/UTC', noOverlap: true, logger: cronLogger });
  return {
    runNow: tick,
    async stop(graceMs = 5_000) {
      stopped = true;
      await task.destroy();
      if (running === null) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    },
  };
}
