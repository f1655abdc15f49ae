import { Background } from './background';
import { clockFrom, loadConfig, loadDotEnv, processEnv, type Config } from './config';
import { warmClassifier } from './domain/classify';
import { startDigestSchedule, type Schedule } from './jobs/digest-schedule';
import { startRequestsSchedule } from './jobs/requests';
import { startRetentionSchedule } from './jobs/retention';
import { createLogger, type Logger } from './logger';
import { createMetrics, startMetricsServer, type Metrics, type MetricsServer } from './metrics';
import { renderPng } from './services/charts';
import { DigestService } from './services/digest';
import { Directory, type UserLookup } from './services/directory';
import { Ingestor, referencedUsers } from './services/ingest';
import { NudgeService } from './services/nudges';
import { AvailabilityService } from './services/availability';
import { DecisionService } from './services/decisions';
import { PersonalService, type BackfillState } from './services/me';
import { PrivacyService } from './services/privacy';
import { RetentionService } from './services/retention';
import { OnboardingService } from './services/onboarding';
import { BackfillService } from './services/backfill';
import { historyIngest } from './services/history-ingest';
import { backfillSlackPort } from './slack/backfill-port';
import { CharterService } from './services/charter';
import { CharterSettingsService } from './services/charter-settings';
import type { SlackPort } from './services/slack-port';
import { slackPort } from './slack/port';
import { startSlackApp, usersInfoLookup, type RetryOptions, type SlackApp } from './slack/app';
import { digestSlackPort } from './slack/digest-port';
import { perWorkspace, type ServedWorkspace, type Workspaces } from './slack/installations';
import type { BackfillSlackPort, DigestSlackPort } from './services/slack-port';
import { upsertWorkspace } from './store/activity';
import { deleteInstallation, listInstallations, loadInstallation, saveInstallation } from './store/installations';
import { connectStore, StoreInUseError, type Store } from './store/connect';
import { migrateToLatest } from './store/migrate';
import { refreshEmbeddedStatistics } from './store/statistics';

export type Service = {
  slack: SlackApp;
  store: Store;
  ingestor: Ingestor;
  directory: Directory;
  digests: DigestService;
  /** The history import (each served workspace's, with its own token). */
  backfill: BackfillService | null;
  /** The weekly digest schedule; null when started with { jobs: false }. */
  schedule: Schedule | null;
  /** The daily retention job (deletes what is older than each charter's retention_days); null when started with { jobs: false }. */
  retention: Schedule | null;
  /** The requests job (applies the requests queue every 5 s); null when started with { jobs: false }. */
  requests: Schedule | null;
  /** The metrics listener's port (GET /metrics), or null when there is none (METRICS_PORT=off, or the default port was taken). */
  metricsPort(): number | null;
  /** The app's clock (epoch ms): real time, or ASYNC_CHARTER_NOW moving on from the start. */
  now(): number;
  /** Resolves when background work is done: directory lookups and nudges started by events, Web API work started by buttons and modals. */
  idle(): Promise<void>;
  /**
   * Stops taking events, finishes what is in flight, and always closes the store: each step is
   * bounded by the stop deadline (ServiceOptions.stopDeadlineMs), and one that fails or is still
   * running then is logged and passed over. Rejects (an AggregateError) when a step failed; the
   * store is closed either way.
   */
  stop(): Promise<void>;
};

export type ServiceOptions = {
  logger: Logger;
  /** An open store; default: connect with config.store. It is closed on stop either way. */
  store?: Store;
  metrics?: Metrics;
  /** Listening port; default config.http.port (0 picks a free one). */
  port?: number;
  /** The metrics listener's port; default config.metrics.port (0 picks a free one, null: none). */
  metricsPort?: number | null;
  /** How long stop() waits for the app to drain before it closes the store anyway; default STOP_DEADLINE_MS. */
  stopDeadlineMs?: number;
  retryConfig?: RetryOptions;
  /** Scheduled jobs (the weekly digest, daily retention, the requests queue every 5 s); default true. */
  jobs?: boolean;
  /** Waits between Web API retries of the digest (tests shorten them). */
  sleep?: (ms: number) => Promise<void>;
};

/**
 * stop() closes the store once this has passed, whatever is still running (main's own last resort,
 * exit 1, comes at 20 s). The HTTP server alone takes up to STOP_GRACE_MS (5 s) to let go of a
 * half-sent request.
 */
export const STOP_DEADLINE_MS = 15_000;

/** Composition root: store → migrations → Slack app → listeners → start. */
export async function startService(config: Config, opts: ServiceOptions): Promise<Service> {
  const { logger } = opts;
  const metrics = opts.metrics ?? createMetrics({ defaults: true });
  // On PGlite the app owns DATA_DIR (a second app is refused) and serves it to local commands on a socket inside it.
  const store = opts.store ?? (await connectStore(config.store, { logger, embedded: 'serve' }));
  let metricsServer: MetricsServer | null = null;
  try {
    const { applied } = await migrateToLatest(store.db);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    if (await refreshEmbeddedStatistics(store, { ifNever: true })) logger.info('embedded store analysed (planner statistics; PGlite has no autovacuum)');
    // Compiles the classifier's regular expressions now rather than on the first messages.
    warmClassifier();

    const now = clockFrom(config.clock.startAt);
    // users.info goes through the app's client, which exists once the app is built.
    let lookup: UserLookup = async () => {
      throw new Error('the Slack client is not ready yet');
    };
    const directory = new Directory({ store, logger, lookup: (teamId, userId) => lookup(teamId, userId) });
    // Nudges go through the app's client and know the app's own user id once it has started.
    let port: SlackPort = {
      showNudge: async () => undefined,
      postIntro: async () => {
        throw new Error('the Slack client is not ready yet');
      },
    };
    // The served workspaces (token mode: auth.test's; OAuth mode: the installed ones), known once the app has started.
    let workspaces: Workspaces | null = null;
    const appUserIds = (): ReadonlySet<string> => workspaces?.appUserIds() ?? new Set<string>();
    const nudges = new NudgeService({ store, logger, slack: { showNudge: (n) => port.showNudge(n) }, appUserIds, now });
    const onboarding = new OnboardingService({ store, logger, now, postIntro: (teamId, channel) => port.postIntro(teamId, channel), appUserIds });
    const ingestor = new Ingestor({
      store,
      logger,
      metrics,
      afterCommit: (delivery, changes) => {
        const directoryReady = directory.ensure(delivery.teamId, referencedUsers(changes));
        for (const c of changes) {
          if (c.kind === 'member_joined') onboarding.memberJoined(delivery.teamId, c.channelId, c.userId);
          if (c.kind === 'message') nudges.consider({ teamId: delivery.teamId, message: c.message, edit: c.edit, ...(delivery.retryNum !== undefined ? { retryNum: delivery.retryNum } : {}), directoryReady });
        }
      },
    });
    const served = (): string[] => workspaces?.served() ?? [];
    // Each served workspace's digest and history-import calls, over its own bot token (a new port when the token changes).
    const portOptions = { apiUrl: config.slack.apiUrl, logger, metrics, ...(opts.sleep ? { sleep: opts.sleep } : {}) };
    const digestPorts = perWorkspace((token) => digestSlackPort({ token, ...portOptions }));
    const backfillPorts = perWorkspace((token) => backfillSlackPort({ token, ...portOptions }));
    const workspaceOf = (teamId: string): ServedWorkspace | null => workspaces?.get(teamId) ?? null;
    const calls = (teamId: string): DigestSlackPort | null => digestPorts(workspaceOf(teamId));
    const digests = new DigestService({ store, logger, teams: served, now, renderChart: (spec) => renderPng(spec), slack: calls });
    // The 30-day history import: resumes unfinished runs at start, pauses on stop.
    const backfill = new BackfillService({
      store,
      logger,
      now,
      slack: (teamId): BackfillSlackPort | null => backfillPorts(workspaceOf(teamId)),
      // A history page's people are looked up whole (still paced per minute and queue-bounded); an event's are capped.
      ingest: historyIngest({ store, ensurePeople: (t, ids) => directory.ensure(t, ids, { max: Number.POSITIVE_INFINITY }) }),
      teams: served,
    });
    const people = new PersonalService({
      store,
      logger,
      now,
      ensurePeople: (teamId, ids) => directory.ensure(teamId, ids),
      channelInfo: async (teamId, channel) => calls(teamId)?.channelInfo(channel) ?? null,
      backfillState: (teamId: string) => backfillState(backfill, teamId),
    });
    const availability = new AvailabilityService({ store, logger, now, people });
    const decisions = new DecisionService({ store, logger, now });
    const privacy = new PrivacyService({ store, logger });
    const charters = new CharterService({ store, logger, now });
    const settings = new CharterSettingsService({ logger, charters, refreshPerson: (teamId, userId) => directory.refresh(teamId, userId) });
    // Web API work that buttons and modals start after answering Slack; drained by idle() and stop().
    const background = new Background(logger);
    metricsServer = await listenForMetrics(config, metrics, logger, opts.metricsPort === undefined ? config.metrics.port : opts.metricsPort);
    // OAuth mode: installations live sealed in the store; an install records the workspace, as token mode does at each start.
    const oauth = {
      records: {
        save: (row: Parameters<typeof saveInstallation>[1]) => saveInstallation(store.db, row),
        load: (teamId: string) => loadInstallation(store.db, teamId),
        list: () => listInstallations(store.db),
        remove: (teamId: string) => deleteInstallation(store.db, teamId),
      },
      onInstalled: async (w: ServedWorkspace) => {
        await upsertWorkspace(store.db, w.teamId, w.botUserId, w.botId);
        // SPEC §1: a new workspace's charter timezone is the installing admin's (asked of Slack after the install page has answered).
        const installer = w.installerId;
        if (installer) {
          background.run('installer timezone', async () => void (await charters.adoptInstallerTimezone(w.teamId, installer, (await directory.refresh(w.teamId, installer))?.tz ?? null)), { team_id: w.teamId });
        }
      },
    };
    const slack = await startSlackApp(
      { config, logger, metrics, health: store, ingestor, nudges, background, people, availability, decisions, privacy, digests, settings, charters, backfill, oauth, ...(opts.retryConfig ? { retryConfig: opts.retryConfig } : {}) },
      opts.port ?? config.http.port,
    );
    lookup = usersInfoLookup(slack.clientFor, metrics);
    port = slackPort(slack.clientFor, metrics);
    workspaces = slack.workspaces;
    for (const teamId of workspaces.served()) {
      const w = workspaces.get(teamId);
      if (w !== null) await upsertWorkspace(store.db, w.teamId, w.botUserId, w.botId);
    }
    await backfill.resume();
    const schedule = opts.jobs === false ? null : startDigestSchedule(digests, logger);
    const retention = opts.jobs === false ? null : startRetentionSchedule(new RetentionService({ store, logger, now }), logger);
    const requests = opts.jobs === false ? null : startRequestsSchedule(store.db, logger, { vacuumQueue: store.kind === 'pglite' });
    logger.info(
      {
        mode: config.slack.mode,
        auth: config.slack.auth.kind,
        port: slack.port(),
        metrics: metricsServer ? `${metricsServer.host}:${metricsServer.port()}` : null,
        store: store.kind,
        ...(config.slack.auth.kind === 'token' ? { team_id: workspaces.served()[0] } : { workspaces: workspaces.served().length }),
      },
      'Async Charter is running',
    );
    const metricsListener = metricsServer;

    const idle = async (): Promise<void> => {
      await background.idle();
      await directory.idle();
      await nudges.idle();
      await onboarding.idle();
    };
    return {
      slack,
      store,
      ingestor,
      directory,
      digests,
      backfill,
      schedule,
      retention,
      requests,
      metricsPort: () => metricsListener?.port() ?? null,
      now,
      idle,
      async stop() {
        const deadline = Date.now() + (opts.stopDeadlineMs ?? STOP_DEADLINE_MS);
        const failures: unknown[] = [];
        const step = async (name: string, run: () => Promise<unknown> | undefined): Promise<void> => {
          try {
            await withDeadline(name, Promise.resolve().then(run), deadline);
          } catch (err) {
            failures.push(err);
            logger.error({ err, step: name }, 'stop: a step failed or overran the deadline; going on to close the store');
          }
        };
        try {
          await step('digest schedule', () => schedule?.stop());
          await step('retention schedule', () => retention?.stop());
          await step('requests schedule', () => requests?.stop());
          await step('HTTP server', () => slack.stop());
          await step('history import', () => backfill.stop());
          await step('events in flight', () => ingestor.idle());
          // Lookups waiting for a later minute are let go (nudges waiting on them go on).
          await step('directory', () => directory.stop());
          await step('background work', () => idle());
        } finally {
          await metricsListener?.stop().catch((err: unknown) => logger.warn({ err }, 'stop: the metrics listener did not close'));
          await store.close();
          logger.info({ store: 'closed' }, 'stopped');
        }
        if (failures.length > 0) throw new AggregateError(failures, `stop: ${failures.length} step(s) failed or overran; the store is closed`);
      },
    };
  } catch (err) {
    await metricsServer?.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
}

/** Resolves or rejects as `work` does, or rejects once `deadline` (epoch ms) has passed. */
async function withDeadline<T>(name: string, work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: still running at the stop deadline`)), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, overrun]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the metrics listener on `port` (null: none). The default port already taken is a warning
 * (the app runs without it: a second instance, a demo beside the app); a port set in METRICS_PORT
 * that cannot be bound stops the start.
 */
async function listenForMetrics(config: Config, metrics: Metrics, logger: Logger, port: number | null): Promise<MetricsServer | null> {
  if (port === null) return null;
  try {
    return await startMetricsServer(metrics, { host: config.metrics.host, port, token: config.metrics.token });
  } catch (err) {
    if (!config.metrics.explicit && (err as { code?: string }).code === 'EADDRINUSE') {
      logger.warn({ port, host: config.metrics.host }, 'the default metrics port is in use: running without a metrics listener (set METRICS_PORT to choose one, or "off")');
      return null;
    }
    throw new MetricsListenError(`cannot listen for metrics on ${config.metrics.host}:${port} (${(err as Error).message}): set METRICS_PORT to a free port, or "off"`, { cause: err });
  }
}

/** The metrics listener could not bind the port METRICS_PORT names (or METRICS_HOST is not this machine's). */
export class MetricsListenError extends Error {
  override readonly name = 'MetricsListenError';
}

async function main(): Promise<void> {
  loadDotEnv();
  const result = loadConfig(processEnv());
  if (!result.ok) {
    process.stderr.write(`${result.message}\n`);
    process.exit(2);
  }
  const { config } = result;
  const logger = createLogger({ level: config.log.level });
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection (process stays up)'));

  let service: Service;
  try {
    service = await startService(config, { logger });
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code === 'invalid_auth' || code === 'not_authed' || code === 'account_inactive' || code === 'token_revoked') {
      logger.fatal(`Slack rejected SLACK_BOT_TOKEN (${code}): reinstall the app and copy the Bot User OAuth Token into .env`);
      process.exit(2);
    }
    if (err instanceof StoreInUseError || err instanceof MetricsListenError) {
      logger.fatal(err.message);
      process.exit(2);
    }
    logger.fatal({ err }, 'could not start');
    process.exit(1);
  }

  let stoppingAt: number | undefined;
  const shutdown = (signal: string): void => {
    if (stoppingAt !== undefined) {
      // Ctrl-C under `npm start` arrives twice at once (from the terminal, and relayed by npm): only a later signal forces the exit.
      if (Date.now() - stoppingAt < 1_000) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stoppingAt = Date.now();
    logger.info({ signal }, 'stopping: no new events; finishing what is in flight');
    const force = setTimeout(() => {
      logger.error('shutdown took over 20 s; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) void main();

/** The import's state as App Home shows it (null before the first run). */
async function backfillState(backfill: BackfillService, teamId: string): Promise<BackfillState | null> {
  const p = await backfill.progress(teamId);
  if (p === null) return null;
  return { status: p.status === 'done' ? 'done' : p.status === 'failed' || p.paused ? 'failed' : 'running', channelsDone: p.channelsDone, channelsTotal: p.channelsTotal ?? 0, messages: p.messages };
}
