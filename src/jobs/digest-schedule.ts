import cron from 'node-cron';
import type { Logger } from '../logger';

/** What the schedule drives: one idempotent tick that posts whatever digest is due (src/services/digest.ts). */
export type Tickable = { tick(): Promise<void> };

export type Schedule = {
  /** Runs one tick now (and waits for it); the cron ticks go on. */
  runNow(): Promise<void>;
  /**
   * Stops the cron task and waits for a tick in progress, at most `graceMs` (a tick waiting out
   * Slack's Retry-After is left behind: its claim runs out and another process finishes it).
   */
  stop(graceMs?: number): Promise<void>;
};

/**
 * Every minute (node-cron), plus once at start so that a digest due while the app was down goes
 * out now. The charter is read at every tick, so a change of digest.day/time/channel is planned
 * anew in every replica without a restart; the claim in the store makes each digest go out once.
 * Ticks never overlap; a failing tick is logged and the next one tries again.
 */
export function startDigestSchedule(service: Tickable, logger: Logger, expression = '* * * * *'): Schedule {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running !== null) return running;
    running = service
      .tick()
      .then(() => logger.debug({ job: 'weekly-digest' }, 'digest tick done'))
      .catch((err: unknown) => logger.error({ err }, 'digest schedule tick failed'))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const cronLogger = {
    info: (m: string) => logger.debug({ job: 'weekly-digest' }, m),
    warn: (m: string) => logger.debug({ job: 'weekly-digest' }, m),
    error: (m: string | Error, err?: Error) => logger.error({ job: 'weekly-digest', err: err ?? m }, 'node-cron error'),
    debug: () => undefined,
  };
  const task = cron.schedule(expression, () => tick(), { name: 'weekly-digest', noOverlap: true, logger: cronLogger });
  void tick();
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
