import type { App } from '@slack/bolt';
import type { Metrics } from '../../../metrics';
import type { Ingestor } from '../../../services/ingest';
import { activityEvent } from './activity';
import { appHomeOpened, type AppHomeDeps } from './app-home';

export type EventListenerDeps = { ingestor: Ingestor; metrics: Pick<Metrics, 'eventsIgnored'> } & AppHomeDeps;

/** Events API types recorded as workspace activity (SPEC §2); manifest.yml subscribes to the same. */
export const ACTIVITY_EVENTS = ['message', 'reaction_added', 'reaction_removed', 'member_joined_channel', 'user_change', 'channel_rename', 'group_rename'] as const;

export function registerEventListeners(app: App, deps: EventListenerDeps): void {
  const handler = activityEvent(deps);
  for (const type of ACTIVITY_EVENTS) app.event(type, handler);
  app.event('app_home_opened', appHomeOpened(deps) as never);
}
