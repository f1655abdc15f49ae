import type { BlockAction, ViewSubmitAction } from '@slack/bolt';
import type { DecisionService } from '../../services/decisions';
import type { InteractionService } from '../../services/interactions';

/**
 * What buttons and modals check before doing anything: that this delivery is the first (Slack may
 * send one payload twice) and, for a nudge, that the person acting is its author. The checks are
 * the InteractionService's; this file says what identifies a payload.
 */

/** Deps that reach the guards: `interactions` when the composition root passes it, else the DecisionService's. */
export type GuardDeps = { decisions: DecisionService; interactions?: InteractionService };

export const guardsOf = (deps: GuardDeps): InteractionService => deps.interactions ?? deps.decisions.interactions;

/** One click: its action_ts (Slack's own, new for every click), the action and block, who clicked and where (message or view). */
export function actionIdentity(body: BlockAction): string[] {
  const action = body.actions[0];
  return ['block_actions', action?.action_ts ?? '', action?.action_id ?? '', action?.block_id ?? '', body.user.id, JSON.stringify(body.container ?? null)];
}

/**
 * One submission: the view's id and hash (new for every view Slack shows, and for every update of
 * it), who submitted it and what they entered. The same view sent again with other values can only
 * follow an errors answer (which claims nothing), so it is a new submission, never a replay.
 */
export function viewIdentity(body: ViewSubmitAction): string[] {
  return ['view_submission', body.view.id, body.view.hash, body.user.id, JSON.stringify(body.view.state.values)];
}
