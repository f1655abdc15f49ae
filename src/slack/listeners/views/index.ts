import { ACTIONS, VIEWS } from '../../ids';
import { channelOverrideSubmit, charterOverrideButton, charterSettingsSubmit, timezoneOptions, type SettingsDeps } from './charter-settings';
import { decisionMemoSubmit, meetingAgendaSubmit, threadStarterSubmit, type ViewDeps as NudgeViewDeps } from './nudge-modals';

export type ViewDeps = NudgeViewDeps & SettingsDeps;

/** Modal submission handlers by callback_id. */
export function viewHandlers(deps: ViewDeps): Record<string, unknown> {
  return {
    [VIEWS.threadStarter]: threadStarterSubmit(deps),
    [VIEWS.decisionMemo]: decisionMemoSubmit(deps),
    [VIEWS.meetingAgenda]: meetingAgendaSubmit(deps),
    [VIEWS.charterSettings]: charterSettingsSubmit(deps),
    [VIEWS.channelOverride]: channelOverrideSubmit(deps),
  };
}

/** Buttons inside modals, by action_id. */
export function modalActionHandlers(deps: ViewDeps): Record<string, unknown> {
  return { [ACTIONS.charterOverride]: charterOverrideButton(deps) };
}

export { timezoneOptions };
