import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { App, ErrorCode, HTTPModuleFunctions, HTTPReceiver, SocketModeReceiver, type CustomRoute, type Receiver } from '@slack/bolt';
import { WebClient, type RetryOptions } from '@slack/web-api';
import type { Config } from '../config';
import type { SlackUser } from '../domain/activity';
import { slackLoggerAdapter, type Logger } from '../logger';
import { serveMetrics, type Metrics } from '../metrics';
import { checkAtEdge, isEventsPost } from './edge';
import { InstalledWorkspaces, perWorkspace, singleWorkspace, type InstallationRecords, type ServedWorkspace, type Workspaces } from './installations';
import { registerListeners, type ListenerDeps } from './listeners';
import { directActivity } from './listeners/events';
import { quietLogger } from './web-api-logger';

/** The Web API client's retry policy, for callers outside src/slack (which never import @slack/*). */
export type { RetryOptions };

const NOT_STORED = 'event not stored; answering 500 so Slack redelivers';

/** Slack rejects request bodies over this size with 413 before any parsing. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** A request's headers must arrive within this, and the whole request within REQUEST_TIMEOUT_MS. */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 15_000;
/** On stop, connections still open after this (a half-sent body, a stuck client) are closed. */
export const STOP_GRACE_MS = 5_000;

/**
 * Web API retries, decided here rather than left at the client's default (10 tries over about
 * 30 minutes): a few quick tries; 429s always wait for Retry-After and do not count.
 */
export const API_RETRY: RetryOptions = { retries: 3, factor: 2, minTimeout: 250, maxTimeout: 2_000 };

/** What GET /healthz asks of the store (the Store satisfies it); src/slack never imports src/store. */
export type StoreHealth = { readonly kind: string; ping(): Promise<boolean> };

/** The bot scopes the app asks for when a workspace installs it (manifest.yml's oauth_config.scopes.bot, held equal by a test). */
export const BOT_SCOPES = ['channels:history', 'groups:history', 'channels:read', 'groups:read', 'reactions:read', 'users:read', 'chat:write', 'files:write', 'channels:join', 'commands'] as const;

/** OAuth mode: where installations are kept, and what follows an install or an uninstall. */
export type OAuthDeps = {
  records: InstallationRecords;
  onInstalled?: (w: ServedWorkspace) => Promise<void>;
  onRemoved?: (teamId: string) => Promise<void>;
};

export type SlackAppDeps = Omit<ListenerDeps, 'serves' | 'uninstalled'> & {
  config: Config;
  /** Required in OAuth mode (config.slack.auth.kind 'oauth'). */
  oauth?: OAuthDeps;
  logger: Logger;
  metrics: Metrics;
  health: StoreHealth;
  /** Overrides API_RETRY (tests use { retries: 0 }). */
  retryConfig?: RetryOptions;
};

export type SlackApp = {
  app: App;
  /** The workspaces served: token mode's one (auth.test's), or OAuth mode's installed ones. */
  workspaces: Workspaces;
  /** A Web API client with the workspace's bot token, or null when it is not served. */
  clientFor(teamId: string): WebClient | null;
  /** Listening port of the HTTP server (events in HTTP mode; /healthz and /metrics in both). */
  port(): number;
  /** Stops taking requests, lets in-flight ones finish (up to STOP_GRACE_MS), closes idle keep-alive connections. */
  stop(): Promise<void>;
};

/** users.info through the workspace's client; null when Slack does not know the user. */
export function usersInfoLookup(clientFor: (teamId: string) => WebClient | null, metrics: Metrics): (teamId: string, userId: string) => Promise<SlackUser | null> {
  return async (teamId, userId) => {
    const client = clientFor(teamId);
    if (client === null) throw new Error(`workspace ${teamId} is not served (not installed): users.info not asked`);
    try {
      const res = await client.users.info({ user: userId });
      metrics.slackApiCalls.inc({ method: 'users.info', outcome: 'ok' });
      return (res.user as SlackUser | undefined) ?? null;
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      metrics.slackApiCalls.inc({ method: 'users.info', outcome: code ?? 'error' });
      if (code === 'user_not_found' || code === 'users_not_found') return null;
      throw err;
    }
  };
}

/** Builds and starts the Bolt app: HTTP receiver (or Socket Mode), routes, listeners, error path. */
export async function startSlackApp(deps: SlackAppDeps, port: number): Promise<SlackApp> {
  const { config, logger, metrics, health } = deps;
  const auth = config.slack.auth;
  const retryConfig = deps.retryConfig ?? API_RETRY;
  // OAuth mode: the installed workspaces, which Bolt's installer writes (/slack/oauth_redirect) and reads (authorize).
  let installed: InstalledWorkspaces | null = null;
  if (auth.kind === 'oauth') {
    if (deps.oauth === undefined) throw new Error('OAuth mode needs a store for installations');
    if (config.slack.mode === 'socket') throw new Error('OAuth mode serves /slack/install and /slack/oauth_redirect over HTTP: leave SLACK_APP_TOKEN unset');
    installed = new InstalledWorkspaces({ ...deps.oauth, tokenEncryptionKey: auth.tokenEncryptionKey, logger });
    await installed.load();
  }
  const oauthOptions =
    auth.kind === 'oauth' && installed !== null
      ? {
          clientId: auth.clientId,
          clientSecret: auth.clientSecret,
          stateSecret: auth.stateSecret,
          scopes: [...BOT_SCOPES],
          installationStore: installed,
          installerOptions: {
            // oauth.v2.access (and the auth.test after it) go to the same Web API base as every other call.
            clientOptions: { slackApiUrl: config.slack.apiUrl, retryConfig, logger: quietLogger(logger) },
          },
        }
      : {};
  const boltLogger = slackLoggerAdapter(logger, 'bolt');
  const routes = healthRoutes(health, metrics, config.metrics.token);
  let stopping = false;
  // A request that failed after the checks: logged, and answered 500 (so Slack redelivers an event), closing the connection while stopping.
  const failed = (res: ServerResponse, err: unknown, message: string): void => {
    logger.error({ err }, message);
    if (!res.headersSent) {
      res.writeHead(500, stopping ? { Connection: 'close' } : {});
      res.end();
    }
  };

  const receiver: Receiver =
    config.slack.mode === 'socket'
      ? new SocketModeReceiver({
          appToken: config.slack.appToken ?? '',
          logger: boltLogger as never,
          customRoutes: routes,
          // The Socket Mode client opens its connection through the Web API too: same base URL.
          installerOptions: { port, clientOptions: { slackApiUrl: config.slack.apiUrl, retryConfig: deps.retryConfig ?? API_RETRY } },
        })
      : new HTTPReceiver({
          signingSecret: config.slack.signingSecret ?? '',
          endpoints: ['/slack/events'],
          // Every POST to /slack/events passes checkAtEdge first, which verifies the signature (and
          // more); Bolt verifying it again cost a second HMAC per event. The edge's route test is
          // Bolt's own (isEventsPost), so no request reaches Bolt's event handling unchecked.
          signatureVerification: false,
          processBeforeResponse: true,
          bodyLimit: BODY_LIMIT_BYTES,
          logger: boltLogger as never,
          customRoutes: routes,
          // A failed commit reaches Slack as 500 so that it redelivers; details go to the log.
          processEventErrorHandler: async ({ error, response }) => {
            failed(response, error, NOT_STORED);
            return false;
          },
          ...oauthOptions,
        });

  // Token mode: known once auth.test has answered (before the server listens). OAuth mode: the installed workspaces.
  let workspaces: Workspaces | null = installed;
  const listenerDeps = {
    ...deps,
    serves: (teamId: string): boolean | Promise<boolean> => workspaces?.serves(teamId) ?? false,
    ...(installed !== null ? { uninstalled: (teamId: string) => (installed as InstalledWorkspaces).remove(teamId) } : {}),
  };

  if (receiver instanceof HTTPReceiver) {
    // POST /slack/events passes the edge checks first (signature window both ways, body shape). Activity
    // events are then recorded here (directActivity), the rest goes to Bolt as is.
    const bolt = receiver.requestListener;
    const edge = { signingSecret: config.slack.signingSecret ?? '', bodyLimit: BODY_LIMIT_BYTES, logger, onInvalid: () => metrics.eventsIgnored.inc({ reason: 'invalid_payload' }) };
    const direct = directActivity(listenerDeps, (teamId) => (typeof teamId === 'string' && workspaces !== null ? workspaces.self(teamId) : { botId: null, botUserId: null }));
    const events = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const passed = await checkAtEdge(req, res, edge);
      if (passed === null) return;
      const recording = direct(passed.body, HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req));
      if (recording === null) return bolt(req, res);
      try {
        await recording;
      } catch (err) {
        failed(res, err, NOT_STORED);
        return;
      }
      // As Bolt acknowledges an event (200, no body), and only after the commit.
      if (!res.headersSent) res.writeHead(200).end();
    };
    receiver.requestListener = (req, res) => {
      if (!isEventsPost(req)) return bolt(req, res);
      events(req, res).catch((err: unknown) => failed(res, err, 'request failed: 500'));
    };
  }

  const app = new App({
    // OAuth mode: no token; Bolt authorizes each request through the installer (the installed workspaces).
    ...(auth.kind === 'token' ? { token: auth.botToken } : {}),
    receiver,
    logger: boltLogger as never,
    deferInitialization: true,
    // Bolt's conversation store (context.conversation) is unused here; without it every event skips a lookup.
    convoStore: false,
    clientOptions: { slackApiUrl: config.slack.apiUrl, retryConfig },
  });
  // One place for errors. Rethrowing is deliberate: with processBeforeResponse, swallowing an
  // ingestion error here would answer 200 for an event that was never stored. The one exception:
  // OAuth mode's request from a workspace that has not installed the app (Bolt found no
  // installation), answered 200 and counted, as token mode answers another workspace's events.
  app.error(async (error) => {
    if ((error as { code?: unknown }).code === ErrorCode.AuthorizationError) {
      metrics.eventsIgnored.inc({ reason: 'other_team' });
      logger.info({ reason: error.message }, 'request from a workspace this app does not serve: answered 200, nothing done');
      return;
    }
    throw error;
  });
  // A request no listener acknowledged (an unknown action, view, command or body type) is answered
  // 200 once the listeners are done, rather than Bolt's 404 after 3 seconds. Events Bolt acks itself.
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event) => {
    let acked = false;
    const ack = event.ack;
    const tracked = async (response?: Parameters<typeof ack>[0]) => {
      acked = true;
      await ack(response);
    };
    await processEvent({ ...event, ack: tracked });
    if (!acked) await ack();
  };
  // Commands and App Home answer only served workspaces (token mode: the one auth.test names).
  registerListeners(app, listenerDeps);

  await app.init();
  if (auth.kind === 'token') {
    const who = await app.client.auth.test();
    workspaces = singleWorkspace({ teamId: String(who.team_id ?? ''), botUserId: (who.user_id as string | undefined) ?? null, botId: (who.bot_id as string | undefined) ?? null, botToken: auth.botToken });
  }
  const served = workspaces as Workspaces;
  // One client per workspace (token mode: Bolt's own), made when first needed and again when its token changes (a reinstall).
  const clientOf = perWorkspace((token) => new WebClient(token, { slackApiUrl: config.slack.apiUrl, retryConfig, logger: quietLogger(logger) }));
  const clientFor = (teamId: string): WebClient | null => (auth.kind === 'token' ? app.client : clientOf(served.get(teamId)));

  // OAuth mode: installs and uninstalls that another process took (replicas on one database) reach this one within a minute.
  const stopRefresh = installed?.refreshEvery() ?? (() => undefined);
  const started = (await app.start(port)) as unknown;
  const server = findServer(started, receiver);
  if (server) {
    server.headersTimeout = HEADERS_TIMEOUT_MS;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
  }
  server?.on('request', (_req, res: ServerResponse) => {
    if (stopping) res.setHeader('Connection', 'close');
  });

  return {
    app,
    workspaces: served,
    clientFor,
    port() {
      const addr = server?.address();
      return typeof addr === 'object' && addr !== null ? addr.port : port;
    },
    async stop() {
      stopping = true;
      stopRefresh();
      const closing = app.stop();
      // Keep-alive connections would hold the server open until the client's timeout.
      const sweep = setInterval(() => server?.closeIdleConnections(), 50);
      server?.closeIdleConnections();
      // A connection still open after the grace period (a half-sent body) would hold the stop: closed.
      const grace = setTimeout(() => server?.closeAllConnections(), STOP_GRACE_MS);
      try {
        await closing;
      } finally {
        clearInterval(sweep);
        clearTimeout(grace);
      }
    },
  };
}

function findServer(started: unknown, receiver: Receiver): Server | undefined {
  if (started !== null && typeof started === 'object' && 'address' in started) return started as Server;
  const own = (receiver as unknown as { httpServer?: Server }).httpServer;
  return own;
}

/**
 * GET /healthz (200 when the store answers, else 503). GET /metrics beside them (SPEC §7), but not
 * to anyone: with a METRICS_TOKEN only with that bearer token (else 401); without one only to a
 * client on this machine that is not a proxy's relay (else 404, as if there were no such route).
 * Scrapers elsewhere read the metrics listener (METRICS_PORT on METRICS_HOST, startMetricsServer).
 */
function healthRoutes(store: StoreHealth, metrics: Metrics, metricsToken: string | null): CustomRoute[] {
  const scrape = serveMetrics(metrics, metricsToken);
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        void store.ping().then((ok) => {
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', store: store.kind }));
        });
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (req, res) => {
        if (metricsToken === null && !fromThisMachine(req)) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('404 Not Found\n');
          return;
        }
        scrape(req, res);
      },
    },
  ];
}

/**
 * Whether a request comes from this machine itself: a loopback peer, and no header a reverse
 * proxy adds (a proxy on this machine relays other people's requests from loopback).
 */
export function fromThisMachine(req: Pick<IncomingMessage, 'headers' | 'socket'>): boolean {
  const peer = req.socket.remoteAddress ?? '';
  const loopback = peer === '::1' || peer.startsWith('127.') || peer.startsWith('::ffff:127.');
  const h = req.headers;
  return loopback && h['x-forwarded-for'] === undefined && h.forwarded === undefined && h['x-real-ip'] === undefined && h['x-forwarded-host'] === undefined;
}
