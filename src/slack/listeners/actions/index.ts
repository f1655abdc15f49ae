import { ACTIONS } from '../../ids';
import { dismissButton, notMeetingButton, openModalButton, snoozeButton, type ActionDeps as NudgeActionDeps } from './nudge-buttons';
import { charterSettingsButton, forgetCancelButton, forgetConfirmButton, homeButton, startBackfillButton, type PersonalActionDeps } from './personal-buttons';

export type ActionDeps = NudgeActionDeps & PersonalActionDeps;

/** Button handlers by action_id. */
export function actionHandlers(deps: ActionDeps): Record<string, unknown> {
  return {
    [ACTIONS.nudgeThread]: openModalButton(deps, 'thread'),
    [ACTIONS.nudgeMemo]: openModalButton(deps, 'memo'),
    [ACTIONS.nudgeAgenda]: openModalButton(deps, 'agenda'),
    [ACTIONS.nudgeNotMeeting]: notMeetingButton(deps),
    [ACTIONS.nudgeSnooze]: snoozeButton(deps),
    [ACTIONS.nudgeDismiss]: dismissButton(deps),
    [ACTIONS.forgetConfirm]: forgetConfirmButton(deps),
    [ACTIONS.forgetCancel]: forgetCancelButton(deps),
    [ACTIONS.homeFocus]: homeButton(deps, 'focus'),
    [ACTIONS.homeFocusOff]: homeButton(deps, 'focus_off'),
    [ACTIONS.homeSnooze]: homeButton(deps, 'snooze'),
    [ACTIONS.homeSnoozeOff]: homeButton(deps, 'snooze_off'),
    [ACTIONS.homeRefresh]: homeButton(deps, 'refresh'),
    [ACTIONS.openCharterSettings]: charterSettingsButton(deps),
    [ACTIONS.startBackfill]: startBackfillButton(deps),
  };
}
