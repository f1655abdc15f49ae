import type { AllMiddlewareArgs, RespondArguments, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { Background } from '../../../background';
import { parseAsyncCommand, type AsyncCommand } from '../../../domain/commands';
import type { AvailabilityService } from '../../../services/availability';
import type { DecisionService } from '../../../services/decisions';
import type { DigestService } from '../../../services/digest';
import type { PersonalService } from '../../../services/me';
import type { PrivacyService } from '../../../services/privacy';
import { channelStatsReply, charterReply, historyReply, decisionPost, forgetMeConfirm, helpReply, invalidReply, note, statsReply, type Reply } from '../../blocks/commands';
import { digestMessage } from '../../blocks/digest';
import { decisionMemoView } from '../../blocks/nudges';
import { focusReply, snoozeReply } from '../../blocks/availability';
import type { CharterSettingsService } from '../../../services/charter-settings';
import type { CharterService } from '../../../services/charter';
import { openCharterSettings } from '../actions/personal-buttons';

/** What `/async` reaches: services only (never the store), and `background` for work after the answer. */
export type CommandDeps = {
  people: PersonalService;
  availability: AvailabilityService;
  decisions: DecisionService;
  privacy: PrivacyService;
  digests: DigestService;
  settings: CharterSettingsService;
  charters: CharterService;
  background: Background;
  /** Whether this process serves the workspace (token mode: auth.test's team; OAuth mode: an installed one). */
  serves: (teamId: string) => boolean | Promise<boolean>;
};
type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

const ephemeral = (r: Reply): RespondArguments => ({ response_type: 'ephemeral', text: r.text, blocks: r.blocks });
const isDm = (channelId: string) => /^D/.test(channelId);

/**
 * `/async`. With processBeforeResponse Bolt sends the ack when this handler returns, so it returns
 * at once: cheap answers (help, bad input, confirmations) go in the ack itself; anything that
 * reads the store or calls Slack runs in `background` and answers through response_url.
 */
export const asyncCommand =
  (deps: CommandDeps) =>
  async (a: Args): Promise<void> => {
    const { command } = a;
    const team = command.team_id;
    if (!(await deps.serves(team))) {
      await a.ack(ephemeral(note('This Async Charter install serves another workspace, so it has nothing for you here. Ask your admin to add Async Charter to this workspace.')));
      return;
    }
    const cmd = parseAsyncCommand(command.text ?? '');
    const now = immediate(cmd, command.channel_id);
    if (now !== null) {
      await a.ack(ephemeral(now));
      return;
    }
    await a.ack();
    const user = command.user_id;
    const channel = command.channel_id;
    const later = (what: string, work: () => Promise<Reply | null>) =>
      deps.background.run(
        `/async ${what}`,
        async () => {
          try {
            const reply = await work();
            if (reply !== null) await a.respond(ephemeral(reply));
          } catch (err) {
            await a.respond(ephemeral(note(`Sorry, \`/async ${what}\` failed on our side. Please try again in a minute.`))).catch(() => undefined);
            throw err;
          }
        },
        { team_id: team },
      );
    switch (cmd.kind) {
      case 'charter':
        if (cmd.history) {
          return later('charter history', async () => {
            const lines = await deps.charters.history(team, (await deps.people.caller(team, user)).tz, 10);
            return historyReply(lines);
          });
        }
        return later('charter', async () => charterReply(await deps.people.charterText(team, user, isDm(channel) ? null : channel)));
      case 'stats':
        return cmd.channel === null
          ? later('stats', async () => statsReply(await deps.people.overview(team, user)))
          : later('stats', async () => channelStatsReply(await deps.people.channelStats(team, (cmd.channel as { id: string }).id)));
      case 'decision':
        return later('decision', async () => {
          await deps.decisions.log(team, user, channel, cmd.text);
          const post = decisionPost(user, cmd.text);
          await a.respond({ response_type: 'in_channel', text: post.text, blocks: post.blocks });
          return note('Decision logged. Its text is stored on purpose as the team’s decision record and counts in the weekly digest.');
        });
      case 'memo':
        return later('memo', async () => {
          await a.client.views.open({ trigger_id: command.trigger_id, view: decisionMemoView({ n: '', c: channel, ts: '' }) });
          return null;
        });
      case 'focus':
        return later('focus', async () => focusReply(await deps.availability.focus(team, user, cmd.until)));
      case 'focus-off':
        return later('focus', async () => note((await deps.availability.focusOff(team, user)) ? 'Focus ended. Mentions reach you as usual again.' : 'You were not in focus. Start with `/async focus` (or `/async focus 90m`).'));
      case 'snooze':
        return later('snooze', async () => {
          if (cmd.days === 0) return note((await deps.availability.snoozeOff(team, user)) ? 'Nudges are back on.' : 'Your nudges were not snoozed.');
          return snoozeReply(await deps.availability.snooze(team, user, cmd.days), (await deps.people.caller(team, user)).tz);
        });
      case 'digest':
        return later('digest', async () => {
          const d = digestMessage(await deps.digests.preview(team));
          return { text: d.text, blocks: [...d.blocks.slice(0, 49), { type: 'context', elements: [{ type: 'mrkdwn', text: 'A preview of this week so far, for you only.' }] }] };
        });
      case 'config':
        return later('config', async () => ((await openCharterSettings(deps.settings, a.client, command.trigger_id, team, user)) ? null : note('Only workspace admins, owners and the charter’s editors can change the charter. `/async charter` shows the one in force.')));
      case 'pilot':
        return later('pilot', async () => {
          if (!(await deps.settings.mayEdit(team, user))) return note('Only workspace admins, owners and the charter’s editors can run a pilot. `/async charter` shows the charter in force.');
          return note('Pilots are not available in this version: `/async config` stores the `pilot` settings (start, weeks, channels), but nothing starts or stops a pilot yet, and the digest does not compare against a baseline.');
        });
      default:
        return;
    }
  };

/** The answer that needs nothing from the store or Slack (help, bad input, a DM, forget-me's question); null when work must run. */
function immediate(cmd: AsyncCommand, channel: string): Reply | null {
  switch (cmd.kind) {
    case 'help':
      return helpReply(cmd.unknown);
    case 'invalid':
      return invalidReply(cmd.problem, cmd.example);
    case 'forget-me':
      return forgetMeConfirm();
    case 'decision':
    case 'memo':
      return isDm(channel) ? note(`Run \`/async ${cmd.kind}\` in the channel the decision belongs to, so the team sees it there. For example: \`/async decision We ship v2 on Friday\` in #project.`) : null;
    default:
      return null;
  }
}
