-- Workspace activity without message text: ids, times and flags only.

-- One row per workspace the app serves (token mode: auth.test's team).
create table workspaces (
  team_id       text primary key,
  bot_user_id   text,
  bot_id        text,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);

-- Every Events API delivery that was committed, by event_id: a retry finds its row and changes nothing.
create table slack_events (
  team_id       text not null,
  event_id      text not null,
  event_type    text not null,
  received_at   timestamptz not null default now(),
  primary key (team_id, event_id)
);
create index slack_events_received_at on slack_events (received_at);

-- The user directory, filled from users.info / users.json and refreshed on user_change.
create table users (
  team_id          text not null,
  user_id          text not null,
  user_team_id     text,                 -- the person's home team (Slack Connect)
  display_name     text,
  tz               text,                 -- IANA zone; null: use the charter timezone
  is_bot           boolean not null default false,
  is_app_user      boolean not null default false,
  deleted          boolean not null default false,
  is_admin         boolean not null default false,
  is_owner         boolean not null default false,
  is_primary_owner boolean not null default false,
  is_restricted    boolean not null default false,
  updated_at       timestamptz not null default now(),
  primary key (team_id, user_id)
);

-- Conversations the app has seen events from. DMs and group DMs are never recorded.
create table channels (
  team_id       text not null,
  channel_id    text not null,
  name          text,
  channel_type  text not null default 'channel',   -- channel | group (private)
  updated_at    timestamptz not null default now(),
  primary key (team_id, channel_id)
);

create table channel_members (
  team_id       text not null,
  channel_id    text not null,
  user_id       text not null,
  joined_at     timestamptz not null,
  primary key (team_id, channel_id, user_id)
);

-- Candidate human messages (SPEC §2): bot and system messages never get here.
-- Whether the author is a person is decided with the user directory (is_bot) when counting.
create table messages (
  team_id       text not null,
  channel_id    text not null,
  ts            text not null,                 -- Slack ts, as Slack wrote it
  posted_at     timestamptz not null,          -- ts as an instant (millisecond precision)
  thread_ts     text,
  root_ts       text not null,                 -- thread_ts if present, else ts
  is_reply      boolean not null,              -- thread_ts present and different from ts
  user_id       text not null,
  subtype       text,                          -- null, thread_broadcast, file_share or me_message
  mentions      text[] not null default '{}',  -- distinct user ids mentioned as <@U…>, in order of appearance
  edited_ts     text,                          -- last edit applied
  source        text not null,                 -- event | export
  created_at    timestamptz not null default now(),
  primary key (team_id, channel_id, ts)
);
create index messages_team_posted_at on messages (team_id, posted_at);
create index messages_root on messages (team_id, channel_id, root_ts);

-- A deleted message stays deleted even if an older delivery of it arrives later.
create table deleted_messages (
  team_id       text not null,
  channel_id    text not null,
  ts            text not null,
  deleted_at    timestamptz not null,
  primary key (team_id, channel_id, ts)
);

-- Reactions with the time they were added; a removal keeps the row (it still answered).
create table reactions (
  team_id       text not null,
  channel_id    text not null,
  message_ts    text not null,
  user_id       text not null,
  reaction      text not null,
  reacted_at    timestamptz not null,
  removed_at    timestamptz,
  primary key (team_id, channel_id, message_ts, user_id, reaction)
);
create index reactions_message on reactions (team_id, channel_id, message_ts);
