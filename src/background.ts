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

/**
 * Background work with a ceiling: at most `concurrency` pieces run at once and at most `max`
 * wait; beyond that a piece is dropped (and counted), so after-commit work never piles up
 * behind a burst nor takes the database connections acknowledgements need.
 */
export class BoundedWork {
  private readonly waiting: Array<{ what: string; work: () => Promise<unknown>; fields: Record<string, unknown> }> = [];
  private running = 0;
  /** Pieces dropped because the queue was full. */
  dropped = 0;
  private readonly background: Background;

  constructor(
    private readonly logger: Logger,
    private readonly opts: { concurrency: number; max: number },
  ) {
    this.background = new Background(logger);
  }

  run(what: string, work: () => Promise<unknown>, fields: Record<string, unknown> = {}): void {
    if (this.running < this.opts.concurrency) return this.start(what, work, fields);
    if (this.waiting.length >= this.opts.max) {
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 1000 === 0) this.logger.warn({ ...fields, dropped: this.dropped }, `${what} dropped: too much work waiting`);
      return;
    }
    this.waiting.push({ what, work, fields });
  }

  private start(what: string, work: () => Promise<unknown>, fields: Record<string, unknown>): void {
    this.running += 1;
    this.background.run(what, async () => {
      try {
        await work();
      } finally {
        this.running -= 1;
        const next = this.waiting.shift();
        if (next !== undefined) this.start(next.what, next.work, next.fields);
      }
    }, fields);
  }

  /** Resolves when nothing runs and nothing waits. */
  async idle(): Promise<void> {
    while (this.running > 0 || this.waiting.length > 0) await this.background.idle();
  }
}

/**
 * Items handled in batches by one worker: `handle` gets up to `batch` items at a time (those that
 * arrived while the previous batch was handled), so a burst costs a few round trips instead of
 * one per item. At most `max` items wait; beyond that an item is dropped (and counted). A failing
 * batch is logged and the worker goes on. With `share` < 1 the worker rests after each batch for
 * as long as the batch took times (1 / share − 1), so it never holds the event loop (and, on the
 * embedded store, the database, which runs on that loop) more than that share of the time: under
 * a sustained burst its queue fills and drops instead of starving what must be answered.
 */
export class BatchedWork<T> {
  private readonly waiting: T[] = [];
  private working = false;
  /** Items dropped because the queue was full. */
  dropped = 0;
  private readonly background: Background;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
    private readonly handle: (items: T[]) => Promise<void>,
    private readonly opts: { batch: number; max: number; share?: number },
  ) {
    this.background = new Background(logger);
  }

  add(item: T): void {
    if (this.waiting.length >= this.opts.max) {
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 1000 === 0) this.logger.warn({ dropped: this.dropped }, `${this.what} dropped: too much work waiting`);
      return;
    }
    this.waiting.push(item);
    if (!this.working) {
      this.working = true;
      this.background.run(this.what, () => this.drain());
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const items = this.waiting.splice(0, this.opts.batch);
        const started = performance.now();
        await this.handle(items).catch((err: unknown) => this.logger.warn({ err, items: items.length }, `${this.what} failed`));
        const share = this.opts.share ?? 1;
        if (share < 1) await new Promise((resolve) => setTimeout(resolve, (performance.now() - started) * (1 / share - 1)));
      }
    } finally {
      this.working = false;
    }
  }

  /** Resolves when nothing is handled and nothing waits. */
  async idle(): Promise<void> {
    while (this.working || this.waiting.length > 0) await this.background.idle();
  }
}
