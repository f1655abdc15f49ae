import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { View } from '@slack/types';
import type { Background } from '../../../background';
import type { AvailabilityService } from '../../../services/availability';
import type { PersonalService } from '../../../services/me';
import { forgetSummary, type PrivacyService } from '../../../services/privacy';
import { note } from '../../blocks/commands';
import { charterSettingsView } from '../../blocks/charter-settings';
import type { CharterSettingsService } from '../../../services/charter-settings';
import type { BackfillService } from '../../../services/backfill';
import { homeView } from '../../blocks/home';
import { actionIdentity, guardsOf, type GuardDeps } from '../guards';

/**
 * The viewer's own buttons (App Home, forget-me). Services only; Web API work runs after the ack,
 * in `background`, and only for the first delivery of a click (one Slack sends again does nothing).
 */
export type PersonalActionDeps = GuardDeps & {
  people: PersonalService;
  availability: AvailabilityService;
  privacy: PrivacyService;
  settings: CharterSettingsService;
  /** The history import; null when this process cannot run one. */
  backfill: BackfillService | null;
  background: Background;
};
type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

const teamOf = (a: Args) => a.body.team?.id ?? a.context.teamId ?? '';

/** Publishes the viewer's home tab (after a change, or on app_home_opened). */
export async function publishHome(people: PersonalService, client: Args['client'], teamId: string, userId: string): Promise<void> {
  await client.views.publish({ user_id: userId, view: homeView(await people.overview(teamId, userId)) });
}

/** Acks, then (detached) claims the click and does its work: a click delivered again is answered and does nothing. */
const afterAck =
  (deps: PersonalActionDeps, what: string, work: (a: Args, team: string, user: string) => Promise<void>) =>
  async (a: Args): Promise<void> => {
    await a.ack();
    const team = teamOf(a);
    const user = a.body.user.id;
    deps.background.run(
      what,
      async () => {
        if ((await guardsOf(deps).claim(team, actionIdentity(a.body), what)) !== null) await work(a, team, user);
      },
      { team_id: team },
    );
  };

/** "Delete my data": forgets the person, then says how many rows went (replacing the question). */
export const forgetConfirmButton = (deps: PersonalActionDeps) =>
  afterAck(deps, 'forget-me', async (a, team, user) => {
    const counts = await deps.privacy.forgetMe(team, user);
    await a.respond({ replace_original: true, text: forgetSummary(counts) });
  });

export const forgetCancelButton = (deps: PersonalActionDeps) =>
  afterAck(deps, 'forget-me cancel', async (a) => {
    await a.respond({ replace_original: true, text: 'Cancelled: nothing was deleted.' });
  });

/** App Home: focus for 2 hours, end focus, snooze 7 days, resume nudges, refresh; then the tab is published again. */
export const homeButton = (deps: PersonalActionDeps, action: 'focus' | 'focus_off' | 'snooze' | 'snooze_off' | 'refresh') =>
  afterAck(deps, `home ${action}`, async (a, team, user) => {
    if (action === 'focus') await deps.availability.focus(team, user, { kind: 'for', minutes: 120 });
    else if (action === 'focus_off') await deps.availability.focusOff(team, user);
    else if (action === 'snooze') await deps.availability.snooze(team, user, 7);
    else if (action === 'snooze_off') await deps.availability.snoozeOff(team, user);
    await publishHome(deps.people, a.client, team, user);
  });

/** App Home's "Import history" (value "30", or "30:join" to join every public channel first): admins, owners, editors only. */
export const startBackfillButton = (deps: PersonalActionDeps) =>
  afterAck(deps, 'start backfill', async (a, team, user) => {
    const [days, join] = String(a.action.value ?? '30').split(':');
    if (deps.backfill !== null && (await deps.settings.mayEdit(team, user))) await deps.backfill.start(team, { days: Number(days) || 30, join: join === 'join' });
    await publishHome(deps.people, a.client, team, user);
  });

/** App Home's "Charter settings" (admins, owners, editors; checked against users.info again here). */
export const charterSettingsButton = (deps: PersonalActionDeps) =>
  afterAck(deps, 'charter settings', async (a, team, user) => {
    await openCharterSettings(deps.settings, a.client, a.body.trigger_id, team, user);
  });

/** Opens the settings modal for someone who may edit the charter; for anyone else, a modal saying who can. */
export async function openCharterSettings(settings: CharterSettingsService, client: Args['client'], trigger: string, team: string, user: string): Promise<boolean> {
  const charter = await settings.open(team, user);
  const view: View =
    charter === null
      ? { type: 'modal', title: { type: 'plain_text', text: 'Charter settings' }, close: { type: 'plain_text', text: 'Close' }, blocks: note('Only workspace admins, owners and the charter’s editors can open the charter settings. `/async charter` shows the charter in force.').blocks }
      : charterSettingsView(charter);
  await client.views.open({ trigger_id: trigger, view });
  return charter !== null;
}
