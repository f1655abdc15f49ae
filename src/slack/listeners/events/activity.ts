import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackEvent } from '../../../domain/activity';
import type { EventListenerDeps } from '.';

type Args = SlackEventMiddlewareArgs & AllMiddlewareArgs;

/**
 * Records one delivery of the served workspace. Resolves after the commit (the receiver answers Slack only then);
 * a failure propagates so Slack gets a 5xx and redelivers.
 */
export const activityEvent =
  (deps: EventListenerDeps) =>
  async ({ body, event, context }: Args): Promise<void> => {
    const envelope = body as { team_id?: unknown; event_id?: string };
    const teamId = envelope.team_id ?? context.teamId;
    const eventId = envelope.event_id;
    if (teamId === undefined || eventId === undefined) return;
    // Token mode serves auth.test's workspace only: another team's delivery is answered 200 and counted, never stored.
    const served = deps.servedTeam();
    if (typeof teamId !== 'string' || (served !== null && teamId !== served)) {
      deps.metrics.eventsIgnored.inc({ reason: 'other_team' });
      return;
    }
    await deps.ingestor.ingest({ teamId, eventId, event: event as unknown as SlackEvent, retryNum: context.retryNum });
  };
