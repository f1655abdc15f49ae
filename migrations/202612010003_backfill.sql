-- Backfill: the last N days of every tracked channel read through conversations.history and
-- conversations.replies, so the first digest is not empty. One run per workspace at a time; a
-- run is claimed with a lease like a digest (a process that dies loses it when lease_until
-- passes and the next claimant continues from the cursors below). No person's id is kept here.
create table backfills (
  team_id          text not null,
  status           text not null check (status in ('running', 'done', 'failed')),
  days             integer not null,
  oldest           timestamptz not null,            -- messages posted from this instant on
  join_public      boolean not null default false,  -- join every public channel first
  started_at       timestamptz not null,
  finished_at      timestamptz,
  claim_token      text not null,                   -- the current claimant's; every write checks it
  lease_until      timestamptz not null,
  channels_listed  boolean not null default false,  -- the run's channels are in backfill_channels
  last_error       text,                            -- a Slack error code, never message text
  primary key (team_id)
);

-- One row per channel of the current run: where its history stands, so a restart continues.
create table backfill_channels (
  team_id         text not null,
  channel_id      text not null,
  channel_type    text not null,                    -- channel | group (private)
  history_cursor  text,                             -- the history page being read; null: the first
  thread_ts       text,                             -- the thread of that page being read, if any
  thread_cursor   text,                             -- its replies page being read; null: the first
  messages        integer not null default 0,       -- messages stored that were new
  threads         integer not null default 0,       -- threads read to the end
  done            boolean not null default false,
  error           text,                             -- why the channel was left (not_in_channel…), if it was
  updated_at      timestamptz not null default now(),
  primary key (team_id, channel_id)
);
