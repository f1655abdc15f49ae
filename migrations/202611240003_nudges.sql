-- Nudges shown to people, and what they did with them (no message text).
create table nudges (
  id            bigserial primary key,
  team_id       text not null,
  channel_id    text not null,
  message_ts    text not null,
  kind          text not null,               -- meeting_request | off_hours | early_followup
  user_id       text not null,               -- who saw it (the message's author)
  about_user_id text not null default '',    -- the person mentioned (off_hours, early_followup)
  shown_at      timestamptz not null default now(),
  outcome       text,                        -- thread | memo | agenda | not_meeting | snoozed | dismissed
  outcome_at    timestamptz,
  unique (team_id, channel_id, message_ts, kind, user_id, about_user_id)
);
create index nudges_user_kind_time on nudges (team_id, user_id, kind, shown_at);

-- "Snooze nudges for 7 days".
create table nudge_snoozes (
  team_id     text not null,
  user_id     text not null,
  until       timestamptz not null,
  primary key (team_id, user_id)
);
