-- Interactivity handled once: a button click (block_actions) or a modal submission (view_submission)
-- claims its key before it does anything, so a payload Slack delivers twice (a retry, a double
-- click) has one effect. The key is a SHA-256 of what identifies the payload (view id and hash,
-- or action_ts, action_id, the clicker and the container): no user id or text is kept in clear.
-- Claims older than a day are deleted as new ones are taken.
create table interaction_claims (
  team_id    text not null,
  key        text not null,
  claimed_at timestamptz not null,
  primary key (team_id, key)
);
create index interaction_claims_time on interaction_claims (team_id, claimed_at);
