import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackEvent } from '../../../domain/activity';
import type { EventListenerDeps } from '.';

type Args = SlackEventMiddlewareArgs & AllMiddlewareArgs;

/** One Events API delivery as the envelope gives it (team_id and event_id not yet checked). */
export type ActivityDelivery = { teamId: unknown; eventId: unknown; event: unknown; retryNum: number | undefined };

/**
 * Records one delivery of a served workspace. Resolves after the commit (Slack is answered only then);
 * a failure propagates so Slack gets a 5xx and redelivers. Another workspace's delivery is counted, never stored.
 */
export async function recordActivity(deps: EventListenerDeps, d: ActivityDelivery): Promise<void> {
  const { teamId, eventId } = d;
  if (teamId === undefined || typeof eventId !== 'string') return;
  // Token mode serves auth.test's workspace, OAuth mode the installed ones: another team's delivery is answered 200 and counted, never stored.
  // Answered at once when this process knows the workspace (always in token mode); OAuth mode asks the store about one it does not.
  const served = typeof teamId === 'string' ? deps.serves(teamId) : false;
  if (served !== true && (served === false || !(await served))) {
    deps.metrics.eventsIgnored.inc({ reason: 'other_team' });
    return;
  }
  await deps.ingestor.ingest({ teamId: teamId as string, eventId, event: d.event as SlackEvent, retryNum: d.retryNum });
}

/** The Bolt listener for activity events (Socket Mode; over HTTP they are recorded by directActivity, before Bolt). */
export const activityEvent =
  (deps: EventListenerDeps) =>
  async ({ body, event, context }: Args): Promise<void> => {
    const envelope = body as { team_id?: unknown; event_id?: unknown };
    await recordActivity(deps, { teamId: envelope.team_id ?? context.teamId, eventId: envelope.event_id, event, retryNum: context.retryNum });
  };
