import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics served on GET /metrics (startMetricsServer; config.metrics). One registry per process (tests make their own). */
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

/** Bearer-token check in constant time (the digests have equal lengths whatever was sent). */
function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (m === null) return false;
  const a = createHash('sha256').update(m[1] as string).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/**
 * Answers GET /metrics (Prometheus text) from the registry. With a token, a request without
 * `Authorization: Bearer <token>` gets 401 and nothing else.
 */
export function serveMetrics(metrics: Pick<Metrics, 'registry'>, token: string | null): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (token !== null && !tokenMatches(req.headers.authorization, token)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain' });
      res.end('401 Unauthorized\n');
      return;
    }
    void metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      },
      () => {
        res.writeHead(500);
        res.end();
      },
    );
  };
}

export type MetricsServer = {
  /** The bound port (the one picked when asked for 0). */
  port(): number;
  host: string;
  /** Stops listening and closes its connections (a scrape in progress is cut). */
  stop(): Promise<void>;
};

/**
 * The metrics listener: GET /metrics on host:port, and nothing else (404). Rejects when the port
 * cannot be bound (in use, not allowed), with the listen error.
 */
export async function startMetricsServer(metrics: Pick<Metrics, 'registry'>, opts: { host: string; port: number; token: string | null }): Promise<MetricsServer> {
  const handle = serveMetrics(metrics, opts.token);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 Not Found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('405 Method Not Allowed\n');
      return;
    }
    handle(req, res);
  });
  // A scraper sends no body; slow or silent clients are cut.
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  return {
    host: opts.host,
    port() {
      const addr = server.address();
      return typeof addr === 'object' && addr !== null ? addr.port : opts.port;
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
