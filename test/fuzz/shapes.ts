import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIONS, FIELDS, VIEWS } from '../../src/slack/ids';
import { buttonClick, slashCommandForm, viewSubmission } from '../helpers/app-harness';
import { FIXTURES, fixture } from '../helpers/fixtures';

/**
 * The valid starting points of the edge fuzz: real Slack payloads from test/fixtures (the Events API
 * captures of slack-web/events, the interactivity and slash-command shapes of java-slack-sdk's
 * app-backend) and, for the event types those captures lack (reactions, member_joined_channel,
 * user_change, channel_rename, app_mention), Slack's own examples from the Events API reference.
 * Every shape is addressed to the served workspace and carries the payload's markers: a unique
 * event id and channel id (`FZ` + its number) and, in every message text, `zqtxt` + its number.
 */

export type Kind = 'event' | 'command' | 'action' | 'view' | 'other';
export type Ctx = { i: number; teamId: string; users: readonly string[]; responseUrl: string; nowSec: number };
/** A JSON body (events, url_verification…), the form fields of a command, or an interactivity payload (sent as payload=JSON). */
export type Shape = { kind: Kind; name: string; form: boolean; build: (c: Ctx) => Record<string, unknown> };

const cached = new Map<string, unknown>();
/** A fixture, read once, then a fresh copy each time. */
const shapeOf = <T>(...path: string[]): T => {
  const key = path.join('/');
  if (!cached.has(key)) cached.set(key, fixture(...path));
  return structuredClone(cached.get(key)) as T;
};

const pad = (i: number) => String(i).padStart(6, '0');
export const eventIdOf = (i: number) => `EvFZ${pad(i)}`;
export const channelOf = (i: number) => `CFZ${pad(i)}`;
export const textMarkerOf = (i: number) => `zqtxt${pad(i)}`;
/** Every marker of payload i in a stored row or a log line looks like this. */
export const MARKER = /FZ(\d{6})/g;
export const TEXT_MARKER = 'zqtxt';

const tsOf = (c: Ctx, offset = 0) => `${c.nowSec - 60 + offset}.${pad(c.i)}`;
const user = (c: Ctx, k = 0) => c.users[(c.i + k) % c.users.length] ?? 'U0ANA00001';

/** Every string under a `text` key gets the payload's text marker; channel ids become its channel marker. */
function mark(value: unknown, c: Ctx, originalChannels: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => mark(v, c, originalChannels));
  if (value === null || typeof value !== 'object') return typeof value === 'string' && originalChannels.has(value) ? channelOf(c.i) : value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = k === 'text' && typeof v === 'string' ? `${v} ${textMarkerOf(c.i)}` : mark(v, c, originalChannels);
  return out;
}

function eventEnvelopeFor(c: Ctx, event: Record<string, unknown>, envelope: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    token: 'verification-token-unused',
    api_app_id: 'A0APP00001',
    ...envelope,
    team_id: c.teamId,
    event,
    type: 'event_callback',
    event_id: eventIdOf(c.i),
    event_time: c.nowSec,
    authorizations: [{ enterprise_id: null, team_id: c.teamId, user_id: 'U0BOT00001', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: 'EC0000000001',
  };
}

/** slack-web/events/*.json: real captures, re-addressed (team, event id, channel, fresh ts) and marked. */
function capturedEvents(): Shape[] {
  const dir = join(FIXTURES, 'slack-web', 'events');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file): Shape => {
      const captured = fixture<Record<string, unknown>>('slack-web', 'events', file);
      const event = captured.event as Record<string, unknown>;
      const channels = new Set(typeof event.channel === 'string' ? [event.channel] : []);
      return {
        kind: 'event',
        name: `slack-web/events/${file}`,
        form: false,
        build: (c) => {
          const e = mark(structuredClone(event), c, channels) as Record<string, unknown>;
          if (typeof e.ts === 'string') e.ts = tsOf(c);
          if (typeof e.event_ts === 'string') e.event_ts = tsOf(c);
          if (typeof e.user === 'string') e.user = user(c);
          return eventEnvelopeFor(c, e, { token: captured.token, api_app_id: captured.api_app_id });
        },
      };
    });
}

/** Events the captures lack, as in Slack's Events API reference (api.slack.com/events/…). */
const documentedEvents: Shape[] = [
  {
    kind: 'event',
    name: 'message (channel, thread reply, mentions)',
    form: false,
    build: (c) =>
      eventEnvelopeFor(c, { type: 'message', channel: channelOf(c.i), channel_type: 'channel', user: user(c), text: `<@${user(c, 1)}> can you look? ${textMarkerOf(c.i)}`, ts: tsOf(c, 1), thread_ts: tsOf(c), event_ts: tsOf(c, 1), team: c.teamId }),
  },
  { kind: 'event', name: 'app_mention', form: false, build: (c) => eventEnvelopeFor(c, { type: 'app_mention', user: user(c), text: `<@U0BOT00001> hi ${textMarkerOf(c.i)}`, ts: tsOf(c), channel: channelOf(c.i), event_ts: tsOf(c) }) },
  ...(['reaction_added', 'reaction_removed'] as const).map(
    (type): Shape => ({
      kind: 'event',
      name: type,
      form: false,
      build: (c) => eventEnvelopeFor(c, { type, user: user(c), reaction: 'thumbsup', item_user: user(c, 1), item: { type: 'message', channel: channelOf(c.i), ts: tsOf(c) }, event_ts: tsOf(c, 1) }),
    }),
  ),
  { kind: 'event', name: 'member_joined_channel', form: false, build: (c) => eventEnvelopeFor(c, { type: 'member_joined_channel', user: user(c), channel: channelOf(c.i), channel_type: 'C', team: c.teamId, inviter: user(c, 1), event_ts: tsOf(c) }) },
  {
    kind: 'event',
    name: 'user_change',
    form: false,
    build: (c) => eventEnvelopeFor(c, { type: 'user_change', user: { id: user(c), team_id: c.teamId, name: 'ana', deleted: false, real_name: 'Ana', tz: 'Europe/Berlin', tz_offset: 3600, is_bot: false, profile: { display_name: 'ana' } }, cache_ts: c.nowSec, event_ts: tsOf(c) }),
  },
  { kind: 'event', name: 'channel_rename', form: false, build: (c) => eventEnvelopeFor(c, { type: 'channel_rename', channel: { id: channelOf(c.i), name: 'renamed', created: c.nowSec - 86_400 }, event_ts: tsOf(c) }) },
  { kind: 'event', name: 'emoji_changed (well-formed, not subscribed)', form: false, build: (c) => eventEnvelopeFor(c, { type: 'emoji_changed', subtype: 'add', name: 'party', value: 'https://emoji.example/p.png', event_ts: tsOf(c) }) },
];

const others: Shape[] = [
  { kind: 'other', name: 'url_verification', form: false, build: (c) => ({ token: 'verification-token-unused', challenge: `chal${c.i}`, type: 'url_verification' }) },
  { kind: 'other', name: 'app_rate_limited', form: false, build: (c) => ({ token: 'verification-token-unused', type: 'app_rate_limited', team_id: c.teamId, minute_rate_limited: c.nowSec - 60, api_app_id: 'A0APP00001' }) },
];

const COMMAND_TEXTS = ['help', '', 'charter', 'stats', 'stats 7d', 'decision ship on friday', 'memo', 'focus 30m', 'focus-off', 'snooze 1d', 'snooze off', 'digest', 'config', 'pilot', 'forget-me', 'no-such-subcommand'];

/** java-slack-sdk/app-backend/SlashCommandPayload.json's fields, as the harness fills them. */
const commands: Shape[] = [
  {
    kind: 'command',
    name: 'SlashCommandPayload.json (/async)',
    form: true,
    build: (c) =>
      Object.fromEntries(new URLSearchParams(slashCommandForm(COMMAND_TEXTS[c.i % COMMAND_TEXTS.length] ?? 'help', { userId: user(c), channelId: channelOf(c.i), teamId: c.teamId, responseUrl: c.responseUrl, triggerId: `${c.nowSec}.1234.fz${pad(c.i)}` }))),
  },
];

const nudgeRef = (c: Ctx) => JSON.stringify({ n: String((c.i % 5) + 1), c: channelOf(c.i), ts: tsOf(c) });
const ACTION_IDS = [...Object.values(ACTIONS), 'no_such_action'];

/** block_actions: the harness's button click (fields of BlockActionPayload.json), and the fixture itself filled in. */
const actions: Shape[] = [
  {
    kind: 'action',
    name: 'block_actions button click',
    form: true,
    build: (c) => {
      const actionId = ACTION_IDS[c.i % ACTION_IDS.length] ?? 'no_such_action';
      return buttonClick({ teamId: c.teamId, userId: user(c), channelId: channelOf(c.i), actionId, value: actionId.startsWith('nudge') ? nudgeRef(c) : 'v', responseUrl: c.responseUrl, messageTs: tsOf(c) });
    },
  },
  {
    kind: 'action',
    name: 'java-slack-sdk/app-backend/BlockActionPayload.json',
    form: true,
    build: (c) => {
      const p = shapeOf<Record<string, Record<string, unknown>>>('java-slack-sdk', 'app-backend', 'BlockActionPayload.json');
      Object.assign(p.team ?? {}, { id: c.teamId, domain: 'acme-test' });
      Object.assign(p.user ?? {}, { id: user(c), team_id: c.teamId });
      Object.assign(p.channel ?? {}, { id: channelOf(c.i), name: 'general' });
      Object.assign(p.container ?? {}, { type: 'message', channel_id: channelOf(c.i), message_ts: tsOf(c) });
      p.response_url = c.responseUrl as never;
      // Its actions as Slack fills them: ids, block ids and a value.
      const list = (p.actions as unknown as Array<Record<string, unknown>>) ?? [];
      for (const a of list) Object.assign(a, { action_id: ACTION_IDS[c.i % ACTION_IDS.length], block_id: 'b1', value: nudgeRef(c), action_ts: tsOf(c) });
      return p;
    },
  },
];

const VIEW_IDS = [...Object.values(VIEWS), 'no_such_view'];
const input = (value: string) => ({ type: 'plain_text_input', value });

/** view_submission: the harness's (fields of ViewSubmissionPayload.json) with each modal's inputs, and the fixture itself filled in. */
const views: Shape[] = [
  {
    kind: 'view',
    name: 'view_submission (modal inputs)',
    form: true,
    build: (c) => {
      const callbackId = VIEW_IDS[c.i % VIEW_IDS.length] ?? 'no_such_view';
      const values: Record<string, Record<string, Record<string, unknown>>> = {
        [FIELDS.starter]: { [FIELDS.starter]: input('Kicking this off') },
        [FIELDS.context]: { [FIELDS.context]: input('Context') },
        [FIELDS.options]: { [FIELDS.options]: input('A or B') },
        [FIELDS.recommendation]: { [FIELDS.recommendation]: input('A') },
        [FIELDS.decideBy]: { [FIELDS.decideBy]: { type: 'datepicker', selected_date: '2030-01-01' } },
        [FIELDS.purpose]: { [FIELDS.purpose]: input('Plan') },
        [FIELDS.outcome]: { [FIELDS.outcome]: input('A plan') },
        [FIELDS.when]: { [FIELDS.when]: { type: 'datetimepicker', selected_date_time: c.nowSec + 3 * 86_400 } },
      };
      return viewSubmission({ teamId: c.teamId, userId: user(c), view: { id: `VFZ${pad(c.i)}`, hash: `${c.nowSec}.fz${pad(c.i)}`, callback_id: callbackId, private_metadata: nudgeRef(c) }, values });
    },
  },
  {
    kind: 'view',
    name: 'java-slack-sdk/app-backend/ViewSubmissionPayload.json',
    form: true,
    build: (c) => {
      const p = shapeOf<Record<string, Record<string, unknown>>>('java-slack-sdk', 'app-backend', 'ViewSubmissionPayload.json');
      Object.assign(p.team ?? {}, { id: c.teamId, domain: 'acme-test' });
      Object.assign(p.user ?? {}, { id: user(c), team_id: c.teamId });
      Object.assign(p.view ?? {}, { id: `VFZ${pad(c.i)}`, team_id: c.teamId, type: 'modal', hash: `${c.nowSec}.fz${pad(c.i)}`, callback_id: VIEW_IDS[c.i % VIEW_IDS.length], private_metadata: nudgeRef(c), state: { values: {} } });
      return p;
    },
  },
];

export const SHAPES: readonly Shape[] = [...capturedEvents(), ...documentedEvents, ...others, ...commands, ...actions, ...views];
