import { classify } from './classify';

/**
 * Slack activity → plain records, SPEC §2. Pure: the only place message text is read on the
 * way in, and nothing here keeps it. Shapes are the Events API's and the export's own.
 */

/** Subtypes of a message a person wrote; any other subtype is a system or bot message. */
export const HUMAN_SUBTYPES: ReadonlySet<string | undefined> = new Set([undefined, 'thread_broadcast', 'file_share', 'me_message']);
export const SLACKBOT_ID = 'USLACKBOT';

export type MessageRecord = {
  channelId: string;
  ts: string;
  postedAt: Date;
  threadTs: string | null;
  rootTs: string;
  isReply: boolean;
  userId: string;
  subtype: string | null;
  /** Distinct user ids mentioned as <@U…> or <@U…|label>, in order of first appearance. */
  mentions: string[];
  editedTs: string | null;
  /** Classifier flags, from the text at ingest (the text itself is not kept). */
  meetingRequest: boolean;
  whereIs: boolean;
  question: boolean;
};

export type UserRecord = {
  userId: string;
  userTeamId: string | null;
  displayName: string | null;
  /** IANA zone, or null when Slack has none (the charter timezone applies). */
  tz: string | null;
  isBot: boolean;
  isAppUser: boolean;
  deleted: boolean;
  isAdmin: boolean;
  isOwner: boolean;
  isPrimaryOwner: boolean;
  isRestricted: boolean;
};

export type Change =
  | { kind: 'message'; message: MessageRecord; edit: boolean }
  | { kind: 'message_removed'; channelId: string; ts: string; at: Date }
  | { kind: 'reaction'; channelId: string; messageTs: string; userId: string; reaction: string; at: Date; removed: boolean }
  | { kind: 'member_joined'; channelId: string; userId: string; at: Date }
  | { kind: 'user'; user: UserRecord }
  | { kind: 'channel_renamed'; channelId: string; name: string }
  | { kind: 'channel_seen'; channelId: string; channelType: 'channel' | 'group' };

/** A message as the Events API and exports carry it (only the fields we read). */
export type SlackMessage = {
  type?: string;
  subtype?: string;
  ts?: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string | null;
  text?: string;
  edited?: { ts?: string; user?: string };
  channel?: string;
  channel_type?: string;
  hidden?: boolean;
  message?: SlackMessage;
  previous_message?: SlackMessage;
  deleted_ts?: string;
  event_ts?: string;
};

export type SlackUser = {
  id?: string;
  team_id?: string;
  name?: string;
  real_name?: string;
  deleted?: boolean;
  tz?: string | null;
  is_bot?: boolean;
  is_app_user?: boolean;
  is_admin?: boolean;
  is_owner?: boolean;
  is_primary_owner?: boolean;
  is_restricted?: boolean;
  profile?: { display_name?: string; real_name?: string };
};

export type SlackEvent = Omit<SlackMessage, 'channel' | 'user'> & {
  type: string;
  user?: string | SlackUser;
  item?: { type?: string; channel?: string; ts?: string };
  reaction?: string;
  channel?: string | { id?: string; name?: string };
};

const TS = /^(\d{1,12})(?:\.(\d{1,6}))?$/;

/** Slack ts ("1663966382.046509") → instant, truncated to the millisecond; null when malformed. */
export function tsToDate(ts: string | undefined): Date | null {
  if (ts === undefined) return null;
  const m = TS.exec(ts);
  if (m === null) return null;
  const ms = Number(m[1]) * 1000 + Math.floor(Number((m[2] ?? '').padEnd(6, '0')) / 1000);
  return new Date(ms);
}

const MENTION = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;

/** Distinct user ids mentioned as <@U…> or <@U…|label>, in order of first appearance. */
export function parseMentions(text: string | null | undefined): string[] {
  // An export may write "text": null (a message that is only a file, say): no mention.
  if (typeof text !== 'string' || text === '') return [];
  const seen = new Set<string>();
  for (const m of text.matchAll(MENTION)) seen.add(m[1] as string);
  return [...seen];
}

/** True when the message was written by a bot or Slackbot, whatever its directory entry says. */
export function isBotAuthored(m: SlackMessage): boolean {
  // Exports write "bot_id": null on people's messages: only a real id marks a bot.
  return (typeof m.bot_id === 'string' && m.bot_id !== '') || m.subtype === 'bot_message' || m.user === SLACKBOT_ID;
}

/**
 * The message as a record when it is a candidate human message (SPEC §2: no subtype or a
 * human subtype, a user author, not a bot); null otherwise. Whether the author's directory
 * entry is a bot is decided when counting.
 */
export function toMessageRecord(m: SlackMessage, channelId: string): MessageRecord | null {
  // "subtype": null (an export's writer may put it) is no subtype at all.
  if (!HUMAN_SUBTYPES.has(m.subtype ?? undefined) || isBotAuthored(m)) return null;
  if (m.ts === undefined || typeof m.user !== 'string' || m.user === '') return null;
  const postedAt = tsToDate(m.ts);
  if (postedAt === null) return null;
  const threadTs = m.thread_ts !== undefined && TS.test(m.thread_ts) ? m.thread_ts : null;
  const flags = classify(typeof m.text === 'string' ? m.text : '');
  return {
    channelId,
    ts: m.ts,
    postedAt,
    threadTs,
    rootTs: threadTs ?? m.ts,
    isReply: threadTs !== null && threadTs !== m.ts,
    userId: m.user,
    subtype: m.subtype ?? null,
    mentions: parseMentions(m.text),
    editedTs: m.edited?.ts ?? null,
    meetingRequest: flags.meeting_request,
    whereIs: flags.where_is,
    question: flags.question,
  };
}

/** Slack user object (users.info, user_change, users.json) → directory record. */
export function toUserRecord(u: SlackUser): UserRecord | null {
  if (typeof u.id !== 'string' || u.id === '') return null;
  const display = u.profile?.display_name || u.profile?.real_name || u.real_name || u.name || null;
  return {
    userId: u.id,
    userTeamId: u.team_id ?? null,
    displayName: display,
    tz: typeof u.tz === 'string' && u.tz !== '' ? u.tz : null,
    isBot: u.is_bot === true || u.id === SLACKBOT_ID,
    isAppUser: u.is_app_user === true,
    deleted: u.deleted === true,
    isAdmin: u.is_admin === true,
    isOwner: u.is_owner === true,
    isPrimaryOwner: u.is_primary_owner === true,
    isRestricted: u.is_restricted === true,
  };
}

function trackedType(channelType: string | undefined): 'channel' | 'group' | null {
  return channelType === 'channel' || channelType === 'group' ? channelType : null;
}

/**
 * A message event's channel type: its channel_type, which Slack sends with every message event;
 * when absent (a hand-made or older payload), read from the channel id: C… a channel. A G… id may
 * be a legacy private channel or a group DM, and a D… id is a DM: neither is tracked without
 * channel_type saying which (SPEC §7: DMs and group DMs never).
 */
function messageChannelType(channelType: string | undefined, channelId: string): 'channel' | 'group' | null {
  if (typeof channelType === 'string') return trackedType(channelType);
  return channelId.startsWith('C') ? 'channel' : null;
}

/**
 * One Events API event → the changes it makes. DMs and group DMs make none; bot, join and
 * other system messages make none; an edit re-evaluates the message; a delete removes it.
 */
export function changesFromEvent(e: SlackEvent): Change[] {
  switch (e.type) {
    case 'message':
      return messageChanges(e);
    case 'reaction_added':
    case 'reaction_removed': {
      const item = e.item;
      const userId = typeof e.user === 'string' ? e.user : undefined;
      const at = tsToDate(e.event_ts);
      if (item?.type !== 'message' || !item.channel || !item.ts || !userId || !e.reaction || at === null) return [];
      return [{ kind: 'reaction', channelId: item.channel, messageTs: item.ts, userId, reaction: e.reaction, at, removed: e.type === 'reaction_removed' }];
    }
    case 'member_joined_channel': {
      const channelId = typeof e.channel === 'string' ? e.channel : undefined;
      const userId = typeof e.user === 'string' ? e.user : undefined;
      const type = trackedType(e.channel_type === 'C' ? 'channel' : e.channel_type === 'G' ? 'group' : e.channel_type);
      const at = tsToDate(e.event_ts);
      if (!channelId || !userId || at === null || type === null) return [];
      return [
        { kind: 'channel_seen', channelId, channelType: type },
        { kind: 'member_joined', channelId, userId, at },
      ];
    }
    case 'user_change': {
      const user = typeof e.user === 'object' && e.user !== null ? toUserRecord(e.user) : null;
      return user === null ? [] : [{ kind: 'user', user }];
    }
    case 'channel_rename':
    case 'group_rename': {
      const ch = typeof e.channel === 'object' && e.channel !== null ? e.channel : undefined;
      return ch?.id && ch.name ? [{ kind: 'channel_renamed', channelId: ch.id, name: ch.name }] : [];
    }
    default:
      return [];
  }
}

function messageChanges(e: SlackEvent): Change[] {
  const channelId = typeof e.channel === 'string' ? e.channel : undefined;
  if (channelId === undefined) return [];
  const type = messageChannelType(e.channel_type, channelId);
  if (type === null) return [];
  const seen: Change = { kind: 'channel_seen', channelId, channelType: type };
  if (e.subtype === 'message_deleted') {
    const ts = e.deleted_ts ?? e.previous_message?.ts;
    const at = tsToDate(e.event_ts ?? e.ts);
    return ts && at ? [seen, { kind: 'message_removed', channelId, ts, at }] : [];
  }
  if (e.subtype === 'message_changed') {
    const inner = e.message;
    if (inner?.ts === undefined) return [];
    const record = toMessageRecord(inner, channelId);
    if (record !== null) return [seen, { kind: 'message', message: record, edit: true }];
    // Edited into something that is no longer a person's message (a tombstone, say): it no longer counts.
    const at = tsToDate(e.event_ts ?? e.ts);
    return at ? [seen, { kind: 'message_removed', channelId, ts: inner.ts, at }] : [];
  }
  const record = toMessageRecord({ ...e, channel: channelId, user: typeof e.user === 'string' ? e.user : undefined }, channelId);
  return record === null ? [] : [seen, { kind: 'message', message: record, edit: false }];
}
