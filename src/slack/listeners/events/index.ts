import type { Metrics } from '../../../metrics';
import type { Ingestor } from '../../../services/ingest';
import { activityEvent } from './activity';
import { appHomeOpened, type AppHomeDeps } from './app-home';

export type EventListenerDeps = { ingestor: Ingestor; metrics: Pick<Metrics, 'eventsIgnored'> } & AppHomeDeps;

/** Events API types recorded as workspace activity (SPEC §2); manifest.yml subscribes to the same. */
export const ACTIVITY_EVENTS = ['message', 'reaction_added', 'reaction_removed', 'member_joined_channel', 'user_change', 'channel_rename', 'group_rename'] as const;

/** Event handlers by event type. */
export function eventHandlers(deps: EventListenerDeps): Record<string, unknown> {
  const activity = activityEvent(deps);
  return { ...Object.fromEntries(ACTIVITY_EVENTS.map((type) => [type, activity])), app_home_opened: appHomeOpened(deps) };
}
