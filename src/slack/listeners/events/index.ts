import type { Metrics } from '../../../metrics';
import type { Ingestor } from '../../../services/ingest';
import { activityEvent, recordActivity } from './activity';
import { appHomeOpened, type AppHomeDeps } from './app-home';

export type EventListenerDeps = {
  ingestor: Ingestor;
  metrics: Pick<Metrics, 'eventsIgnored'>;
  /** OAuth mode: forgets a workspace's installation (app_uninstalled, or its bot token revoked). */
  uninstalled?: (teamId: string) => Promise<void>;
} & AppHomeDeps;

/** Events API types recorded as workspace activity (SPEC §2); manifest.yml subscribes to the same. */
export const ACTIVITY_EVENTS = ['message', 'reaction_added', 'reaction_removed', 'member_joined_channel', 'user_change', 'channel_rename', 'group_rename'] as const;
const ACTIVITY = new Set<string>(ACTIVITY_EVENTS);

/** Event handlers by event type. */
export function eventHandlers(deps: EventListenerDeps): Record<string, unknown> {
  const activity = activityEvent(deps);
  const uninstall = deps.uninstalled;
  return {
    ...Object.fromEntries(ACTIVITY_EVENTS.map((type) => [type, activity])),
    app_home_opened: appHomeOpened(deps),
    ...(uninstall ? { app_uninstalled: uninstalledEvent(uninstall), tokens_revoked: uninstalledEvent(uninstall) } : {}),
  };
}

/**
 * app_uninstalled, and tokens_revoked naming a bot token: the workspace's installation is deleted
 * (its bot token no longer works). A user-token revocation alone changes nothing: the app has none.
 */
const uninstalledEvent =
  (uninstall: (teamId: string) => Promise<void>) =>
  async ({ body, event, context }: { body: unknown; event: { type?: unknown; tokens?: { bot?: unknown } }; context: { teamId?: string } }): Promise<void> => {
    const teamId = (body as { team_id?: unknown }).team_id ?? context.teamId;
    if (typeof teamId !== 'string') return;
    if (event.type === 'tokens_revoked' && !(Array.isArray(event.tokens?.bot) && event.tokens.bot.length > 0)) return;
    await uninstall(teamId);
  };

/** The app's own bot, as auth.test names it (Bolt's context.botId and context.botUserId). */
export type BotSelf = { botId: string | null; botUserId: string | null };

type EventFields = { type?: unknown; subtype?: unknown; bot_id?: unknown; user?: unknown };

/**
 * Whether Bolt's ignoreSelf middleware would drop this event: the app's own bot_message, or any
 * event by the bot user but member_joined_channel and member_left_channel. Its verdict, for the
 * deliveries that do not pass through Bolt (directActivity); test/slack/direct-activity.test.ts
 * holds the two equal.
 */
export function isOwnEvent(event: EventFields, self: BotSelf): boolean {
  const botId = self.botId ?? undefined;
  const botUserId = self.botUserId ?? undefined;
  if (event.type === 'message' && event.subtype === 'bot_message' && event.bot_id === botId) return true;
  return botUserId !== undefined && 'user' in event && event.user === botUserId && event.type !== 'member_joined_channel' && event.type !== 'member_left_channel';
}

/**
 * The Events API deliveries recorded straight from the HTTP edge, without Bolt's event processing
 * (authorize, context, the middleware chain, a second JSON parse: about 0.2 ms of CPU an event,
 * measured against a server doing only the edge's work): an `event_callback` of an activity type.
 * Returns null for any other body, which goes to Bolt; else the recording, resolved after the commit
 * (or at once for the app's own events, as Bolt's ignoreSelf drops them) and rejected when the store
 * failed. The body has passed the edge's signature and shape checks.
 */
export function directActivity(deps: EventListenerDeps, self: (teamId: unknown) => BotSelf): (body: unknown, retryNum: number | undefined) => Promise<void> | null {
  return (body, retryNum) => {
    const b = body as { type?: unknown; team_id?: unknown; event_id?: unknown; event?: EventFields };
    const event = b.event;
    if (b.type !== 'event_callback' || event === undefined || typeof event.type !== 'string' || !ACTIVITY.has(event.type)) return null;
    if (isOwnEvent(event, self(b.team_id))) return Promise.resolve();
    return recordActivity(deps, { teamId: b.team_id, eventId: b.event_id, event, retryNum });
  };
}
