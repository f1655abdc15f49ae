import type { SlackMessage } from '../domain/activity';
import type { Digest } from '../domain/digest';
import type { NudgeKind, NudgeRef } from '../domain/nudges';

/** A nudge the app shows one person, privately, in the channel where they wrote. */
export type NudgeNotice = { teamId: string; kind: NudgeKind; channel: string; user: string; text: string; ref: NudgeRef };

/** What services need from Slack, so that they never import @slack/* (implemented in src/slack). */
export type SlackPort = {
  /** chat.postEphemeral to the author in that channel, with the kind's buttons. */
  showNudge(n: NudgeNotice): Promise<void>;
  /** chat.postMessage of the app's introduction in a channel it joined; returns the ts. */
  postIntro(teamId: string, channel: string): Promise<string>;
};

/** A channel as conversations.info tells it; null from channelInfo when Slack does not know it. */
export type ChannelFacts = { id: string; name: string | null; members: number | null; isPrivate: boolean; isMember: boolean; isArchived: boolean };

/**
 * What the digest needs from Slack. Calls throw on failure with Slack's error code in
 * `err.data.error` (see slackErrorCode); rate limits and server errors are waited out inside.
 */
export type DigestSlackPort = {
  /**
   * chat.postMessage of the digest (blocks built in src/slack) with its metadata; returns the ts.
   * After an uncertain failure (5xx, timeout) it looks for the message posted since `since` (ms)
   * before posting again.
   */
  postDigest(channel: string, teamId: string, digest: Digest, since: number): Promise<string>;
  /** The ts of this (team, week)'s digest message in the channel posted since `oldest` (ms), found by its metadata. */
  findDigest(channel: string, teamId: string, weekStart: string, oldest: number): Promise<string | null>;
  /** Uploads the week's chart (PNG) into the message's thread (Slack's files upload API); returns the file id. */
  uploadChart(channel: string, threadTs: string, png: Buffer, meta: { weekStart: string; title: string; altText: string }): Promise<string>;
  /** The id of a file the app already shared in that thread, if any. */
  findChart(channel: string, threadTs: string): Promise<string | null>;
  channelInfo(channel: string): Promise<ChannelFacts | null>;
  /** conversations.join (public channels only). */
  joinChannel(channel: string): Promise<void>;
};

/** A call for a workspace this process does not serve (not installed, or uninstalled meanwhile): fails as Slack's refusals do (slackErrorCode: "not_served"). */
export function notServed(teamId: string): Error {
  return Object.assign(new Error(`workspace ${teamId} is not served (not installed)`), { data: { ok: false, error: 'not_served' } });
}

/** Slack's error code of a failed Web API call ("not_in_channel"), or null for anything else. */
export function slackErrorCode(err: unknown): string | null {
  const code = (err as { data?: { error?: unknown } } | null)?.data?.error;
  return typeof code === 'string' ? code : null;
}

/** A message as conversations.history/replies answer it: a thread root carries its reply count. */
export type HistoryMessage = SlackMessage & { reply_count?: number; latest_reply?: string };

/** One page of conversations.history or conversations.replies; nextCursor null on the last page. */
export type HistoryPage = { messages: HistoryMessage[]; nextCursor: string | null };

/** A conversation as conversations.list tells it. */
export type ListedChannel = { id: string; name: string | null; isPrivate: boolean; isMember: boolean; isArchived: boolean };

/**
 * What the backfill needs from Slack (reads, and joining public channels). Calls throw on failure
 * with Slack's error code in `err.data.error`; 429 (after Retry-After) and server errors are waited out inside.
 */
export type BackfillSlackPort = {
  /** conversations.list of public and private channels the app can see (private: only those it is in), every page. */
  channels(): Promise<ListedChannel[]>;
  /** One page of conversations.history from `oldestSec` (Slack ts, seconds) on, newest first. */
  history(channel: string, oldestSec: string, cursor?: string): Promise<HistoryPage>;
  /** One page of conversations.replies of a thread, oldest first (the first page starts with the root). */
  replies(channel: string, threadTs: string, cursor?: string): Promise<HistoryPage>;
  /** conversations.join (public channels only). */
  join(channel: string): Promise<void>;
};
