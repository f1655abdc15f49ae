import pino, { type Logger as PinoLogger, type DestinationStream } from 'pino';
import type { LogLevelName } from './config';

export type Logger = PinoLogger;

/** Keys whose values never reach a log line: credentials and anything a person wrote. */
const SECRET_KEY = /(^|_)(token|secret|password|authorization|signature|key)$|^(x-slack-signature|cookie)$/i;
// params: a failed query's bound values (PGlite's errors carry them), which may hold a decision's text.
// The rest: a Slack user's profile (users.info, user_change), of which logs keep the id only.
const CONTENT_KEY = /^(text|fallback|pretext|title|value|previous_message_text|message_text|initial_value|placeholder|params|parameters|profile|real_name|real_name_normalized|display_name|display_name_normalized|first_name|last_name|email|phone|skype|pronouns|status_text|status_emoji|status_text_canonical|image_\w+|avatar_hash)$/i;
const CONTENT_JSON = /"(text|fallback|pretext|title|value|initial_value|real_name|real_name_normalized|display_name|display_name_normalized|first_name|last_name|email|phone|skype|pronouns|status_text|status_emoji|status_text_canonical|image_\w+|avatar_hash)"\s*:\s*"(?:[^"\\]|\\.)*"/gi;
export const REDACTED = '[redacted]';

/** Replaces every secret or message-content value in a JSON-like string, and any snippet a JSON parse error quotes. */
export function scrubString(s: string): string {
  return s
    .replace(CONTENT_JSON, `"$1":"${REDACTED}"`)
    .replace(/"([A-Za-z_-]*(?:token|secret|password|signature))"\s*:\s*"(?:[^"\\]|\\.)*"/gi, `"$1":"${REDACTED}"`)
    .replace(/\bxox[abposr]-[A-Za-z0-9-]+/g, REDACTED)
    .replace(/\bxapp-[A-Za-z0-9-]+/g, REDACTED)
    .replace(/([?&](?:text|token)=)[^&\s]*/gi, `$1${REDACTED}`)
    // Postgres quotes a whole row in a constraint error's detail: a decision's text among it.
    .replace(/(Failing row contains )\(.*\)/gs, `$1(${REDACTED})`)
    // V8's JSON.parse errors quote the input ("Unexpected token 'S', "SECRET-MAR"... is not valid JSON"; older: "Unexpected token S in JSON").
    .replace(/(?:Unexpected token .*?, )?(?:\.\.\.)?".*?"(?:\.\.\.)? is not valid JSON/gs, 'not valid JSON')
    .replace(/Unexpected token \S+ in JSON/g, 'Unexpected token in JSON');
}

/**
 * A Slack library's log text (Bolt, the Web API and Socket Mode clients) without what it may
 * quote: request and response bodies (a users.info answer is a whole profile), headers, acks,
 * WebSocket payloads. The Web API's result keeps `ok` and the error code. Everything from the
 * first `{` on is dropped, as a catch-all for dumps not named here.
 */
export function withoutBodies(s: string): string {
  const result = /^http request result: /.exec(s);
  if (result !== null) {
    const ok = /"ok":(true|false)/.exec(s)?.[1];
    const error = /"error":"([A-Za-z0-9_.-]{1,80})"/.exec(s)?.[1];
    return `http request result (${ok === undefined ? 'not logged' : `ok: ${ok}`}${error === undefined ? '' : `, error: ${error}`})`;
  }
  const cut = s
    .replace(/^(http request (?:body|headers)|Received a message on the WebSocket|Unable to parse an incoming WebSocket message)[\s\S]*$/, '$1 (not logged)')
    .replace(/\((body|data): [\s\S]*?\)$/, '($1 not logged)')
    .replace(/, (storedResponse|data|payload): [\s\S]*$/, ', $1 not logged');
  const scrubbed = scrubString(cut);
  const brace = scrubbed.indexOf('{');
  return brace === -1 ? scrubbed : `${scrubbed.slice(0, brace)}[not logged]`;
}

/**
 * Deep copy with secret and content fields replaced. Errors keep their type, stack, code and
 * other fields, and their whole `cause` chain (and an AggregateError's `errors`), each link
 * redacted the same way; a cycle ends in '[circular]'.
 */
export function redact(value: unknown, depth = 0, path: Set<object> = new Set()): unknown {
  if (depth > 12) return '[deep]';
  if (typeof value === 'string') return scrubString(value);
  if (value === null || typeof value !== 'object') return value;
  if (path.has(value)) return '[circular]';
  path.add(value);
  try {
    if (value instanceof Error) return redactError(value, depth, path);
    if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, path));
    if (Buffer.isBuffer(value)) return `[buffer ${value.length} bytes]`;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactEntry(k, v, depth, path);
    return out;
  } finally {
    path.delete(value);
  }
}

/**
 * A plain Error standing in for `value`: its own fields redacted, `cause` and `errors` (not
 * enumerable when set by the constructor, so Object.entries misses them) copied as fields.
 * Its `constructor` (not enumerable) names the original class, which pino reports as `type`.
 */
function redactError(value: Error, depth: number, path: Set<object>): Error {
  const copy = new Error(scrubString(value.message)) as Error & Record<string, unknown>;
  copy.name = value.name;
  copy.stack = value.stack !== undefined ? scrubString(value.stack) : undefined;
  if (typeof value.constructor === 'function') Object.defineProperty(copy, 'constructor', { value: value.constructor, enumerable: false });
  for (const [k, v] of Object.entries(value)) copy[k] = redactEntry(k, v, depth, path);
  const { cause, errors } = value as Error & { cause?: unknown; errors?: unknown };
  if (cause !== undefined && !('cause' in copy)) copy.cause = redact(cause, depth + 1, path);
  if (Array.isArray(errors) && !('errors' in copy)) copy.errors = redact(errors, depth + 1, path);
  return copy;
}

function redactEntry(key: string, v: unknown, depth: number, path: Set<object>): unknown {
  if (SECRET_KEY.test(key) || CONTENT_KEY.test(key)) return v === undefined || v === null ? v : REDACTED;
  return redact(v, depth + 1, path);
}

export type LoggerOptions = {
  level: LogLevelName;
  /** Where lines go; default stdout (fd 1). CLIs with --json pass fd 2. */
  fd?: 1 | 2;
  /** Pretty-print for people; default: when that fd is a terminal. Needs pino-pretty (a dev dependency): without it, JSON. */
  pretty?: boolean;
  /** A destination stream (tests capture lines here). */
  stream?: DestinationStream;
};

/** The root pino logger: JSON lines, secrets and message text redacted at any depth. */
export function createLogger(opts: LoggerOptions): Logger {
  const fd = opts.fd ?? 1;
  const pretty = opts.pretty ?? (opts.stream === undefined && (fd === 1 ? process.stdout.isTTY : process.stderr.isTTY) === true);
  const options: pino.LoggerOptions = {
    level: opts.level,
    base: { service: 'async-charter' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // errWithCause: each cause is its own object (type, message, stack, code), not only appended text.
    serializers: { err: pino.stdSerializers.errWithCause },
    hooks: {
      logMethod(args, method) {
        // Every argument, object or string, is scrubbed before pino formats it.
        const cleaned = args.map((a) => redact(a)) as Parameters<typeof method>;
        method.apply(this, cleaned);
      },
    },
  };
  if (opts.stream !== undefined) return pino(options, opts.stream);
  const prettyTarget = pretty ? prettyModule() : null;
  if (prettyTarget !== null) {
    return pino({ ...options, transport: { target: prettyTarget, options: { destination: fd, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } });
  }
  // Synchronous writes: a fatal line right before process.exit must not be lost.
  return pino(options, pino.destination({ fd, sync: true }));
}

/**
 * pino-pretty's path when it is installed, else null. It is a dev dependency: the production
 * install (npm ci --omit=dev) has none, and logs there are JSON lines even on a terminal.
 */
function prettyModule(): string | null {
  try {
    return require.resolve('pino-pretty');
  } catch {
    return null;
  }
}

/** Bolt's and the Web API client's Logger interface (from @slack/logger), served by pino. */
export type SlackLogger = {
  debug(...msg: unknown[]): void;
  info(...msg: unknown[]): void;
  warn(...msg: unknown[]): void;
  error(...msg: unknown[]): void;
  setLevel(level: string): void;
  getLevel(): string;
  setName(name: string): void;
};

/**
 * Hands pino to Bolt: Error arguments become `err` (stack kept), strings the message (without
 * bodies: withoutBodies), objects are merged (redacted like every log argument).
 */
export function slackLoggerAdapter(root: Logger, name = 'bolt'): SlackLogger {
  let log = root.child({ lib: name });
  const write = (level: 'debug' | 'info' | 'warn' | 'error', args: unknown[]): void => {
    // Bolt logs at debug on every request: nothing is built for a level that is off.
    if (!log.isLevelEnabled(level)) return;
    const err = args.find((a): a is Error => a instanceof Error);
    const fields: Record<string, unknown> = {};
    const words: string[] = [];
    for (const a of args) {
      if (a === err) continue;
      if (typeof a === 'string') words.push(a);
      else if (a !== null && typeof a === 'object') Object.assign(fields, a);
      else if (a !== undefined) words.push(String(a));
    }
    if (err !== undefined) fields.err = err;
    const msg = withoutBodies(words.join(' ') || (err !== undefined ? err.message : ''));
    log[level](fields, msg);
  };
  return {
    debug: (...m) => write('debug', m),
    info: (...m) => write('info', m),
    warn: (...m) => write('warn', m),
    error: (...m) => write('error', m),
    // The root logger's level decides; Bolt's own setLevel calls are ignored on purpose.
    setLevel: () => undefined,
    getLevel: () => (log.level === 'silent' || log.level === 'fatal' ? 'error' : log.level === 'trace' ? 'debug' : log.level),
    setName: (n) => {
      log = root.child({ lib: n });
    },
  };
}
