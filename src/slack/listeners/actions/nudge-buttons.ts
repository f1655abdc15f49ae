import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '../../../logger';
import type { Store } from '../../../store/connect';
import { recordOutcome, snoozeUntil, type NudgeOutcome } from '../../../store/nudges';
import { decisionMemoView, meetingAgendaView, threadStarterView } from '../../blocks/nudges';
import type { NudgeRef } from '../../ids';

export type ActionDeps = { store: Store; logger: Logger; now?: () => number };
type Args = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** The nudge a button belongs to; null when its value is not ours. */
export function parseRef(value: string | undefined): NudgeRef | null {
  try {
    const v = JSON.parse(value ?? '') as Partial<NudgeRef>;
    return typeof v.n === 'string' && typeof v.c === 'string' && typeof v.ts === 'string' ? { n: v.n, c: v.c, ts: v.ts } : null;
  } catch {
    return null;
  }
}

const teamOf = (a: Args) => a.body.team?.id ?? a.context.teamId ?? '';

/** Acks at once, then runs the handler with the nudge the button belongs to (ignores buttons that are not ours). */
const onNudgeButton =
  (handle: (a: Args, ref: NudgeRef, team: string) => Promise<void>) =>
  async (a: Args): Promise<void> => {
    await a.ack();
    const ref = parseRef(a.action.value);
    if (ref !== null) await handle(a, ref, teamOf(a));
  };

/** Buttons that open a modal: thread starter, decision memo, meeting agenda. */
export const openModalButton = (deps: ActionDeps, outcome: Extract<NudgeOutcome, 'thread' | 'memo' | 'agenda'>) =>
  onNudgeButton(async (a, ref, team) => {
    const view = outcome === 'thread' ? threadStarterView(ref, 'Let’s work this out here in writing. What I need: …\nBy when: …\nContext: …') : outcome === 'memo' ? decisionMemoView(ref) : meetingAgendaView(ref);
    await a.client.views.open({ trigger_id: a.body.trigger_id, view });
    await recordOutcome(deps.store.db, team, ref.n, a.body.user.id, outcome);
  });

/** "Not a meeting request": recorded (no text) as feedback for the classifier. */
export const notMeetingButton = (deps: ActionDeps) =>
  onNudgeButton(async (a, ref, team) => {
    await recordOutcome(deps.store.db, team, ref.n, a.body.user.id, 'not_meeting');
    await a.respond({ replace_original: true, text: 'Thanks, noted: not a meeting request. This feedback helps the classifier get better.' });
  });

/** "Snooze nudges for 7 days". */
export const snoozeButton = (deps: ActionDeps) =>
  onNudgeButton(async (a, ref, team) => {
    const until = new Date((deps.now ?? Date.now)() + 7 * 86_400_000);
    await snoozeUntil(deps.store.db, team, a.body.user.id, until);
    await recordOutcome(deps.store.db, team, ref.n, a.body.user.id, 'snoozed');
    await a.respond({ replace_original: true, text: `Nudges snoozed until <!date^${Math.floor(until.getTime() / 1000)}^{date_short_pretty}|${until.toISOString().slice(0, 10)}>.` });
  });

/** "Got it" on a note: dismissed. */
export const dismissButton = (deps: ActionDeps) =>
  onNudgeButton(async (a, ref, team) => {
    await recordOutcome(deps.store.db, team, ref.n, a.body.user.id, 'dismissed');
    await a.respond({ delete_original: true });
  });
