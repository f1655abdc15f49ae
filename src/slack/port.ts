import type { WebClient } from '@slack/web-api';
import type { Metrics } from '../metrics';
import type { SlackPort } from '../services/slack-port';
import { meetingNudgeBlocks, noteBlocks } from './blocks/nudges';
import { introMessage } from './blocks/onboarding';

/** The services' SlackPort over one Web API client. */
export function slackPort(client: WebClient, metrics: Metrics): SlackPort {
  return {
    async showNudge(n) {
      const blocks = n.kind === 'meeting_request' ? meetingNudgeBlocks(n.text, n.ref) : noteBlocks(n.text, n.ref);
      try {
        await client.chat.postEphemeral({ channel: n.channel, user: n.user, text: n.text, blocks });
        metrics.slackApiCalls.inc({ method: 'chat.postEphemeral', outcome: 'ok' });
      } catch (err) {
        metrics.slackApiCalls.inc({ method: 'chat.postEphemeral', outcome: (err as { data?: { error?: string } }).data?.error ?? 'error' });
        throw err;
      }
    },
    async postIntro(channel) {
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
