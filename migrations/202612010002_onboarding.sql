-- Onboarding: the introduction the app posts once per channel ever.

create table channel_intros (
  team_id     text not null,
  channel_id  text not null,
  posted_at   timestamptz,                 -- null while claimed and not yet posted
  claimed_at  timestamptz not null,
  message_ts  text,
  primary key (team_id, channel_id)
);
