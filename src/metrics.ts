import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics served on GET /metrics. One registry per process (tests make their own). */
export type Metrics = {
  registry: Registry;
  eventsReceived: Counter<'type'>;
  eventsDuplicate: Counter<'type'>;
  eventsFailed: Counter<'type'>;
  /** Deliveries answered but never stored: another workspace's (other_team), or refused at the edge as never valid (invalid_payload). */
  eventsIgnored: Counter<'reason'>;
  ingestSeconds: Histogram<'type'>;
  slackApiCalls: Counter<'method' | 'outcome'>;
};

export function createMetrics(opts: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaults === true) collectDefaultMetrics({ register: registry, prefix: 'async_charter_' });
  return {
    registry,
    eventsReceived: new Counter({ name: 'async_charter_events_stored_total', help: 'Events API deliveries committed to the store', labelNames: ['type'], registers: [registry] }),
    eventsDuplicate: new Counter({ name: 'async_charter_events_duplicate_total', help: 'Deliveries already committed (Slack retries), answered 2xx and ignored', labelNames: ['type'], registers: [registry] }),
    eventsFailed: new Counter({ name: 'async_charter_events_failed_total', help: 'Deliveries that could not be committed; answered 5xx so Slack redelivers', labelNames: ['type'], registers: [registry] }),
    eventsIgnored: new Counter({ name: 'async_charter_events_ignored_total', help: 'Requests answered but not stored, by reason (other_team: another workspace; invalid_payload: refused with 400)', labelNames: ['reason'], registers: [registry] }),
    ingestSeconds: new Histogram({
      name: 'async_charter_ingest_seconds',
      help: 'Time from receiving an event to its commit',
      labelNames: ['type'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    slackApiCalls: new Counter({ name: 'async_charter_slack_api_calls_total', help: 'Slack Web API calls made by the app', labelNames: ['method', 'outcome'], registers: [registry] }),
  };
}
