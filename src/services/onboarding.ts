import { Background } from '../background';
import type { Logger } from '../logger';
import type { Store } from '../store/connect';
import { claimIntro, markIntroPosted, releaseIntro } from '../store/intros';
import { slackErrorCode } from './slack-port';

export type OnboardingDeps = {
  store: Store;
  logger: Logger;
  now: () => number;
  /** chat.postMessage of the introduction (blocks built in src/slack); returns the ts. */
  postIntro: (teamId: string, channel: string) => Promise<string>;
  /** The app's own user id(s) in the workspace. */
  appUserIds: () => ReadonlySet<string>;
};

/**
 * When the app joins a channel it introduces itself there: what it measures, that no message
 * text is stored, `/async help`. Once per channel ever, whichever replica sees the join, however
 * often Slack delivers it. Runs after the event is stored, off the ack path.
 */
export class OnboardingService {
  private readonly background: Background;
  constructor(private readonly deps: OnboardingDeps) {
    this.background = new Background(deps.logger);
  }

  /** A member joined a channel: when it is the app, introduce it (in the background). */
  memberJoined(teamId: string, channelId: string, userId: string): void {
    if (!this.deps.appUserIds().has(userId) || /^D/.test(channelId)) return;
    this.background.run('channel introduction', () => this.introduce(teamId, channelId), { team_id: teamId, channel: channelId });
  }

  async idle(): Promise<void> {
    await this.background.idle();
  }

  private async introduce(teamId: string, channelId: string): Promise<void> {
    const { db } = this.deps.store;
    if (!(await claimIntro(db, teamId, channelId, new Date(this.deps.now())))) return;
    try {
      const ts = await this.deps.postIntro(teamId, channelId);
      await markIntroPosted(db, teamId, channelId, ts, new Date(this.deps.now()));
      this.deps.logger.info({ team_id: teamId, channel: channelId }, 'introduced the app in a channel');
    } catch (err) {
      // Removed again before it could post, or archived: nothing to retry now.
      const code = slackErrorCode(err);
      if (code !== 'not_in_channel' && code !== 'is_archived' && code !== 'channel_not_found') await releaseIntro(db, teamId, channelId);
      throw err;
    }
  }
}
