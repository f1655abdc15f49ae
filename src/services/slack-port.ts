import type { NudgeKind } from '../store/nudges';

/** A nudge the app shows one person, privately, in the channel where they wrote. */
export type NudgeNotice = { kind: NudgeKind; channel: string; user: string; text: string; ref: { n: string; c: string; ts: string } };

/** What services need from Slack, so that they never import @slack/* (implemented in src/slack). */
export type SlackPort = {
  /** chat.postEphemeral to the author in that channel, with the kind's buttons. */
  showNudge(n: NudgeNotice): Promise<void>;
};
