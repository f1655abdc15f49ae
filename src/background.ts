import type { Logger } from './logger';

/**
 * Work started off the answer path (after an ack or a commit), tracked so that shutdown can wait
 * for it. With processBeforeResponse, Bolt sends a handler's ack only when the handler returns:
 * slow Web API calls go here so that they neither delay the answer nor turn it into a 500.
 */
export class Background {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /**
   * Starts `work` now (synchronously, up to its first await) and does not wait for it. A failure
   * is logged as "<what> failed" with `fields` and the error, never thrown.
   */
  run(what: string, work: () => Promise<unknown>, fields: Record<string, unknown> = {}): void {
    let started: Promise<unknown>;
    try {
      started = work();
    } catch (err) {
      started = Promise.reject(err);
    }
    const tracked = started.then(
      () => undefined,
      (err: unknown) => this.logger.warn({ ...fields, err }, `${what} failed`),
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  /** How many pieces of work are under way. */
  get size(): number {
    return this.inFlight.size;
  }

  /** Resolves when every piece of work under way (and any started meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
