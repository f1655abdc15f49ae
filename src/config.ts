import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';

/** The log levels pino understands; `LOG_LEVEL` must be one of them. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** GET /metrics listens here (on METRICS_HOST, default 127.0.0.1) unless METRICS_PORT says otherwise: the Prometheus exporters' usual port. */
export const DEFAULT_METRICS_PORT = 9464;

const SETUP_HINT = 'create the app from manifest.yml and copy its credentials into .env (README, "Set up the Slack app")';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const envSchema = z
  .object({
    SLACK_BOT_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith('xoxb-'), {
      message: 'must be a bot token starting with "xoxb-" (OAuth & Permissions → Bot User OAuth Token)',
    }),
    SLACK_SIGNING_SECRET: optionalText,
    SLACK_APP_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith('xapp-'), {
      message: 'must be an app-level token starting with "xapp-" (Basic Information → App-Level Tokens, scope connections:write)',
    }),
    SLACK_CLIENT_ID: optionalText,
    SLACK_CLIENT_SECRET: optionalText,
    SLACK_STATE_SECRET: optionalText,
    TOKEN_ENCRYPTION_KEY: optionalText.refine((v) => v === undefined || v.length >= 32, {
      message: 'must be at least 32 characters (for example: openssl rand -hex 32)',
    }),
    DATABASE_URL: optionalText.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
      message: 'must be a postgres:// or postgresql:// URL; leave it unset to use the embedded store in DATA_DIR',
    }),
    DATA_DIR: optionalText,
    SLACK_API_URL: optionalText.refine((v) => v === undefined || /^https?:\/\/[^/]+/.test(v), {
      message: 'must be an http(s) URL such as https://slack.com/api/',
    }),
    PORT: optionalText.refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) < 65536), {
      message: 'must be a port number between 0 and 65535',
    }),
    METRICS_PORT: optionalText.refine((v) => v === undefined || v === 'off' || (/^\d+$/.test(v) && Number(v) < 65536), {
      message: 'must be a port number between 0 and 65535, or "off" for no metrics listener (default 9464)',
    }),
    METRICS_HOST: optionalText.refine((v) => v === undefined || isIP(v) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(v), {
      message: 'must be an IP address or a host name to bind the metrics listener to (default 127.0.0.1, this machine only; 0.0.0.0 for every interface)',
    }),
    METRICS_TOKEN: optionalText.refine((v) => v === undefined || /^[\x21-\x7e]{16,}$/.test(v), {
      message: 'must be at least 16 printable characters without spaces (for example: openssl rand -hex 32)',
    }),
    LOG_LEVEL: optionalText.refine((v) => v === undefined || (LOG_LEVELS as readonly string[]).includes(v), {
      message: `must be one of ${LOG_LEVELS.join(', ')}`,
    }),
    ASYNC_CHARTER_NOW: optionalText.refine((v) => v === undefined || (/^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v))), {
      message: 'must be an ISO-8601 instant such as 2026-11-30T09:00:00Z (tests and demos only: the app clock starts there)',
    }),
  })
  .superRefine((env, ctx) => {
    const oauthParts = [env.SLACK_CLIENT_ID, env.SLACK_CLIENT_SECRET, env.SLACK_STATE_SECRET];
    const oauth = oauthParts.some((v) => v !== undefined);
    if (oauth) {
      for (const key of ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const) {
        if (env[key] === undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: `missing: OAuth mode needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET together; ${SETUP_HINT}` });
        }
      }
      if (env.TOKEN_ENCRYPTION_KEY === undefined) {
        ctx.addIssue({ code: 'custom', path: ['TOKEN_ENCRYPTION_KEY'], message: 'missing: OAuth mode stores bot tokens encrypted with this key (openssl rand -hex 32)' });
      }
      if (env.SLACK_APP_TOKEN !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['SLACK_APP_TOKEN'], message: 'must be unset in OAuth mode: workspaces install through /slack/install and Slack sends their events over HTTP (Socket Mode serves one workspace; use SLACK_BOT_TOKEN for it)' });
      }
    } else if (env.SLACK_BOT_TOKEN === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: `missing: the bot token (xoxb-…); ${SETUP_HINT}` });
    }
    // Only a METRICS_PORT someone set can clash: the default gives way to a PORT on it (no listener then).
    const metricsPort = env.METRICS_PORT;
    if (metricsPort !== undefined && metricsPort !== 'off' && metricsPort !== '0' && Number(metricsPort) === Number(env.PORT ?? 3000)) {
      ctx.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: `must differ from PORT (${metricsPort}): /metrics has a listener of its own; "off" for none` });
    }
    if (env.SLACK_APP_TOKEN === undefined && env.SLACK_SIGNING_SECRET === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: `missing: HTTP mode verifies every request with it (Basic Information → Signing Secret); or set SLACK_APP_TOKEN for Socket Mode; ${SETUP_HINT}`,
      });
    }
  });

export type Config = Readonly<{
  slack: Readonly<{
    mode: 'http' | 'socket';
    auth: Readonly<{ kind: 'token'; botToken: string } | { kind: 'oauth'; clientId: string; clientSecret: string; stateSecret: string; tokenEncryptionKey: string }>;
    signingSecret: string | undefined;
    appToken: string | undefined;
    /** Web API base URL, always ending in "/". */
    apiUrl: string;
  }>;
  store: Readonly<{ kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string }>;
  http: Readonly<{ port: number }>;
  /**
   * GET /metrics. Its own listener on host:port (null: none); `explicit` when METRICS_PORT was set
   * (then a port in use stops the start; the default port in use only skips the listener, with a
   * warning). With a token, every /metrics answer needs `Authorization: Bearer <token>`, and
   * /metrics is also served on the public port; without one, the public port answers it 404.
   */
  metrics: Readonly<{ port: number | null; host: string; explicit: boolean; token: string | null }>;
  log: Readonly<{ level: LogLevelName }>;
  /** The app's clock: real time, or (tests and demos) starting at an instant and running on from there. */
  clock: Readonly<{ startAt: number | null }>;
}>;

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string; problems: ReadonlyArray<{ variable: string; problem: string }> };

/** Parses the environment once into a frozen Config; never throws, never reads process.env itself. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? 'environment'), problem: issue.message }));
    const lines = problems.map((p) => `  - ${p.variable}: ${p.problem}`);
    const message = ['Async Charter cannot start: the configuration is incomplete.', ...lines, 'Put these in .env (see .env.example) or in the environment, then run npm start again.'].join('\n');
    return { ok: false, message, problems };
  }
  const e = parsed.data;
  const auth: Config['slack']['auth'] =
    e.SLACK_CLIENT_ID !== undefined
      ? { kind: 'oauth', clientId: e.SLACK_CLIENT_ID, clientSecret: e.SLACK_CLIENT_SECRET ?? '', stateSecret: e.SLACK_STATE_SECRET ?? '', tokenEncryptionKey: e.TOKEN_ENCRYPTION_KEY ?? '' }
      : { kind: 'token', botToken: e.SLACK_BOT_TOKEN ?? '' };
  const config: Config = deepFreeze({
    slack: {
      mode: e.SLACK_APP_TOKEN !== undefined ? 'socket' : 'http',
      auth,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: slackApiBase(e.SLACK_API_URL),
    },
    store: e.DATABASE_URL !== undefined ? { kind: 'postgres', url: e.DATABASE_URL } : { kind: 'pglite', dataDir: e.DATA_DIR ?? './data' },
    http: { port: e.PORT !== undefined ? Number(e.PORT) : 3000 },
    metrics: {
      port: e.METRICS_PORT === 'off' ? null : e.METRICS_PORT !== undefined ? Number(e.METRICS_PORT) : (e.PORT !== undefined ? Number(e.PORT) : 3000) === DEFAULT_METRICS_PORT ? null : DEFAULT_METRICS_PORT,
      host: e.METRICS_HOST ?? '127.0.0.1',
      explicit: e.METRICS_PORT !== undefined,
      token: e.METRICS_TOKEN ?? null,
    },
    log: { level: (e.LOG_LEVEL as LogLevelName | undefined) ?? 'info' },
    clock: { startAt: e.ASYNC_CHARTER_NOW !== undefined ? Date.parse(e.ASYNC_CHARTER_NOW) : null },
  } as const);
  return { ok: true, config };
}

/** Store settings only, for the CLIs that need no Slack credentials (migrate, audit, digest, charter). */
export function loadStoreConfig(env: Readonly<Record<string, string | undefined>>): Config['store'] {
  const url = env.DATABASE_URL?.trim();
  if (url) return { kind: 'postgres', url };
  return { kind: 'pglite', dataDir: env.DATA_DIR?.trim() || './data' };
}

/** Slack settings for a CLI that posts (digest --post): the bot token and the Web API base URL. */
export function loadSlackClientConfig(env: Readonly<Record<string, string | undefined>>): { token: string; apiUrl: string } | { error: string } {
  const token = env.SLACK_BOT_TOKEN?.trim();
  if (!token) return { error: `SLACK_BOT_TOKEN is not set: posting needs the bot token (xoxb-…); ${SETUP_HINT}` };
  if (!token.startsWith('xoxb-')) return { error: 'SLACK_BOT_TOKEN must be a bot token starting with "xoxb-"' };
  return { token, apiUrl: slackApiBase(env.SLACK_API_URL) };
}

/** The Web API base URL: SLACK_API_URL (default Slack's), ending in "/". */
export function slackApiBase(value: string | undefined): string {
  const api = value?.trim() || 'https://slack.com/api/';
  return api.endsWith('/') ? api : `${api}/`;
}

/** A clock that starts at `startAt` (when given) and runs on in real time. */
export function clockFrom(startAt: number | null): () => number {
  if (startAt === null) return Date.now;
  const offset = startAt - Date.now();
  return () => Date.now() + offset;
}

/** Loads ./.env into process.env when the file exists (variables already set win). */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** The process environment, read here and only here. */
export function processEnv(): Readonly<Record<string, string | undefined>> {
  return process.env;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
