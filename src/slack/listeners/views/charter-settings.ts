import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs, SlackOptionsMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { Background } from '../../../background';
import type { CharterProblem } from '../../../domain/charter';
import type { CharterSettingsService, OverrideInput } from '../../../services/charter-settings';
import type { InteractionClaim } from '../../../services/interactions';
import { channelOverrideView, FIELD, SETTINGS_BLOCKS, type SettingsBlock } from '../../blocks/charter-settings';
import { actionIdentity, guardsOf, viewIdentity, type GuardDeps } from '../guards';

/**
 * The charter settings modal's listeners: submit, the pushed channel override, the time zone
 * search. A submission claims itself before it saves (a delivery Slack sends again is answered
 * with an ack, which closes the modal, and saves nothing); one answered with errors gives its
 * claim back, so the same values may be sent again once the reason is gone.
 */
export type SettingsDeps = { settings: CharterSettingsService; background: Background } & GuardDeps;
type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
type Values = ViewSubmitAction['view']['state']['values'];
type Field = { value?: string | null; selected_time?: string | null; selected_date?: string | null; selected_option?: { value: string } | null; selected_options?: Array<{ value: string }>; selected_conversation?: string | null; selected_conversations?: string[]; selected_users?: string[] };

const teamOf = (a: { body: { team?: { id: string } | null }; context: { teamId?: string } }) => a.body.team?.id ?? a.context.teamId ?? '';
const field = (v: Values, block: string): Field => (v[block]?.[FIELD] ?? {}) as Field;
const checked = (v: Values, block: string): string[] => (field(v, block).selected_options ?? []).map((o) => o.value);
/** A number input as a number (Slack sends text); '' → undefined (the schema then says what is missing), text → NaN (the schema says it is not a number). */
const num = (v: Values, block: string): number | undefined => {
  const raw = field(v, block).value;
  if (raw === undefined || raw === null || raw.trim() === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
};
const timeOf = (v: Values, block: string) => field(v, block).selected_time ?? undefined;
/** An end picked as 00:00 is midnight at the end of the day ("24:00"): an end is never the day's first minute. */
const endOf = (v: Values, block: string) => {
  const t = timeOf(v, block);
  return t === '00:00' ? '24:00' : t;
};

/** The submitted view as a charter input (SPEC §1 shape); validation is the charter schema's. */
export function charterInputFrom(v: Values): Record<string, unknown> {
  const dailyStart = timeOf(v, 'focus.daily.start');
  const dailyEnd = endOf(v, 'focus.daily.end');
  const nudges = checked(v, 'nudges');
  const holidays = (field(v, 'holidays').value ?? '')
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return {
    timezone: field(v, 'timezone').selected_option?.value ?? '',
    workdays: checked(v, 'workdays'),
    working_hours: { start: timeOf(v, 'working_hours.start'), end: endOf(v, 'working_hours.end') },
    holidays,
    response_windows: { normal: { working_minutes: num(v, 'response_windows.normal.working_minutes') }, urgent: { minutes: num(v, 'response_windows.urgent.minutes') } },
    urgent_channels: field(v, 'urgent_channels').selected_conversations ?? [],
    focus: { days: checked(v, 'focus.days'), daily: dailyStart === undefined && dailyEnd === undefined ? null : { start: dailyStart, end: dailyEnd } },
    digest: { channel: field(v, 'digest.channel').selected_conversation ?? null, day: field(v, 'digest.day').selected_option?.value, time: timeOf(v, 'digest.time') },
    nudges: { meeting_requests: nudges.includes('meeting_requests'), off_hours_mentions: nudges.includes('off_hours_mentions'), early_followups: nudges.includes('early_followups') },
    reactions_count_as_response: checked(v, 'reactions_count_as_response').includes('yes'),
    excluded_channels: field(v, 'excluded_channels').selected_conversations ?? [],
    min_group_size: num(v, 'min_group_size'),
    editors: field(v, 'editors').selected_users ?? [],
    retention_days: num(v, 'retention_days'),
    pilot: { start: field(v, 'pilot.start').selected_date ?? null, weeks: num(v, 'pilot.weeks'), channels: field(v, 'pilot.channels').selected_conversations ?? [] },
    pulse: { enabled: checked(v, 'pulse.enabled').includes('yes'), day: field(v, 'pulse.day').selected_option?.value, time: timeOf(v, 'pulse.time') },
  };
}

/** Each problem on the block that edits its path (the longest block id the path starts with); one message per block. */
export function errorsByBlock(problems: readonly CharterProblem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) {
    const path = p.path === 'focus.daily' ? 'focus.daily.end' : p.path;
    const block = [...SETTINGS_BLOCKS].filter((b) => path === b || path.startsWith(`${b}.`)).sort((a, b) => b.length - a.length)[0] ?? firstBlockUnder(path) ?? 'timezone';
    const text = p.message.replace(/^[a-z_.]+: /, '');
    out[block] = out[block] === undefined ? text : `${out[block]}; ${text}`.slice(0, 2000);
  }
  return out;
}
const firstBlockUnder = (path: string): SettingsBlock | undefined => SETTINGS_BLOCKS.find((b) => b.startsWith(`${path}.`));

/** Runs a save under a claim: the claim stays only when it saved (refused, invalid or failed: given back, so sending it again is not a replay). */
async function keptIfSaved<T extends { status: string }>(claim: InteractionClaim, save: () => Promise<T>): Promise<T> {
  let outcome: T;
  try {
    outcome = await save();
  } catch (err) {
    await claim.release().catch(() => undefined);
    throw err;
  }
  if (outcome.status !== 'saved') await claim.release();
  return outcome;
}

/** Save: refused unless the submitter may edit (checked again here); field errors on their blocks. */
export const charterSettingsSubmit =
  (deps: SettingsDeps) =>
  async (a: ViewArgs): Promise<void> => {
    const claim = await guardsOf(deps).claim(teamOf(a), viewIdentity(a.body), 'charter settings save');
    if (claim === null) return void (await a.ack());
    const outcome = await keptIfSaved(claim, () => deps.settings.save(teamOf(a), a.body.user.id, charterInputFrom(a.view.state.values)));
    if (outcome.status === 'forbidden') {
      await a.ack({ response_action: 'errors', errors: { timezone: 'Only workspace admins, owners and the charter’s editors can change the charter. Nothing was changed.' } });
      return;
    }
    if (outcome.status === 'invalid') {
      await a.ack({ response_action: 'errors', errors: errorsByBlock(outcome.problems) });
      return;
    }
    await a.ack();
  };

/** "Edit a channel…": pushes the override view. */
export const charterOverrideButton =
  (deps: SettingsDeps) =>
  async (a: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs): Promise<void> => {
    await a.ack();
    const trigger = a.body.trigger_id;
    const team = teamOf(a);
    deps.background.run(
      'channel override view',
      async () => {
        if ((await guardsOf(deps).claim(team, actionIdentity(a.body), 'channel override view')) !== null) await a.client.views.push({ trigger_id: trigger, view: channelOverrideView() });
      },
      { team_id: team },
    );
  };

/** The channel override's submission: saved on its own (the main view keeps the rest). */
export const channelOverrideSubmit =
  (deps: SettingsDeps) =>
  async (a: ViewArgs): Promise<void> => {
    const v = a.view.state.values;
    const channel = field(v, 'channel').selected_conversation;
    if (!channel) {
      await a.ack({ response_action: 'errors', errors: { channel: 'Pick a channel.' } });
      return;
    }
    const tri = (block: string) => field(v, block).selected_option?.value;
    const nudges = Object.fromEntries((['meeting_requests', 'off_hours_mentions', 'early_followups'] as const).flatMap((k) => (tri(k) === 'on' ? [[k, true]] : tri(k) === 'off' ? [[k, false]] : [])));
    const normal = num(v, 'normal');
    const urgentMinutes = num(v, 'urgent_minutes');
    const override: OverrideInput = checked(v, 'remove').includes('yes')
      ? null
      : {
          ...(normal !== undefined || urgentMinutes !== undefined ? { response_windows: { ...(normal !== undefined ? { normal: { working_minutes: normal } } : {}), ...(urgentMinutes !== undefined ? { urgent: { minutes: urgentMinutes } } : {}) } } : {}),
          ...(Object.keys(nudges).length > 0 ? { nudges } : {}),
          ...(checked(v, 'urgent').includes('yes') ? { urgent: true } : {}),
        };
    const claim = await guardsOf(deps).claim(teamOf(a), viewIdentity(a.body), 'channel override save');
    if (claim === null) return void (await a.ack());
    const outcome = await keptIfSaved(claim, () => deps.settings.saveOverride(teamOf(a), a.body.user.id, channel, override));
    if (outcome.status === 'forbidden') return void (await a.ack({ response_action: 'errors', errors: { channel: 'Only workspace admins, owners and the charter’s editors can change the charter.' } }));
    if (outcome.status === 'invalid') {
      const errors: Record<string, string> = {};
      for (const p of outcome.problems) errors[/urgent\.minutes|urgent$/.test(p.path) && p.path.includes('response_windows') ? 'urgent_minutes' : p.path.includes('response_windows') ? 'normal' : 'channel'] = p.message;
      return void (await a.ack({ response_action: 'errors', errors }));
    }
    await a.ack();
  };

/** The time zone search of the settings view: IANA names containing the typed text (at most 100, Slack's limit). */
export const timezoneOptions =
  () =>
  async (a: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs): Promise<void> => {
    const q = (a.options.value ?? '').trim().toLowerCase().replace(/\s+/g, '_');
    const zones = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
    const hits = zones.filter((z) => z.toLowerCase().includes(q)).slice(0, 100);
    await a.ack({ options: hits.map((z) => ({ text: { type: 'plain_text', text: z }, value: z })) });
  };
