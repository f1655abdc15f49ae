import { changesFromEvent, type Change, type SlackEvent } from '../domain/activity';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { applyChanges, claimEvents, commitMessageDeliveries, type MessageDelivery } from '../store/activity';
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
type Waiting = Unit & { resolve: (fresh: boolean) => void; reject: (err: unknown) => void };

/** At most this many deliveries share one transaction. */
export const MAX_GROUP = 200;

/**
 * Ingestion: event → changes (text dropped here) → one transaction that claims the event_id
 * and applies the changes. Resolves only after the commit, so the receiver acknowledges only
 * what is stored; throws when the store fails, so Slack is answered 5xx and redelivers.
 * `commit` takes several units so that concurrent deliveries can later share one transaction.
 */
export class Ingestor {
  private inFlight = new Set<Promise<unknown>>();
  /** Deliveries waiting for the next group commit. */
  private queue: Waiting[] = [];
  private committing = false;

  constructor(private readonly deps: IngestDeps) {}

  async ingest(delivery: Delivery): Promise<IngestOutcome> {
    const changes = changesFromEvent(delivery.event);
    if (changes.length === 0) return { status: 'ignored', changes };
    const type = eventLabel(delivery.event);
    const end = this.deps.metrics.ingestSeconds.startTimer({ type });
    const work = this.enqueue({ delivery, changes });
    this.inFlight.add(work);
    try {
      const fresh = await work;
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

  /**
   * Group commit: deliveries that arrive while a transaction is committing wait and then share
   * the next one (up to MAX_GROUP), so one commit (one fsync) acknowledges many events. Each is
   * answered only after the transaction that holds it has committed. When a group fails, its
   * units are retried one by one, so one bad delivery fails alone.
   */
  private enqueue(unit: Unit): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ ...unit, resolve, reject });
      if (!this.committing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.committing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, MAX_GROUP);
        try {
          const fresh = await this.commit(group);
          group.forEach((u, i) => u.resolve(fresh[i] === true));
        } catch (err) {
          if (group.length === 1) {
            group[0]?.reject(err);
            continue;
          }
          for (const u of group) {
            await this.commit([u]).then(
              ([fresh]) => u.resolve(fresh === true),
              (e: unknown) => u.reject(e),
            );
          }
        }
      }
    } finally {
      this.committing = false;
    }
  }

  /**
   * One commit for all units; per unit, whether it was new. When the units only add messages (the
   * usual case) and come from one team, that commit is one statement (claim, channels, messages:
   * one round trip). Otherwise one transaction: per team, the deliveries are claimed in one
   * statement and anything else (edits, deletions, reactions, people) is applied unit by unit, in
   * arrival order.
   */
  private async commit(units: readonly Unit[]): Promise<boolean[]> {
    const teams = [...new Set(units.map((u) => u.delivery.teamId))];
    const [only] = teams;
    if (teams.length === 1 && only !== undefined && units.every(addsMessagesOnly)) {
      return freshOf(units, await commitMessageDeliveries(this.deps.store.db, only, units.map(messageDelivery)));
    }
    return this.deps.store.db.transaction().execute(async (trx) => {
      const fresh = units.map(() => false);
      for (const teamId of teams) {
        const mine = units.map((u, i) => ({ u, i })).filter(({ u }) => u.delivery.teamId === teamId);
        if (mine.every(({ u }) => addsMessagesOnly(u))) {
          const flags = freshOf(
            mine.map(({ u }) => u),
            await commitMessageDeliveries(trx, teamId, mine.map(({ u }) => messageDelivery(u))),
          );
          mine.forEach(({ i }, k) => (fresh[i] = flags[k] === true));
          continue;
        }
        const claimed = await claimEvents(trx, teamId, mine.map(({ u }) => ({ eventId: u.delivery.eventId, eventType: u.delivery.event.type })));
        const flags = freshOf(
          mine.map(({ u }) => u),
          claimed,
        );
        for (const [k, { u, i }] of mine.entries()) {
          if (flags[k] !== true) continue;
          fresh[i] = true;
          await applyChanges(trx, teamId, u.changes, 'event');
        }
      }
      return fresh;
    });
  }
}

/** New messages and the channels they were seen in, nothing else. */
function addsMessagesOnly(u: Unit): boolean {
  return u.changes.every((c) => c.kind === 'channel_seen' || (c.kind === 'message' && !c.edit));
}

function messageDelivery(u: Unit): MessageDelivery {
  return {
    eventId: u.delivery.eventId,
    eventType: u.delivery.event.type,
    channels: u.changes.flatMap((c) => (c.kind === 'channel_seen' ? [{ id: c.channelId, type: c.channelType }] : [])),
    messages: u.changes.flatMap((c) => (c.kind === 'message' ? [c.message] : [])),
  };
}

/** Per unit, whether it was new: claimed by the commit, and the first of the group with its event id. */
function freshOf(units: readonly Unit[], claimed: ReadonlySet<string>): boolean[] {
  const taken = new Set<string>();
  return units.map((u) => {
    const id = u.delivery.eventId;
    if (!claimed.has(id) || taken.has(id)) return false;
    taken.add(id);
    return true;
  });
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
