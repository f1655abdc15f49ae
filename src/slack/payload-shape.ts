import { z } from 'zod';

/**
 * The shapes a signed request to /slack/events must have before any listener sees it. A body that
 * fails here can never be valid (a redelivery would fail the same way), so it is answered 400 at once.
 * Unknown but well-formed event types, actions and views pass: their listeners (or none) decide.
 */

/** Slack ids: letters, digits, '_' and '-', bounded (no NUL, no 300k-character "channel"). */
const slackId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const teamId = z.string().regex(/^[TE][A-Z0-9]{1,30}$/);
const ts = z.string().regex(/^\d{1,12}(?:\.\d{1,9})?$/);
/** A name the store may keep (a channel's, a person's, a reaction): text without NUL (Postgres refuses it), bounded. */
const name = z.string().regex(/^[^\0]{0,255}$/);
const subtype = z.string().regex(/^[a-z0-9_.]{1,64}$/);
/** A person (user_change): the fields the directory keeps. */
const person = z.looseObject({
  id: slackId,
  team_id: teamId.optional(),
  name: name.optional(),
  real_name: name.optional(),
  tz: name.nullable().optional(),
  profile: z.looseObject({ display_name: name.optional(), real_name: name.optional() }).optional(),
});
/** A message inside an event (message_changed's message, message_deleted's previous_message): what ingestion reads of it. */
const innerMessage = z.looseObject({
  subtype: subtype.optional(),
  user: slackId.optional(),
  text: z.string().optional(),
  ts: ts.optional(),
  thread_ts: ts.optional(),
  edited: z.looseObject({ ts: ts.optional(), user: slackId.optional() }).optional(),
});

const event = z.looseObject({
  type: z.string().regex(/^[a-z0-9_.]{1,64}$/),
  subtype: subtype.optional(),
  /** An id, or (user_change) a person. */
  user: z.union([slackId, person]).optional(),
  /** An id, or (channel_rename) an object carrying one and the new name. */
  channel: z.union([slackId, z.looseObject({ id: slackId, name: name.optional() })]).optional(),
  channel_type: name.optional(),
  item_user: slackId.optional(),
  inviter: slackId.optional(),
  reaction: name.optional(),
  text: z.string().optional(),
  ts: ts.optional(),
  event_ts: ts.optional(),
  thread_ts: ts.optional(),
  deleted_ts: ts.optional(),
  edited: z.looseObject({ ts: ts.optional(), user: slackId.optional() }).optional(),
  message: innerMessage.optional(),
  previous_message: innerMessage.optional(),
  item: z.looseObject({ channel: slackId.optional(), ts: ts.optional() }).optional(),
  // Bolt reads subteam.created_by for the source of any event that has one.
  subteam: z.looseObject({}).optional(),
});

const eventCallback = z.looseObject({
  type: z.literal('event_callback'),
  team_id: teamId,
  event_id: slackId,
  event,
  // Bolt takes the source's team from the first authorization.
  authorizations: z.array(z.looseObject({ team_id: teamId.nullable().optional(), enterprise_id: z.string().nullable().optional() })).optional(),
});

/** What a modal's input sends back in view.state.values (Block Kit's element states; the listeners read these). */
const inputState = z.looseObject({
  value: z.string().nullable().optional(),
  selected_date: z.string().nullable().optional(),
  selected_time: z.string().nullable().optional(),
  selected_date_time: z.number().nullable().optional(),
  selected_option: z.looseObject({ value: z.string() }).nullable().optional(),
  selected_options: z.array(z.looseObject({ value: z.string() })).optional(),
  selected_conversation: slackId.nullable().optional(),
  selected_conversations: z.array(slackId).optional(),
  selected_channel: slackId.nullable().optional(),
  selected_channels: z.array(slackId).optional(),
  selected_user: slackId.nullable().optional(),
  selected_users: z.array(slackId).optional(),
});
const viewState = z.looseObject({ values: z.record(z.string(), z.record(z.string(), inputState)).optional() });
const callbackId = z.string().regex(/^[^\0]{0,255}$/);

/** Bolt routes these by type, and reads user.id (and team or user.team_id) of each; an unknown type it ignores. */
const ROUTED_TYPES = new Set(['block_actions', 'block_suggestion', 'interactive_message', 'dialog_submission', 'shortcut', 'message_action', 'view_submission', 'view_closed']);

const interactive = z
  .looseObject({
    type: z.string().regex(/^[a-z0-9_]{1,64}$/),
    team: z.looseObject({ id: teamId }).nullable().optional(),
    enterprise: z.looseObject({ id: z.string().max(64) }).nullable().optional(),
    user: z.looseObject({ id: slackId, team_id: z.string().max(64).optional() }).optional(),
    // Bolt reads channel.id whenever channel is there: an object, never null.
    channel: z.looseObject({ id: slackId }).optional(),
    // Bolt matches the first action's ids, so there is one.
    actions: z.array(z.looseObject({ action_id: z.string().regex(/^[^\0]{1,255}$/), block_id: z.string().regex(/^[^\0]{1,255}$/).optional() })).min(1).optional(),
    view: z.looseObject({ callback_id: callbackId.optional(), private_metadata: z.string().optional(), state: viewState.optional(), app_installed_team_id: z.string().max(64).optional() }).optional(),
    // block_suggestion: what the person typed.
    value: z.string().optional(),
  })
  .superRefine((b, ctx) => {
    const routed = ROUTED_TYPES.has(b.type) || b.actions !== undefined || 'name' in b;
    if (routed && b.user === undefined) ctx.addIssue({ code: 'custom', path: ['user'], message: 'required' });
    if (b.type === 'view_submission' || b.type === 'view_closed') {
      if (b.view?.callback_id === undefined) ctx.addIssue({ code: 'custom', path: ['view', 'callback_id'], message: 'required' });
      // The submission's listeners read view.state.values.
      if (b.type === 'view_submission' && b.view?.state?.values === undefined) ctx.addIssue({ code: 'custom', path: ['view', 'state', 'values'], message: 'required' });
    }
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
  // Chosen as Bolt routes a body (an `event` first, then a `command`, then the rest by type), so nothing reaches Bolt unchecked.
  const schema = b.type === 'event_callback' || 'event' in b ? eventCallback : 'command' in b ? slashCommand : typeof b.type === 'string' ? interactive : null;
  if (schema === null) return { ok: false, problems: ['type: missing'] };
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true };
  // Paths and codes only: never a value from the body.
  return { ok: false, problems: parsed.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.code}`) };
}
