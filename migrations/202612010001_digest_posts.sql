-- Weekly digests: one row per workspace and week, claimed before posting so that any number of
-- replicas (and the CLI) post it once. A claim is a lease: a replica that dies while holding it
-- loses it when lease_until passes, and the next claimant first looks for the message in the
-- channel (by its metadata) before posting. A claimant that outlived its lease finds its token
-- replaced and stops before writing anything, to Slack or here.
create table digest_posts (
  team_id           text not null,
  week_start        text not null,                 -- local date of the Monday, YYYY-MM-DD
  round_started_at  timestamptz not null,          -- first claim of this round (--force starts a new round)
  claimed_at        timestamptz not null,          -- latest claim
  lease_until       timestamptz not null,
  attempts          integer not null default 1,    -- claims in this round
  claim_token       text not null,                 -- the current claimant's; every write checks it
  channel_id        text,
  message_ts        text,                          -- set once the message is known to be posted
  posted_at         timestamptz,
  chart_file_id     text,                          -- set once the chart is in the thread
  last_error        text,                          -- an error code, never message text
  primary key (team_id, week_start)
);

-- The digest counts a week's meeting-request nudges by outcome.
create index nudges_team_kind_time on nudges (team_id, kind, shown_at);
