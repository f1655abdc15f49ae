import type { App } from '@slack/bolt';
import { ACTIONS, VIEWS } from '../../ids';
import { channelOverrideSubmit, charterOverrideButton, charterSettingsSubmit, timezoneOptions, type SettingsDeps } from './charter-settings';
import { decisionMemoSubmit, meetingAgendaSubmit, threadStarterSubmit, type ViewDeps as NudgeViewDeps } from './nudge-modals';

export type ViewDeps = NudgeViewDeps & SettingsDeps;

export function registerViewListeners(app: App, deps: ViewDeps): void {
  app.view(VIEWS.threadStarter, threadStarterSubmit(deps) as never);
  app.view(VIEWS.decisionMemo, decisionMemoSubmit(deps) as never);
  app.view(VIEWS.meetingAgenda, meetingAgendaSubmit(deps) as never);
  app.view(VIEWS.charterSettings, charterSettingsSubmit(deps) as never);
  app.view(VIEWS.channelOverride, channelOverrideSubmit(deps) as never);
  app.action(ACTIONS.charterOverride, charterOverrideButton(deps) as never);
  app.options({ block_id: 'timezone', action_id: 'v' }, timezoneOptions() as never);
}
