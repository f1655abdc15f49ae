import type { App } from '@slack/bolt';
import { VIEWS } from '../../ids';
import { decisionMemoSubmit, meetingAgendaSubmit, threadStarterSubmit, type ViewDeps } from './nudge-modals';

export type { ViewDeps };

export function registerViewListeners(app: App, deps: ViewDeps): void {
  app.view(VIEWS.threadStarter, threadStarterSubmit(deps) as never);
  app.view(VIEWS.decisionMemo, decisionMemoSubmit(deps) as never);
  app.view(VIEWS.meetingAgenda, meetingAgendaSubmit(deps) as never);
}
