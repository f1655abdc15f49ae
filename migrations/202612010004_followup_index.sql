-- Early follow-up checks after each message look up one person's earlier messages in a channel
-- and whether the recipient wrote there since: both by (channel, author, ts), not a scan of the
-- channel's history.
create index messages_channel_user_ts on messages (team_id, channel_id, user_id, ts);
