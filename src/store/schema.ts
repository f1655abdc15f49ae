import type { ColumnType, Generated } from 'kysely';

/** timestamptz: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface WorkspacesTable {
  team_id: string;
  bot_user_id: string | null;
  bot_id: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

/** OAuth mode: an installed workspace; the installation itself only sealed (src/slack/installations.ts). */
export interface InstallationsTable {
  team_id: string;
  enterprise_id: string | null;
  bot_user_id: string | null;
  bot_id: string | null;
  sealed: Buffer;
  installed_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface SlackEventsTable {
  team_id: string;
  event_id: string;
  event_type: string;
  received_at: DefaultedTimestamp;
}

export interface UsersTable {
  team_id: string;
  user_id: string;
  user_team_id: string | null;
  display_name: string | null;
  tz: string | null;
  is_bot: Generated<boolean>;
  is_app_user: Generated<boolean>;
  deleted: Generated<boolean>;
  is_admin: Generated<boolean>;
  is_owner: Generated<boolean>;
  is_primary_owner: Generated<boolean>;
  is_restricted: Generated<boolean>;
  updated_at: DefaultedTimestamp;
}

export interface ChannelsTable {
  team_id: string;
  channel_id: string;
  name: string | null;
  channel_type: Generated<string>;
  updated_at: DefaultedTimestamp;
}

export interface ChannelMembersTable {
  team_id: string;
  channel_id: string;
  user_id: string;
  joined_at: Timestamp;
}

export interface MessagesTable {
  team_id: string;
  channel_id: string;
  ts: string;
  posted_at: Timestamp;
  thread_ts: string | null;
  root_ts: string;
  is_reply: boolean;
  user_id: string;
  subtype: string | null;
  mentions: ColumnType<string[], string[] | undefined, string[]>;
  edited_ts: string | null;
  source: 'event' | 'export';
  created_at: DefaultedTimestamp;
  is_meeting_request: Generated<boolean>;
  is_where_is: Generated<boolean>;
  is_question: Generated<boolean>;
}

export interface DeletedMessagesTable {
  team_id: string;
  channel_id: string;
  ts: string;
  deleted_at: Timestamp;
}

export interface ReactionsTable {
  team_id: string;
  channel_id: string;
  message_ts: string;
  user_id: string;
  reaction: string;
  reacted_at: Timestamp;
  removed_at: Timestamp | null;
}

export interface ChartersTable {
  team_id: string;
  charter: ColumnType<unknown, string, string>;
  updated_by: string | null;
  updated_at: DefaultedTimestamp;
}

export interface CharterHistoryTable {
  id: Generated<string>;
  team_id: string;
  charter: ColumnType<unknown, string, string>;
  updated_by: string | null;
  updated_at: DefaultedTimestamp;
}

export interface DecisionsTable {
  id: Generated<string>;
  team_id: string;
  channel_id: string | null;
  user_id: string;
  summary: string;
  decided_at: DefaultedTimestamp;
}

export interface FocusSessionsTable {
  id: Generated<string>;
  team_id: string;
  user_id: string;
  started_at: Timestamp;
  ends_at: Timestamp;
}

export interface PulseResponsesTable {
  team_id: string;
  user_id: string;
  week_start: ColumnType<string, string, string>;
  answered_at: DefaultedTimestamp;
  focus: number;
  stress: number;
  autonomy: number;
}

export interface NudgesTable {
  id: Generated<string>;
  team_id: string;
  channel_id: string;
  message_ts: string;
  kind: string;
  user_id: string;
  about_user_id: Generated<string>;
  shown_at: DefaultedTimestamp;
  outcome: string | null;
  outcome_at: Timestamp | null;
}

export interface NudgeSnoozesTable {
  team_id: string;
  user_id: string;
  until: Timestamp;
}

export interface DigestPostsTable {
  team_id: string;
  week_start: string;
  round_started_at: Timestamp;
  claimed_at: Timestamp;
  lease_until: Timestamp;
  attempts: Generated<number>;
  claim_token: string;
  channel_id: string | null;
  message_ts: string | null;
  posted_at: Timestamp | null;
  chart_file_id: string | null;
  last_error: string | null;
}

export interface ChannelIntrosTable {
  team_id: string;
  channel_id: string;
  posted_at: Timestamp | null;
  claimed_at: Timestamp;
  message_ts: string | null;
}

export interface BackfillsTable {
  team_id: string;
  status: 'running' | 'done' | 'failed';
  days: number;
  oldest: Timestamp;
  join_public: Generated<boolean>;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  claim_token: string;
  lease_until: Timestamp;
  channels_listed: Generated<boolean>;
  last_error: string | null;
}

export interface BackfillChannelsTable {
  team_id: string;
  channel_id: string;
  channel_type: string;
  history_cursor: string | null;
  thread_ts: string | null;
  thread_cursor: string | null;
  messages: Generated<number>;
  threads: Generated<number>;
  done: Generated<boolean>;
  error: string | null;
  updated_at: DefaultedTimestamp;
}

export interface RetentionRunsTable {
  team_id: string;
  run_on: string;
  claim_token: string;
  claimed_at: Timestamp;
  lease_until: Timestamp;
  retention_days: number | null;
  cutoff: Timestamp | null;
  deleted: number | null;
  finished_at: Timestamp | null;
}

/** Requests (SPEC §4) with their first answers (migrations/202612100001_requests.sql), read by the report. */
export interface RequestsTable {
  team_id: string;
  channel_id: string;
  ts: string;
  /** 1-based place of rcpt in the message's mentions. */
  n: number;
  rcpt: string;
  requester: string;
  posted_at: Timestamp;
  root_ts: string;
  is_reply: boolean;
  /** First answering message of rcpt; 'infinity' when none. */
  reply_at: Timestamp;
  /** First reaction of rcpt to the message; 'infinity' when none. */
  reaction_at: Timestamp;
}

/** What changed in messages and reactions since the last drain (queued by triggers). */
export interface RequestsQueueTable {
  /** 'm': a version of a message; 'x': a reaction's message and reactor. */
  kind: 'm' | 'x';
  team_id: string;
  channel_id: string;
  ts: string;
  root_ts: string | null;
  user_id: string;
  is_reply: boolean | null;
  posted_at: Timestamp | null;
}

/** Teams whose requests the next drain computes anew (after a bulk load). */
export interface RequestsStaleTable {
  team_id: string;
}

/** A stale team's channels still to compute (migrations/202612110002_requests_rebuild_by_channel.sql). */
export interface RequestsStaleChannelsTable {
  team_id: string;
  channel_id: string;
}

export interface Database {
  workspaces: WorkspacesTable;
  installations: InstallationsTable;
  slack_events: SlackEventsTable;
  users: UsersTable;
  channels: ChannelsTable;
  channel_members: ChannelMembersTable;
  messages: MessagesTable;
  deleted_messages: DeletedMessagesTable;
  reactions: ReactionsTable;
  requests: RequestsTable;
  requests_queue: RequestsQueueTable;
  requests_stale: RequestsStaleTable;
  requests_stale_channels: RequestsStaleChannelsTable;
  charters: ChartersTable;
  charter_history: CharterHistoryTable;
  decisions: DecisionsTable;
  focus_sessions: FocusSessionsTable;
  pulse_responses: PulseResponsesTable;
  nudges: NudgesTable;
  nudge_snoozes: NudgeSnoozesTable;
  digest_posts: DigestPostsTable;
  channel_intros: ChannelIntrosTable;
  backfills: BackfillsTable;
  backfill_channels: BackfillChannelsTable;
  retention_runs: RetentionRunsTable;
}
