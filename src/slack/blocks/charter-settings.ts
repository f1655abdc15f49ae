import type { KnownBlock, View } from '@slack/types';
import { WEEKDAYS, type Charter, type Weekday } from '../../domain/charter';
import { ACTIONS, VIEWS } from '../ids';

/**
 * The charter settings modal (admins, owners, editors): every SPEC §1 field as a Block Kit input.
 * Each input's block_id is the charter path it edits ("working_hours.start"), so a validation
 * problem lands on its block. Per-channel overrides are a pushed view. Pure: charter in, view out.
 */

const DAY_LABEL: Record<Weekday, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };
const NUDGES = [
  ['meeting_requests', 'Meeting requests → thread, memo or agenda'],
  ['off_hours_mentions', 'Off-hours heads-up to the sender'],
  ['early_followups', 'Early follow-up note'],
] as const;

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
const option = (text: string, value: string) => ({ text: plain(text), value });
const dayOptions = WEEKDAYS.map((d) => option(DAY_LABEL[d], d));
/** The value every input block uses as its action_id (one element per block). */
export const FIELD = 'v';

/** Block ids of the settings modal: the charter path each edits. */
export const SETTINGS_BLOCKS = [
  'timezone',
  'workdays',
  'working_hours.start',
  'working_hours.end',
  'holidays',
  'response_windows.normal.working_minutes',
  'response_windows.urgent.minutes',
  'urgent_channels',
  'focus.days',
  'focus.daily.start',
  'focus.daily.end',
  'digest.channel',
  'digest.day',
  'digest.time',
  'nudges',
  'reactions_count_as_response',
  'excluded_channels',
  'min_group_size',
  'editors',
  'retention_days',
  'pilot.start',
  'pilot.weeks',
  'pilot.channels',
  'pulse.enabled',
  'pulse.day',
  'pulse.time',
] as const;
export type SettingsBlock = (typeof SETTINGS_BLOCKS)[number];

const input = (block_id: SettingsBlock, label: string, element: Record<string, unknown>, o: { optional?: boolean; hint?: string } = {}): KnownBlock =>
  ({
    type: 'input',
    block_id,
    label: plain(label),
    element: { action_id: FIELD, ...element },
    optional: o.optional ?? false,
    ...(o.hint ? { hint: plain(o.hint) } : {}),
  }) as KnownBlock;
const header = (text: string): KnownBlock => ({ type: 'header', text: plain(text) });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
const checkboxes = (options: Array<{ text: ReturnType<typeof plain>; value: string }>, selected: readonly string[]) => {
  const initial = options.filter((o) => selected.includes(o.value));
  return { type: 'checkboxes', options, ...(initial.length > 0 ? { initial_options: initial } : {}) };
};
const time = (t: string | null | undefined) => ({ type: 'timepicker', ...(t ? { initial_time: t } : {}) });
/** An end time: a time picker has no "24:00", so the end of the day shows as 00:00 (read back as 24:00). */
const endTime = (t: string | null | undefined) => time(t === '24:00' ? '00:00' : t);
const number = (n: number, min: number) => ({ type: 'number_input', is_decimal_allowed: false, min_value: String(min), initial_value: String(n) });
const channels = (ids: readonly string[]) => ({ type: 'multi_conversations_select', filter: { include: ['public', 'private'], exclude_bot_users: true, exclude_external_shared_channels: false }, ...(ids.length > 0 ? { initial_conversations: ids } : {}) });
const daySelect = (d: Weekday) => ({ type: 'static_select', options: dayOptions, initial_option: option(DAY_LABEL[d], d) });

/** The main settings view, filled with the charter in force. */
export function charterSettingsView(c: Charter): View {
  const overrides = Object.keys(c.channel_overrides ?? {});
  const blocks: KnownBlock[] = [
    context('Changes apply at once to every figure computed from now on, and are kept in the charter’s history (`/async charter history`).'),
    header('Working time'),
    input('timezone', 'Charter time zone (weeks, digest, people without a zone)', { type: 'external_select', min_query_length: 1, placeholder: plain('Search: Berlin, New_York…'), initial_option: option(c.timezone, c.timezone) }),
    input('workdays', 'Workdays', checkboxes(dayOptions, c.workdays)),
    input('working_hours.start', 'Working hours start (each person’s own time)', time(c.working_hours.start)),
    input('working_hours.end', 'Working hours end', endTime(c.working_hours.end), { hint: '00:00 means until midnight.' }),
    input('holidays', 'Holidays', { type: 'plain_text_input', multiline: true, initial_value: c.holidays.join('\n'), placeholder: plain('2026-12-24\n2026-12-25') }, { optional: true, hint: 'One date per line, YYYY-MM-DD. Whole days, for everyone.' }),
    header('Response windows'),
    input('response_windows.normal.working_minutes', 'Normal requests: working minutes', number(c.response_windows.normal.working_minutes, 1), { hint: '480 = one working day of the recipient' }),
    input('response_windows.urgent.minutes', 'Urgent requests: minutes on the clock', number(c.response_windows.urgent.minutes, 1)),
    input('urgent_channels', 'Urgent channels', channels(c.urgent_channels), { optional: true }),
    header('Focus'),
    input('focus.days', 'No-meeting days', checkboxes(dayOptions, c.focus.days), { optional: true }),
    input('focus.daily.start', 'Daily focus block start', time(c.focus.daily?.start), { optional: true, hint: 'Leave both empty for no daily block.' }),
    input('focus.daily.end', 'Daily focus block end', endTime(c.focus.daily?.end), { optional: true, hint: '00:00 means until midnight.' }),
    header('Digest and nudges'),
    input('digest.channel', 'Digest channel', { type: 'conversations_select', filter: { include: ['public', 'private'], exclude_bot_users: true }, ...(c.digest.channel ? { initial_conversation: c.digest.channel } : {}) }, { optional: true }),
    input('digest.day', 'Digest day', daySelect(c.digest.day)),
    input('digest.time', 'Digest time (charter time zone)', time(c.digest.time)),
    input(
      'nudges',
      'Nudges',
      checkboxes(
        NUDGES.map(([v, t]) => option(t, v)),
        NUDGES.filter(([v]) => c.nudges[v]).map(([v]) => v),
      ),
      { optional: true },
    ),
    input('reactions_count_as_response', 'Reactions', checkboxes([option('A reaction counts as an answer', 'yes')], c.reactions_count_as_response ? ['yes'] : []), { optional: true }),
    header('Privacy and scope'),
    input('excluded_channels', 'Channels never measured', channels(c.excluded_channels), { optional: true }),
    input('min_group_size', 'Smallest group with team figures', number(c.min_group_size, 1)),
    input('editors', 'Charter editors (besides admins and owners)', { type: 'multi_users_select', ...(c.editors.length > 0 ? { initial_users: c.editors } : {}) }, { optional: true }),
    input('retention_days', 'Keep activity for (days)', number(c.retention_days, 1)),
    header('Pilot and pulse'),
    input('pilot.start', 'Pilot start', { type: 'datepicker', ...(c.pilot.start ? { initial_date: c.pilot.start } : {}) }, { optional: true }),
    input('pilot.weeks', 'Pilot weeks', number(c.pilot.weeks, 1)),
    input('pilot.channels', 'Pilot channels', channels(c.pilot.channels), { optional: true }),
    input('pulse.enabled', 'Weekly pulse', checkboxes([option('Ask the 3-question pulse each week', 'yes')], c.pulse.enabled ? ['yes'] : []), { optional: true }),
    input('pulse.day', 'Pulse day', daySelect(c.pulse.day)),
    input('pulse.time', 'Pulse time', time(c.pulse.time)),
    header('Channel overrides'),
    {
      type: 'section',
      text: { type: 'mrkdwn', text: overrides.length === 0 ? 'No channel has its own windows or nudges.' : `Channels with their own rules: ${overrides.map((id) => `<#${id}>`).join(', ')}` },
      accessory: { type: 'button', action_id: ACTIONS.charterOverride, text: plain('Edit a channel…'), value: 'override' },
    },
  ];
  return { type: 'modal', callback_id: VIEWS.charterSettings, title: plain('Charter settings'), submit: plain('Save'), close: plain('Cancel'), blocks };
}

/** Block ids of the channel override view. */
export const OVERRIDE_BLOCKS = ['channel', 'normal', 'urgent_minutes', 'meeting_requests', 'off_hours_mentions', 'early_followups', 'urgent', 'remove'] as const;

const tri = (label: string) => ({ type: 'static_select', options: [option('As the charter', 'inherit'), option('On', 'on'), option('Off', 'off')], initial_option: option('As the charter', 'inherit'), placeholder: plain(label) });

/** The pushed view: one channel's windows, nudges and urgency (empty = as the charter). */
export function channelOverrideView(): View {
  const blocks: KnownBlock[] = [
    { type: 'input', block_id: 'channel', label: plain('Channel'), element: { type: 'conversations_select', action_id: FIELD, filter: { include: ['public', 'private'], exclude_bot_users: true } } } as KnownBlock,
    { type: 'input', block_id: 'normal', optional: true, label: plain('Normal window here (working minutes)'), element: { type: 'number_input', action_id: FIELD, is_decimal_allowed: false, min_value: '1' } } as KnownBlock,
    { type: 'input', block_id: 'urgent_minutes', optional: true, label: plain('Urgent window here (minutes)'), element: { type: 'number_input', action_id: FIELD, is_decimal_allowed: false, min_value: '1' } } as KnownBlock,
    ...NUDGES.map(([v, t]) => ({ type: 'input', block_id: v, label: plain(t), element: { action_id: FIELD, ...tri(t) } }) as KnownBlock),
    { type: 'input', block_id: 'urgent', optional: true, label: plain('Urgency'), element: { type: 'checkboxes', action_id: FIELD, options: [option('Every request here is urgent', 'yes')] } } as KnownBlock,
    { type: 'input', block_id: 'remove', optional: true, label: plain('Remove'), element: { type: 'checkboxes', action_id: FIELD, options: [option('Remove this channel’s override', 'yes')] } } as KnownBlock,
    context('Saved on its own when you press Save here; empty fields follow the charter.'),
  ];
  return { type: 'modal', callback_id: VIEWS.channelOverride, title: plain('Channel override'), submit: plain('Save'), close: plain('Back'), blocks };
}
