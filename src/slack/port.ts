import type { WebClient } from '@slack/web-api';
import type { Metrics } from '../metrics';
import { notServed, type SlackPort } from '../services/slack-port';
import { meetingNudgeBlocks, noteBlocks } from './blocks/nudges';
import { introMessage } from './blocks/onboarding';

/** A Web API client with a served workspace's bot token, or null when the workspace is not served. */
export type ClientFor = (teamId: string) => WebClient | null;

/** The workspace's client; a workspace no longer served (uninstalled meanwhile) fails the call as Slack would. */
function clientOf(clientFor: ClientFor, teamId: string): WebClient {
  const client = clientFor(teamId);
  if (client === null) throw notServed(teamId);
  return client;
}

/** The services' SlackPort over each workspace's Web API client. */
export function slackPort(clientFor: ClientFor, metrics: Metrics): SlackPort {
  return {
    async showNudge(n) {
      const client = clientOf(clientFor, n.teamId);
      const blocks = n.kind === 'meeting_request' ? meetingNudgeBlocks(n.text, n.ref) : noteBlocks(n.text, n.ref);
      try {
        await client.chat.postEphemeral({ channel: n.channel, user: n.user, text: n.text, blocks });
        metrics.slackApiCalls.inc({ method: 'chat.postEphemeral', outcome: 'ok' });
      } catch (err) {
        metrics.slackApiCalls.inc({ method: 'chat.postEphemeral', outcome: (err as { data?: { error?: string } }).data?.error ?? 'error' });
        throw err;
      }
    },
    async postIntro(teamId, channel) {
      const client = clientOf(clientFor, teamId);
      const m = introMessage();
      try {
        const res = await client.chat.postMessage({ channel, text: m.text, blocks: m.blocks });
        metrics.slackApiCalls.inc({ method: 'chat.postMessage', outcome: 'ok' });
        return String(res.ts ?? '');
      } catch (err) {
        metrics.slackApiCalls.inc({ method: 'chat.postMessage', outcome: (err as { data?: { error?: string } }).data?.error ?? 'error' });
        throw err;
      }
    },
  };
}
