-- Retention: once a day, per workspace, activity older than the charter's retention_days is
-- deleted, and event-id dedupe rows older than a week. A run is claimed per (workspace, UTC day)
-- with a lease, like a digest: any number of replicas tick, one deletes; a replica that dies
-- while holding the claim loses it when lease_until passes, and the next tick finishes the run
-- (every delete is idempotent). No person's id is kept here.
create table retention_runs (
  team_id         text not null,
  run_on          text not null,                  -- the UTC date of the run, YYYY-MM-DD
  claim_token     text not null,                  -- the current claimant's; every write checks it
  claimed_at      timestamptz not null,
  lease_until     timestamptz not null,
  retention_days  integer,                        -- the charter's, at the run (null: unreadable charter, activity kept)
  cutoff          timestamptz,                    -- activity before this instant was deleted
  deleted         integer,                        -- rows deleted in all tables
  finished_at     timestamptz,
  primary key (team_id, run_on)
);

-- The deletes find old rows per workspace by time.
create index reactions_team_reacted_at on reactions (team_id, reacted_at);
create index deleted_messages_team_deleted_at on deleted_messages (team_id, deleted_at);
create index nudges_team_shown_at on nudges (team_id, shown_at);
create index pulse_responses_team_answered_at on pulse_responses (team_id, answered_at);
