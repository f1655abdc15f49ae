-- OAuth mode (several workspaces): one row per installed workspace, written by /slack/oauth_redirect.
-- The installation as Slack gave it (bot token, scopes, installer) is kept only sealed: AES-256-GCM
-- under a key derived from TOKEN_ENCRYPTION_KEY (src/slack/installations.ts). The ids beside it are
-- plain, so that the app knows whom it serves and its own bot without opening the seal.
create table installations (
  team_id       text primary key,              -- the workspace (an org-wide install: the organisation's id)
  enterprise_id text,
  bot_user_id   text,
  bot_id        text,
  sealed        bytea not null,                -- version byte, 12-byte IV, 16-byte tag, ciphertext
  installed_at  timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
