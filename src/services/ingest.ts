import { changesFromEvent, type Change, type SlackEvent } from '../domain/activity';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { applyChanges, claimEvent } from '../store/activity';
import type { Store } from '../store/connect';

/** One Events API delivery, as the receiver hands it over. */
export type Delivery = {
  teamId: string;
  eventId: string;
  event: SlackEvent;
  /** X-Slack-Retry-Num, when Slack says this is a redelivery. */
  retryNum?: number;
};

export type IngestOutcome = { status: 'stored' | 'duplicate' | 'ignored'; changes: readonly Change[] };

export type IngestDeps = {
  store: Store;
  logger: Logger;
  metrics: Metrics;
  /** Runs after the commit, off the ack path (directory fills, later nudges). Never for duplicates. */
  afterCommit?: (delivery: Delivery, changes: readonly Change[]) => void;
};

type Unit = { delivery: Delivery; changes: readonly Change[] };

/**
 * Ingestion: event → changes (text dropped here) → one transaction that claims the event_id
 * and applies the changes. Resolves only after the commit, so the receiver acknowledges only
 * what is stored; throws when the store fails, so Slack is answered 5xx and redelivers.
 * `commit` takes several units so that concurrent deliveries can later share one transaction.
 */
export class Ingestor {
  private inFlight = new Set<Promise<unknown>>();

  constructor(private readonly deps: IngestDeps) {}

  async ingest(delivery: Delivery): Promise<IngestOutcome> {
    const changes = changesFromEvent(delivery.event);
    if (changes.length === 0) return { status: 'ignored', changes };
    const type = eventLabel(delivery.event);
    const end = this.deps.metrics.ingestSeconds.startTimer({ type });
    const work = this.commit([{ delivery, changes }]);
    this.inFlight.add(work);
    try {
      const [fresh] = await work;
      end();
      if (fresh !== true) {
        this.deps.metrics.eventsDuplicate.inc({ type });
        this.deps.logger.debug({ event_id: delivery.eventId, type, retry_num: delivery.retryNum }, 'duplicate delivery ignored');
        return { status: 'duplicate', changes };
      }
      this.deps.metrics.eventsReceived.inc({ type });
      this.deps.afterCommit?.(delivery, changes);
      return { status: 'stored', changes };
    } catch (err) {
      this.deps.metrics.eventsFailed.inc({ type });
      throw new IngestError(`could not store event ${delivery.eventId} (${type})`, { cause: err });
    } finally {
      this.inFlight.delete(work);
    }
  }

  /** Resolves when every commit under way has finished (for shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** One transaction for all units; per unit, whether it was new. */
  private async commit(units: readonly Unit[]): Promise<boolean[]> {
    return this.deps.store.db.transaction().execute(async (trx) => {
      const fresh: boolean[] = [];
      for (const { delivery, changes } of units) {
        const isNew = await claimEvent(trx, delivery.teamId, delivery.eventId, delivery.event.type);
        if (isNew) await applyChanges(trx, delivery.teamId, changes, 'event');
        fresh.push(isNew);
      }
      return fresh;
    });
  }
}

/** Ingestion failed; the delivery was not stored and must not be acknowledged. */
export class IngestError extends Error {
  override name = 'IngestError';
}

function eventLabel(e: SlackEvent): string {
  return e.subtype !== undefined && e.type === 'message' ? `message.${e.subtype}` : e.type;
}

/** User ids an event's changes refer to (authors, mentions, reactors, joiners). */
export function referencedUsers(changes: readonly Change[]): string[] {
  const ids = new Set<string>();
  for (const c of changes) {
    if (c.kind === 'message') {
      ids.add(c.message.userId);
      for (const m of c.message.mentions) ids.add(m);
    } else if (c.kind === 'reaction' || c.kind === 'member_joined') {
      ids.add(c.userId);
    }
  }
  return [...ids];
}
