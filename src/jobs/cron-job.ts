import cron from 'node-cron';
import type { Logger } from '../logger';

export type Schedule = {
  /** Runs one tick now (and waits for it); the cron ticks go on. */
  runNow(): Promise<void>;
  /**
   * Stops the cron task and waits for a tick in progress, at most `graceMs` (a tick waiting out
   * Slack's Retry-After is left behind: its claim runs out and another process finishes it).
   */
  stop(graceMs?: number): Promise<void>;
};

export type CronJob = {
  /** The job's name in logs (`job`) and node-cron. */
  name: string;
  expression: string;
  /** IANA zone of the expression; default the process's. */
  timezone?: string;
  /** Tick once right away (a slot missed while the app was down). */
  tickAtStart: boolean;
  /** One idempotent tick; the store's claims make replicas agree. */
  tick(): Promise<unknown>;
  /** Log lines of a tick that finished (debug) and one that failed (error). */
  done: string;
  failed: string;
};

/** A node-cron task whose ticks never overlap; a failing tick is logged and the next one tries again. */
export function startCronJob(job: CronJob, logger: Logger): Schedule {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running !== null) return running;
    running = job
      .tick()
      .then(() => logger.debug({ job: job.name }, job.done))
      .catch((err: unknown) => logger.error({ err }, job.failed))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const cronLogger = {
    info: (m: string) => logger.debug({ job: job.name }, m),
    warn: (m: string) => logger.debug({ job: job.name }, m),
    error: (m: string | Error, err?: Error) => logger.error({ job: job.name, err: err ?? m }, 'node-cron error'),
    debug: () => undefined,
  };
  const task = cron.schedule(job.expression, () => tick(), { name: job.name, noOverlap: true, logger: cronLogger, ...(job.timezone !== undefined ? { timezone: job.timezone } : {}) });
  if (job.tickAtStart) void tick();
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
