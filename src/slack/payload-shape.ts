import { z } from 'zod';

/**
 * The shapes a signed request to /slack/events must have before any listener sees it. A body that
 * fails here can never be valid (a redelivery would fail the same way), so it is answered 400 at once.
 * Unknown but well-formed event types, actions and views pass: their listeners (or none) decide.
 */

/** Slack ids: letters, digits, '_' and '-', bounded (no NUL, no 300k-character "channel"). */
const slackId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const teamId = z.string().regex(/^[TE][A-Z0-9]{2,30}$/);
const ts = z.string().regex(/^\d{1,12}\.\d{1,9}$/);
/** A field that is an id, or (user_change, channel_rename) an object carrying one. */
const idOrObject = z.union([slackId, z.looseObject({ id: slackId })]);

const event = z.looseObject({
  type: z.string().regex(/^[a-z0-9_.]{1,64}$/),
  subtype: z.string().regex(/^[a-z0-9_.]{1,64}$/).optional(),
  user: idOrObject.optional(),
  channel: idOrObject.optional(),
  item_user: slackId.optional(),
  inviter: slackId.optional(),
  text: z.string().optional(),
  ts: ts.optional(),
  event_ts: ts.optional(),
  thread_ts: ts.optional(),
  item: z.looseObject({ channel: slackId.optional(), ts: ts.optional() }).optional(),
});

const eventCallback = z.looseObject({
  type: z.literal('event_callback'),
  team_id: teamId,
  event_id: slackId,
  event,
});

const interactive = z.looseObject({
  type: z.string().regex(/^[a-z0-9_]{1,64}$/),
  team: z.looseObject({ id: teamId }).nullable().optional(),
  user: z.looseObject({ id: slackId }).optional(),
  channel: z.looseObject({ id: slackId }).nullable().optional(),
  actions: z.array(z.looseObject({ action_id: z.string().regex(/^[^\0]{1,255}$/), block_id: z.string().regex(/^[^\0]{1,255}$/).optional() })).optional(),
  view: z.looseObject({ callback_id: z.string().regex(/^[^\0]{0,255}$/).optional() }).optional(),
});

const slashCommand = z.looseObject({
  command: z.string().regex(/^\/[^\s\0]{1,64}$/),
  team_id: teamId,
  user_id: slackId,
  channel_id: slackId,
  text: z.string(),
  response_url: z.string().max(2048),
  trigger_id: z.string().max(255),
});

export type ShapeCheck = { ok: true } | { ok: false; problems: string[] };

/** Checks a parsed body (JSON, a slash command's form, or an interactivity form's payload). */
export function checkPayloadShape(body: unknown): ShapeCheck {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, problems: ['body: not an object'] };
  const b = body as Record<string, unknown>;
  if (b.ssl_check === '1' || b.type === 'url_verification') return { ok: true };
  const schema = b.type === 'event_callback' ? eventCallback : 'command' in b ? slashCommand : typeof b.type === 'string' ? interactive : null;
  if (schema === null) return { ok: false, problems: ['type: missing'] };
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true };
  // Paths and codes only: never a value from the body.
  return { ok: false, problems: parsed.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.code}`) };
}
