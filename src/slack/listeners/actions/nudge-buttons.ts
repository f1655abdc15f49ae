import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Background } from '../../../background';
import { parseNudgeRef, type NudgeOutcome, type NudgeRef } from '../../../domain/nudges';
import type { NudgeService } from '../../../services/nudges';
import { decisionMemoView, meetingAgendaView, nudgeRefusalText, threadStarterView } from '../../blocks/nudges';
import { actionIdentity, guardsOf, type GuardDeps } from '../guards';

/** Buttons reach the nudge service and the guards (never the store); their Web API work runs in `background`. */
export type ActionDeps = { nudges: NudgeService; background: Background } & GuardDeps;
type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

const teamOf = (a: Args) => a.body.team?.id ?? a.context.teamId ?? '';

/**
 * Acks, then runs the button's work detached (tracked in `background`, drained on shutdown):
 * with processBeforeResponse Bolt answers Slack only when this handler returns, so nothing slow
 * runs before that. Before anything else, the work checks that this click is handled for the first
 * time (a click Slack delivers again does nothing) and that the clicker is the person the nudge was
 * shown to: anyone else gets a short private refusal, and no modal opens, nothing is recorded.
 * Buttons that are not ours are acked and ignored.
 */
const onNudgeButton =
  (deps: ActionDeps, what: string, handle: (a: Args, ref: NudgeRef, team: string) => Promise<void>) =>
  async (a: Args): Promise<void> => {
    await a.ack();
    const ref = parseNudgeRef(a.action.value);
    if (ref === null) return;
    const team = teamOf(a);
    const guards = guardsOf(deps);
    deps.background.run(
      what,
      async () => {
        if ((await guards.claim(team, actionIdentity(a.body), what)) === null) return;
        const actor = await guards.nudgeActor(team, ref.n, a.body.user.id);
        if (actor !== 'author') return void (await a.respond({ response_type: 'ephemeral', replace_original: false, text: nudgeRefusalText(actor) }));
        await handle(a, ref, team);
      },
      { team_id: team, nudge: ref.n },
    );
  };

/** Buttons that open a modal: thread starter, decision memo, meeting agenda (the outcome is recorded once it is open). */
export const openModalButton = (deps: ActionDeps, outcome: Extract<NudgeOutcome, 'thread' | 'memo' | 'agenda'>) =>
  onNudgeButton(deps, `nudge button (${outcome})`, async (a, ref, team) => {
    const view = outcome === 'thread' ? threadStarterView(ref, 'Let’s work this out here in writing. What I need: …\nBy when: …\nContext: …') : outcome === 'memo' ? decisionMemoView(ref) : meetingAgendaView(ref);
    await a.client.views.open({ trigger_id: a.body.trigger_id, view });
    await deps.nudges.recordOutcome(team, ref, a.body.user.id, outcome);
  });

/** "Not a meeting request": recorded (no text) as feedback for the classifier. */
export const notMeetingButton = (deps: ActionDeps) =>
  onNudgeButton(deps, 'nudge button (not_meeting)', async (a, ref, team) => {
    await deps.nudges.recordOutcome(team, ref, a.body.user.id, 'not_meeting');
    await a.respond({ replace_original: true, text: 'Thanks, noted: not a meeting request. This feedback helps the classifier get better.' });
  });

/** "Snooze nudges for 7 days". */
export const snoozeButton = (deps: ActionDeps) =>
  onNudgeButton(deps, 'nudge button (snooze)', async (a, ref, team) => {
    const until = await deps.nudges.snooze(team, ref, a.body.user.id);
    await a.respond({ replace_original: true, text: `Nudges snoozed until <!date^${Math.floor(until.getTime() / 1000)}^{date_short_pretty}|${until.toISOString().slice(0, 10)}>.` });
  });

/** "Got it" on a note: dismissed. */
export const dismissButton = (deps: ActionDeps) =>
  onNudgeButton(deps, 'nudge button (dismissed)', async (a, ref, team) => {
    await deps.nudges.recordOutcome(team, ref, a.body.user.id, 'dismissed');
    await a.respond({ delete_original: true });
  });
