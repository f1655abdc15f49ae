import { z } from 'zod';

/** The charter of SPEC §1: one per workspace; channels may override response_windows, nudges and urgency. */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** ISO weekday number (Monday 1 … Sunday 7). */
export const weekdayNumber = (d: Weekday): number => WEEKDAYS.indexOf(d) + 1;

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** An end of day may also be "24:00": midnight at the end of that day (SPEC §3: local time < end). */
const HHMM_END = /^(([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
/** "HH:MM" → minutes since local midnight ("24:00" → 1440). */
export const minutesOfDay = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const isValidZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
};
const isIsoDate = (s: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

const timeOfDay = z.string().regex(HHMM, 'must be a time "HH:MM" (24-hour), e.g. "09:00"');
const endOfSpan = z.string().regex(HHMM_END, 'must be a time "HH:MM" (24-hour, or "24:00" for the end of the day), e.g. "17:00"');
const weekday = z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(', ')}` });
const weekdays = z.array(weekday).refine((a) => new Set(a).size === a.length, 'lists a day twice');
const channelId = z.string().regex(/^[CGD][A-Z0-9]+$/, 'must be a Slack channel id such as C0123ABCD (not a #name)');
const userId = z.string().regex(/^[UW][A-Z0-9]+$/, 'must be a Slack user id such as U0123ABCD');
const span = (what: string) =>
  z
    .object({ start: timeOfDay, end: endOfSpan })
    .strict()
    .refine((s) => minutesOfDay(s.start) < minutesOfDay(s.end), { message: `${what}: start must be before end (overnight spans are not supported)`, path: ['end'] });
const positiveInt = (what: string) => z.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`).positive(`${what} must be greater than 0`);

const normalWindow = z.object({ working_minutes: positiveInt('working_minutes') }).strict();
const urgentWindow = z.object({ minutes: positiveInt('minutes') }).strict();
const nudgeSwitches = { meeting_requests: z.boolean(), off_hours_mentions: z.boolean(), early_followups: z.boolean() };

const channelOverride = z
  .object({
    response_windows: z.object({ normal: normalWindow.optional(), urgent: urgentWindow.optional() }).strict().optional(),
    nudges: z.object(nudgeSwitches).partial().strict().optional(),
    urgent: z.boolean().optional(),
  })
  .strict();

export const charterSchema = z
  .object({
    timezone: z.string().refine(isValidZone, 'must be an IANA time zone such as Europe/Berlin').default('UTC'),
    workdays: weekdays.refine((a) => a.length > 0, 'needs at least one day').default(['mon', 'tue', 'wed', 'thu', 'fri']),
    working_hours: span('working_hours').default({ start: '09:00', end: '17:00' }),
    holidays: z.array(z.string().refine(isIsoDate, 'must be a date "YYYY-MM-DD"')).default([]),
    response_windows: z
      .object({ normal: normalWindow.default({ working_minutes: 480 }), urgent: urgentWindow.default({ minutes: 60 }) })
      .strict()
      .prefault({}),
    urgent_channels: z.array(channelId).default([]),
    focus: z
      .object({ days: weekdays.default(['wed']), daily: span('focus.daily').nullable().default({ start: '09:00', end: '11:00' }) })
      .strict()
      .prefault({}),
    digest: z
      .object({ channel: channelId.nullable().default(null), day: weekday.default('mon'), time: timeOfDay.default('09:00') })
      .strict()
      .prefault({}),
    nudges: z
      .object({ meeting_requests: nudgeSwitches.meeting_requests.default(true), off_hours_mentions: nudgeSwitches.off_hours_mentions.default(true), early_followups: nudgeSwitches.early_followups.default(true) })
      .strict()
      .prefault({}),
    reactions_count_as_response: z.boolean().default(true),
    excluded_channels: z.array(channelId).default([]),
    min_group_size: z.number().int('min_group_size must be a whole number').min(1, 'min_group_size must be at least 1').default(5),
    editors: z.array(userId).default([]),
    pilot: z
      .object({
        start: z.string().refine(isIsoDate, 'must be a date "YYYY-MM-DD"').nullable().default(null),
        weeks: positiveInt('weeks').default(6),
        channels: z.array(channelId).default([]),
      })
      .strict()
      .prefault({}),
    pulse: z.object({ enabled: z.boolean().default(false), day: weekday.default('fri'), time: timeOfDay.default('15:00') }).strict().prefault({}),
    retention_days: positiveInt('retention_days').default(180),
    /** Per-channel overrides (not in the default charter): response windows, nudge switches, urgency. */
    channel_overrides: z.record(channelId, channelOverride).optional(),
  })
  .strict();

export type Charter = z.output<typeof charterSchema>;
export type CharterInput = z.input<typeof charterSchema>;

export type CharterProblem = { path: string; message: string };
export type CharterResult = { ok: true; charter: Charter } | { ok: false; problems: CharterProblem[] };

/** Validates a charter (unknown keys are errors) and fills in the defaults. Never throws. */
export function parseCharter(input: unknown): CharterResult {
  const r = charterSchema.safeParse(input ?? {});
  if (r.success) return { ok: true, charter: r.data };
  return {
    ok: false,
    problems: r.error.issues.map((i) => {
      const path = i.path.map(String).join('.') || '(charter)';
      if (i.code === 'unrecognized_keys') return { path: [path === '(charter)' ? '' : path, i.keys.join(', ')].filter(Boolean).join('.'), message: `unknown key${i.keys.length > 1 ? 's' : ''}: ${i.keys.join(', ')}` };
      return { path, message: i.message };
    }),
  };
}

/** The charter with every default (SPEC §1). */
export function defaultCharter(): Charter {
  const r = parseCharter({});
  if (!r.ok) throw new Error('the default charter does not validate');
  return r.charter;
}

/** One line per problem: "response_windows.normal.working_minutes: must be greater than 0". */
export function formatProblems(problems: readonly CharterProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('\n');
}

/**
 * A bound on how long a request can stay not yet due, in calendar ms: its longest normal window
 * over the charter's working week with every holiday's working day taken out, plus two weeks (a
 * partial first week, clock changes); or its longest urgent window plus a day. Reports read this
 * far before a week for early follow-ups (SPEC §4: an earlier request still not due).
 */
export function longestPendingMs(charter: Charter): number {
  const overrides = Object.values(charter.channel_overrides ?? {}).map((o) => o.response_windows);
  const normal = Math.max(charter.response_windows.normal.working_minutes, ...overrides.map((w) => w?.normal?.working_minutes ?? 0));
  const urgent = Math.max(charter.response_windows.urgent.minutes, ...overrides.map((w) => w?.urgent?.minutes ?? 0));
  const day = minutesOfDay(charter.working_hours.end) - minutesOfDay(charter.working_hours.start);
  const weeks = Math.ceil((normal + charter.holidays.length * day) / (charter.workdays.length * day)) + 2;
  return Math.max(weeks * 7 * 86_400_000, (urgent + 1440) * 60_000);
}

/** Response windows and nudge switches in force in one channel (its override over the charter). */
export function channelRules(charter: Charter, channel: string): { normalWorkingMinutes: number; urgentMinutes: number; urgent: boolean; nudges: Charter['nudges'] } {
  const o = charter.channel_overrides?.[channel];
  return {
    normalWorkingMinutes: o?.response_windows?.normal?.working_minutes ?? charter.response_windows.normal.working_minutes,
    urgentMinutes: o?.response_windows?.urgent?.minutes ?? charter.response_windows.urgent.minutes,
    urgent: charter.urgent_channels.includes(channel) || o?.urgent === true,
    nudges: { ...charter.nudges, ...(o?.nudges ?? {}) },
  };
}
