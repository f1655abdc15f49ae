-- The charter in force per workspace, its history, and what people submit on purpose.

create table charters (
  team_id     text primary key,
  charter     jsonb not null,
  updated_by  text,                      -- user id, or 'cli'
  updated_at  timestamptz not null default now()
);

create table charter_history (
  id          bigserial primary key,
  team_id     text not null,
  charter     jsonb not null,
  updated_by  text,
  updated_at  timestamptz not null default now()
);
create index charter_history_team on charter_history (team_id, updated_at);

-- Classifier flags, set at ingest from the text (which is then dropped).
alter table messages add column is_meeting_request boolean not null default false;
alter table messages add column is_where_is boolean not null default false;
alter table messages add column is_question boolean not null default false;

-- Decisions recorded through the app (/async decision, decision memos). The person submits this text on purpose.
create table decisions (
  id          bigserial primary key,
  team_id     text not null,
  channel_id  text,
  user_id     text not null,
  summary     text not null,
  decided_at  timestamptz not null default now()
);
create index decisions_team_time on decisions (team_id, decided_at);

-- Focus time logged with /async focus.
create table focus_sessions (
  id          bigserial primary key,
  team_id     text not null,
  user_id     text not null,
  started_at  timestamptz not null,
  ends_at     timestamptz not null
);
create index focus_sessions_team_time on focus_sessions (team_id, started_at);

-- Weekly pulse answers (1-5).
create table pulse_responses (
  team_id     text not null,
  user_id     text not null,
  week_start  date not null,
  answered_at timestamptz not null default now(),
  focus       smallint not null check (focus between 1 and 5),
  stress      smallint not null check (stress between 1 and 5),
  autonomy    smallint not null check (autonomy between 1 and 5),
  primary key (team_id, user_id, week_start)
);
