import type { App } from '@slack/bolt';
import { ACTIONS } from '../../ids';
import { dismissButton, notMeetingButton, openModalButton, snoozeButton, type ActionDeps } from './nudge-buttons';

export type { ActionDeps };

export function registerActionListeners(app: App, deps: ActionDeps): void {
  app.action(ACTIONS.nudgeThread, openModalButton(deps, 'thread') as never);
  app.action(ACTIONS.nudgeMemo, openModalButton(deps, 'memo') as never);
  app.action(ACTIONS.nudgeAgenda, openModalButton(deps, 'agenda') as never);
  app.action(ACTIONS.nudgeNotMeeting, notMeetingButton(deps) as never);
  app.action(ACTIONS.nudgeSnooze, snoozeButton(deps) as never);
  app.action(ACTIONS.nudgeDismiss, dismissButton(deps) as never);
}
