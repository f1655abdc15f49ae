import type { App } from '@slack/bolt';
import { ACTIONS } from '../../ids';
import { dismissButton, notMeetingButton, openModalButton, snoozeButton, type ActionDeps as NudgeActionDeps } from './nudge-buttons';
import { charterSettingsButton, forgetCancelButton, forgetConfirmButton, homeButton, startBackfillButton, type PersonalActionDeps } from './personal-buttons';

export type ActionDeps = NudgeActionDeps & PersonalActionDeps;

export function registerActionListeners(app: App, deps: ActionDeps): void {
  app.action(ACTIONS.nudgeThread, openModalButton(deps, 'thread') as never);
  app.action(ACTIONS.nudgeMemo, openModalButton(deps, 'memo') as never);
  app.action(ACTIONS.nudgeAgenda, openModalButton(deps, 'agenda') as never);
  app.action(ACTIONS.nudgeNotMeeting, notMeetingButton(deps) as never);
  app.action(ACTIONS.nudgeSnooze, snoozeButton(deps) as never);
  app.action(ACTIONS.nudgeDismiss, dismissButton(deps) as never);
  app.action(ACTIONS.forgetConfirm, forgetConfirmButton(deps) as never);
  app.action(ACTIONS.forgetCancel, forgetCancelButton(deps) as never);
  app.action(ACTIONS.homeFocus, homeButton(deps, 'focus') as never);
  app.action(ACTIONS.homeFocusOff, homeButton(deps, 'focus_off') as never);
  app.action(ACTIONS.homeSnooze, homeButton(deps, 'snooze') as never);
  app.action(ACTIONS.homeSnoozeOff, homeButton(deps, 'snooze_off') as never);
  app.action(ACTIONS.homeRefresh, homeButton(deps, 'refresh') as never);
  app.action(ACTIONS.openCharterSettings, charterSettingsButton(deps) as never);
  app.action(ACTIONS.startBackfill, startBackfillButton(deps) as never);
}
